/**
 * The encoder's worker thread (see encoder.ts): encrypts and erasure-codes the segments it is sent,
 * one at a time, and hands the pieces back without copying them.
 */
import { parentPort } from 'node:worker_threads';
import { encodeHere, type EncodeJob, type WorkerReply } from './encoder.js';

parentPort!.on('message', ({ id, job }: { id: number; job: EncodeJob }) => {
  let reply: WorkerReply;
  try {
    reply = { id, result: encodeHere(job) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  const transfer = 'result' in reply ? [...new Set(reply.result.pieces.map((p) => p.buffer as ArrayBuffer))] : [];
  parentPort!.postMessage(reply, transfer);
});
