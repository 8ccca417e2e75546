/**
 * Storing the n pieces of one segment on the n nodes the satellite chose, in parallel, with Storj's
 * long-tail cancellation: as soon as `optimal` pieces are stored the slowest uploads are cancelled,
 * so one slow node never holds up an upload. A piece that fails is one lost piece: when too few are
 * stored, the failed piece numbers go to other nodes (RetryBeginSegmentPieces) and are coded again.
 * Fewer than `optimal` stored pieces in the end fail the segment (the satellite would refuse to commit it).
 */
import { nodeIdString } from '@dcsim/common/nodeid';
import type { AddressedOrderLimit, PieceHash, UploadMessageWriter } from '@dcsim/protocol';
import { NotEnoughPiecesError } from './errors.js';
import type { NodeClients } from '@dcsim/piecestore-client';
import type { PieceChunks } from './piece-chunks.js';
import { PieceError, uploadPiece } from '@dcsim/piecestore-client';
import { emit, type ProgressListener } from './progress.js';

/** A piece a node accepted and signed. */
export interface UploadedPiece {
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
  stored: UploadedPiece[];
  /** One per order limit (retries add theirs), sorted by piece number. */
  outcomes: PieceOutcome[];
  failed: PieceError[];
}

export interface PiecesUploadOptions {
  segment: number;
  optimal: number;
  /** Bytes of every piece. */
  pieceSize: number;
  signal?: AbortSignal;
  /** Writes the upload messages, into memory it reuses. */
  messages: UploadMessageWriter;
  onProgress?: ProgressListener;
  /** Bytes of piece data handed to the network, for progress. */
  onBytes?: (bytes: number) => void;
}

/** A segment's coded pieces, as the encoder streams them (encoder.ts). */
export interface CodedPieces {
  pieces: PieceChunks;
  /** Rejects if the encoder failed. */
  finished: Promise<void>;
}

/** How a segment gets another chance at pieces that failed (Storj's RetryBeginSegmentPieces). */
export interface PieceRetry {
  /** New order limits, on other nodes, for failed piece numbers: all of them or some, never none (it throws). */
  exchange(pieceNums: number[]): Promise<AddressedOrderLimit[]>;
  /** The segment's pieces once more, from a new run of the encoder. */
  reencode(): CodedPieces;
}

/**
 * Rounds of retries after the first, each on new nodes and a new encoding. The satellite never offers a
 * node twice for one segment, so this only bounds the work when many nodes fail at once.
 */
const MAX_RETRY_ROUNDS = 3;

/**
 * Stores the segment's pieces under `limits`, long tail cancelled once `optimal` are stored. When a
 * round ends with fewer (nodes went away since the satellite last heard from them), the failed piece
 * numbers are retried on other nodes through `retry`, as Storj's uplink does.
 */
export async function uploadPieces(
  nodes: NodeClients,
  limits: AddressedOrderLimit[],
  coded: CodedPieces,
  options: PiecesUploadOptions,
  retry?: PieceRetry,
): Promise<PiecesUploadResult> {
  const result: PiecesUploadResult = { stored: [], outcomes: [], failed: [] };
  let failed = await uploadRound(nodes, limits, coded, options, result);
  let noRetry = '';
  for (let round = 1; retry && result.stored.length < options.optimal && failed.length > 0 && round <= MAX_RETRY_ROUNDS; round++) {
    options.signal?.throwIfAborted();
    let fresh: AddressedOrderLimit[];
    try {
      fresh = await retry.exchange(failed);
    } catch (err) {
      noRetry = `; retrying elsewhere: ${(err as Error).message}`;
      break;
    }
    failed = await uploadRound(nodes, fresh, retry.reencode(), options, result);
  }
  options.signal?.throwIfAborted();
  if (result.stored.length < options.optimal) {
    throw new NotEnoughPiecesError('upload', result.stored.length, options.optimal, summarize(result.failed) + noRetry);
  }
  result.stored.sort((a, b) => a.pieceNum - b.pieceNum);
  result.outcomes.sort((a, b) => a.pieceNum - b.pieceNum);
  return result;
}

/**
 * One round: a piece upload per limit, in parallel, adding to `result`; the long tail is cancelled once
 * the segment has `optimal` pieces. Returns the piece numbers that failed, worth trying on other nodes.
 */
async function uploadRound(
  nodes: NodeClients,
  limits: AddressedOrderLimit[],
  coded: CodedPieces,
  options: PiecesUploadOptions,
  result: PiecesUploadResult,
): Promise<number[]> {
  const { pieces } = coded;
  const longTail = new AbortController();
  const abort = () => longTail.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const retryable: number[] = [];
  // Piece numbers no node was chosen for are not read: their chunks need not wait for them.
  const wanted = new Set(limits.map((l) => l.pieceNum));
  for (let i = 0; i < pieces.total; i++) if (!wanted.has(i)) pieces.stop(i);
  const claimed = new Set<number>();
  try {
    await Promise.all(
      limits.map(async (addressed) => {
        const limit = addressed.limit!;
        const event = {
          type: 'piece',
          segment: options.segment,
          pieceNum: addressed.pieceNum,
          nodeId: nodeIdString(limit.storageNodeId),
          address: addressed.address,
        } as const;
        const outcome = (status: PieceOutcome['status'], error?: string) => {
          result.outcomes.push({
            pieceNum: addressed.pieceNum,
            nodeId: limit.storageNodeId,
            address: addressed.address,
            pieceId: limit.pieceId,
            status,
            error,
          });
        };
        const outside = !Number.isInteger(addressed.pieceNum) || addressed.pieceNum < 0 || addressed.pieceNum >= pieces.total;
        if (outside || claimed.has(addressed.pieceNum)) {
          const reason = outside
            ? 'the satellite sent a limit for a piece number outside the scheme'
            : 'the satellite sent two limits for one piece number';
          result.failed.push(new PieceError(event.nodeId, addressed.pieceNum, reason));
          outcome('failed', reason);
          return;
        }
        claimed.add(addressed.pieceNum);
        emit(options.onProgress, { ...event, status: 'started' });
        try {
          const piece = { size: options.pieceSize, chunks: pieces.read(addressed.pieceNum) };
          const hash = await uploadPiece(nodes.get(limit.storageNodeId, addressed.address), addressed, piece, {
            signal: longTail.signal,
            messages: options.messages,
            onBytes: options.onBytes,
          }).finally(
            () => pieces.stop(addressed.pieceNum), // stored, failed or cancelled: its chunks are no longer needed
          );
          result.stored.push({
            pieceNum: addressed.pieceNum,
            nodeId: limit.storageNodeId,
            address: addressed.address,
            pieceId: limit.pieceId,
            hash,
          });
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
          retryable.push(addressed.pieceNum);
          outcome('failed', failure.reason);
          emit(options.onProgress, { ...event, status: 'failed', error: failure.reason });
        }
      }),
    );
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  // An encoder failure fails every piece too; report it rather than "not enough pieces".
  await coded.finished;
  return retryable.sort((a, b) => a - b);
}

/** The distinct failure reasons, each with how many nodes gave it. */
export function summarize(failures: PieceError[]): string {
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} × ${reason}`).join('; ');
}
