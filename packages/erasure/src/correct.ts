/**
 * Error correction of one stripe, for audits: given the shares of one stripe from every piece holder
 * that answered, find the shares that are wrong, name them, and give back the right ones. Storj's
 * audit does this with infectious' Berlekamp-Welch decoder; this is an equivalent syndrome decoder.
 *
 * The code is an evaluation code (matrix.ts): share j of a stripe is P(j) for one polynomial P of
 * degree < k. With m shares received, m − k of them are redundant, so up to t = floor((m − k) / 2)
 * wrong shares can be located and corrected. Each byte position (column) of the shares is its own
 * codeword; a share is bad when any of its bytes is. Per column:
 *
 * 1. Syndromes. For points x_j and weights w_j = 1 / prod over i ≠ j of (x_j − x_i), the sum over
 *    the received j of w_j f(x_j) is 0 for every polynomial f of degree ≤ m − 2. Taking
 *    f = (x − a)^l P(x) for l < m − k gives m − k checks: the syndromes S_l = sum w_j X_j^l y_j with
 *    X_j = x_j − a are all 0 exactly when the column is a codeword (the kernel computes them for all
 *    columns at once). The shift a is a point no piece uses, so no X_j is 0 (a piece at point 0 could
 *    not be located otherwise).
 * 2. For a column with errors e_j, S_l = sum over wrong j of (w_j e_j) X_j^l: Berlekamp-Massey finds
 *    the shortest recurrence behind that sequence, the error locator prod (1 − X_j z), whose roots
 *    1/X_j name the wrong shares (tried against every received share).
 *
 * The wrong shares of all columns together must be at most t; the stripe is then rebuilt from k shares
 * that are right, and every other right share must agree with it. Anything else is TooManyErrorsError,
 * never a silent guess. (As with any decoder, errors far beyond t in one column can happen to look like
 * a correctable pattern; between t + 1 and m − k − t wrong shares it is always detected.)
 */
import { equalBytes } from '@dcsim/common/bytes';
import { ErasureError, TooFewPiecesError } from './errors.js';
import { div, inv, mul, pow } from './gf256.js';
import { multiplyRows } from './kernel.js';
import { type Matrix, decodeMatrix, generatorMatrix, multiply } from './matrix.js';
import { type RedundancyScheme, validateScheme } from './scheme.js';

/** More shares are wrong than the received redundancy can correct: nothing can be trusted. */
export class TooManyErrorsError extends ErasureError {
  constructor(
    readonly received: number,
    readonly correctable: number,
    detail: string,
  ) {
    super(`too many wrong shares to correct (${received} received, at most ${correctable} correctable): ${detail}`);
    this.name = 'TooManyErrorsError';
  }
}

export interface CorrectedStripe {
  /** All n shares of the stripe, corrected: share i is piece i's (shares 0..k-1 are the stripe's data). */
  shares: Uint8Array[];
  /** Piece numbers whose received share was wrong, ascending. */
  bad: number[];
}

/** Evaluation points are piece numbers (0..n-1 ≤ 254); 255 is no piece's, so X_j = j − 255 is never 0. */
const SHIFT = 255;

/**
 * Corrects one stripe from `shares` (piece number → that piece's share, `shareSize` bytes; at least k
 * of them) and names the wrong ones. Throws TooManyErrorsError when more than floor((m − k) / 2) of
 * the m received shares are wrong. The shares handed in are not changed.
 */
export function correctStripe(shares: Map<number, Uint8Array>, scheme: RedundancyScheme): CorrectedStripe {
  validateScheme(scheme);
  const { required: k, total: n } = scheme;
  const numbers = [...shares.keys()].sort((a, b) => a - b);
  checkShares(shares, numbers, scheme);
  if (numbers.length < k) throw new TooFewPiecesError(numbers.length, k);
  const m = numbers.length;
  const t = Math.floor((m - k) / 2);
  const received = numbers.map((j) => shares.get(j)!);

  const bad = new Set<number>();
  if (m > k) {
    const syndromes = multiplyRows(syndromeMatrix(numbers, k), received);
    const locators = numbers.map((j) => j ^ SHIFT);
    const column = new Uint8Array(m - k);
    for (let b = 0; b < scheme.shareSize; b++) {
      syndromes.forEach((row, l) => (column[l] = row[b]));
      if (column.some((s) => s !== 0)) for (const at of locateErrors(column, locators, t, m)) bad.add(numbers[at]);
    }
  }
  if (bad.size > t) throw new TooManyErrorsError(m, t, `${bad.size} shares differ from any codeword near them`);

  // Rebuild all n shares from the first k right ones; every other right share must match.
  const basis = numbers.filter((j) => !bad.has(j)).slice(0, k);
  const all = multiplyRows(
    multiply(generatorMatrix(k, n), decodeMatrix(k, n, basis)),
    basis.map((j) => shares.get(j)!),
  );
  for (const j of numbers) {
    if (!bad.has(j) && !equalBytes(all[j], shares.get(j)!)) {
      throw new TooManyErrorsError(m, t, `share ${j} disagrees with the corrected stripe`);
    }
  }
  return { shares: all, bad: [...bad].sort((a, b) => a - b) };
}

/** (m − k) × m: row l, column j (the j-th received piece, at point x_j) is w_j (x_j − a)^l. */
function syndromeMatrix(points: number[], k: number): Matrix {
  const weights = points.map((x, j) => inv(points.reduce((p, y, i) => (i === j ? p : mul(p, x ^ y)), 1)));
  return Array.from({ length: points.length - k }, (_, l) => Uint8Array.from(points, (x, j) => mul(weights[j], pow(x ^ SHIFT, l))));
}

/**
 * Indexes (into the received shares) of the wrong ones in a column with these syndromes, via
 * Berlekamp-Massey; throws TooManyErrorsError when the errors cannot be located.
 */
function locateErrors(syndromes: Uint8Array, locators: number[], t: number, m: number): number[] {
  const { locator, length } = berlekampMassey(syndromes);
  if (length > t) throw new TooManyErrorsError(m, t, `a column needs ${length} corrections`);
  const wrong: number[] = [];
  locators.forEach((x, j) => {
    const root = inv(x);
    let value = 0;
    for (let i = length; i >= 0; i--) value = mul(value, root) ^ locator[i]; // Horner
    if (value === 0) wrong.push(j);
  });
  if (wrong.length !== length) {
    throw new TooManyErrorsError(m, t, `a column's error locator has ${wrong.length} of its ${length} roots at received shares`);
  }
  return wrong;
}

/**
 * The shortest linear recurrence s_i = sum over 1 ≤ j ≤ L of c_j s_{i−j} (in characteristic 2, signs
 * vanish) behind `s`: its connection polynomial 1 + c_1 z + … + c_L z^L and L.
 */
function berlekampMassey(s: Uint8Array): { locator: Uint8Array; length: number } {
  let c = new Uint8Array(s.length + 1);
  let previous = new Uint8Array(s.length + 1);
  c[0] = previous[0] = 1;
  let length = 0;
  let shift = 1; // steps since `previous` was the current polynomial
  let previousDiscrepancy = 1;
  for (let i = 0; i < s.length; i++) {
    let discrepancy = s[i];
    for (let j = 1; j <= length; j++) discrepancy ^= mul(c[j], s[i - j]);
    if (discrepancy === 0) {
      shift++;
      continue;
    }
    const scale = div(discrepancy, previousDiscrepancy);
    const next = c.slice();
    for (let j = 0; j + shift < next.length; j++) next[j + shift] ^= mul(scale, previous[j]);
    if (2 * length <= i) {
      previous = c;
      previousDiscrepancy = discrepancy;
      length = i + 1 - length;
      shift = 1;
    } else {
      shift++;
    }
    c = next;
  }
  return { locator: c, length };
}

function checkShares(shares: Map<number, Uint8Array>, numbers: number[], scheme: RedundancyScheme): void {
  for (const j of numbers) {
    if (!Number.isInteger(j) || j < 0 || j >= scheme.total) {
      throw new ErasureError(`share of piece ${j}: piece numbers go from 0 to ${scheme.total - 1}`);
    }
    const share = shares.get(j)!;
    if (share.length !== scheme.shareSize) {
      throw new ErasureError(`share of piece ${j} has ${share.length} bytes, expected ${scheme.shareSize}`);
    }
  }
}
