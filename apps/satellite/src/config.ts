/**
 * The satellite's settings: where it keeps its state, where it listens, and the policies it applies
 * to uploads (redundancy, segment and inline sizes) and to node selection.
 */
import { DEFAULT_SHARE_SIZE, parseScheme, type RedundancyScheme } from '@dcsim/erasure';
import type { Logger } from './log.js';
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
  /** A node is vetted once this many pieces were committed on it (dcsim has no audits yet). */
  vettingPieceCount: number;
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
  vettingPieceCount: 10,
  inlineThreshold: 4 * 1024,
  maxSegmentSize: 64 * 1024 * 1024,
  orderExpirationMs: 60 * 60 * 1000,
  deletionIntervalMs: 2_000,
  cleanupIntervalMs: 60_000,
  // Five minutes: reads of big objects through slow links finish on the version they started with.
  retiredGraceMs: 5 * 60_000,
  gcIntervalMs: 0,
} as const;

export class ConfigError extends SatelliteAppError {}

/** Fills in defaults and checks ranges; throws ConfigError naming the bad setting. */
export function makeConfig(partial: Partial<SatelliteConfig> & { dir: string; listen: string }): SatelliteConfig {
  const config: SatelliteConfig = {
    scheme: parseScheme(DEFAULTS.scheme, DEFAULTS.shareSize),
    newNodeFraction: DEFAULTS.newNodeFraction,
    nodeOnlineWindowMs: DEFAULTS.nodeOnlineWindowMs,
    vettingPieceCount: DEFAULTS.vettingPieceCount,
    inlineThreshold: DEFAULTS.inlineThreshold,
    maxSegmentSize: DEFAULTS.maxSegmentSize,
    orderExpirationMs: DEFAULTS.orderExpirationMs,
    deletionIntervalMs: DEFAULTS.deletionIntervalMs,
    cleanupIntervalMs: DEFAULTS.cleanupIntervalMs,
    retiredGraceMs: DEFAULTS.retiredGraceMs,
    gcIntervalMs: DEFAULTS.gcIntervalMs,
    clockOffsetMs: 0,
    ...stripUndefined(partial),
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
  if (!Number.isFinite(config.retiredGraceMs) || config.retiredGraceMs < 0) {
    throw new ConfigError(`retired grace must be zero or more, got ${config.retiredGraceMs}`);
  }
  if (!Number.isSafeInteger(config.gcIntervalMs) || config.gcIntervalMs < 0) {
    throw new ConfigError(`gc interval must be whole milliseconds, zero or more, got ${config.gcIntervalMs}`);
  }
  if (!Number.isInteger(config.inlineThreshold) || config.inlineThreshold < 0) {
    throw new ConfigError(`inline threshold must be a non-negative integer, got ${config.inlineThreshold}`);
  }
  if (!Number.isInteger(config.vettingPieceCount) || config.vettingPieceCount < 0) {
    throw new ConfigError(`vetting piece count must be a non-negative integer, got ${config.vettingPieceCount}`);
  }
  return config;
}

function requirePositive(what: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${what} must be positive, got ${value}`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
