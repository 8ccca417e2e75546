/**
 * The Reed-Solomon kernel: wasm/rs.wasm (built from wasm/rs.c), which multiplies rows of bytes by a
 * matrix over GF(2^8) with WebAssembly SIMD. This file loads it and moves bytes in and out of its
 * memory; the matrices come from matrix.ts.
 *
 * One instance per thread, made synchronously on first use (the module is ~5 KB), so the codec's
 * functions stay synchronous. Its memory is scratch space laid out afresh by each call above
 * `__heap_base`: matrix tables, then input, then output. It grows to the largest call and stays.
 * Callers copy their bytes in once through the view they are handed, and copy the result out of the
 * view returned, before the next call reuses the memory.
 */
import { readFileSync } from 'node:fs';
import { ErasureError } from './errors.js';
import { mul } from './gf256.js';
import type { Matrix } from './matrix.js';

/** The parts of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  __heap_base: { value: number };
  rs_mul(tables: number, rows: number, cols: number, input: number, inStride: number, output: number, outStride: number, len: number): void;
  rs_encode(tables: number, k: number, n: number, stripes: number, count: number, shareSize: number, shards: number): void;
  rs_decode(tables: number, k: number, sources: number, shards: number, count: number, shareSize: number, stripes: number): void;
}

let wasm: Exports | undefined;

function kernel(): Exports {
  if (!wasm) {
    const bytes = readFileSync(new URL('../wasm/rs.wasm', import.meta.url));
    const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    wasm = new Instance(new Module(bytes)).exports as Exports;
  }
  return wasm;
}

/** Places regions of the given sizes one after another (16-byte aligned) and makes the memory big enough. */
function layout(...sizes: number[]): number[] {
  const { memory, __heap_base } = kernel();
  let end = __heap_base.value;
  const starts = sizes.map((size) => {
    const start = Math.ceil(end / 16) * 16;
    end = start + size;
    return start;
  });
  const missing = end - memory.buffer.byteLength;
  if (missing > 0) {
    try {
      memory.grow(Math.ceil(missing / 65536));
    } catch (err) {
      throw new ErasureError(`Reed-Solomon kernel cannot get ${end} bytes of wasm memory: ${(err as Error).message}`);
    }
  }
  return starts;
}

function view(start: number, length: number): Uint8Array {
  return new Uint8Array(kernel().memory.buffer, start, length);
}

/** Tables of the matrices matrix.ts keeps: they go when their matrix does. */
const tableCache = new WeakMap<Matrix, Uint8Array>();

/**
 * The kernel's form of a matrix: per entry c, 16 bytes c·v and 16 bytes c·(v << 4) for v = 0..15,
 * row after row (rs.c's split-table multiply).
 */
export function nibbleTables(matrix: Matrix): Uint8Array {
  let tables = tableCache.get(matrix);
  if (!tables) {
    const cols = matrix[0]?.length ?? 0;
    tables = new Uint8Array(matrix.length * cols * 32);
    let at = 0;
    for (const row of matrix) {
      for (const coef of row) {
        for (let v = 0; v < 16; v++) {
          tables[at + v] = mul(coef, v);
          tables[at + 16 + v] = mul(coef, v << 4);
        }
        at += 32;
      }
    }
    tableCache.set(matrix, tables);
  }
  return tables;
}

/**
 * Encodes `count` stripes of k shares. `load` fills the view it gets with the stripes (count × k ×
 * shareSize bytes, as in the segment); the result views n shards of count × shareSize bytes back to
 * back, shard i being share i of every stripe. `parityTables`: nibbleTables of the n - k parity rows.
 */
export function encodeStripes(
  parityTables: Uint8Array,
  k: number,
  n: number,
  shareSize: number,
  count: number,
  load: (stripes: Uint8Array) => void,
): Uint8Array {
  const shardSize = count * shareSize;
  const [tables, stripes, shards] = layout(parityTables.length, k * shardSize, n * shardSize);
  view(tables, parityTables.length).set(parityTables);
  load(view(stripes, k * shardSize));
  kernel().rs_encode(tables, k, n, stripes, count, shareSize, shards);
  return view(shards, n * shardSize);
}

/**
 * Rebuilds `count` stripes from k shards. `load` fills the view it gets with the k shards decoded
 * from (count × shareSize bytes each, back to back); the result views the stripes. Data share i is
 * shard `sources[i]` when that is ≥ 0, else row i of the decode matrix (`decodeTables`) applied to
 * the k shards.
 */
export function decodeStripes(
  decodeTables: Uint8Array,
  sources: Int32Array,
  shareSize: number,
  count: number,
  load: (shards: Uint8Array) => void,
): Uint8Array {
  const k = sources.length;
  const bytes = k * count * shareSize;
  const [tables, from, shards, stripes] = layout(decodeTables.length, 4 * k, bytes, bytes);
  view(tables, decodeTables.length).set(decodeTables);
  new Int32Array(kernel().memory.buffer, from, k).set(sources);
  load(view(shards, bytes));
  kernel().rs_decode(tables, k, from, shards, count, shareSize, stripes);
  return view(stripes, bytes);
}

/** matrix × rows: output row r = sum over c of matrix[r][c] · rows[c], byte by byte (fresh arrays). */
export function multiplyRows(matrix: Matrix, rows: Uint8Array[]): Uint8Array[] {
  const len = rows[0]?.length ?? 0;
  const tables = nibbleTables(matrix);
  const [at, input, output] = layout(tables.length, rows.length * len, matrix.length * len);
  view(at, tables.length).set(tables);
  rows.forEach((row, c) => view(input + c * len, len).set(row));
  kernel().rs_mul(at, matrix.length, rows.length, input, len, output, len, len);
  return matrix.map((_, r) => view(output + r * len, len).slice());
}
