/**
 * Graceful exit on the satellite, the piece-transfer form (Storj's former satellite/gracefulexit, before exits
 * became time-based): a node asks to leave; from then on it is *exiting* and gets no new pieces, while its pieces
 * stay readable (and healthy). Each Process call hands it the next batch of transfer orders: for one of its pieces,
 * a PUT_REPAIR limit for the same piece number on a new node picked as the repairer picks (not a current holder of
 * the segment). The node uploads the piece there and reports; a success is verified (verify.ts) and the piece is
 * swapped into the segment by compare-and-swap: only if the segment still has that piece on the exiting node.
 * A piece whose transfer failed MAX_FAILURES_PER_PIECE times is left to repair. Once no piece is left to move,
 * the exit finishes: the node is *exited*, its remaining pieces no longer count anywhere, and the exit succeeded
 * unless more than OVERALL_MAX_FAILURE_PERCENT of its pieces failed (Storj's rule).
 *
 * Failure counts live in memory (Storj keeps a transfer queue table): a satellite restart forgets them, and the
 * pieces are simply tried again.
 */
import { equalBytes } from '@dcsim/common/bytes';
import { nodeIdString } from '@dcsim/common/nodeid';
import { derivePieceId } from '@dcsim/common/pieceid';
import type { Clock } from '@dcsim/process';
import {
  PieceAction,
  Reason,
  RpcError,
  TransferError,
  type ExitProcessResponse,
  type TransferPiece,
  type TransferReport,
  type TransferReportResponse,
} from '@dcsim/protocol';
import type { NodeRow, PieceRow, SatelliteDb, SegmentPosition } from '../db/index.js';
import type { Logger } from '../log.js';
import type { OrderSigner } from '../orders.js';
import { nodeKey, type Overlay } from '../overlay.js';
import { segmentName } from '../repair/health.js';
import { transferProblem } from './verify.js';

/** Transfer orders per Process call (Storj's EndpointBatchSize, test value). */
export const EXIT_BATCH_SIZE = 100;
/** Failed transfers of one piece before it is left to repair (Storj's MaxFailuresPerPiece). */
export const MAX_FAILURES_PER_PIECE = 3;
/** An exit with at least this share of its pieces failed is a failed exit (Storj's OverallMaxFailuresPercentage). */
export const OVERALL_MAX_FAILURE_PERCENT = 10;

export interface ExitDeps {
  db: SatelliteDb;
  overlay: Overlay;
  orders: OrderSigner;
  satelliteKey: Uint8Array;
  clock: Clock;
  log: Logger;
}

type HeldPiece = SegmentPosition & { pieceNum: number };

export class GracefulExits {
  /** Failed transfers per piece: `<node>/<stream>/<part>/<index>/<piece>`. */
  private readonly failures = new Map<string, number>();

  constructor(private readonly deps: ExitDeps) {}

  /** Starts the node's exit on its first call; answers with the next transfer orders, or the finished exit. */
  process(node: NodeRow): ExitProcessResponse {
    const { db, overlay, log, clock } = this.deps;
    if (overlay.isDisqualified(node)) {
      throw new RpcError(Reason.NODE_DISQUALIFIED, `node ${nodeIdString(node.id)} is disqualified: it cannot exit gracefully`);
    }
    if (node.exitFinishedAt !== null) return { transfers: [], completed: completion(node) };
    if (node.exitInitiatedAt === null) {
      db.nodes.startExit(node.id, clock.now());
      log(`node ${nodeIdString(node.id)} started graceful exit: no new pieces for it; its pieces move to other nodes`);
    }
    const transfers: TransferPiece[] = [];
    for (const held of this.remaining(node)) {
      if (transfers.length === EXIT_BATCH_SIZE) break;
      const transfer = this.order(node, held);
      if (transfer) transfers.push(transfer);
    }
    if (transfers.length > 0 || this.remaining(node).length > 0) return { transfers };
    return { transfers: [], completed: completion(this.finish(node)) };
  }

  /** A transfer's outcome: on a verified success the piece changes hands; answers whether the node may delete its copy. */
  report(node: NodeRow, report: TransferReport): TransferReportResponse {
    if (node.exitInitiatedAt === null || node.exitFinishedAt !== null) {
      throw new RpcError(Reason.NODE_NOT_EXITING, `node ${nodeIdString(node.id)} is not exiting: it has no transfers to report`);
    }
    const transfer = report.transfer;
    if (!transfer) throw new RpcError(Reason.FIELD_MISSING, 'transfer report names no transfer', { field: 'transfer' });
    const held: HeldPiece = { streamId: transfer.streamId, part: transfer.part, index: transfer.index, pieceNum: transfer.pieceNum };
    const name = `segment ${segmentName(held)} piece ${held.pieceNum}`;
    const segment = this.deps.db.remoteSegments.get(held);
    if (!segment) {
      // Deleted with its object: its pieces are queued for deletion already, and the node drops the rest at the end.
      this.deps.log(`graceful exit of node ${nodeIdString(node.id)}: ${name} is gone (its object was deleted): nothing to move`);
      return { deleteOriginal: false, moved: false };
    }
    if (!this.holds(node, held)) {
      // Moved already (a repeated report) or dropped by repair: the node's copy of it is nobody's now.
      const ours = equalBytes(transfer.originalPieceId, derivePieceId(segment.rootPieceId, node.id, held.pieceNum));
      this.deps.log(`graceful exit of node ${nodeIdString(node.id)}: ${name} is no longer the node's: nothing to move`);
      return { deleteOriginal: ours, moved: false };
    }
    if (report.error !== TransferError.TRANSFER_OK) {
      this.failed(node, held, `${name}: transfer failed (${report.errorMessage || 'no reason given'})`);
      return { deleteOriginal: false, moved: false };
    }
    const problem = transferProblem(this.deps, node, segment, report);
    if (problem) {
      this.failed(node, held, `${name}: transfer refused: ${problem}`);
      return { deleteOriginal: false, moved: false };
    }
    const receiver = transfer.addressedOrderLimit!.limit!.storageNodeId;
    if (!this.swap(node, segment, held, receiver)) {
      this.failed(node, held, `${name}: the segment changed meanwhile (overwritten or repaired onto the receiving node)`);
      return { deleteOriginal: false, moved: false };
    }
    this.deps.db.nodes.countExitPieces(node.id, 1, 0);
    this.deps.log(`graceful exit of node ${nodeIdString(node.id)}: ${name} moved to node ${nodeIdString(receiver)}`);
    return { deleteOriginal: true, moved: true };
  }

  /** Whether the segment still has piece `held.pieceNum` on the node. */
  private holds(node: NodeRow, held: HeldPiece): boolean {
    return this.deps.db.remoteSegments.pieces(held).some((p) => p.pieceNum === held.pieceNum && nodeKey(p.nodeId) === nodeKey(node.id));
  }

  /** Pieces the node still holds, in segments that have not expired, that have not failed too often. */
  private remaining(node: NodeRow): HeldPiece[] {
    return this.deps.db.remoteSegments
      .heldBy(node.id, this.deps.clock.now())
      .filter((h) => (this.failures.get(failureKey(node, h)) ?? 0) < MAX_FAILURES_PER_PIECE);
  }

  /** A transfer order for one piece, or undefined when there is nowhere to put it (counted as a failed try). */
  private order(node: NodeRow, held: HeldPiece): TransferPiece | undefined {
    const { db, overlay, orders } = this.deps;
    const segment = db.remoteSegments.get(held)!;
    const pieces = db.remoteSegments.pieces(segment);
    const health = overlay.nodeHealth();
    const kept = pieces.flatMap((p) => {
      const known = health.get(nodeKey(p.nodeId));
      return known?.healthy ? [known.node] : [];
    });
    let target: NodeRow;
    try {
      [target] = overlay.selectReplacements(
        1,
        segment.pieceSize,
        pieces.map((p) => p.nodeId),
        kept,
      );
    } catch (err) {
      this.failed(node, held, `segment ${segmentName(held)} piece ${held.pieceNum}: no node to move it to (${(err as Error).message})`);
      return undefined;
    }
    const expiry = segment.expiresAt === null ? undefined : new Date(segment.expiresAt);
    // The exiting node uploads as an uplink would: it gets the batch's piece key and signs the orders.
    const { addressedLimits, privateKey } = orders.limits(
      PieceAction.PUT_REPAIR,
      segment.rootPieceId,
      [{ pieceNum: held.pieceNum, node: target }],
      segment.pieceSize,
      expiry,
    );
    const originalPieceId = derivePieceId(segment.rootPieceId, node.id, held.pieceNum);
    return { ...held, originalPieceId, addressedOrderLimit: addressedLimits[0], privateKey };
  }

  /** The compare-and-swap: the exiting node's piece becomes the receiver's, only if nothing else changed the segment. */
  private swap(
    node: NodeRow,
    segment: { rootPieceId: Uint8Array; pieceSize: number } & SegmentPosition,
    held: HeldPiece,
    receiver: Uint8Array,
  ) {
    const { db } = this.deps;
    return db.transaction(() => {
      const before = db.remoteSegments.pieces(segment);
      const mine = before.find((p) => p.pieceNum === held.pieceNum && nodeKey(p.nodeId) === nodeKey(node.id));
      if (!mine || before.some((p) => nodeKey(p.nodeId) === nodeKey(receiver))) return false;
      const add: PieceRow = { pieceNum: held.pieceNum, nodeId: receiver };
      if (!db.remoteSegments.swapPieces(segment, segment.rootPieceId, before, [mine], [add])) return false;
      db.nodes.recordStoredPiece(receiver, segment.pieceSize);
      return true;
    });
  }

  private failed(node: NodeRow, held: HeldPiece, why: string): void {
    const key = failureKey(node, held);
    const count = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, count);
    const last = count >= MAX_FAILURES_PER_PIECE;
    if (last) this.deps.db.nodes.countExitPieces(node.id, 0, 1);
    const outcome = last ? `gave up after ${count} tries: left to repair` : `try ${count} of ${MAX_FAILURES_PER_PIECE}`;
    this.deps.log(`graceful exit of node ${nodeIdString(node.id)}: ${why}; ${outcome}`);
  }

  private finish(node: NodeRow): NodeRow {
    const { db, clock, log } = this.deps;
    const now = clock.now();
    const counted = db.nodes.get(node.id)!;
    const moved = counted.exitPiecesTransferred;
    const failed = counted.exitPiecesFailed;
    const success = failed === 0 || (failed * 100) / (failed + moved) < OVERALL_MAX_FAILURE_PERCENT;
    db.nodes.finishExit(node.id, now, success);
    for (const key of this.failures.keys()) if (key.startsWith(`${nodeKey(node.id)}/`)) this.failures.delete(key);
    log(
      `node completed graceful exit: node ${nodeIdString(node.id)}, ${moved} piece(s) transferred, ${failed} left to repair, ` +
        (success ? 'success' : `failed (at least ${OVERALL_MAX_FAILURE_PERCENT}% of its pieces could not be moved)`),
    );
    return db.nodes.get(node.id)!;
  }
}

function completion(node: NodeRow) {
  return {
    success: node.exitSuccess === 1,
    piecesTransferred: node.exitPiecesTransferred,
    piecesFailed: node.exitPiecesFailed,
    finishedAt: new Date(node.exitFinishedAt!),
  };
}

function failureKey(node: NodeRow, held: HeldPiece): string {
  return `${nodeKey(node.id)}/${Buffer.from(held.streamId).toString('hex')}/${held.part}/${held.index}/${held.pieceNum}`;
}
