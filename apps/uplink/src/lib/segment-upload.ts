/**
 * Storing the n pieces of one segment on the n nodes the satellite chose, in parallel, with Storj's
 * long-tail cancellation: as soon as `optimal` pieces are stored the slowest uploads are cancelled,
 * so one slow node never holds up an upload. Fewer than `optimal` stored pieces fail the segment
 * (the satellite would refuse to commit it).
 */
import { nodeIdString } from '@dcsim/identity';
import type { AddressedOrderLimit, PieceHash } from '@dcsim/protocol';
import { NotEnoughPiecesError, PieceError } from './errors.js';
import type { NodeClients } from './nodes.js';
import type { PieceChunks } from './piece-chunks.js';
import { uploadPiece } from './piece-upload.js';
import { emit, type ProgressListener } from './progress.js';

export interface StoredPiece {
  pieceNum: number;
  nodeId: Uint8Array;
  address: string;
  pieceId: Uint8Array;
  /** Signed by the node; goes to the satellite with CommitSegment. */
  hash: PieceHash;
}

/** What happened to one piece: the teaching report (`cp --explain`) lists these. */
export interface PieceOutcome {
  pieceNum: number;
  nodeId: Uint8Array;
  address: string;
  pieceId: Uint8Array;
  status: 'stored' | 'failed' | 'cancelled';
  error?: string;
}

export interface PiecesUploadResult {
  /** Sorted by piece number. */
  stored: StoredPiece[];
  /** One per order limit, sorted by piece number. */
  outcomes: PieceOutcome[];
  failed: PieceError[];
}

export interface PiecesUploadOptions {
  segment: number;
  optimal: number;
  /** Bytes of every piece. */
  pieceSize: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Bytes of piece data handed to the network, for progress. */
  onBytes?: (bytes: number) => void;
}

export async function uploadPieces(
  nodes: NodeClients,
  limits: AddressedOrderLimit[],
  pieces: PieceChunks,
  options: PiecesUploadOptions,
): Promise<PiecesUploadResult> {
  const longTail = new AbortController();
  const abort = () => longTail.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const result: PiecesUploadResult = { stored: [], outcomes: [], failed: [] };
  // Piece numbers no node was chosen for are not read: their chunks need not wait for them.
  const wanted = new Set(limits.map((l) => l.pieceNum));
  for (let i = 0; i < pieces.total; i++) if (!wanted.has(i)) pieces.stop(i);
  const claimed = new Set<number>();
  try {
    await Promise.all(
      limits.map(async (addressed) => {
        const limit = addressed.limit!;
        const event = { type: 'piece', segment: options.segment, pieceNum: addressed.pieceNum, nodeId: nodeIdString(limit.storageNodeId), address: addressed.address } as const;
        const outcome = (status: PieceOutcome['status'], error?: string) => {
          result.outcomes.push({ pieceNum: addressed.pieceNum, nodeId: limit.storageNodeId, address: addressed.address, pieceId: limit.pieceId, status, error });
        };
        const outside = !Number.isInteger(addressed.pieceNum) || addressed.pieceNum < 0 || addressed.pieceNum >= pieces.total;
        if (outside || claimed.has(addressed.pieceNum)) {
          const reason = outside ? 'the satellite sent a limit for a piece number outside the scheme' : 'the satellite sent two limits for one piece number';
          result.failed.push(new PieceError(event.nodeId, addressed.pieceNum, reason));
          outcome('failed', reason);
          return;
        }
        claimed.add(addressed.pieceNum);
        emit(options.onProgress, { ...event, status: 'started' });
        try {
          const piece = { size: options.pieceSize, chunks: pieces.read(addressed.pieceNum) };
          const hash = await uploadPiece(nodes.get(limit.storageNodeId, addressed.address), addressed, piece, { signal: longTail.signal, onBytes: options.onBytes }).finally(
            () => pieces.stop(addressed.pieceNum), // stored, failed or cancelled: its chunks are no longer needed
          );
          result.stored.push({ pieceNum: addressed.pieceNum, nodeId: limit.storageNodeId, address: addressed.address, pieceId: limit.pieceId, hash });
          outcome('stored');
          emit(options.onProgress, { ...event, status: 'stored' });
          if (result.stored.length >= options.optimal) longTail.abort(); // enough: cancel the long tail
        } catch (err) {
          if (longTail.signal.aborted && !options.signal?.aborted) {
            outcome('cancelled');
            emit(options.onProgress, { ...event, status: 'cancelled' });
            return;
          }
          const failure = err instanceof PieceError ? err : new PieceError(event.nodeId, addressed.pieceNum, String(err));
          result.failed.push(failure);
          outcome('failed', failure.reason);
          emit(options.onProgress, { ...event, status: 'failed', error: failure.reason });
        }
      }),
    );
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  options.signal?.throwIfAborted();
  if (result.stored.length < options.optimal) {
    throw new NotEnoughPiecesError('upload', result.stored.length, options.optimal, summarize(result.failed));
  }
  result.stored.sort((a, b) => a.pieceNum - b.pieceNum);
  result.outcomes.sort((a, b) => a.pieceNum - b.pieceNum);
  return result;
}

/** The distinct failure reasons, each with how many nodes gave it. */
export function summarize(failures: PieceError[]): string {
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} × ${reason}`).join('; ');
}
