/**
 * Checking what a storage node signed about a piece. The order limit (signed by the satellite) names
 * the node and the piece; the addressed limit carries the node's public key. The hash is trusted only
 * if that key belongs to the node ID in the limit, the signature is the node's, and it is about this
 * piece: then a node cannot vouch for a piece it was not asked to hold, nor deny one it signed.
 */
import { equalBytes } from '@dcsim/common/bytes';
import { idMatchesKey } from '@dcsim/identity';
import { verifyPieceHashSignature, type AddressedOrderLimit, type PieceHash } from '@dcsim/protocol';

/** Why the node's signed hash cannot be trusted, or undefined when it can. */
export function pieceHashProblem(addressed: AddressedOrderLimit, hash: PieceHash | undefined): string | undefined {
  const limit = addressed.limit;
  if (!limit) return 'order limit missing';
  if (!hash) return 'the node sent no signed piece hash';
  if (!idMatchesKey(limit.storageNodeId, addressed.nodePublicKey)) return "the node's public key does not match its node ID";
  if (!equalBytes(hash.pieceId, limit.pieceId)) return 'the signed hash is for another piece';
  if (!verifyPieceHashSignature(addressed.nodePublicKey, hash)) return "the piece hash signature is not the node's";
  return undefined;
}
