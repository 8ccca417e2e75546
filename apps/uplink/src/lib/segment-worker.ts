/**
 * The segment thread's body (see segment-thread.ts). Requests are served one at a time, in the order
 * they came:
 *
 * - encode: encrypt the segment into one reused buffer, then erasure code it run by run, sending each
 *   run on as soon as it is coded. Between runs the thread lets its messages in, so that runs the
 *   uploads are done with come back and are coded into again instead of fresh memory.
 * - decode: rebuild the encrypted segment from k pieces into the same reused buffer, then decrypt it.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parentPort } from 'node:worker_threads';
import { DecryptionError, decryptSegment, encryptSegment, encryptedSize } from '@dcsim/crypto/encryption';
import { decodeSegment, encodeRuns } from '@dcsim/erasure';
import { runStripes } from './encoder.js';
import { observed } from '@dcsim/common/observed';
import type { DecodeJob, EncodeJob, WorkerReply, WorkerRequest } from './segment-thread.js';

/** Run memory kept for reuse: about two 64 MiB segments' worth of 4/6/8/10 pieces. */
const POOL_BYTES = 384 * 1024 * 1024;

type Job = Exclude<WorkerRequest, { type: 'recycle' }>;

// This module runs only as a worker thread's entry (SegmentThread starts it): its state is that thread's, one
// per SegmentThread, and goes with it.
const queue: Job[] = [];
let busy = false;
const pool: ArrayBuffer[] = [];
/** The encrypted segment being encoded or decoded. */
let scratch: Uint8Array<ArrayBuffer> | undefined;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

parentPort!.on('message', (request: WorkerRequest) => {
  if (request.type === 'recycle') {
    const held = pool.reduce((sum, b) => sum + b.byteLength, 0);
    if (held + request.shards.byteLength <= POOL_BYTES) pool.push(request.shards.buffer as ArrayBuffer);
  } else {
    queue.push(request);
    if (!busy) observed(work());
  }
});

async function work(): Promise<void> {
  busy = true;
  try {
    for (let job = queue.shift(); job; job = queue.shift()) {
      try {
        if (job.type === 'encode') await encode(job.id, job.job);
        else decode(job.id, job.job);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        reply({ id: job.id, type: 'error', error, corrupt: err instanceof DecryptionError });
      }
    }
  } finally {
    busy = false; // whatever happened, the next request starts the loop again
  }
}

async function encode(id: number, job: EncodeJob): Promise<void> {
  const encrypted = encryptSegment(
    job.plain,
    job.contentKey,
    job.nonce,
    job.encryption,
    scratchOf(encryptedSize(job.plain.length, job.encryption)),
  );
  reply({ id, type: 'plain', plain: job.plain }, [job.plain.buffer as ArrayBuffer]);
  for (const run of encodeRuns(encrypted, job.scheme, runStripes(job), take)) {
    reply({ id, type: 'run', shards: run.shards }, [run.shards.buffer as ArrayBuffer]);
    await nextTurn(); // let recycled runs in
  }
  reply({ id, type: 'end' });
}

function decode(id: number, job: DecodeJob): void {
  const encrypted = decodeSegment(job.pieces, job.scheme, job.encryptedSize, scratchOf(job.encryptedSize));
  const plain = decryptSegment(encrypted, job.contentKey, job.nonce, job.encryption);
  // The pieces go back with it, for the next segment's downloads to fill (memory-pool.ts).
  const pieces = job.pieces.filter((p) => p !== undefined);
  const buffers = new Set([plain.buffer, ...pieces.map((p) => p.buffer)] as ArrayBuffer[]);
  reply({ id, type: 'decoded', plain, pieces }, [...buffers]);
}

function scratchOf(size: number): Uint8Array<ArrayBuffer> {
  if (!scratch || scratch.length < size) scratch = new Uint8Array(size);
  return scratch.subarray(0, size);
}

/** Memory for a run: a recycled buffer of exactly that size when there is one. */
function take(bytes: number): Uint8Array {
  const at = pool.findIndex((b) => b.byteLength === bytes);
  if (at < 0) return new Uint8Array(bytes);
  const [buffer] = pool.splice(at, 1);
  return new Uint8Array(buffer);
}
