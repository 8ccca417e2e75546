/**
 * Rebuilding and decrypting a whole downloaded segment on the segment thread (segment-thread.ts), so
 * the event loop keeps the next segment's piece transfers flowing meanwhile. The pieces move to the
 * worker and the plain segment comes back without copies (transferred); the pieces come back too, for
 * the next segment's downloads to fill (`onPiecesFree`, into the piece memory pool).
 */
import { DecryptionError } from '@dcsim/crypto/encryption';
import { SegmentThreadError, type DecodeJob, type SegmentThread } from './segment-thread.js';

export type { DecodeJob } from './segment-thread.js';

/**
 * The plain segment, decoded on `thread`. Rejects with a DecryptionError when the rebuilt segment fails
 * authentication, and with a SegmentThreadError when the worker failed. The pieces must be ours to give away;
 * they come back through `onPiecesFree` with the plain segment.
 */
export function decodeInWorker(thread: SegmentThread, job: DecodeJob, onPiecesFree?: (pieces: Uint8Array[]) => void): Promise<Uint8Array> {
  const transfer = [...new Set(job.pieces.filter((p) => p !== undefined).map((p) => p.buffer as ArrayBuffer))];
  return new Promise((resolve, reject) => {
    thread.request(
      (id) => ({ type: 'decode', id, job }),
      transfer,
      (reply) => {
        if (reply.type === 'decoded') {
          onPiecesFree?.(reply.pieces);
          resolve(reply.plain);
        } else if (reply.type === 'error') {
          reject(reply.corrupt ? new DecryptionError(reply.error) : new SegmentThreadError(`decoding a segment failed: ${reply.error}`));
        }
      },
    );
  });
}
