/**
 * The reputation service: applies audit outcomes to nodes (rules.ts), stores the scores (reputations table) and
 * the states they lead to (nodes table: vetted, suspended, disqualified, which node selection reads), in one
 * transaction per outcome, and logs every change that matters in one line.
 */
import { nodeIdString } from '@dcsim/common/nodeid';
import type { NodeRow, ReputationRow, SatelliteDb } from '../db/index.js';
import type { Logger } from '../log.js';
import { applyAudit, freshReputation, scores, type AuditOutcome, type Reputation, type ReputationConfig } from './rules.js';

/** What `testnet status` and `satellite admin list-nodes` show of a node's reputation. */
export interface ReputationView {
  auditScore: number;
  unknownAuditScore: number;
  onlineScore: number;
  totalAuditCount: number;
  auditSuccessCount: number;
  vetted: boolean;
  suspended: boolean;
  disqualified: boolean;
}

export class ReputationService {
  constructor(
    private readonly db: SatelliteDb,
    readonly config: ReputationConfig,
    private readonly log: Logger,
  ) {}

  /** The node's reputation now (fresh values for a node never audited). */
  get(node: NodeRow): Reputation {
    const row = this.db.reputations.get(node.id);
    const base = freshReputation(this.config);
    const states = {
      vettedAt: node.vettedAt,
      disqualifiedAt: node.disqualifiedAt,
      disqualificationReason: node.disqualificationReason,
      unknownSuspendedAt: node.unknownAuditSuspendedAt,
    };
    if (!row) return { ...base, ...states };
    return {
      audit: { alpha: row.auditAlpha, beta: row.auditBeta },
      unknown: { alpha: row.unknownAlpha, beta: row.unknownBeta },
      history: JSON.parse(row.onlineHistory),
      totalAuditCount: row.totalAuditCount,
      auditSuccessCount: row.auditSuccessCount,
      ...states,
    };
  }

  view(node: NodeRow): ReputationView {
    const r = this.get(node);
    return {
      ...scores(r),
      totalAuditCount: r.totalAuditCount,
      auditSuccessCount: r.auditSuccessCount,
      vetted: r.vettedAt !== null,
      suspended: r.unknownSuspendedAt !== null,
      disqualified: r.disqualifiedAt !== null,
    };
  }

  /**
   * Applies one audit outcome to the node at `now`. Nodes the satellite does not know, and disqualified nodes,
   * are left alone (Storj ignores audits of disqualified nodes). Returns the audit score after.
   */
  apply(nodeId: Uint8Array, outcome: AuditOutcome, now: number): number | undefined {
    const result = this.db.transaction(() => {
      const node = this.db.nodes.get(nodeId);
      if (!node || node.disqualifiedAt !== null) return undefined;
      const before = this.get(node);
      const { after, events } = applyAudit(before, outcome, now, this.config);
      const created = this.db.reputations.get(nodeId)?.createdAt ?? now;
      this.db.reputations.put(toRow(nodeId, after, created, now));
      this.db.nodes.setStates(nodeId, {
        vettedAt: after.vettedAt,
        disqualifiedAt: after.disqualifiedAt,
        disqualificationReason: after.disqualificationReason,
        unknownAuditSuspendedAt: after.unknownSuspendedAt,
      });
      return { after, events };
    });
    if (!result) return undefined;
    const { after, events } = result;
    const s = scores(after);
    const name = nodeIdString(nodeId);
    for (const e of events) {
      if (e.kind === 'disqualified') {
        this.log(
          `node ${name} disqualified (${e.reason}): audit score ${fmt(s.auditScore)}, unknown-audit score ` +
            `${fmt(s.unknownAuditScore)} after ${after.totalAuditCount} audits; it gets no new pieces and its pieces count as lost`,
        );
      } else if (e.kind === 'suspended') {
        this.log(
          `node ${name} suspended (unknown audits): unknown-audit score ${fmt(s.unknownAuditScore)} <= ` +
            `${this.config.unknownDq}; it gets no new pieces until the score recovers`,
        );
      } else if (e.kind === 'suspension lifted') {
        this.log(`node ${name} suspension lifted: unknown-audit score ${fmt(s.unknownAuditScore)}`);
      } else {
        this.log(`node ${name} vetted after ${after.auditSuccessCount} successful audits`);
      }
    }
    return s.auditScore;
  }
}

function toRow(nodeId: Uint8Array, r: Reputation, createdAt: number, now: number): ReputationRow {
  return {
    nodeId,
    auditAlpha: r.audit.alpha,
    auditBeta: r.audit.beta,
    unknownAlpha: r.unknown.alpha,
    unknownBeta: r.unknown.beta,
    onlineHistory: JSON.stringify(r.history),
    totalAuditCount: r.totalAuditCount,
    auditSuccessCount: r.auditSuccessCount,
    createdAt,
    updatedAt: now,
  };
}

export function fmt(score: number): string {
  return score.toFixed(3);
}
