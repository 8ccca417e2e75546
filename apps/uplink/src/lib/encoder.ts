/**
 * The CPU-heavy part of uploading a segment: encrypting it and erasure-coding it into n pieces
 * (~0.8 s for 64 MiB at 4/10). Done on the event loop, it would stall the previous segment's
 * piece transfers for that long; done on a worker thread (segment-worker.ts), the event loop
 * keeps those transfers flowing while the next segment is prepared on the other core.
 *
 * One worker serves the whole process: more would only compete with the transfers for the cores.
 * Buffers move between the threads without copies (transferred). The content key goes to the
 * worker too: it stays in this process, like every other key.
 */
import { Worker } from 'node:worker_threads';
import { encryptSegment, type EncryptionParameters } from '@dcsim/crypto';
import { encodeSegment, type RedundancyScheme } from '@dcsim/erasure';

export interface EncodeJob {
  plain: Uint8Array;
  contentKey: Uint8Array;
  nonce: Uint8Array;
  encryption: EncryptionParameters;
  scheme: RedundancyScheme;
}

export interface EncodedSegment {
  encryptedSize: number;
  pieces: Uint8Array[];
}

/** The worker thread failed or died: an internal failure, not something the caller did. */
export class EncoderError extends Error {
  override name = 'EncoderError';
}

/** Encrypts and erasure-codes a segment on this thread. */
export function encodeHere(job: EncodeJob): EncodedSegment {
  const encrypted = encryptSegment(job.plain, job.contentKey, job.nonce, job.encryption);
  return { encryptedSize: encrypted.length, pieces: encodeSegment(encrypted, job.scheme) };
}

/**
 * The same on the worker thread. `owned`: `job.plain` is ours to give away (a segment the segmenter
 * copied from a stream), so its memory moves to the worker; otherwise it is copied first, since it
 * is a view of the caller's bytes.
 */
export function encodeInWorker(job: EncodeJob, owned: boolean): Promise<EncodedSegment> {
  const whole = job.plain.byteOffset === 0 && job.plain.byteLength === job.plain.buffer.byteLength;
  // new Uint8Array(view) copies; a Buffer's slice() would not, and the transfer would detach the caller's bytes.
  const plain = owned && whole ? job.plain : new Uint8Array(job.plain);
  const worker = startWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    if (pending.size === 1) worker.ref(); // keep the process alive until the answer is back
    worker.postMessage({ id, job: { ...job, plain } }, [plain.buffer as ArrayBuffer]);
  });
}

interface Pending {
  resolve(result: EncodedSegment): void;
  reject(err: Error): void;
}

/** What the worker answers for job `id`. */
export type WorkerReply = { id: number; result: EncodedSegment } | { id: number; error: string };

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

/**
 * Starts the worker on first use. dcsim runs TypeScript through tsx, and a worker does not inherit
 * the tsx hooks of the thread that starts it (nor the bundler's, when the testnet runs a bundled
 * uplink), so the worker registers tsx itself before it loads its module.
 */
function startWorker(): Worker {
  if (worker) return worker;
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const module = JSON.stringify(new URL('./segment-worker.ts', import.meta.url).href);
  const w = new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${module}); });`, { eval: true });
  w.unref(); // idle, it must not keep the process alive
  w.on('message', (reply: WorkerReply) => {
    const job = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) w.unref();
    if ('error' in reply) job?.reject(new EncoderError(`encoding a segment failed: ${reply.error}`));
    else job?.resolve(reply.result);
  });
  w.on('error', (err) => stopWorker(w, `the encoder thread failed: ${err.message}`));
  w.on('exit', (code) => stopWorker(w, `the encoder thread exited (code ${code})`));
  worker = w;
  return w;
}

/** Fails the jobs of a worker that is gone; the next job starts a new one. */
function stopWorker(w: Worker, reason: string): void {
  if (worker !== w) return;
  worker = undefined;
  for (const job of pending.values()) job.reject(new EncoderError(reason));
  pending.clear();
}
