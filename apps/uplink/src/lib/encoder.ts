/**
 * Encrypting and erasure-coding a segment for upload, on the segment thread (segment-thread.ts).
 *
 * The worker streams: it encrypts the segment, then codes it a run of stripes at a time and sends each
 * run (one chunk of every piece) as soon as it is coded. The piece uploads start on the first run
 * instead of waiting for the whole segment. Memory moves between the threads without copies
 * (transferred), and comes back for reuse: the plain segment once it is encrypted (the segmenter
 * refills it), each run once every piece upload has sent its chunk (piece-chunks.ts).
 */
import { encryptedSize } from '@dcsim/crypto/encryption';
import { pieceSize } from '@dcsim/erasure';
import { observedPromise } from '@dcsim/common/observed';
import { PieceChunks } from './piece-chunks.js';
import { SegmentThreadError, type EncodeJob, type SegmentThread } from './segment-thread.js';

export type { EncodeJob } from './segment-thread.js';

/** A segment being encoded: its sizes are known at once, its pieces arrive run by run. */
export interface SegmentEncoding {
  encryptedSize: number;
  pieceSize: number;
  pieces: PieceChunks;
  /** Settles when the last run has arrived; rejects with a SegmentThreadError if the worker failed. */
  finished: Promise<void>;
}

/** Stripes per run, so that each piece gets about `chunkSize` bytes per run. */
export function runStripes(job: Pick<EncodeJob, 'chunkSize' | 'scheme'>): number {
  return Math.max(1, Math.round(job.chunkSize / job.scheme.shareSize));
}

/**
 * Starts encoding `job` on `thread`. `owned`: `job.plain` is ours to give away (a segment the
 * segmenter filled), so its memory moves to the worker and comes back through `onPlainFree` once
 * encrypted; otherwise it is copied first, since it is a view of the caller's bytes.
 */
export function encodeInWorker(
  thread: SegmentThread,
  job: EncodeJob,
  owned: boolean,
  onPlainFree?: (plain: Uint8Array) => void,
): SegmentEncoding {
  const whole = job.plain.byteOffset === 0 && job.plain.byteLength === job.plain.buffer.byteLength;
  // new Uint8Array(view) copies; a Buffer's slice() would not, and the transfer would detach the caller's bytes.
  const mine = owned && whole;
  const plain = mine ? job.plain : new Uint8Array(job.plain);
  const size = encryptedSize(plain.length, job.encryption);
  const pieces = new PieceChunks(job.scheme.total, (shards) => thread.recycle(shards));
  // Observed at once: an encoder failure reaches the pieces' readers too, and the caller awaits this when it wants.
  const finished = observedPromise<void>((resolve, reject) => {
    thread.request(
      (id) => ({ type: 'encode', id, job: { ...job, plain } }),
      [plain.buffer as ArrayBuffer],
      (reply) => {
        switch (reply.type) {
          case 'plain':
            if (mine) onPlainFree?.(reply.plain);
            return;
          case 'run':
            return pieces.push(reply.shards);
          case 'end':
            pieces.end();
            return resolve();
          case 'error': {
            const err = new SegmentThreadError(`encoding a segment failed: ${reply.error}`);
            pieces.fail(err);
            return reject(err);
          }
        }
      },
    );
  });
  return { encryptedSize: size, pieceSize: pieceSize(size, job.scheme), pieces, finished };
}
