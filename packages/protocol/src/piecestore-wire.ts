/**
 * Piecestore's bulk messages, written by hand. The chunks of piece uploads (sent by uplinks) and of piece
 * downloads (sent by storage nodes) are most of the bytes dcsim moves, and the generated encoders copy each
 * chunk three or four times (into a growing buffer, out of it, into a Buffer for gRPC). These write each chunk
 * once. The bytes are exactly the generated encoders' (fields in number order, each as tag, length and bytes;
 * the tests compare them), so the other side decodes them with the generated code.
 *
 *   client: pieceUploadCall(client, callback) sends messages an UploadMessageWriter wrote
 *   server: the PiecestoreService of services.ts answers downloads with encodeDownloadResponse
 */
import type { ClientWritableStream, requestCallback } from '@grpc/grpc-js';
import { Order, OrderLimit, PieceHash } from '../gen/orders.js';
import {
  PiecestoreService,
  type PieceDownloadResponse,
  type PieceUploadRequest,
  type PieceUploadResponse,
  type PiecestoreClient,
} from '../gen/piecestore.js';

/** Where an encoder writes a message of `size` bytes: fresh memory unless the caller has some to reuse. */
export type MessageMemory = (size: number) => Uint8Array;

const freshMemory: MessageMemory = (size) => Buffer.allocUnsafe(size);

/** PieceUploadRequest: the order limit (field 1), the chunk (2), `done` (3), the order (4). */
export function encodeUploadRequest(message: PieceUploadRequest, memory = freshMemory): Buffer {
  const limit = message.limit && OrderLimit.encode(message.limit).finish();
  const done = message.done && PieceHash.encode(message.done).finish();
  const order = message.order && Order.encode(message.order).finish();
  return writeFields([limit, message.chunk.length > 0 ? message.chunk : undefined, done, order], memory);
}

/** PieceDownloadResponse: the chunk (field 1), then the node-signed hash (2) of the first message. */
export function encodeDownloadResponse(message: PieceDownloadResponse): Buffer {
  const hash = message.hash && PieceHash.encode(message.hash).finish();
  return writeFields([message.chunk.length > 0 ? message.chunk : undefined, hash], freshMemory);
}

/**
 * Piece upload messages written into reused memory. gRPC copies each message into its own frame before it
 * calls the write's callback, so from then on the memory can take the next message: `release` it there.
 * Filling memory already mapped is several times faster than filling fresh memory (the kernel maps and zeroes
 * every new page first), and leaves the garbage collector less to do. One writer serves every upload of its
 * owner (an uplink's TransferResources); `clear` lets its memory go.
 */
export class UploadMessageWriter {
  private spare: ArrayBuffer[] = [];
  /** Memory this writer handed out: only that comes back into `spare`. */
  private readonly mine = new WeakSet<ArrayBuffer>();

  /** `maxSpare`: buffers kept between messages (each about a chunk's size). */
  constructor(private readonly maxSpare = 64) {}

  /**
   * A chunk message, with the order limit when given (a piece's first message) and the order for it, in memory to
   * `release` once sent.
   */
  chunk(chunk: Uint8Array, limit?: OrderLimit, order?: Order): Buffer {
    return encodeUploadRequest({ limit, chunk, order }, (size) => this.memory(size));
  }

  /** Gives a message's memory back once gRPC is done with it (the write's callback). */
  release(message: Uint8Array): void {
    const buffer = message.buffer as ArrayBuffer;
    if (this.mine.has(buffer) && this.spare.length < this.maxSpare) this.spare.push(buffer);
  }

  /** Lets the spare memory go. */
  clear(): void {
    this.spare = [];
  }

  private memory(size: number): Uint8Array {
    const spare = this.spare.pop();
    if (spare && spare.byteLength >= size) return new Uint8Array(spare, 0, size);
    // Room for an order limit beyond the chunk, so that one buffer serves a piece's first message and the others.
    const buffer = Buffer.allocUnsafeSlow(size + LIMIT_ROOM).buffer as ArrayBuffer;
    this.mine.add(buffer);
    return new Uint8Array(buffer, 0, size);
  }
}

/** More than an encoded order limit and an order take (about 400 bytes). */
const LIMIT_ROOM = 4096;

/**
 * A Piecestore.Upload call whose messages are written already encoded (encodeUploadRequest, or an
 * UploadMessageWriter's): gRPC sends them as they are. The response decodes as usual.
 */
export function pieceUploadCall(
  client: PiecestoreClient,
  callback: requestCallback<PieceUploadResponse>,
): ClientWritableStream<Uint8Array> {
  const { path, responseDeserialize } = PiecestoreService.upload;
  return client.makeClientStreamRequest(path, (message: Uint8Array) => message as Buffer, responseDeserialize, callback);
}

const LENGTH_DELIMITED = 2;

/** Fields 1, 2, ... as tag, length and bytes, skipping absent ones, in one piece of `memory`. */
function writeFields(fields: (Uint8Array | undefined)[], memory: MessageMemory): Buffer {
  let size = 0;
  for (const field of fields) if (field) size += 1 + varintLength(field.length) + field.length;
  const bytes = memory(size);
  const out = Buffer.from(bytes.buffer, bytes.byteOffset, size);
  let at = 0;
  fields.forEach((field, i) => {
    if (!field) return;
    out[at++] = ((i + 1) << 3) | LENGTH_DELIMITED; // one byte: field numbers below 16
    at = writeVarint(out, at, field.length);
    out.set(field, at);
    at += field.length;
  });
  return out;
}

function varintLength(n: number): number {
  let length = 1;
  for (; n >= 0x80; n = Math.floor(n / 128)) length++;
  return length;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  for (; n >= 0x80; n = Math.floor(n / 128)) out[at++] = (n & 0x7f) | 0x80;
  out[at++] = n;
  return at;
}
