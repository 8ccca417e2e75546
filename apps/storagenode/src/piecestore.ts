/**
 * The Piecestore gRPC service: Upload, Download and Delete of pieces, each allowed only by an order limit
 * the node's satellite signed. Every handler catches its own errors and reports them to the client; a
 * client's mistake never takes the node down.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { equalBytes } from '@dcsim/common/bytes';
import { pieceIdToString } from '@dcsim/common/pieceid';
import { shortNodeId, shortPieceId } from '@dcsim/common/short';
import type { Identity } from '@dcsim/identity';
import type { Clock } from '@dcsim/process';
import {
  Order,
  OrderLimit,
  PieceDeleteRequest,
  PieceDeleteResponse,
  PieceDownloadRequest,
  PieceDownloadResponse,
  PieceHash,
  PieceUploadRequest,
  PieceUploadResponse,
  Reason,
  RetainRequest,
  RetainResponse,
  RpcError,
  drained,
  pieceActionToJSON,
  signPieceHash,
  status,
  toServiceError,
  type PiecestoreServer,
} from '@dcsim/protocol';
import type { ServerReadableStream, ServerWritableStream, ServiceError } from '@grpc/grpc-js';
import { formatBytes } from '@dcsim/common/size';
import { checkAllocated, ordersRequired, verifyOrder, verifyOrderLimit, type OrderContext, type PieceRpc } from './orders.js';
import type { OrderStore } from './order-store.js';
import type { Retain } from './retain.js';
import type { UsedSerials } from './serials.js';
import type { Pieces, StoredPiece } from './pieces.js';
import type { TrustedSatellite } from './trust.js';
import type { PieceWriter } from './writer.js';

/** Download chunk size: big enough to keep loopback busy, small enough to keep memory flat. */
const DOWNLOAD_CHUNK_BYTES = 256 * 1024;

export interface PiecestoreEndpointDeps {
  identity: Identity;
  satellite: TrustedSatellite;
  pieces: Pieces;
  serials: UsedSerials;
  /** Where the largest order of each transfer is kept until it is settled. */
  orders: OrderStore;
  /** Order limits and piece expirations are judged by the node's clock. */
  clock: Clock;
  /** Garbage collection: checks and queues the satellite's Retain requests. */
  retain: Retain;
  /** Called once a Retain request is queued (the node applies it at once, in its `retain` chore). */
  retainQueued: () => void;
  log: (line: string) => void;
}

const EMPTY = new Uint8Array(0);

/** The Piecestore service as this node serves it (Storj's piecestore.Endpoint); its pieces on disk are `Pieces`. */
export class PiecestoreEndpoint {
  // Pieces being uploaded right now: a second upload of the same ID is refused instead of racing the first.
  private readonly uploading = new Set<string>();

  constructor(private readonly deps: PiecestoreEndpointDeps) {}

  /** The handlers in the shape grpc-js wants for `server.addService(PiecestoreService, ...)`. */
  service(): PiecestoreServer {
    return {
      upload: (call, callback) => {
        this.upload(call).then(
          (res) => callback(null, res),
          (err) => callback(this.reportError('Upload', err, call.cancelled)),
        );
      },
      download: (call) => {
        this.download(call).catch((err) => {
          if (!call.cancelled) call.emit('error', this.reportError('Download', err, false));
        });
      },
      delete: (call, callback) => {
        this.delete(call.request).then(
          (res) => callback(null, res),
          (err) => callback(this.reportError('Delete', err, false)),
        );
      },
      retain: (call, callback) => {
        this.retain(call.request).then(
          (res) => callback(null, res),
          (err) => callback(this.reportError('Retain', err, false)),
        );
      },
    };
  }

  private verify(limit: OrderLimit | undefined, rpc: PieceRpc): OrderLimit {
    const { satellite, identity, serials, clock } = this.deps;
    const ctx: OrderContext = { satellite, nodeId: identity.id, serials, now: clock.date() };
    return verifyOrderLimit(limit, rpc, ctx);
  }

  /**
   * Upload: the first message carries the order limit, then chunks, then `done` with the uplink's hash and
   * size. The node checks both against what it received, signs its own PieceHash, and only then keeps the piece.
   */
  async upload(call: ServerReadableStream<PieceUploadRequest, PieceUploadResponse>): Promise<PieceUploadResponse> {
    let limit: OrderLimit | undefined;
    let writer: PieceWriter | undefined;
    let key: string | undefined;
    let largest: Order | undefined;
    let written = 0;
    try {
      for await (const message of call as AsyncIterable<PieceUploadRequest>) {
        if (!limit) {
          limit = this.verify(message.limit, 'Upload');
          const id = pieceIdToString(limit.pieceId);
          if (this.uploading.has(id)) throw pieceExists(`piece ${shortPieceId(limit.pieceId)} is already being uploaded`);
          if (this.deps.pieces.has(limit.pieceId)) throw pieceExists(`piece ${shortPieceId(limit.pieceId)} already exists`);
          this.uploading.add(id);
          key = id;
          writer = await this.deps.pieces.createWriter(limit.pieceId, limit.limit);
        } else if (message.limit) {
          throw new RpcError(Reason.UPLOAD_MESSAGES_INVALID, 'order limit sent twice: only the first upload message may carry it');
        }
        if (message.order) largest = verifyOrder(limit, message.order, largest);
        if (message.chunk.length > 0) {
          if (ordersRequired(limit)) checkAllocated(largest, written, message.chunk.length);
          await writer!.write(message.chunk);
          written += message.chunk.length;
        }
        if (message.done) return await this.finishUpload(limit, writer!, message.done);
      }
      throw new RpcError(Reason.UPLOAD_MESSAGES_INVALID, limit ? 'upload ended without a done message' : 'upload sent no messages');
    } catch (err) {
      await writer?.abort();
      if (call.cancelled && limit) this.deps.log(`upload of piece ${shortPieceId(limit.pieceId)} cancelled by the client: nothing kept`);
      throw err;
    } finally {
      if (key) this.uploading.delete(key);
      // Kept also when the upload failed: the uplink ordered (and the node received) these bytes.
      if (limit && largest) this.deps.orders.save(limit, largest);
    }
  }

  private async finishUpload(limit: OrderLimit, writer: PieceWriter, done: PieceHash): Promise<PieceUploadResponse> {
    const { size, hash } = await writer.finish();
    if (done.pieceId.length > 0 && !equalBytes(done.pieceId, limit.pieceId)) {
      throw hashMismatch('piece_id', 'piece ID in the done message differs from the order limit');
    }
    if (done.pieceSize !== size) {
      throw hashMismatch('piece_size', `piece size mismatch: the uplink says ${done.pieceSize} bytes, the node received ${size}`);
    }
    if (!equalBytes(done.hash, hash)) {
      throw hashMismatch('hash', "piece hash mismatch: the uplink's hash does not match the bytes the node received");
    }
    const signedHash = signPieceHash(this.deps.identity, {
      pieceId: limit.pieceId,
      hash,
      pieceSize: size,
      timestamp: this.deps.clock.date(),
      signature: EMPTY,
    });
    await this.deps.pieces.commit(writer, {
      pieceId: limit.pieceId,
      satelliteId: limit.satelliteId,
      hash,
      signedHash,
      pieceExpiration: limit.pieceExpiration,
    });
    this.deps.log(`stored piece ${shortPieceId(limit.pieceId)} (${formatBytes(size)}) for satellite ${shortNodeId(limit.satelliteId)}`);
    return { done: signedHash };
  }

  /** Download: the signed PieceHash first (with the first chunk), then the requested range. */
  async download(call: ServerWritableStream<PieceDownloadRequest, PieceDownloadResponse>): Promise<void> {
    const { offset, size: requested } = call.request;
    const limit = this.verify(call.request.limit, 'Download');
    const piece = this.findPiece(limit.pieceId);
    // size 0 means "to the end of the piece" (with offset 0: the whole piece).
    const size = requested === 0 ? piece.size - offset : requested;
    if (offset < 0 || size < 0 || offset + size > piece.size) {
      throw new RpcError(Reason.RANGE_OUTSIDE_PIECE, `range ${offset}+${requested} lies outside the piece (${piece.size} bytes)`);
    }
    if (size > limit.limit) {
      const message = `download of ${size} bytes exceeds the order limit of ${limit.limit} bytes`;
      throw new RpcError(Reason.ORDER_LIMIT_EXCEEDED, message, { limit: String(limit.limit) });
    }
    const order = call.request.order && verifyOrder(limit, call.request.order, undefined);
    if (ordersRequired(limit)) checkAllocated(order, 0, size);
    let file: FileHandle;
    try {
      file = await open(piece.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw pieceNotFound();
      throw err;
    }
    // Kept once sending begins: a download cut short was still ordered (Storj's node keeps it in a defer too).
    if (order) this.deps.orders.save(limit, order);
    try {
      await this.sendRange(call, file, piece.signedHash, offset, size);
    } finally {
      await file.close();
    }
    if (call.cancelled) {
      this.deps.log(`download of piece ${shortPieceId(limit.pieceId)} cancelled by the client`);
      return;
    }
    call.end();
    const what = size === piece.size ? formatBytes(size) : `${formatBytes(size)} of ${formatBytes(piece.size)}`;
    this.deps.log(`sent piece ${shortPieceId(limit.pieceId)} (${what}, ${pieceActionToJSON(limit.action)})`);
  }

  private async sendRange(
    call: ServerWritableStream<PieceDownloadRequest, PieceDownloadResponse>,
    file: FileHandle,
    signedHash: PieceHash,
    offset: number,
    size: number,
  ): Promise<void> {
    let hash: PieceHash | undefined = signedHash;
    let position = offset;
    const end = offset + size;
    do {
      if (call.cancelled) return;
      const length = Math.min(DOWNLOAD_CHUNK_BYTES, end - position);
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await file.read(chunk, 0, length, position);
      if (bytesRead !== length) throw new Error(`piece file is shorter than its recorded size`);
      position += length;
      // Backpressure: when gRPC's buffer is full, wait until it drains instead of reading the piece into memory.
      if (!call.write({ chunk, hash })) await drained(call);
      hash = undefined;
    } while (position < end);
  }

  private findPiece(pieceId: Uint8Array): StoredPiece {
    const piece = this.deps.pieces.get(pieceId);
    if (!piece) throw pieceNotFound();
    if (piece.pieceExpiration && piece.pieceExpiration.getTime() <= this.deps.clock.now()) {
      throw new RpcError(Reason.PIECE_EXPIRED, 'piece not found (expired)');
    }
    return piece;
  }

  /** Delete: idempotent, so a satellite can retry; a missing piece is not an error. */
  async delete(request: PieceDeleteRequest): Promise<PieceDeleteResponse> {
    const limit = this.verify(request.limit, 'Delete');
    const existed = await this.deps.pieces.delete(limit.pieceId);
    if (existed) this.deps.log(`deleted piece ${shortPieceId(limit.pieceId)} for satellite ${shortNodeId(limit.satelliteId)}`);
    return {};
  }

  /** Retain: garbage collection's bloom filter from the satellite; answered once checked and queued. */
  async retain(request: RetainRequest): Promise<RetainResponse> {
    await this.deps.retain.accept(request);
    const kib = (request.filter.length / 1024).toFixed(1);
    this.deps.log(`received a bloom filter (${kib} KiB) of the pieces to keep as of ${request.creationDate!.toISOString()}`);
    this.deps.retainQueued();
    return {};
  }

  /** Logs refusals in one line (no secrets: IDs and reasons only) and turns errors into gRPC statuses. */
  private reportError(rpc: PieceRpc | 'Retain', err: unknown, cancelled: boolean): Partial<ServiceError> {
    // A client that hung up gets no answer; its half-read stream's error is not the node's problem.
    if (cancelled) return { code: status.CANCELLED, details: 'cancelled by the client' };
    if (err instanceof RpcError) this.deps.log(`${rpc} refused: ${err.message}`);
    return toServiceError(err, (line) => this.deps.log(`${rpc}: ${line}`));
  }
}

function pieceExists(message: string): RpcError {
  return new RpcError(Reason.PIECE_ALREADY_EXISTS, message);
}

function pieceNotFound(): RpcError {
  return new RpcError(Reason.PIECE_NOT_FOUND, 'piece not found');
}

/** The uplink's `done` message disagrees with the bytes received, in `field`. */
function hashMismatch(field: string, message: string): RpcError {
  return new RpcError(Reason.PIECE_HASH_MISMATCH, message, { field });
}
