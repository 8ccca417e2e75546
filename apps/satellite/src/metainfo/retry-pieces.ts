/**
 * RetryBeginSegmentPieces, as in Storj: a segment upload whose pieces failed on some nodes (a node went
 * away after the satellite last heard from it, refused, or broke off) asks for other nodes for those
 * piece numbers instead of failing. The satellite picks nodes this segment has not used yet, signs new
 * PUT limits for the same piece numbers (the piece IDs follow from the new node IDs), and remembers the
 * change, so CommitSegment checks the uploads against the new nodes.
 *
 * Unlike Storj, it replaces as many of the pieces as it has nodes for (at least one): with few spare
 * nodes, one more stored piece may be all the segment needs.
 */
import { derivePieceId } from '@dcsim/common/pieceid';
import { shortNodeId } from '@dcsim/common/short';
import { ActionType } from '@dcsim/crypto/macaroon';
import { fieldInvalid, fieldMissing, type RetryBeginSegmentPiecesRequest, type RetryBeginSegmentPiecesResponse } from '@dcsim/protocol';
import type { NodeRow, PendingSegmentRow } from '../db/index.js';
import type { PiecePlacement } from '../orders.js';
import type { MetainfoEndpoint } from './context.js';
import { optionalDate } from './convert.js';
import { pendingObject } from './lookup.js';
import { checkSegmentId, segmentUploadEnded, segmentUploadNotFound } from './segments.js';

export function retryBeginSegmentPieces(m: MetainfoEndpoint, req: RetryBeginSegmentPiecesRequest): RetryBeginSegmentPiecesResponse {
  const auth = m.auth.authenticate(req.header);
  checkSegmentId(req.segmentId);
  const pending = m.db.pendingSegments.get(req.segmentId);
  if (!pending) throw segmentUploadNotFound();
  const object = pendingObject(m, auth, pending.streamId);
  m.auth.check(auth, { op: ActionType.Write, bucket: object.bucket, encryptedPath: object.encryptedKey });
  const retried = checkPieceNumbers(req.retryPieceNumbers, pending.nodeIds.length);

  const now = m.clock.now();
  const placements = m.db.transaction(() => {
    const current = m.db.pendingSegments.get(pending.segmentId);
    if (!current) throw segmentUploadEnded();
    return replaceNodes(m, current, retried, now);
  });
  m.log(
    `segment upload retry: piece(s) ${placements.map((p) => p.pieceNum).join(', ')} of segment ${pending.part}/${pending.index} ` +
      `(bucket ${object.bucket}) moved to node(s) ${placements.map((p) => shortNodeId(p.node.id)).join(', ')}`,
  );
  const location = { projectId: object.projectId, bucket: object.bucket };
  const signed = m.orders.putLimits(pending.rootPieceId, placements, pending.maxPieceSize, optionalDate(object.expiresAt), location);
  return { segmentId: pending.segmentId, ...signed };
}

/** Piece numbers within the scheme, each once, at least one. */
function checkPieceNumbers(numbers: number[], total: number): number[] {
  const field = 'retry_piece_numbers';
  if (numbers.length === 0) throw fieldMissing(field, 'piece numbers to retry cannot be empty');
  const seen = new Set<number>();
  for (const num of numbers) {
    if (!Number.isInteger(num) || num < 0 || num >= total) {
      throw fieldInvalid(field, `piece number ${num} must be within [0, ${total - 1}]`);
    }
    if (seen.has(num)) throw fieldInvalid(field, `piece number ${num} is duplicated`);
    seen.add(num);
  }
  return numbers;
}

/**
 * New nodes for as many of `retried` as there are unused nodes; the replaced nodes are never chosen
 * again for this segment. A replaced node may hold its piece after all (its answer got lost), and
 * nothing will point at it: it is queued for deletion.
 */
function replaceNodes(m: MetainfoEndpoint, pending: PendingSegmentRow, retried: number[], now: number): PiecePlacement[] {
  const used = [...pending.nodeIds, ...pending.replacedNodeIds];
  const kept = pending.nodeIds
    .filter((_, num) => !retried.includes(num))
    .map((id) => m.db.nodes.get(id))
    .filter((n): n is NodeRow => n !== undefined);
  const nodes = m.overlay.selectReplacements(retried.length, pending.maxPieceSize, used, kept, now);
  const nodeIds = pending.nodeIds.slice();
  const replaced = pending.replacedNodeIds.slice();
  const placements = nodes.map((node, i) => {
    const pieceNum = retried[i];
    const old = nodeIds[pieceNum];
    m.db.pieceDeletions.queue(old, derivePieceId(pending.rootPieceId, old, pieceNum), now);
    replaced.push(old);
    nodeIds[pieceNum] = node.id;
    return { pieceNum, node };
  });
  m.db.pendingSegments.setNodes(pending.segmentId, nodeIds, replaced, now + m.config.orderExpirationMs);
  return placements;
}
