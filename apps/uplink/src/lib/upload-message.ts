/**
 * Piecestore.Upload messages, encoded with their chunk copied once, into memory that is reused.
 *
 * The generated encoder copies each chunk about four times (into a growing buffer, out of it, into a
 * Buffer), and an upload sends about 2.5 times the object's size in chunks. Here each chunk is copied
 * once, into a buffer from a small pool: gRPC copies the message again into its own frame before it
 * calls the write's callback, so from then on the buffer can take the next message. Copying into
 * memory already mapped is several times faster than into fresh memory, and leaves the garbage
 * collector less to do.
 *
 * The bytes are exactly the generated encoder's: fields in number order, the order limit (1) from the
 * generated code, then the chunk (2) written here as tag, length and bytes, then `done` (3).
 */
import { PieceUploadRequest, PiecestoreService } from '@dcsim/protocol';

const EMPTY = new Uint8Array(0);

/** Spare message buffers: enough for ten piece uploads with their queues full (piece-upload.ts). */
const spare: Buffer[] = [];
const MAX_SPARE = 64;

/** Memory for a message of `size` bytes: a spare buffer when one is big enough (the result may be bigger). */
export function messageBuffer(size: number): Buffer {
  const buffer = spare.pop();
  return buffer && buffer.length >= size ? buffer : Buffer.allocUnsafeSlow(size);
}

/** Gives a message buffer back once gRPC is done with it (the write's callback). */
export function releaseMessageBuffer(buffer: Buffer): void {
  if (spare.length < MAX_SPARE) spare.push(buffer);
}

/** Encodes `message`, chunk messages into `into` when given and big enough (a view of it is returned). */
export function serializeUploadRequest(message: PieceUploadRequest, into?: Buffer): Buffer {
  const { limit, chunk, done } = message;
  if (chunk.length === 0) return PiecestoreService.upload.requestSerialize(message);
  const parts = [limit ? PieceUploadRequest.encode({ limit, chunk: EMPTY }).finish() : EMPTY, chunkHeader(chunk.length), chunk];
  if (done) parts.push(PieceUploadRequest.encode({ chunk: EMPTY, done }).finish());
  const size = parts.reduce((sum, part) => sum + part.length, 0);
  const out = into && into.length >= size ? into.subarray(0, size) : Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Field 2 (chunk), wire type 2 (length-delimited), then the length as a varint. */
function chunkHeader(length: number): Uint8Array {
  const bytes = [(2 << 3) | 2];
  for (; length > 0x7f; length >>>= 7) bytes.push((length & 0x7f) | 0x80);
  bytes.push(length);
  return Uint8Array.from(bytes);
}
