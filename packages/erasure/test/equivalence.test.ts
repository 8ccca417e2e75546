/**
 * The kernel's pieces are byte-identical to the reference build's (the Rust crate compiled to wasm,
 * which dcsim stored pieces with before), so every stored piece stays readable.
 */
import { describe, expect, it } from 'vitest';
import { type RedundancyScheme, decodeSegment, encodeSegment, parseScheme, stripeSize } from '../src/index.js';
import { Random } from './random.js';
import { referenceDecode, referenceEncode } from './reference.js';

/** Schemes from the smallest to the widest, with share sizes that are not multiples of 16 (the kernel's vector). */
const SCHEMES = [
  '1/1/1/1',
  '2/2/3/4',
  '4/6/8/10',
  '3/5/6/8',
  '29/35/80/110',
  '1/1/1/255',
  '2/2/2/255',
  '200/220/240/255',
  '255/255/255/255',
  '4/6/8/10-1B',
  '3/5/6/8-7B',
  '2/2/3/4-33B',
  '29/35/80/110-100B',
  '5/6/7/9-1000B',
  '10/12/14/16-4097B',
];

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

function keep(pieces: Uint8Array[], present: number[]): (Uint8Array | undefined)[] {
  return pieces.map((piece, i) => (present.includes(i) ? piece : undefined));
}

/** Every set of at least k piece numbers out of n (2^n of them at most): only for small n. */
function everyPresentSet(k: number, n: number): number[][] {
  const sets: number[][] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    const set = Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i));
    if (set.length >= k) sets.push(set);
  }
  return sets;
}

/** Random sets of k..n present pieces, and the most parity-heavy one (the last k). */
function somePresentSets(k: number, n: number, random: Random, count: number): number[][] {
  const sets = [Array.from({ length: k }, (_, i) => n - k + i)];
  for (let i = 0; i < count; i++) sets.push(random.pick(k + random.int(n - k + 1), n));
  return sets;
}

function segmentSizes(scheme: RedundancyScheme, random: Random): number[] {
  const stripe = stripeSize(scheme);
  return [0, 1, stripe - 4, stripe + 3, 5 * stripe + random.int(stripe), Math.max(70_000, 3 * stripe) + random.int(stripe)];
}

describe('equivalence with the reference build', () => {
  it.each(SCHEMES)('%s: same pieces, and decodes them from every tried set of present pieces', (text) => {
    const scheme = parseScheme(text);
    const { required: k, total: n } = scheme;
    const random = new Random(0x5eed + n * 256 + k);
    for (const size of segmentSizes(scheme, random)) {
      const data = random.bytes(size);
      const pieces = encodeSegment(data, scheme);
      const expected = referenceEncode(data, scheme);
      pieces.forEach((piece, i) => expect(same(piece, expected[i]), `piece ${i} of a ${size}-byte segment`).toBe(true));

      // Wide k costs a k × k inversion in TypeScript per set: fewer sets there.
      const sets = n <= 10 ? everyPresentSet(k, n) : somePresentSets(k, n, random, k > 100 ? 2 : size < 100_000 ? 12 : 3);
      for (const present of sets) {
        const decoded = decodeSegment(keep(expected, present), scheme, size);
        expect(same(decoded, data), `decode of ${size} bytes from pieces ${present.join(',')}`).toBe(true);
      }
    }
  });

  it('decodes as the reference does from the same pieces', () => {
    const scheme = parseScheme('29/35/80/110');
    const random = new Random(7);
    const data = random.bytes(300_000);
    const pieces = referenceEncode(data, scheme);
    for (const present of somePresentSets(29, 110, random, 4)) {
      const ours = decodeSegment(keep(pieces, present), scheme, data.length);
      expect(same(ours, referenceDecode(keep(pieces, present), scheme, data.length))).toBe(true);
    }
  });
});
