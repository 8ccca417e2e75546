/**
 * Piece IDs (storj/common storj/pieceid.go, pieceid_deriver.go). A segment gets one random root piece ID;
 * the piece a node stores is named HMAC-SHA512(key = root, nodeID ‖ big-endian uint32 piece number)[:32],
 * so the pieces of one segment on different nodes cannot be linked without the root, which only the
 * satellite keeps. IDs print as unpadded RFC 4648 base32.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { fromBase32, toBase32 } from './encoding.js';
import { CommonError } from './errors.js';
import { NODE_ID_SIZE } from './nodeid.js';

export const PIECE_ID_SIZE = 32;

export class PieceIdError extends CommonError {
  override name = 'PieceIdError';
}

export function randomPieceId(): Uint8Array {
  return randomBytes(PIECE_ID_SIZE);
}

export function derivePieceId(root: Uint8Array, nodeId: Uint8Array, pieceNum: number): Uint8Array {
  if (root.length !== PIECE_ID_SIZE) throw new PieceIdError(`root piece ID is ${root.length} bytes, want ${PIECE_ID_SIZE}`);
  if (nodeId.length !== NODE_ID_SIZE) throw new PieceIdError(`node ID is ${nodeId.length} bytes, want ${NODE_ID_SIZE}`);
  if (!Number.isInteger(pieceNum) || pieceNum < -0x80000000 || pieceNum > 0x7fffffff)
    throw new PieceIdError(`piece number ${pieceNum} is not an int32`);
  const message = new Uint8Array(nodeId.length + 4);
  message.set(nodeId);
  new DataView(message.buffer).setUint32(nodeId.length, pieceNum >>> 0);
  return hmac(sha512, root, message).slice(0, PIECE_ID_SIZE);
}

export function pieceIdToString(id: Uint8Array): string {
  if (id.length !== PIECE_ID_SIZE) throw new PieceIdError(`piece ID is ${id.length} bytes, want ${PIECE_ID_SIZE}`);
  return toBase32(id);
}

export function pieceIdFromString(text: string): Uint8Array {
  let id: Uint8Array;
  try {
    id = fromBase32(text);
  } catch {
    throw new PieceIdError(`invalid piece ID ${JSON.stringify(text)}: not unpadded base32`);
  }
  if (id.length !== PIECE_ID_SIZE)
    throw new PieceIdError(`invalid piece ID ${JSON.stringify(text)}: ${id.length} bytes, want ${PIECE_ID_SIZE}`);
  return id;
}
