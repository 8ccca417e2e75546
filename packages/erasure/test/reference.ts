/**
 * The codec dcsim used before its own kernel, kept as the reference that pieces must stay identical
 * to: `@subspace/reed-solomon-erasure.wasm` 0.2.5 (the Rust `reed-solomon-erasure` crate compiled to
 * scalar wasm) with the same stripe layout, gathering and scattering shares in JavaScript and coding
 * ~1 MiB of segment per engine call, as codec.ts did. Used by the equivalence test and
 * `npm run bench -- erasure` only (a dev dependency).
 *
 * That build's `reconstruct` corrupts its own wasm heap, so every reconstruct gets a fresh instance.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ReedSolomonErasure } from '@subspace/reed-solomon-erasure.wasm';
import { type EncodedRun, PADDING_TRAILER_SIZE, type RedundancyScheme, paddedSize, stripeCount, stripeSize } from '../src/index.js';

const BATCH_BYTES = 1 << 20;
let moduleBytes: Uint8Array | undefined;
let encoder: ReedSolomonErasure | undefined;

function newEngine(): ReedSolomonErasure {
  if (!moduleBytes) {
    const main = createRequire(import.meta.url).resolve('@subspace/reed-solomon-erasure.wasm');
    moduleBytes = readFileSync(join(dirname(main), 'reed_solomon_erasure_bg.wasm'));
  }
  return ReedSolomonErasure.fromBytes(moduleBytes);
}

function check(result: number, what: string): void {
  if (result !== ReedSolomonErasure.RESULT_OK) throw new Error(`reference ${what} failed with result ${result}`);
}

function batchStripes(scheme: RedundancyScheme): number {
  return Math.max(1, Math.floor(BATCH_BYTES / stripeSize(scheme)));
}

/** As the package's encodeRuns: the n shards of each run of `runStripes` stripes, in memory from `buffer`. */
export function* referenceEncodeRuns(
  data: Uint8Array,
  scheme: RedundancyScheme,
  runStripes: number,
  buffer: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes),
): Generator<EncodedRun> {
  const { required: k, total: n, shareSize } = scheme;
  const stripe = stripeSize(scheme);
  const whole = Math.floor(data.length / stripe);
  const tail = new Uint8Array(paddedSize(data.length, scheme) - whole * stripe);
  tail.set(data.subarray(whole * stripe));
  new DataView(tail.buffer).setUint32(tail.length - PADDING_TRAILER_SIZE, tail.length - (data.length - whole * stripe));
  const stripeAt = (s: number) =>
    s < whole ? data.subarray(s * stripe, (s + 1) * stripe) : tail.subarray((s - whole) * stripe, (s - whole + 1) * stripe);
  const stripes = stripeCount(data.length, scheme);
  for (let first = 0; first < stripes; first += runStripes) {
    const count = Math.min(runStripes, stripes - first);
    const shardSize = count * shareSize;
    const shards = buffer(n * shardSize);
    for (let j = 0; j < count; j++) {
      const shares = stripeAt(first + j);
      for (let i = 0; i < k; i++) shards.set(shares.subarray(i * shareSize, (i + 1) * shareSize), i * shardSize + j * shareSize);
    }
    if (n > k) {
      encoder ??= newEngine();
      check(encoder.encode(shards, k, n - k), 'encode');
    }
    yield { firstStripe: first, stripeCount: count, shards };
  }
}

/** The n pieces of `data`, as the reference codec makes them (runs of ~1 MiB of segment). */
export function referenceEncode(data: Uint8Array, scheme: RedundancyScheme): Uint8Array[] {
  const { total: n, shareSize } = scheme;
  const pieces = Array.from({ length: n }, () => new Uint8Array(stripeCount(data.length, scheme) * shareSize));
  for (const run of referenceEncodeRuns(data, scheme, batchStripes(scheme))) {
    const shardSize = run.stripeCount * shareSize;
    for (let i = 0; i < n; i++) pieces[i].set(run.shards.subarray(i * shardSize, (i + 1) * shardSize), run.firstStripe * shareSize);
  }
  return pieces;
}

/** The segment of `segmentSize` bytes rebuilt from the first k present pieces into `out`, by the reference codec. */
export function referenceDecode(
  pieces: (Uint8Array | undefined)[],
  scheme: RedundancyScheme,
  segmentSize: number,
  out = new Uint8Array(segmentSize),
): Uint8Array {
  const { required: k, shareSize } = scheme;
  const chosen = pieces.flatMap((piece, i) => (piece ? [i] : [])).slice(0, k);
  const width = chosen[k - 1] + 1; // the engine needs shards only up to the highest piece used
  const present = Array.from({ length: width }, (_, i) => chosen.includes(i));
  const stripes = stripeCount(segmentSize, scheme);
  const batch = batchStripes(scheme);
  const work = new Uint8Array(width * Math.min(batch, stripes) * shareSize);
  for (let first = 0; first < stripes; first += batch) {
    const count = Math.min(batch, stripes - first);
    const shardSize = count * shareSize;
    for (const i of chosen) work.set(pieces[i]!.subarray(first * shareSize, first * shareSize + shardSize), i * shardSize);
    if (width > k) check(newEngine().reconstruct(work.subarray(0, width * shardSize), k, width - k, present), 'reconstruct');
    for (let s = 0; s < count; s++) {
      for (let i = 0; i < k; i++) {
        const at = (first + s) * stripeSize(scheme) + i * shareSize;
        const end = Math.min(at + shareSize, segmentSize);
        if (at < end) out.set(work.subarray(i * shardSize + s * shareSize, i * shardSize + s * shareSize + end - at), at);
      }
    }
  }
  return out;
}
