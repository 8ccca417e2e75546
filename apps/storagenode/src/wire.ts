/**
 * A faster encoder for the one message that carries most bytes the node sends: PieceDownloadResponse.
 * The generated encoder copies a chunk into a BinaryWriter, concatenates, and grpc-js's serializer then
 * copies it into a Buffer again: three copies and three allocations per chunk. This writes the same
 * protobuf bytes with one. The output decodes with the generated `PieceDownloadResponse.decode`.
 */
import { PieceDownloadResponse, PieceHash, PiecestoreService } from '@dcsim/protocol';

const CHUNK_TAG = (1 << 3) | 2; // field 1, length-delimited
const HASH_TAG = (2 << 3) | 2; // field 2, length-delimited

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

export function encodeDownloadResponse(message: PieceDownloadResponse): Buffer {
  const { chunk } = message;
  const hash = message.hash ? PieceHash.encode(message.hash).finish() : undefined;
  let size = 0;
  if (chunk.length > 0) size += 1 + varintLength(chunk.length) + chunk.length;
  if (hash) size += 1 + varintLength(hash.length) + hash.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  if (chunk.length > 0) {
    out[pos++] = CHUNK_TAG;
    pos = writeVarint(out, pos, chunk.length);
    out.set(chunk, pos);
    pos += chunk.length;
  }
  if (hash) {
    out[pos++] = HASH_TAG;
    pos = writeVarint(out, pos, hash.length);
    out.set(hash, pos);
  }
  return out;
}

/** The Piecestore service definition with the faster Download encoder. */
export const PiecestoreWire = {
  ...PiecestoreService,
  download: { ...PiecestoreService.download, responseSerialize: encodeDownloadResponse },
};
