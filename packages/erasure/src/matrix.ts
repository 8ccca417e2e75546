/**
 * The code's matrices over GF(2^8): the generator matrix that turns k data shares into n shares,
 * and, for decoding, the inverse of the k rows whose shares are present.
 *
 * The generator matrix is the `reed-solomon-erasure` crate's (`build_matrix`), so pieces stay
 * byte-identical to what dcsim stored before it had its own kernel: the n × k Vandermonde matrix
 * V[r][c] = r^c (r taken as a field element, 0^0 = 1), times the inverse of its top k × k square.
 * The top rows become the identity (pieces 0..k-1 are the data shares themselves) and, since row r
 * of V evaluates a polynomial at the point r, share r of a stripe is P(r) for the one polynomial P
 * of degree < k with P(i) = data share i for i < k: an evaluation code at the points 0..n-1, which
 * is what error correction (correct.ts) relies on.
 */
import { ErasureError } from './errors.js';
import { inv, mul, pow } from './gf256.js';

/** Rows of bytes; every row has the same length. */
export type Matrix = Uint8Array[];

export class SingularMatrixError extends ErasureError {
  constructor() {
    super('matrix is singular: these rows do not determine the data');
    this.name = 'SingularMatrixError';
  }
}

function vandermonde(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, (_, r) => Uint8Array.from({ length: cols }, (_, c) => pow(r, c)));
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  const cols = b[0]?.length ?? 0;
  return a.map((row) => {
    const out = new Uint8Array(cols);
    row.forEach((coef, i) => {
      if (coef !== 0) for (let j = 0; j < cols; j++) out[j] ^= mul(coef, b[i][j]);
    });
    return out;
  });
}

/** Gauss-Jordan elimination on [m | I]; throws SingularMatrixError when m has no inverse. */
function invert(m: Matrix): Matrix {
  const size = m.length;
  const work = m.map((row, r) => {
    const wide = new Uint8Array(2 * size);
    wide.set(row);
    wide[size + r] = 1;
    return wide;
  });
  for (let col = 0; col < size; col++) {
    const pivot = work.findIndex((row, r) => r >= col && row[col] !== 0);
    if (pivot < 0) throw new SingularMatrixError();
    [work[col], work[pivot]] = [work[pivot], work[col]];
    const scale = inv(work[col][col]);
    for (let j = 0; j < 2 * size; j++) work[col][j] = mul(work[col][j], scale);
    for (let r = 0; r < size; r++) {
      const factor = work[r][col];
      if (r === col || factor === 0) continue;
      for (let j = 0; j < 2 * size; j++) work[r][j] ^= mul(factor, work[col][j]);
    }
  }
  return work.map((row) => row.slice(size));
}

/** Generator matrices by k/n: pure functions of the scheme, worked out once per thread (a process uses a few schemes). */
const generators = new Map<string, Matrix>();

/** The n × k systematic generator matrix (top k rows the identity), as the crate builds it. */
export function generatorMatrix(k: number, n: number): Matrix {
  const key = `${k}/${n}`;
  let matrix = generators.get(key);
  if (!matrix) {
    const v = vandermonde(n, k);
    matrix = multiply(v, invert(v.slice(0, k)));
    generators.set(key, matrix);
  }
  return matrix;
}

/** Decoding matrices by scheme and present pieces, as pure as the generators; the oldest go past DECODERS_KEPT. */
const decoders = new Map<string, Matrix>();
/** Distinct sets of present pieces remembered: a download decodes many runs from the same set. */
const DECODERS_KEPT = 64;

/**
 * The k × k matrix that turns the shares of pieces `rows` (k distinct piece numbers) back into the
 * k data shares: the inverse of those rows of the generator matrix.
 */
export function decodeMatrix(k: number, n: number, rows: number[]): Matrix {
  const key = `${k}/${n}:${rows.join(',')}`;
  let matrix = decoders.get(key);
  if (!matrix) {
    const generator = generatorMatrix(k, n);
    matrix = invert(rows.map((r) => generator[r]));
    if (decoders.size >= DECODERS_KEPT) decoders.delete(decoders.keys().next().value!);
    decoders.set(key, matrix);
  }
  return matrix;
}
