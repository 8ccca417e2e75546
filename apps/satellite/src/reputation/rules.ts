/**
 * What one audit outcome does to a node's reputation (Storj's reputation service, populateUpdateNodeStats):
 *
 * - success: the audit score and the unknown-audit score both rise;
 * - failure (wrong data, piece missing): the audit score falls; at or below `auditDq` the node is disqualified;
 * - unknown (an error that proves nothing): the unknown-audit score falls; at or below `unknownDq` the node is
 *   suspended (no new pieces), lifted once it rises above again; still suspended after the grace period (and
 *   `suspensionDq` on) → disqualified;
 * - offline: neither score moves; only the online history (and the audit count) does.
 * Every audit counts towards vetting: a node is vetted once it passed `vettingAuditCount` audits.
 * Disqualification is for good: a disqualified node's audits change nothing.
 */
import { onlineScore, recordOnline, score, steadyAlpha, updateBeta, type Beta, type OnlineWindow } from './score.js';

export type AuditOutcome = 'success' | 'failure' | 'offline' | 'unknown';

export interface ReputationConfig {
  /** Memory of the audit score (Storj release 0.999; testnet 0.985 so that 3 failures in a row disqualify). */
  auditLambda: number;
  auditWeight: number;
  /** Disqualified when the audit score is at or below this (Storj 0.96). */
  auditDq: number;
  /** Memory of the unknown-audit score (Storj 0.95). */
  unknownLambda: number;
  /** Suspended when the unknown-audit score is at or below this (Storj 0.6). */
  unknownDq: number;
  /** How long a node may stay suspended before it is disqualified (Storj release 7 days, dev 1 h). */
  suspensionGraceMs: number;
  /** Whether a suspension that outlasts its grace disqualifies (Storj release false, dev true). */
  suspensionDq: boolean;
  /** Successful audits after which a new node is vetted (Storj release 100 audits, dev 0). */
  vettingAuditCount: number;
  /** Online history: window size and how far back it is kept (Storj release 12 h / 30 d, dev 5 m / 1 h). */
  onlineWindowMs: number;
  onlineTrackingMs: number;
}

export type DqReason = 'audit failure' | 'suspension grace period expired for unknown audits';

/** A node's reputation: its scores (reputations table) and the states they led to (nodes table). */
export interface Reputation {
  audit: Beta;
  unknown: Beta;
  history: OnlineWindow[];
  totalAuditCount: number;
  auditSuccessCount: number;
  vettedAt: number | null;
  disqualifiedAt: number | null;
  disqualificationReason: string | null;
  unknownSuspendedAt: number | null;
}

/** A change worth a log line. */
export type ReputationEvent =
  { kind: 'disqualified'; reason: DqReason } | { kind: 'suspended' } | { kind: 'suspension lifted' } | { kind: 'vetted' };

/** The reputation of a node never audited: steady-state audit alpha (Storj's InitialAlpha), unknown alpha 1. */
export function freshReputation(config: ReputationConfig): Reputation {
  return {
    audit: { alpha: steadyAlpha(config.auditLambda, config.auditWeight), beta: 0 },
    unknown: { alpha: 1, beta: 0 },
    history: [],
    totalAuditCount: 0,
    auditSuccessCount: 0,
    vettedAt: null,
    disqualifiedAt: null,
    disqualificationReason: null,
    unknownSuspendedAt: null,
  };
}

/** Applies one outcome at `now`; returns the new reputation and what changed. A disqualified node is left as is. */
export function applyAudit(
  before: Reputation,
  outcome: AuditOutcome,
  now: number,
  config: ReputationConfig,
): { after: Reputation; events: ReputationEvent[] } {
  if (before.disqualifiedAt !== null) return { after: before, events: [] };
  const r: Reputation = { ...before };
  const events: ReputationEvent[] = [];
  const w = config.auditWeight;
  if (outcome === 'success') {
    r.audit = updateBeta(r.audit, true, config.auditLambda, w);
    r.unknown = updateBeta(r.unknown, true, config.unknownLambda, w);
    r.auditSuccessCount++;
  } else if (outcome === 'failure') {
    r.audit = updateBeta(r.audit, false, config.auditLambda, w);
  } else if (outcome === 'unknown') {
    r.unknown = updateBeta(r.unknown, false, config.unknownLambda, w);
  }
  r.totalAuditCount++;
  r.history = recordOnline(r.history, now, outcome !== 'offline', config.onlineWindowMs, config.onlineTrackingMs);

  const disqualify = (reason: DqReason) => {
    r.disqualifiedAt = now;
    r.disqualificationReason = reason;
    r.unknownSuspendedAt = null;
    events.push({ kind: 'disqualified', reason });
  };
  if (score(r.audit) <= config.auditDq) {
    disqualify('audit failure');
  } else if (score(r.unknown) <= config.unknownDq) {
    if (r.unknownSuspendedAt === null) {
      r.unknownSuspendedAt = now;
      events.push({ kind: 'suspended' });
    } else if (config.suspensionDq && now - r.unknownSuspendedAt > config.suspensionGraceMs) {
      disqualify('suspension grace period expired for unknown audits');
    }
  } else if (r.unknownSuspendedAt !== null) {
    r.unknownSuspendedAt = null;
    events.push({ kind: 'suspension lifted' });
  }
  if (r.disqualifiedAt === null && r.vettedAt === null && r.auditSuccessCount >= config.vettingAuditCount) {
    r.vettedAt = now;
    events.push({ kind: 'vetted' });
  }
  return { after: r, events };
}

/** The numbers people look at: `testnet status`, logs. */
export function scores(r: Reputation) {
  return { auditScore: score(r.audit), unknownAuditScore: score(r.unknown), onlineScore: onlineScore(r.history) };
}
