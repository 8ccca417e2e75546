/**
 * Piece IDs (storj/common storj/pieceid.go). A segment gets one random root piece ID; the piece a node stores
 * is named HMAC-SHA512(root, nodeID ‖ big-endian uint32 piece number)[:32], so piece IDs on different nodes
 * cannot be linked to each other without the root, which only the satellite keeps.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from 'node:crypto';

export class PieceIdError extends Error {
  override name = 'PieceIdError';
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function randomPieceId(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

export function derivePieceId(root: Uint8Array, nodeId: Uint8Array, pieceNum: number): Uint8Array {
  const message = new Uint8Array(nodeId.length + 4);
  message.set(nodeId);
  new DataView(message.buffer).setUint32(nodeId.length, pieceNum >>> 0);
  return hmac(sha512, root, message).slice(0, 32);
}

/** Unpadded RFC 4648 base32, as Storj prints piece IDs. */
export function pieceIdToString(id: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of id) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function pieceIdFromString(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.replace(/=+$/, '')) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new PieceIdError(`invalid piece ID ${JSON.stringify(text)}: bad base32 character ${JSON.stringify(ch)}`);
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (out.length !== 32) throw new PieceIdError(`invalid piece ID ${JSON.stringify(text)}: ${out.length} bytes, want 32`);
  return new Uint8Array(out);
}
