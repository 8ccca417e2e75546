/**
 * The verifier (Storj's audit.Verifier.Verify): audits one stripe of one segment.
 *
 * 1. Pick a stripe at random (crypto randomness, uniform over the segment's stripes).
 * 2. Sign a GET_AUDIT order limit of one share for every piece holder that is online and not contained; holders
 *    the overlay says are offline count as offline without a dial. Fewer than k limits: nothing can be judged.
 * 3. Fetch that stripe's share from every holder at once (fetch.ts says what each answer means).
 * 4. If the segment was deleted or its pieces changed meanwhile, judge nobody.
 * 5. With at least k shares, error-correct the stripe (`correctStripe` of @dcsim/erasure, Storj uses
 *    Berlekamp-Welch): shares it names are wrong → failure; every other share → success. Too many wrong shares
 *    to tell which: nobody is failed or passed for the data (only missing pieces, offline and unknown count).
 *
 * The satellite handles only erasure shares of encrypted segments here; it has no key and learns no content.
 */
import { randomInt } from 'node:crypto';
import { equalBytes } from '@dcsim/common/bytes';
import { correctStripe, stripeCount, TooManyErrorsError, type RedundancyScheme } from '@dcsim/erasure';
import type { Clock } from '@dcsim/process';
import type { AuditableSegment, PieceRow, SatelliteDb } from '../db/index.js';
import type { OrderSigner, PiecePlacement } from '../orders.js';
import type { Overlay } from '../overlay.js';
import { fetchPieceRange, type Fetched, type NodeClients } from './fetch.js';

export type PieceOutcome = 'success' | 'failure' | 'offline' | 'unknown' | 'contained';

export interface PieceAudit {
  pieceNum: number;
  nodeId: Uint8Array;
  outcome: PieceOutcome;
  /** Why it was not a success. */
  why?: string;
}

export interface AuditReport {
  segment: AuditableSegment;
  stripe: number;
  /** What each holder's audit came to; only what is safe to record (see above). */
  pieces: PieceAudit[];
  /** The first bytes of every share received, by piece number: what the satellite sees (erasure shares of ciphertext). */
  samples: Record<number, string>;
  /** Why the stripe could not be judged as a whole (not enough shares, too many wrong ones, segment changed). */
  problem?: string;
}

const SAMPLE_BYTES = 32;

export interface VerifierDeps {
  db: SatelliteDb;
  overlay: Overlay;
  orders: OrderSigner;
  clock: Clock;
  /** How long a node has to send one share. */
  timeoutMs: number;
}

export class Verifier {
  constructor(private readonly deps: VerifierDeps) {}

  /** Audits a random stripe of `segment`, skipping the holders in `contained` (node IDs as hex). */
  async verify(segment: AuditableSegment, contained: Set<string>, clients: NodeClients): Promise<AuditReport> {
    const { db, orders, timeoutMs } = this.deps;
    const { scheme } = segment;
    const stripe = randomInt(stripeCount(segment.encryptedSize, scheme));
    const report: AuditReport = { segment, stripe, pieces: [], samples: {} };
    // The queue may hold it from a while ago: Storj's "segment deleted before Verify" judges nobody.
    if (!db.auditableSegments.get(segment.streamId, segment.part, segment.index, this.deps.clock.now())) {
      return { ...report, problem: 'segment deleted or expired before its audit' };
    }
    const pieces = db.segments.pieces(segment.streamId, segment.part, segment.index);
    const { offline, holders } = this.holders(pieces, contained);
    if (holders.length < scheme.required) {
      return { ...report, problem: `only ${holders.length} holders to audit, ${scheme.required} needed` };
    }

    const limits = orders.auditLimits(segment.rootPieceId, holders, scheme.shareSize);
    const range = { offset: stripe * scheme.shareSize, size: scheme.shareSize };
    const fetched = await Promise.all(holders.map(({ node }, i) => fetchPieceRange(clients.get(node), limits[i].limit!, range, timeoutMs)));

    const after = db.segments.pieces(segment.streamId, segment.part, segment.index);
    if (!samePieces(pieces, after)) {
      return { ...report, problem: after.length === 0 ? 'segment deleted during the audit' : 'segment changed during the audit' };
    }
    return { ...report, ...judge(scheme, offline, holders, fetched) };
  }

  /** The pieces' holders to ask (online, not contained, not disqualified), and the ones counted offline without a dial. */
  private holders(pieces: PieceRow[], contained: Set<string>): { offline: PieceAudit[]; holders: PiecePlacement[] } {
    const now = this.deps.clock.now();
    const offline: PieceAudit[] = [];
    const holders: PiecePlacement[] = [];
    for (const piece of pieces) {
      const node = this.deps.db.nodes.get(piece.nodeId);
      if (!node || node.disqualifiedAt !== null || contained.has(hex(piece.nodeId))) continue;
      if (!this.deps.overlay.isOnline(node, now)) offline.push({ ...piece, outcome: 'offline', why: 'not in contact with the satellite' });
      else holders.push({ pieceNum: piece.pieceNum, node });
    }
    return { offline, holders };
  }
}

/** Steps 5 and on: what the answers say about each holder, and what may be recorded of it. */
function judge(
  scheme: RedundancyScheme,
  offline: PieceAudit[],
  holders: PiecePlacement[],
  fetched: Fetched[],
): Pick<AuditReport, 'pieces' | 'samples' | 'problem'> {
  const shares = new Map<number, Uint8Array>();
  const samples: Record<number, string> = {};
  const judged: PieceAudit[] = [...offline];
  holders.forEach(({ pieceNum, node }, i) => {
    const f = fetched[i];
    const piece = { pieceNum, nodeId: node.id };
    if ('problem' in f) judged.push({ ...piece, outcome: f.problem, why: f.why });
    else if (f.data.length !== scheme.shareSize) judged.push({ ...piece, outcome: 'unknown', why: `sent ${f.data.length} bytes` });
    else {
      shares.set(pieceNum, f.data);
      samples[pieceNum] = Buffer.from(f.data.subarray(0, SAMPLE_BYTES)).toString('hex');
    }
  });

  const safe = judged.filter((p) => p.outcome === 'offline' || p.outcome === 'unknown');
  if (shares.size < scheme.required) {
    return { pieces: safe, samples, problem: `got ${shares.size} shares, ${scheme.required} needed: nobody failed for data` };
  }
  let wrong: Set<number>;
  try {
    wrong = new Set(correctStripe(shares, scheme).bad);
  } catch (err) {
    if (!(err instanceof TooManyErrorsError)) throw err;
    const missing = judged.filter((p) => p.outcome === 'failure');
    return { pieces: [...missing, ...safe], samples, problem: `could not verify shares: ${err.message}` };
  }
  for (const { pieceNum, node } of holders) {
    if (!shares.has(pieceNum)) continue;
    const piece = { pieceNum, nodeId: node.id };
    judged.push(wrong.has(pieceNum) ? { ...piece, outcome: 'failure', why: 'share data altered' } : { ...piece, outcome: 'success' });
  }
  return { pieces: judged.sort((a, b) => a.pieceNum - b.pieceNum), samples };
}

function samePieces(a: PieceRow[], b: PieceRow[]): boolean {
  return a.length === b.length && a.every((p, i) => p.pieceNum === b[i].pieceNum && equalBytes(p.nodeId, b[i].nodeId));
}

export const hex = (id: Uint8Array) => Buffer.from(id).toString('hex');
