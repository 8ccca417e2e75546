/**
 * The Reed-Solomon engine: the Rust `reed-solomon-erasure` crate (GF(2^8), systematic code)
 * compiled to WebAssembly, from `@subspace/reed-solomon-erasure.wasm`. It codes column-wise over
 * equal-length shards held back to back in one buffer: byte j of every parity shard is computed
 * from byte j of the k data shards.
 *
 * Instances are made synchronously from the module bytes (read once; Node compiles the 118 KB
 * module synchronously and caches it, so a new instance costs ~0.2 ms), keeping the codec's
 * functions synchronous.
 *
 * Known defect of this build (0.2.5): an instance that has already run `reconstruct` often gets
 * the next `reconstruct` wrong (RESULT_ERROR_TOO_FEW_SHARDS_PRESENT with enough shards present,
 * or a "memory access out of bounds" trap): its wasm heap is left corrupted. A fresh instance
 * always reconstructs correctly, so every reconstruct gets its own. `encode` on a reused instance
 * has stayed correct in our tests; its instance is still dropped after any failure.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ReedSolomonErasure } from '@subspace/reed-solomon-erasure.wasm';
import { ErasureError } from './errors.js';

let moduleBytes: Uint8Array | undefined;
let encoder: ReedSolomonErasure | undefined;

function newEngine(): ReedSolomonErasure {
  if (!moduleBytes) {
    const main = createRequire(import.meta.url).resolve('@subspace/reed-solomon-erasure.wasm');
    moduleBytes = readFileSync(join(dirname(main), 'reed_solomon_erasure_bg.wasm'));
  }
  return ReedSolomonErasure.fromBytes(moduleBytes);
}

/**
 * Computes the parity shards in place. `shards` holds `dataShards + parityShards` shards of equal
 * length, data first. The engine refuses zero parity shards, so callers with k = n skip it.
 */
export function encodeParity(shards: Uint8Array, dataShards: number, parityShards: number): void {
  encoder ??= newEngine();
  try {
    check(() => encoder!.encode(shards, dataShards, parityShards), 'encode');
  } catch (err) {
    encoder = undefined;
    throw err;
  }
}

/** Rebuilds the data shards in place from the shards marked present (at least `dataShards` of them). */
export function rebuildData(shards: Uint8Array, dataShards: number, parityShards: number, present: boolean[]): void {
  const engine = newEngine(); // never reused: see the note at the top
  check(() => engine.reconstruct(shards, dataShards, parityShards, present), 'reconstruct');
}

function check(call: () => number, what: string): void {
  let result: number;
  try {
    result = call();
  } catch (err) {
    throw new ErasureError(`Reed-Solomon ${what} failed: ${(err as Error).message}`);
  }
  if (result !== ReedSolomonErasure.RESULT_OK) {
    throw new ErasureError(`Reed-Solomon ${what} failed: ${resultName(result)}`);
  }
}

function resultName(result: number): string {
  const entry = Object.entries(ReedSolomonErasure).find(([key, value]) => key.startsWith('RESULT_') && value === result);
  return entry ? entry[0] : `result code ${result}`;
}
