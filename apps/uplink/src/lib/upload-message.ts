/**
 * Piecestore.Upload messages encoded with their chunk copied once. The generated encoder copies each
 * chunk about four times (into a growing buffer, out of it, into a Buffer), and an upload sends about
 * 2.5 times the object's size in chunks: that copying was a good part of the uplink's CPU time.
 *
 * The bytes are exactly the generated encoder's: fields in number order, the order limit (1) from the
 * generated code, then the chunk (2) written here as tag, length and bytes, then `done` (3).
 */
import { PieceUploadRequest, PiecestoreService } from '@dcsim/protocol';

const EMPTY = new Uint8Array(0);

export function serializeUploadRequest(message: PieceUploadRequest): Buffer {
  const { limit, chunk, done } = message;
  if (chunk.length === 0) return PiecestoreService.upload.requestSerialize(message);
  const parts = [chunkHeader(chunk.length), chunk];
  if (limit) parts.unshift(PieceUploadRequest.encode({ limit, chunk: EMPTY }).finish());
  if (done) parts.push(PieceUploadRequest.encode({ chunk: EMPTY, done }).finish());
  return Buffer.concat(parts);
}

/** Field 2 (chunk), wire type 2 (length-delimited), then the length as a varint. */
function chunkHeader(length: number): Uint8Array {
  const bytes = [(2 << 3) | 2];
  for (; length > 0x7f; length >>>= 7) bytes.push((length & 0x7f) | 0x80);
  bytes.push(length);
  return Uint8Array.from(bytes);
}
