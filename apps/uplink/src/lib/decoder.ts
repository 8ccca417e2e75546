/**
 * Rebuilding and decrypting a whole downloaded segment on the segment thread (segment-thread.ts), so
 * the event loop keeps the next segment's piece transfers flowing meanwhile. The pieces move to the
 * worker and the plain segment comes back without copies (transferred); the pieces come back too, for
 * the next segment's downloads to fill (memory-pool.ts).
 */
import { DecryptionError } from '@dcsim/crypto/encryption';
import { pieceMemory } from './memory-pool.js';
import { SegmentThreadError, request, type DecodeJob } from './segment-thread.js';

export type { DecodeJob } from './segment-thread.js';

/**
 * The plain segment. Rejects with a DecryptionError when the rebuilt segment fails authentication,
 * and with a SegmentThreadError when the worker failed. The pieces must be ours to give away.
 */
export function decodeInWorker(job: DecodeJob): Promise<Uint8Array> {
  const transfer = [...new Set(job.pieces.filter((p) => p !== undefined).map((p) => p.buffer as ArrayBuffer))];
  return new Promise((resolve, reject) => {
    request((id) => ({ type: 'decode', id, job }), transfer, (reply) => {
      if (reply.type === 'decoded') {
        pieceMemory.give(reply.pieces);
        resolve(reply.plain);
      } else if (reply.type === 'error') {
        reject(reply.corrupt ? new DecryptionError(reply.error) : new SegmentThreadError(`decoding a segment failed: ${reply.error}`));
      }
    });
  });
}
