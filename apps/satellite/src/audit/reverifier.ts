/**
 * Reverification (Storj's audit.Reverifier): a node that timed out on an audit is *contained*, and must later
 * send the whole piece it was asked about. The piece must be the size the segment says, hash (SHA-256) to the
 * hash the node signed when it stored it, and that signed hash must name this piece and verify under the node's
 * key. Outcomes, as Storj's RecordReverificationResult:
 *
 * | what happened                                  | reputation | job       |
 * |------------------------------------------------|------------|-----------|
 * | segment gone or changed, piece moved, node DQ'd | nothing    | removed   |
 * | piece intact                                   | success    | removed   |
 * | piece missing or wrong                         | failure (piece leaves the segment) | removed |
 * | timed out again, fewer than maxReverifyCount tries | nothing | kept      |
 * | timed out maxReverifyCount times               | failure    | removed   |
 * | offline                                        | offline    | kept      |
 * | any other error                                | unknown    | removed   |
 */
import { createHash } from 'node:crypto';
import { equalBytes } from '@dcsim/common/bytes';
import { shortNodeId } from '@dcsim/common/short';
import type { Clock } from '@dcsim/process';
import { verifyPieceHashSignature, type Transport } from '@dcsim/protocol';
import type { NodeRow, ReverificationRow, SatelliteDb } from '../db/index.js';
import type { Logger } from '../log.js';
import type { OrderSigner } from '../orders.js';
import type { Overlay } from '../overlay.js';
import type { ReputationService } from '../reputation/service.js';
import { fetchPieceRange, NodeClients, type Fetched } from './fetch.js';
import { segmentName, type Reporter } from './reporter.js';

/** A run's share of the queue; the rest waits for the next run. */
const MAX_JOBS_PER_RUN = 100;

export type ReverifyOutcome = 'success' | 'failure' | 'offline' | 'unknown' | 'contained' | 'not necessary';

export interface ReverifyResult {
  nodeId: Uint8Array;
  pieceNum: number;
  outcome: ReverifyOutcome;
  why?: string;
}

export interface ReverifierDeps {
  db: SatelliteDb;
  overlay: Overlay;
  orders: OrderSigner;
  transport: Transport;
  clock: Clock;
  reputation: ReputationService;
  reporter: Reporter;
  log: Logger;
  timeoutMs: number;
  /** A job is retried this long after its last attempt (Storj release 6 h, dev 10 m). */
  retryMs: number;
  /** Timeouts after which a contained node fails the audit (Storj 3). */
  maxReverifyCount: number;
}

export class Reverifier {
  constructor(private readonly deps: ReverifierDeps) {}

  /** Works through the jobs due now, each once (a job kept for later waits for its retry); returns what each came to. */
  async runDue(): Promise<ReverifyResult[]> {
    const { db, clock, retryMs } = this.deps;
    const results: ReverifyResult[] = [];
    for (const due of db.reverifications.due(clock.now(), retryMs, MAX_JOBS_PER_RUN)) {
      results.push(await this.reverify(db.reverifications.attempt(due, clock.now())));
    }
    return results;
  }

  private async reverify(job: ReverificationRow): Promise<ReverifyResult> {
    const { db, clock, reputation, reporter, log } = this.deps;
    const check = await this.check(job);
    const now = clock.now();
    const { outcome } = check;
    const keep = outcome === 'offline' || (outcome === 'contained' && job.reverifyCount < this.deps.maxReverifyCount);
    if (outcome === 'success' || outcome === 'offline' || outcome === 'unknown') reputation.apply(job.nodeId, outcome, now);
    if (outcome === 'failure' || (outcome === 'contained' && !keep)) {
      reputation.apply(job.nodeId, 'failure', now);
      const segment = db.auditableSegments.get(job.streamId, job.part, job.index, now);
      if (segment && outcome === 'failure') reporter.removePiece(segment, job, now);
    }
    if (!keep) db.reverifications.delete(job);
    const tries = outcome === 'contained' ? ` (attempt ${job.reverifyCount} of ${this.deps.maxReverifyCount})` : '';
    const verdict = outcome === 'contained' && !keep ? 'FAILURE (max reverify count reached)' : outcome.toUpperCase();
    log(
      `reverification of piece ${job.pieceNum} of segment ${segmentName(job)} on ${shortNodeId(job.nodeId)}: ${verdict}` +
        `${check.why ? ` (${check.why})` : ''}${tries}; ${keep ? 'still contained' : 'no longer contained for it'}`,
    );
    return { nodeId: job.nodeId, pieceNum: job.pieceNum, ...check };
  }

  private async check(job: ReverificationRow): Promise<{ outcome: ReverifyOutcome; why?: string }> {
    const { db, overlay, orders, transport, clock, timeoutMs } = this.deps;
    const now = clock.now();
    const segment = db.auditableSegments.get(job.streamId, job.part, job.index, now);
    if (!segment) return { outcome: 'not necessary', why: 'segment deleted or expired' };
    const held = db.segments.pieces(job.streamId, job.part, job.index).find((p) => p.pieceNum === job.pieceNum);
    if (!held || !equalBytes(held.nodeId, job.nodeId)) return { outcome: 'not necessary', why: 'the node no longer holds that piece' };
    const node = db.nodes.get(job.nodeId);
    if (!node || node.disqualifiedAt !== null) return { outcome: 'not necessary', why: 'node disqualified' };
    if (!overlay.isOnline(node, now)) return { outcome: 'offline', why: 'not in contact with the satellite' };

    const limit = orders.auditLimits(segment.rootPieceId, [{ pieceNum: job.pieceNum, node }], segment.pieceSize)[0].limit!;
    const clients = new NodeClients(transport);
    let fetched: Fetched;
    try {
      fetched = await fetchPieceRange(clients.get(node), limit, { offset: 0, size: segment.pieceSize }, timeoutMs);
    } finally {
      clients.close();
    }
    if ('problem' in fetched) return { outcome: fetched.problem, why: fetched.why };
    const problem = pieceProblem(fetched, node, limit.pieceId, segment.pieceSize);
    return problem ? { outcome: 'failure', why: problem } : { outcome: 'success' };
  }
}

/** What is wrong with a whole piece a node sent, or undefined when it is the piece it signed for. */
function pieceProblem(fetched: Extract<Fetched, { data: Uint8Array }>, node: NodeRow, pieceId: Uint8Array, size: number) {
  const { data, hash } = fetched;
  if (!hash) return 'no signed piece hash';
  if (!verifyPieceHashSignature(node.publicKey, hash)) return 'piece hash not signed by the node';
  if (!equalBytes(hash.pieceId, pieceId)) return 'signed hash names another piece';
  if (data.length !== size) return `sent ${data.length} bytes, the piece has ${size}`;
  if (!equalBytes(createHash('sha256').update(data).digest(), hash.hash)) return 'downloaded piece does not match its signed hash';
  return undefined;
}
