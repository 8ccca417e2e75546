/**
 * Arithmetic in GF(2^8), the field Reed-Solomon works in: 256 elements (bytes), addition is XOR,
 * multiplication is modulo the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) with 2 as generator,
 * as in the `reed-solomon-erasure` crate (its GENERATING_POLYNOMIAL 29 is 0x11D without the x^8 bit)
 * and in Storj's infectious. Scalar and table-driven: matrices and error correction use it; the
 * bulk multiply over shards runs in wasm (kernel.ts).
 */

const POLYNOMIAL = 0x11d;

/** EXP[i] = 2^i, doubled in length so that EXP[LOG[a] + LOG[b]] needs no modulo. */
const EXP = new Uint8Array(510);
/** LOG[a] = i with 2^i = a, for a ≠ 0. */
const LOG = new Uint8Array(256);

for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = EXP[i + 255] = x;
  LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= POLYNOMIAL;
}

export function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

export function inv(a: number): number {
  if (a === 0) throw new RangeError('0 has no inverse in GF(2^8)');
  return EXP[255 - LOG[a]];
}

export function div(a: number, b: number): number {
  return mul(a, inv(b));
}

/** a^e, with 0^0 = 1 (as the crate's `exp`, which builds its Vandermonde matrix). */
export function pow(a: number, e: number): number {
  if (e === 0) return 1;
  if (a === 0) return 0;
  return EXP[(LOG[a] * e) % 255];
}
