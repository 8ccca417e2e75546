/**
 * The audit service's chores (Storj's audit worker and reverify worker):
 *
 * - `audit` audits a few segments from the queue each run (chooser.ts refills it), a low, steady rate;
 * - `audit-all` (on demand: `testnet satellite audit`) audits every segment once, now;
 * - `reverify` works through the reverifications that are due (reverifier.ts).
 *
 * A segment's holders that are contained (a reverification pending) are not audited on it, as in Storj.
 * Each run returns its results as plain data, which the admin socket hands to whoever ran it.
 */
import { nodeIdString } from '@dcsim/common/nodeid';
import type { Clock } from '@dcsim/process';
import type { Transport } from '@dcsim/protocol';
import type { AuditableSegment, SatelliteDb } from '../db/index.js';
import { chooseSegments } from './chooser.js';
import { NodeClients } from './fetch.js';
import type { Reporter } from './reporter.js';
import type { Reverifier, ReverifyResult } from './reverifier.js';
import { hex, type PieceOutcome, type Verifier } from './verifier.js';

export interface AuditConfig {
  /** How often the `audit` chore runs (0: only when triggered). */
  intervalMs: number;
  /** Segments each `audit` run audits. */
  segmentsPerRun: number;
  /** Segments per node in each walk's reservoir (Storj 3). */
  slots: number;
  /** Segments audited at once (Storj's worker concurrency is 2). */
  concurrency: number;
  /** How long a node has to answer an audit or a reverification (Storj release 15 s, test 5 s). */
  timeoutMs: number;
  /** How often the `reverify` chore runs (0: only when triggered). */
  reverifyIntervalMs: number;
  /** How long after its last attempt a reverification is tried again (Storj release 6 h, dev 10 m). */
  reverifyRetryMs: number;
  /** Timeouts in a row after which a contained node fails the audit (Storj 3). */
  maxReverifyCount: number;
}

/** One segment's audit as a run returns it. */
export interface SegmentAudit {
  /** Hex. */
  streamId: string;
  part: number;
  index: number;
  stripe: number;
  problem?: string;
  pieces: { pieceNum: number; nodeId: string; outcome: PieceOutcome; why?: string; auditScore?: number }[];
  /** The first bytes of each share received (hex), by piece number. */
  samples: Record<number, string>;
}

export interface AuditRound {
  segments: SegmentAudit[];
  /** Per node: how its audits came out in this round. */
  nodes: Record<string, Record<PieceOutcome, number>>;
  /** Shares that went through error correction. */
  sharesVerified: number;
}

export interface AuditorDeps {
  db: SatelliteDb;
  clock: Clock;
  verifier: Verifier;
  reporter: Reporter;
  reverifier: Reverifier;
  /** Dials the nodes (TLS, expecting each one's ID). */
  transport: Transport;
  config: AuditConfig;
}

export class Auditor {
  private queue: AuditableSegment[] = [];

  constructor(private readonly deps: AuditorDeps) {}

  /** The `audit` chore: the next few segments of the queue. */
  runQueued(): Promise<AuditRound> {
    const { db, clock, config } = this.deps;
    if (this.queue.length === 0) this.queue = chooseSegments(db, clock.now(), config.slots);
    return this.audit(this.queue.splice(0, config.segmentsPerRun));
  }

  /** The `audit-all` chore: every auditable segment, once. */
  runAll(): Promise<AuditRound> {
    return this.audit(this.deps.db.auditableSegments.all(this.deps.clock.now()));
  }

  /** The `reverify` chore. */
  async reverify(): Promise<{ reverified: (Omit<ReverifyResult, 'nodeId'> & { nodeId: string })[] }> {
    const results = await this.deps.reverifier.runDue();
    return { reverified: results.map((r) => ({ ...r, nodeId: nodeIdString(r.nodeId) })) };
  }

  private async audit(segments: AuditableSegment[]): Promise<AuditRound> {
    const round: AuditRound = { segments: [], nodes: {}, sharesVerified: 0 };
    const clients = new NodeClients(this.deps.transport);
    let next = 0;
    const worker = async () => {
      while (next < segments.length) round.segments.push(await this.auditOne(segments[next++], round, clients));
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, this.deps.config.concurrency) }, worker));
    } finally {
      clients.close();
    }
    return round;
  }

  private async auditOne(segment: AuditableSegment, round: AuditRound, clients: NodeClients): Promise<SegmentAudit> {
    const { db, clock, verifier, reporter } = this.deps;
    // Looked up per segment: a timeout in this round contains the node for the segments after it.
    const contained = new Set(db.reverifications.all().map((r) => hex(r.nodeId)));
    const report = await verifier.verify(segment, contained, clients);
    const pieces = reporter.record(report, clock.now()).map((p) => ({ ...p, nodeId: nodeIdString(p.nodeId) }));
    for (const p of pieces) {
      const tally = (round.nodes[p.nodeId] ??= { success: 0, failure: 0, offline: 0, unknown: 0, contained: 0 });
      tally[p.outcome]++;
    }
    if (!report.problem) round.sharesVerified += Object.keys(report.samples).length;
    return {
      streamId: hex(segment.streamId),
      part: segment.part,
      index: segment.index,
      stripe: report.stripe,
      ...(report.problem ? { problem: report.problem } : {}),
      pieces,
      samples: report.samples,
    };
  }
}
