/**
 * The satellite's settings: where it keeps its state, where it listens, and the policies it applies
 * to uploads (redundancy, segment and inline sizes) and to node selection.
 */
import { DEFAULT_SHARE_SIZE, parseScheme, type RedundancyScheme } from '@dcsim/erasure';
import type { AuditConfig } from './audit/auditor.js';
import type { Logger } from './log.js';
import type { ReputationConfig } from './reputation/rules.js';
import { SatelliteAppError } from './errors.js';

export interface SatelliteConfig {
  /** Data dir: holds `identity.key` and `satellite.db`. */
  dir: string;
  /** host:port for the gRPC server; port 0 picks a free port. */
  listen: string;
  /** Redundancy every new segment gets (k/repair/optimal/n and share size). */
  scheme: RedundancyScheme;
  /** Fraction of each segment's n nodes taken from new (unvetted) nodes when there are some. */
  newNodeFraction: number;
  /** A node counts as online if it checked in within this many milliseconds. */
  nodeOnlineWindowMs: number;
  /** Largest encrypted segment the uplink may store inline in the satellite's database. */
  inlineThreshold: number;
  /** Largest plain segment the uplink may upload. */
  maxSegmentSize: number;
  /** How long order limits stay valid after they are signed. */
  orderExpirationMs: number;
  /** How often the piece-deletion chore (and the retired-objects chore that feeds it) looks for work. */
  deletionIntervalMs: number;
  /** How often the cleanup chore removes expired objects and abandoned uploads. */
  cleanupIntervalMs: number;
  /**
   * How long a replaced or deleted object stays readable by reads that began before (DownloadSegment by
   * stream ID); then its pieces are deleted. Storj keeps old pieces until garbage collection.
   */
  retiredGraceMs: number;
  /** Audits: which segments, how often, how long a node may take (audit/auditor.ts). */
  audit: AuditConfig;
  /** What audit outcomes do to nodes: scores, suspension, disqualification, vetting (reputation/rules.ts). */
  reputation: ReputationConfig;
  /** How often the repair checker walks every segment and queues the injured ones; 0: only when run (admin socket). */
  repairCheckerIntervalMs: number;
  /** How often the repairer works through the repair queue; 0: only when run. */
  repairerIntervalMs: number;
  /**
   * Count a later piece in a /24 that already holds one of the segment's pieces as unhealthy (Storj's declumping).
   * Off by default: on one machine every node is 127.0.0.1, and every piece but the first would be clumped.
   */
  repairDeclumping: boolean;
  /**
   * How often garbage collection sends every node a bloom filter of the pieces to keep (0: only when asked, e.g.
   * `testnet satellite gc`). Storj's sender runs hourly on filters its gc-bf process builds every few hours.
   */
  gcIntervalMs: number;
  /** Start with the clock this far ahead of real time (a testnet restarting a satellite after `time advance`). */
  clockOffsetMs: number;
  /** Where log lines go; stderr by default. */
  log?: Logger;
}

export const DEFAULTS = {
  scheme: '4/6/8/10',
  shareSize: DEFAULT_SHARE_SIZE,
  // Two of every ten pieces go to new nodes, so nodes that join a running testnet get work soon.
  newNodeFraction: 0.2,
  // Testnet nodes check in every ~10 s: a minute of silence means the node is gone.
  nodeOnlineWindowMs: 60_000,
  inlineThreshold: 4 * 1024,
  maxSegmentSize: 64 * 1024 * 1024,
  orderExpirationMs: 60 * 60 * 1000,
  deletionIntervalMs: 2_000,
  cleanupIntervalMs: 60_000,
  // Five minutes: reads of big objects through slow links finish on the version they started with.
  retiredGraceMs: 5 * 60_000,
  // Storj's checker runs every 30 s (release); the repairer here drains the queue soon after.
  repairCheckerIntervalMs: 30_000,
  repairerIntervalMs: 10_000,
  gcIntervalMs: 0,
} as const;

/**
 * Testnet audit settings: a segment every 10 s, so a person watching sees audits, and reverifications a
 * minute after a timeout. Storj's release values are in the comments of AuditConfig.
 */
export const AUDIT_DEFAULTS: AuditConfig = {
  intervalMs: 10_000,
  segmentsPerRun: 1,
  slots: 3,
  concurrency: 2,
  timeoutMs: 5_000,
  reverifyIntervalMs: 10_000,
  reverifyRetryMs: 60_000,
  maxReverifyCount: 3,
};

/**
 * Testnet reputation: lambda 0.985 with Storj's thresholds, so 3 failed audits in a row disqualify a node
 * (0.985^3 = 0.956 <= 0.96) and 2 passed audits vet it; Storj's dev values otherwise.
 */
export const REPUTATION_DEFAULTS: ReputationConfig = {
  auditLambda: 0.985,
  auditWeight: 1,
  auditDq: 0.96,
  unknownLambda: 0.95,
  unknownDq: 0.6,
  suspensionGraceMs: 3600_000,
  suspensionDq: true,
  vettingAuditCount: 2,
  onlineWindowMs: 5 * 60_000,
  onlineTrackingMs: 3600_000,
};

/** Storj's release values (satellite/reputation/config.go): 41 failures in a row disqualify a fresh node. */
export const REPUTATION_PRODUCTION: ReputationConfig = {
  auditLambda: 0.999,
  auditWeight: 1,
  auditDq: 0.96,
  unknownLambda: 0.95,
  unknownDq: 0.6,
  suspensionGraceMs: 7 * 24 * 3600_000,
  suspensionDq: false,
  vettingAuditCount: 100,
  onlineWindowMs: 12 * 3600_000,
  onlineTrackingMs: 30 * 24 * 3600_000,
};

export class ConfigError extends SatelliteAppError {}

/** Fills in defaults and checks ranges; throws ConfigError naming the bad setting. */
export type ConfigInput = Partial<Omit<SatelliteConfig, 'audit' | 'reputation'>> & {
  dir: string;
  listen: string;
  audit?: Partial<AuditConfig>;
  reputation?: Partial<ReputationConfig>;
};

export function makeConfig(partial: ConfigInput): SatelliteConfig {
  const config: SatelliteConfig = {
    scheme: parseScheme(DEFAULTS.scheme, DEFAULTS.shareSize),
    newNodeFraction: DEFAULTS.newNodeFraction,
    nodeOnlineWindowMs: DEFAULTS.nodeOnlineWindowMs,
    inlineThreshold: DEFAULTS.inlineThreshold,
    maxSegmentSize: DEFAULTS.maxSegmentSize,
    orderExpirationMs: DEFAULTS.orderExpirationMs,
    deletionIntervalMs: DEFAULTS.deletionIntervalMs,
    cleanupIntervalMs: DEFAULTS.cleanupIntervalMs,
    retiredGraceMs: DEFAULTS.retiredGraceMs,
    repairCheckerIntervalMs: DEFAULTS.repairCheckerIntervalMs,
    repairerIntervalMs: DEFAULTS.repairerIntervalMs,
    repairDeclumping: false,
    gcIntervalMs: DEFAULTS.gcIntervalMs,
    clockOffsetMs: 0,
    ...stripUndefined(partial),
    audit: { ...AUDIT_DEFAULTS, ...stripUndefined(partial.audit ?? {}) },
    reputation: { ...REPUTATION_DEFAULTS, ...stripUndefined(partial.reputation ?? {}) },
    dir: partial.dir,
    listen: partial.listen,
  };
  if (!(config.newNodeFraction >= 0 && config.newNodeFraction <= 1)) {
    throw new ConfigError(`new node fraction must be between 0 and 1, got ${config.newNodeFraction}`);
  }
  requirePositive('node online window', config.nodeOnlineWindowMs);
  requirePositive('max segment size', config.maxSegmentSize);
  requirePositive('order expiration', config.orderExpirationMs);
  requirePositive('deletion interval', config.deletionIntervalMs);
  requirePositive('cleanup interval', config.cleanupIntervalMs);
  for (const [what, value] of [
    ['repair checker interval', config.repairCheckerIntervalMs],
    ['repairer interval', config.repairerIntervalMs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new ConfigError(`${what} must be whole milliseconds, zero or more, got ${value}`);
  }
  if (!Number.isFinite(config.retiredGraceMs) || config.retiredGraceMs < 0) {
    throw new ConfigError(`retired grace must be zero or more, got ${config.retiredGraceMs}`);
  }
  if (!Number.isSafeInteger(config.gcIntervalMs) || config.gcIntervalMs < 0) {
    throw new ConfigError(`gc interval must be whole milliseconds, zero or more, got ${config.gcIntervalMs}`);
  }
  if (!Number.isInteger(config.inlineThreshold) || config.inlineThreshold < 0) {
    throw new ConfigError(`inline threshold must be a non-negative integer, got ${config.inlineThreshold}`);
  }
  checkAudit(config.audit);
  checkReputation(config.reputation);
  return config;
}

function checkAudit(a: AuditConfig): void {
  requireNonNegative('audit interval', a.intervalMs);
  requireNonNegative('reverify interval', a.reverifyIntervalMs);
  requireNonNegative('reverify retry', a.reverifyRetryMs);
  requirePositive('audit timeout', a.timeoutMs);
  for (const [what, n] of [
    ['audit segments per run', a.segmentsPerRun],
    ['audit slots', a.slots],
    ['audit concurrency', a.concurrency],
    ['max reverify count', a.maxReverifyCount],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${what} must be a whole number of at least 1, got ${n}`);
  }
}

function checkReputation(r: ReputationConfig): void {
  for (const [what, v] of [
    ['audit lambda', r.auditLambda],
    ['audit DQ threshold', r.auditDq],
    ['unknown-audit lambda', r.unknownLambda],
    ['unknown-audit suspension threshold', r.unknownDq],
  ] as const) {
    if (!(v > 0 && v <= 1)) throw new ConfigError(`${what} must be above 0 and at most 1, got ${v}`);
  }
  requirePositive('audit weight', r.auditWeight);
  requireNonNegative('suspension grace period', r.suspensionGraceMs);
  requirePositive('online window', r.onlineWindowMs);
  requirePositive('online tracking period', r.onlineTrackingMs);
  if (!Number.isInteger(r.vettingAuditCount) || r.vettingAuditCount < 0) {
    throw new ConfigError(`vetting audit count must be a non-negative integer, got ${r.vettingAuditCount}`);
  }
}

function requireNonNegative(what: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${what} must be zero or more, got ${value}`);
}

function requirePositive(what: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${what} must be positive, got ${value}`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
