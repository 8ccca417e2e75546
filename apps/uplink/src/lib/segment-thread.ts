/**
 * The uplink's one worker thread for segment CPU work (segment-worker.ts): encoding segments for
 * uploads (encoder.ts) and decoding them for downloads (decoder.ts). On it, that work runs on the other
 * core while the event loop keeps piece transfers flowing. More threads would only compete with the
 * transfers (and the storage nodes, in a testnet) for the cores.
 *
 * Requests carry an id; the worker answers with one or more replies for it, the last one `end` or
 * `error`. Keys go to the worker too: it is part of this process, and nothing there leaves it.
 */
import { Worker } from 'node:worker_threads';
import type { EncryptionParameters } from '@dcsim/crypto/encryption';
import type { RedundancyScheme } from '@dcsim/erasure';
import { observed } from './observed.js';
import { UplinkError } from './uplink-error.js';

export interface EncodeJob {
  plain: Uint8Array;
  contentKey: Uint8Array;
  nonce: Uint8Array;
  encryption: EncryptionParameters;
  scheme: RedundancyScheme;
  /** Bytes of each piece per run: the size of the chunks the uploads send. */
  chunkSize: number;
}

export interface DecodeJob {
  /** One slot per piece number, undefined when absent; any k whole, verified pieces. */
  pieces: (Uint8Array | undefined)[];
  scheme: RedundancyScheme;
  encryptedSize: number;
  contentKey: Uint8Array;
  nonce: Uint8Array;
  encryption: EncryptionParameters;
}

/** What the worker is sent. */
export type WorkerRequest =
  | { type: 'encode'; id: number; job: EncodeJob }
  | { type: 'decode'; id: number; job: DecodeJob }
  | { type: 'recycle'; shards: Uint8Array };

/** What the worker answers about request `id`. */
export type WorkerReply =
  | { id: number; type: 'plain'; plain: Uint8Array } // encode: the plain segment, encrypted and no longer needed
  | { id: number; type: 'run'; shards: Uint8Array } // encode: one run of coded pieces
  | { id: number; type: 'decoded'; plain: Uint8Array; pieces: Uint8Array[] } // decode: the plain segment, and the pieces back
  | { id: number; type: 'end' }
  | { id: number; type: 'error'; error: string; corrupt?: boolean };

/** The worker thread failed or died: an internal failure, not something the caller did. */
export class SegmentThreadError extends UplinkError {}

type Handler = (reply: WorkerReply) => void;

/**
 * An idle worker is stopped after this long: the memory it reuses between segments (a few hundred MiB
 * during a big upload) then goes back to the system. The next request starts a new one (~0.1 s).
 */
const IDLE_MS = 5000;

let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
const pending = new Map<number, Handler>();

/** Sends a request built for its id; `onReply` gets every reply to it. */
export function request(build: (id: number) => WorkerRequest, transfer: ArrayBuffer[], onReply: Handler): void {
  const w = startWorker();
  const id = nextId++;
  pending.set(id, onReply);
  clearTimeout(idleTimer);
  if (pending.size === 1) w.ref(); // keep the process alive until the last reply is in
  w.postMessage(build(id), transfer);
}

/** Gives run memory back to the worker for reuse; memory from a worker since replaced is dropped. */
export function recycle(shards: Uint8Array): void {
  if (worker && worker === owner.get(shards.buffer as ArrayBuffer)) worker.postMessage({ type: 'recycle', shards } satisfies WorkerRequest, [shards.buffer as ArrayBuffer]);
}

/** Which worker made a run's memory. */
const owner = new WeakMap<ArrayBuffer, Worker>();

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
    if (reply.type === 'run') owner.set(reply.shards.buffer as ArrayBuffer, w);
    const handler = pending.get(reply.id);
    if (reply.type === 'end' || reply.type === 'error' || reply.type === 'decoded') {
      pending.delete(reply.id);
      if (pending.size === 0) idle(w);
    }
    handler?.(reply);
  });
  w.on('error', (err) => stopWorker(w, `the segment thread failed: ${err.message}`));
  w.on('exit', (code) => stopWorker(w, `the segment thread exited (code ${code})`));
  worker = w;
  return w;
}

function idle(w: Worker): void {
  w.unref();
  idleTimer = setTimeout(() => {
    if (worker !== w || pending.size > 0) return;
    worker = undefined;
    observed(w.terminate());
  }, IDLE_MS);
  idleTimer.unref();
}

/** Fails the requests of a worker that is gone; the next request starts a new one. */
function stopWorker(w: Worker, reason: string): void {
  if (worker !== w) return;
  worker = undefined;
  for (const [id, handler] of pending) handler({ id, type: 'error', error: reason });
  pending.clear();
}
