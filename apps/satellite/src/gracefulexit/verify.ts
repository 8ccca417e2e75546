/**
 * Checking a transfer the exiting node reports as done (Storj's verifyPieceTransferred), before the satellite gives
 * the piece to the new node. The order in the report is the one the satellite signed; the new node signed a hash
 * of what it received, for the piece ID it was given; that hash equals the one the exiting node signed when it
 * stored the piece, and so does the size. A node cannot claim a transfer the new node did not sign.
 */
import { equalBytes } from '@dcsim/common/bytes';
import { derivePieceId } from '@dcsim/common/pieceid';
import { PieceAction, verifyOrderLimitSignature, verifyPieceHashSignature, type TransferReport } from '@dcsim/protocol';
import type { NodeRow, RemoteSegment } from '../db/index.js';
import type { ExitDeps } from './exits.js';

/** Why the reported transfer cannot be accepted, or undefined when it can. */
export function transferProblem(deps: ExitDeps, node: NodeRow, segment: RemoteSegment, report: TransferReport): string | undefined {
  const transfer = report.transfer!;
  const limit = transfer.addressedOrderLimit?.limit;
  const original = report.originalPieceHash;
  const replacement = report.replacementPieceHash;
  if (!limit) return 'the report carries no order limit';
  if (!original || !replacement) return 'the report lacks the original or the replacement piece hash';
  if (!verifyOrderLimitSignature(deps.satelliteKey, limit) || limit.action !== PieceAction.PUT_REPAIR) {
    return 'the order limit is not a PUT_REPAIR limit this satellite signed';
  }
  const receiver = deps.db.nodes.get(limit.storageNodeId);
  if (!receiver) return 'the receiving node is unknown';
  if (!equalBytes(limit.pieceId, derivePieceId(segment.rootPieceId, receiver.id, transfer.pieceNum))) {
    return 'the order limit is for another piece of this segment';
  }
  const originalId = derivePieceId(segment.rootPieceId, node.id, transfer.pieceNum);
  if (!equalBytes(original.pieceId, originalId) || !verifyPieceHashSignature(node.publicKey, original)) {
    return "the original piece hash is not the exiting node's, for this piece";
  }
  if (!equalBytes(replacement.pieceId, limit.pieceId) || !verifyPieceHashSignature(receiver.publicKey, replacement)) {
    return "the replacement piece hash is not the receiving node's, for the piece it was given";
  }
  if (!equalBytes(replacement.hash, original.hash)) return 'the receiving node stored other bytes than the original piece';
  if (replacement.pieceSize !== segment.pieceSize)
    return `the receiving node stored ${replacement.pieceSize} bytes, not ${segment.pieceSize}`;
  return undefined;
}
