/**
 * A worker thread for segment CPU work (segment-worker.ts): encoding segments for uploads (encoder.ts)
 * and decoding them for downloads (decoder.ts). On it, that work runs on the other core while the event
 * loop keeps piece transfers flowing. One per TransferResources (resources.ts): more would only compete
 * with the transfers (and the storage nodes, in a testnet) for the cores.
 *
 * Requests carry an id; the worker answers with one or more replies for it, the last one `end`, `decoded`
 * or `error`. Keys go to the worker too: it is part of this process, and nothing there leaves it.
 */
import { Worker } from 'node:worker_threads';
import type { EncryptionParameters } from '@dcsim/crypto/encryption';
import type { RedundancyScheme } from '@dcsim/erasure';
import { observed } from '@dcsim/common/observed';
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
  { type: 'encode'; id: number; job: EncodeJob } | { type: 'decode'; id: number; job: DecodeJob } | { type: 'recycle'; shards: Uint8Array };

/** What the worker answers about request `id`. */
export type WorkerReply =
  | { id: number; type: 'plain'; plain: Uint8Array } // encode: the plain segment, encrypted and no longer needed
  | { id: number; type: 'run'; shards: Uint8Array } // encode: one run of coded pieces
  | { id: number; type: 'decoded'; plain: Uint8Array; pieces: Uint8Array[] } // decode: the plain segment, and the pieces back
  | { id: number; type: 'end' }
  | { id: number; type: 'error'; error: string; corrupt?: boolean };

/** The worker thread failed, died or was closed: an internal failure, not something the caller did. */
export class SegmentThreadError extends UplinkError {}

type Handler = (reply: WorkerReply) => void;

/**
 * An idle worker is stopped after this long: the memory it reuses between segments (a few hundred MiB
 * during a big upload) then goes back to the system. The next request starts a new one (~0.1 s).
 */
const IDLE_MS = 5000;

/**
 * The worker's module. From source it is TypeScript, which a worker cannot load by itself (typescript-worker.js
 * starts it); the testnet's bundler (scripts/testnet/bundle.ts) bundles it beside the app and points this URL at
 * the bundled JavaScript, which starts as it is.
 */
const WORKER_MODULE = new URL('./segment-worker.ts', import.meta.url);

export class SegmentThread {
  private worker: Worker | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Handler>();
  /** Which worker made a run's memory. */
  private readonly owner = new WeakMap<ArrayBuffer, Worker>();
  private closed = false;

  /** Sends a request built for its id; `onReply` gets every reply to it (one error reply once closed). */
  request(build: (id: number) => WorkerRequest, transfer: ArrayBuffer[], onReply: Handler): void {
    const id = this.nextId++;
    if (this.closed) {
      queueMicrotask(() => onReply({ id, type: 'error', error: 'the segment thread is closed' }));
      return;
    }
    const w = this.start();
    this.pending.set(id, onReply);
    clearTimeout(this.idleTimer);
    if (this.pending.size === 1) w.ref(); // keep the process alive until the last reply is in
    w.postMessage(build(id), transfer);
  }

  /** Gives run memory back to the worker for reuse; memory from a worker since replaced is dropped. */
  recycle(shards: Uint8Array): void {
    const w = this.worker;
    if (w && w === this.owner.get(shards.buffer as ArrayBuffer)) {
      w.postMessage({ type: 'recycle', shards } satisfies WorkerRequest, [shards.buffer as ArrayBuffer]);
    }
  }

  /** Fails the requests still running and stops the worker, with the memory it holds; later requests fail. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const w = this.worker;
    if (w) {
      this.stop(w, 'the segment thread was closed');
      await w.terminate();
    }
  }

  /** Starts the worker on first use. */
  private start(): Worker {
    if (this.worker) return this.worker;
    const w = WORKER_MODULE.pathname.endsWith('.ts')
      ? new Worker(new URL('./typescript-worker.js', import.meta.url), { workerData: { module: WORKER_MODULE.href } })
      : new Worker(WORKER_MODULE);
    w.unref(); // idle, it must not keep the process alive
    w.on('message', (reply: WorkerReply) => {
      if (reply.type === 'run') this.owner.set(reply.shards.buffer as ArrayBuffer, w);
      const handler = this.pending.get(reply.id);
      if (reply.type === 'end' || reply.type === 'error' || reply.type === 'decoded') {
        this.pending.delete(reply.id);
        if (this.pending.size === 0) this.idle(w);
      }
      handler?.(reply);
    });
    w.on('error', (err) => this.stop(w, `the segment thread failed: ${err.message}`));
    w.on('exit', (code) => this.stop(w, `the segment thread exited (code ${code})`));
    this.worker = w;
    return w;
  }

  private idle(w: Worker): void {
    w.unref();
    this.idleTimer = setTimeout(() => {
      if (this.worker !== w || this.pending.size > 0) return;
      this.worker = undefined;
      observed(w.terminate());
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  /** Fails the requests of a worker that is gone; the next request starts a new one. */
  private stop(w: Worker, reason: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    for (const [id, handler] of this.pending) handler({ id, type: 'error', error: reason });
    this.pending.clear();
  }
}
