/**
 * Uploading one piece to one storage node (Piecestore.Upload, a client stream): the order limit
 * first, then the piece in chunks with backpressure, then `done` with our SHA-256 and size. The node
 * answers with the hash it computed, signed; we accept it only if it matches ours and the signature
 * is the node's (piece-hash.ts). The satellite will check the same signature again at commit.
 */
import { createHash } from 'node:crypto';
import { equalBytes } from '@dcsim/common/bytes';
import { nodeIdString } from '@dcsim/common/nodeid';
import {
  encodeUploadRequest,
  pieceUploadCall,
  type AddressedOrderLimit,
  type PieceHash,
  type PieceUploadResponse,
  type UploadMessageWriter,
} from '@dcsim/protocol';
import type { ServiceError } from '@grpc/grpc-js';
import { PieceError } from './errors.js';
import type { NodeClient } from './nodes.js';
import { observedPromise, whenSettled } from '@dcsim/common/observed';
import { orderSigner } from './order-keys.js';
import { pieceHashProblem } from './piece-hash.js';

const EMPTY = new Uint8Array(0);

/**
 * Bytes of each piece per upload message: big enough that per-message costs (protobuf, HTTP/2 framing,
 * the node's write call) stay small (1 MiB moved pieces about 1.4x faster than 256 KiB on loopback),
 * small enough for smooth backpressure and flat memory. The encoder codes the pieces in runs of this size.
 */
export const DEFAULT_UPLOAD_CHUNK = 1024 * 1024;

/**
 * Messages one piece upload may have handed to gRPC and not yet seen sent. gRPC's own limit is 16, but
 * every queued message holds a message buffer and gRPC's framed copy of it: with ten pieces going at
 * once that is 320 MiB of memory, most of it fresh each time. Four keep the stream busy on any link.
 * Being below gRPC's limit, this is the upload's backpressure: the stream's own never engages.
 */
const MAX_QUEUED = 4;

/** A piece to upload: its size, known up front, and its bytes as they come out of the encoder. */
export interface PieceSource {
  size: number;
  /** Each chunk may be reused once the next is asked for (piece-chunks.ts): it is sent before that. */
  chunks: AsyncIterable<Uint8Array>;
}

export interface PieceUploadOptions {
  /** Aborting cancels the stream (long-tail cancellation); the node then keeps nothing. */
  signal?: AbortSignal;
  /** Writes the chunk messages, each chunk copied once, into memory reused once gRPC has sent it. */
  messages: UploadMessageWriter;
  /** Called with the size of each chunk handed to gRPC. */
  onBytes?: (bytes: number) => void;
}

/** Uploads `piece` under `addressed` and returns the node's verified, signed piece hash. */
export async function uploadPiece(
  node: NodeClient,
  addressed: AddressedOrderLimit,
  piece: PieceSource,
  options: PieceUploadOptions,
): Promise<PieceHash> {
  const limit = addressed.limit;
  const nodeId = limit ? nodeIdString(limit.storageNodeId) : 'unknown';
  const fail = (reason: string, bad = false, cause?: unknown) =>
    new PieceError(nodeId, addressed.pieceNum, reason, bad, cause === undefined ? undefined : { cause });
  if (!limit) throw fail('order limit missing');
  if (options.signal?.aborted) throw fail('cancelled');
  const signer = orderSigner(limit);

  let settled = false;
  let answer!: (err: ServiceError | null, res?: PieceUploadResponse) => void;
  // Observed from the start: the node may fail the call (it went away, it refused the order) while
  // the loop below waits for the encoder's next chunk; that is this piece's failure, read below.
  const response = observedPromise<PieceUploadResponse>((resolve, reject) => {
    answer = (err, res) => {
      settled = true;
      if (err || !res) reject(err ?? new Error('empty response'));
      else resolve(res);
    };
  });
  // Messages written as they go (@dcsim/protocol's piecestore-wire.ts): the chunk is copied at once, so its
  // memory can go back to the encoder.
  const call = pieceUploadCall(node.piecestore, answer);
  const cancel = () => call.cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const sha256 = createHash('sha256');
    const queued = new Queued(response, () => settled);
    let sent = 0;
    for await (const chunk of piece.chunks) {
      if (options.signal?.aborted || settled) break; // cancelled, or the call ended while we waited for the chunk
      sha256.update(chunk);
      // Each chunk goes with an order for every byte sent so far, this chunk's included: the node stores no byte
      // it holds no order for, and settles the largest order with the satellite (Storj signs a step ahead instead).
      const order = signer?.order(limit, sent + chunk.length);
      const message = options.messages.chunk(chunk, sent === 0 ? limit : undefined, order);
      queued.add();
      call.write(message, () => {
        options.messages.release(message);
        queued.done();
      });
      sent += chunk.length;
      options.onBytes?.(chunk.length);
      await queued.atMost(MAX_QUEUED);
      if (options.signal?.aborted || settled) break; // cancelled, or the node already answered (a refusal)
    }
    const hash = new Uint8Array(sha256.digest());
    if (!options.signal?.aborted && !settled) {
      if (sent !== piece.size) throw fail(`the encoder gave ${sent} bytes of a ${piece.size}-byte piece`);
      call.write(encodeUploadRequest({ chunk: EMPTY, done: { pieceId: limit.pieceId, hash, pieceSize: sent, signature: EMPTY } }));
      call.end();
    }
    const { done } = await response; // the node's answer, or why the call failed
    const problem = pieceHashProblem(addressed, done);
    if (problem) throw fail(problem, true);
    if (!equalBytes(done!.hash, hash) || done!.pieceSize !== sent) {
      throw fail('the node signed a different hash or size than we sent', true);
    }
    return done!;
  } catch (err) {
    if (!settled) call.cancel(); // an upload we give up on must not linger
    if (err instanceof PieceError) throw err;
    if (options.signal?.aborted) throw fail('cancelled');
    throw fail(node.describe(err), false, err);
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

/** Counts messages written and not yet sent; `atMost` waits until few enough are left, or the call is over. */
class Queued {
  private count = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly response: Promise<unknown>,
    private readonly over: () => boolean,
  ) {}

  add(): void {
    this.count++;
  }

  done(): void {
    this.count--;
    this.wake?.();
  }

  async atMost(limit: number): Promise<void> {
    while (this.count > limit && !this.over()) {
      await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), whenSettled(this.response)]);
    }
  }
}
