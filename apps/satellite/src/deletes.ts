/**
 * Removing pieces from nodes.
 *
 * Deleting metadata and deleting pieces are two steps: first, in one database transaction, the
 * object (or segment) rows go and a row per piece goes into `piece_deletions`; then this loop sends
 * each node a signed DELETE order limit and drops the queue row once the node confirms. So a listed
 * object always has its data, and a piece is never forgotten: if a node is down, the row waits and
 * the loop tries again later (backing off), for up to a week.
 */
import { derivePieceId } from '@dcsim/common/pieceid';
import { nodeIdString } from '@dcsim/common/nodeid';
import type { Clock } from '@dcsim/process';
import { CHANNEL_OPTIONS, PiecestoreClient, rpcErrorInfo, status, unary, type Transport } from '@dcsim/protocol';
import type { PendingSegmentRow, PieceDeletionRow, SatelliteDb } from './db/index.js';
import type { Logger } from './log.js';
import type { OrderSigner } from './orders.js';

const BATCH = 200;
const DELETE_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 10 * 60_000;
const GIVE_UP_AFTER_MS = 7 * 24 * 3600_000;

/**
 * Removes an object with all its segments, pieces and pending segments, queueing every piece a node
 * may hold for deletion. Returns how many pieces were queued. Runs inside the caller's transaction
 * (or its own), so the rows and the queue change together.
 */
export function removeObject(db: SatelliteDb, streamId: Uint8Array, now: number): number {
  return db.transaction(() => {
    let queued = 0;
    for (const p of db.segments.piecesOfStream(streamId)) {
      db.pieceDeletions.queue(p.nodeId, derivePieceId(p.rootPieceId, p.nodeId, p.pieceNum), now);
      queued++;
    }
    for (const pending of db.pendingSegments.ofStream(streamId)) queued += queuePendingPieces(db, pending, now);
    db.objects.delete(streamId); // segments, pieces and pending segments follow by ON DELETE CASCADE
    return queued;
  });
}

/** Removes one committed segment (before it is replaced), queueing its pieces. */
export function removeSegment(db: SatelliteDb, streamId: Uint8Array, part: number, index: number, now: number): number {
  return db.transaction(() => {
    const segment = db.segments.get(streamId, part, index);
    if (!segment) return 0;
    const pieces = db.segments.pieces(streamId, part, index);
    for (const p of pieces) db.pieceDeletions.queue(p.nodeId, derivePieceId(segment.rootPieceId!, p.nodeId, p.pieceNum), now);
    db.segments.delete(streamId, part, index);
    return pieces.length;
  });
}

/**
 * Forgets a segment upload that will never be committed. Its nodes may have stored pieces for it, so
 * every piece it was given a limit for is queued (a node without the piece just says so).
 */
export function abandonPendingSegment(db: SatelliteDb, pending: PendingSegmentRow, now: number): number {
  return db.transaction(() => {
    const queued = queuePendingPieces(db, pending, now);
    db.pendingSegments.delete(pending.segmentId);
    return queued;
  });
}

function queuePendingPieces(db: SatelliteDb, pending: PendingSegmentRow, now: number): number {
  pending.nodeIds.forEach((nodeId, pieceNum) => {
    db.pieceDeletions.queue(nodeId, derivePieceId(pending.rootPieceId, nodeId, pieceNum), now);
  });
  return pending.nodeIds.length;
}

/** Sends queued deletions to the nodes. `runOnce` is one pass; the satellite calls it periodically. */
export class PieceDeleter {
  constructor(
    private readonly db: SatelliteDb,
    private readonly orders: OrderSigner,
    /** Dials nodes over TLS, expecting each one's node ID. */
    private readonly transport: Transport,
    private readonly log: Logger,
    /** Retries are due, and given up on, by the satellite's clock. */
    private readonly clock: Clock,
  ) {}

  async runOnce(): Promise<{ deleted: number; failed: number }> {
    const now = this.clock.now();
    const due = this.db.pieceDeletions.due(now, BATCH);
    if (due.length === 0) return { deleted: 0, failed: 0 };
    const byNode = new Map<string, PieceDeletionRow[]>();
    for (const row of due) {
      const key = Buffer.from(row.nodeId).toString('hex');
      byNode.set(key, [...(byNode.get(key) ?? []), row]);
    }
    const results = await Promise.all([...byNode.values()].map((rows) => this.deleteOnNode(rows, now)));
    const deleted = results.reduce((sum, r) => sum + r.deleted, 0);
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    if (deleted > 0) this.log(`deleted ${deleted} piece(s) from ${results.filter((r) => r.deleted > 0).length} node(s)`);
    return { deleted, failed };
  }

  private async deleteOnNode(rows: PieceDeletionRow[], now: number): Promise<{ deleted: number; failed: number }> {
    const nodeId = rows[0].nodeId;
    const node = this.db.nodes.get(nodeId);
    const name = nodeIdString(nodeId);
    if (!node) {
      // Nobody to send it to: the node never checked in with this satellite.
      for (const row of rows) this.db.pieceDeletions.done(row.id);
      this.log(`dropped ${rows.length} piece deletion(s) for unknown node ${name}`);
      return { deleted: 0, failed: 0 };
    }
    const client = new PiecestoreClient(node.address, this.transport.client(node.id), CHANNEL_OPTIONS);
    let deleted = 0;
    let failed = 0;
    try {
      for (const row of rows) {
        try {
          await unary(client, client.delete, { limit: this.orders.deleteLimit(row.nodeId, row.pieceId) }, DELETE_TIMEOUT_MS);
          this.db.pieceDeletions.done(row.id);
          deleted++;
        } catch (err) {
          const { code, message } = rpcErrorInfo(err);
          if (code === status.NOT_FOUND) {
            this.db.pieceDeletions.done(row.id); // already gone: that is what we wanted
            deleted++;
            continue;
          }
          failed++;
          this.retryLater(row, message, now, name);
          // An unreachable node fails every piece the same way: leave the rest for the next pass.
          if (code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) {
            const rest = rows.slice(rows.indexOf(row) + 1);
            for (const r of rest) this.retryLater(r, message, now, name, false);
            failed += rest.length;
            break;
          }
        }
      }
    } finally {
      client.close();
    }
    return { deleted, failed };
  }

  private retryLater(row: PieceDeletionRow, message: string, now: number, node: string, logIt = true): void {
    if (now - row.queuedAt > GIVE_UP_AFTER_MS) {
      this.db.pieceDeletions.done(row.id);
      if (logIt) this.log(`gave up deleting a piece on node ${node} after ${row.attempts + 1} attempts: ${message}`);
      return;
    }
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** row.attempts);
    this.db.pieceDeletions.failed(row.id, message, now + delay);
    if (logIt) this.log(`piece delete failed on node ${node}: ${message}; retrying in ${Math.round(delay / 1000)} s`);
  }
}
