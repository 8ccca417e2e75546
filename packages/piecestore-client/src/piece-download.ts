/**
 * Downloading one piece, or a byte range of it, from one storage node (Piecestore.Download, a server
 * stream). The first message carries the node-signed PieceHash; we check it before using any byte.
 * For a whole piece the bytes must then hash to it (SHA-256) and have its size, so a corrupted piece
 * is caught here. A range cannot be checked against a whole-piece hash: the caller relies on the
 * AES-GCM tags of the decrypted blocks instead (download.ts).
 */
import { createHash } from 'node:crypto';
import { equalBytes } from '@dcsim/common/bytes';
import { nodeIdString } from '@dcsim/common/nodeid';
import type { AddressedOrderLimit, PieceDownloadResponse } from '@dcsim/protocol';
import { PieceError } from './errors.js';
import type { NodeClient } from './nodes.js';
import { pieceHashProblem } from './piece-hash.js';
import { orderSigner } from './order-keys.js';

/** Memory kept for reuse (the uplink's MemoryPool): `take` a buffer of a size, `give` back ones no longer used. */
export interface PieceMemory {
  take(size: number): Uint8Array;
  give(buffers: Iterable<Uint8Array>): void;
}

export interface PieceDownloadRequest {
  /** Whole piece when absent; its size must then be `expectedSize`. */
  range?: { offset: number; length: number };
  /** Size of the whole piece as the segment's size implies. */
  pieceSize: number;
  /** Where the bytes are received (fresh memory when absent): a failed transfer gives its memory back. */
  memory?: PieceMemory;
  signal?: AbortSignal;
  onBytes?: (bytes: number) => void;
}

/** Returns the piece (or the range of it) after the checks above; throws a PieceError otherwise. */
export async function downloadPiece(node: NodeClient, addressed: AddressedOrderLimit, request: PieceDownloadRequest): Promise<Uint8Array> {
  const limit = addressed.limit;
  const nodeId = limit ? nodeIdString(limit.storageNodeId) : 'unknown';
  const fail = (reason: string, bad = false, cause?: unknown) =>
    new PieceError(nodeId, addressed.pieceNum, reason, bad, cause === undefined ? undefined : { cause });
  if (!limit) throw fail('order limit missing');
  if (request.signal?.aborted) throw fail('cancelled');

  const whole = request.range === undefined;
  const offset = request.range?.offset ?? 0;
  const length = request.range?.length ?? request.pieceSize;
  // The order for exactly the bytes asked for: the node sends no more than it was ordered.
  const order = orderSigner(limit)?.order(limit, length);
  const call = node.piecestore.download({ limit, offset, size: whole ? 0 : length, order });
  const cancel = () => call.cancel();
  request.signal?.addEventListener('abort', cancel, { once: true });

  const data = request.memory?.take(length) ?? new Uint8Array(length);
  let received = 0;
  let first = true;
  let signedHash: Uint8Array | undefined;
  const sha256 = createHash('sha256');
  try {
    for await (const message of call as AsyncIterable<PieceDownloadResponse>) {
      if (first) {
        first = false;
        const problem = pieceHashProblem(addressed, message.hash);
        if (problem) throw fail(problem, true);
        if (message.hash!.pieceSize !== request.pieceSize) {
          throw fail(`the node says the piece has ${message.hash!.pieceSize} bytes, the segment needs ${request.pieceSize}`, true);
        }
        signedHash = message.hash!.hash;
      }
      const chunk = message.chunk;
      if (received + chunk.length > length) throw fail(`the node sent more than the ${length} bytes asked for`, true);
      data.set(chunk, received);
      received += chunk.length;
      if (whole) sha256.update(chunk);
      request.onBytes?.(chunk.length);
    }
    if (first) throw fail('the node sent nothing');
    if (received !== length) throw fail(`the node sent ${received} of ${length} bytes`, true);
    if (whole && !equalBytes(sha256.digest(), signedHash!)) {
      throw fail('the piece does not match the SHA-256 hash the node signed when it stored it', true);
    }
  } catch (err) {
    call.cancel();
    request.memory?.give([data]);
    if (err instanceof PieceError) throw err;
    if (request.signal?.aborted) throw fail('cancelled');
    throw fail(node.describe(err), false, err);
  } finally {
    request.signal?.removeEventListener('abort', cancel);
  }
  return data;
}
