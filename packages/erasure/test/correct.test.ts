import { describe, expect, it } from 'vitest';
import {
  type RedundancyScheme,
  ErasureError,
  TooFewPiecesError,
  TooManyErrorsError,
  correctStripe,
  encodeSegment,
  parseScheme,
  stripeSize,
} from '../src/index.js';
import { div, mul } from '../src/gf256.js';
import { Random } from './random.js';

/** One stripe's n shares, from encoding exactly one stripe of random data (less the padding trailer). */
function stripe(scheme: RedundancyScheme, random: Random): Uint8Array[] {
  return encodeSegment(random.bytes(stripeSize(scheme) - 4), scheme);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** The received shares: those of `present`, with `bad` ones altered (random bytes, at least one changed). */
function receive(shares: Uint8Array[], present: number[], bad: number[], random: Random, whole = false): Map<number, Uint8Array> {
  const received = new Map<number, Uint8Array>();
  for (const j of present) {
    const share = Uint8Array.from(shares[j]);
    if (bad.includes(j)) {
      const positions = whole ? share.map((_, i) => i) : random.pick(1 + random.int(Math.min(4, share.length)), share.length);
      for (const at of positions) share[at] ^= 1 + random.int(255);
    }
    received.set(j, share);
  }
  return received;
}

const SCHEMES = ['2/2/3/4', '4/6/8/10', '3/5/6/8', '1/1/1/5', '29/35/80/110', '10/12/14/16-33B', '4/6/8/10-7B'];

describe('the code is an evaluation code', () => {
  it.each(['4/6/8/10', '29/35/80/110', '1/1/1/5'])('%s: share j of a stripe is P(j), P interpolating the data at 0..k-1', (text) => {
    const scheme = parseScheme(text);
    const { required: k, total: n } = scheme;
    const shares = stripe(scheme, new Random(3));
    for (let b = 0; b < scheme.shareSize; b += 37) {
      for (let j = k; j < n; j++) {
        // Lagrange: P(j) = sum over i < k of data_i × prod over l ≠ i of (j − l) / (i − l).
        let value = 0;
        for (let i = 0; i < k; i++) {
          let basis = 1;
          for (let l = 0; l < k; l++) if (l !== i) basis = mul(basis, div(j ^ l, i ^ l));
          value ^= mul(shares[i][b], basis);
        }
        expect(shares[j][b], `share ${j}, byte ${b}`).toBe(value);
      }
    }
  });
});

describe('correctStripe', () => {
  it.each(SCHEMES)('%s: names exactly the wrong shares, for 0 up to floor((m - k)/2) of them, and corrects them', (text) => {
    const scheme = parseScheme(text);
    const { required: k, total: n } = scheme;
    const random = new Random(1000 + n);
    for (let round = 0; round < 40; round++) {
      const shares = stripe(scheme, random);
      const m = k + random.int(n - k + 1); // some pieces did not answer
      const present = random.pick(m, n);
      const t = Math.floor((m - k) / 2);
      const bad = random.pick(random.int(t + 1), m).map((i) => present[i]);
      const result = correctStripe(receive(shares, present, bad, random, round % 2 === 0), scheme);
      expect(result.bad, `round ${round}: pieces ${present.join(',')}, bad ${bad.join(',')}`).toEqual([...bad].sort((a, b) => a - b));
      result.shares.forEach((share, j) => expect(same(share, shares[j]), `round ${round}: share ${j}`).toBe(true));
    }
  });

  it.each(SCHEMES.filter((s) => !s.startsWith('1/')))('%s: refuses more wrong shares than it can correct', (text) => {
    const scheme = parseScheme(text);
    const { required: k, total: n } = scheme;
    const random = new Random(2000 + n);
    for (let round = 0; round < 20; round++) {
      const shares = stripe(scheme, random);
      const m = Math.min(n, k + 2 + random.int(n - k)); // at least 2 redundant, so t >= 1
      const present = random.pick(m, n);
      const t = Math.floor((m - k) / 2);
      const bad = random.pick(t + 1 + random.int(m - k - t), m).map((i) => present[i]);
      // Every byte of a wrong share is wrong: far from any codeword in every column.
      expect(() => correctStripe(receive(shares, present, bad, random, true), scheme), `round ${round}: bad ${bad.join(',')}`).toThrow(
        TooManyErrorsError,
      );
    }
  });

  it('refuses wrong shares spread over columns when together they are more than correctable', () => {
    // 4/6/8/10 with all 10 shares: t = 3. Four shares each wrong in a different column: every column
    // alone is correctable, the stripe is not.
    const scheme = parseScheme('4/6/8/10');
    const shares = stripe(scheme, new Random(5));
    const received = receive(shares, [...Array(10).keys()], [], new Random(6));
    [1, 4, 6, 9].forEach((j, column) => (received.get(j)![column * 10] ^= 0x5a));
    expect(() => correctStripe(received, scheme)).toThrow(/4 shares differ from any codeword near them/);
  });

  it('names a wrong share at piece 0 (evaluation point 0)', () => {
    const scheme = parseScheme('29/35/80/110');
    const random = new Random(8);
    const shares = stripe(scheme, random);
    const result = correctStripe(receive(shares, [...Array(110).keys()], [0, 109], random), scheme);
    expect(result.bad).toEqual([0, 109]);
  });

  it('cannot check anything with exactly k shares, and needs at least k', () => {
    const scheme = parseScheme('4/6/8/10');
    const random = new Random(9);
    const shares = stripe(scheme, random);
    const result = correctStripe(receive(shares, [2, 5, 7, 8], [], random), scheme);
    expect(result.bad).toEqual([]);
    result.shares.forEach((share, j) => expect(same(share, shares[j])).toBe(true));
    expect(() => correctStripe(receive(shares, [2, 5, 7], [], random), scheme)).toThrow(TooFewPiecesError);
  });

  it('leaves the shares it was given unchanged', () => {
    const scheme = parseScheme('4/6/8/10');
    const random = new Random(10);
    const received = receive(stripe(scheme, random), [...Array(10).keys()], [3], random, true);
    const before = [...received.values()].map((share) => Uint8Array.from(share));
    expect(correctStripe(received, scheme).bad).toEqual([3]);
    [...received.values()].forEach((share, i) => expect(same(share, before[i])).toBe(true));
  });

  it('rejects shares of the wrong size and piece numbers outside the scheme', () => {
    const scheme = parseScheme('4/6/8/10');
    const random = new Random(11);
    const received = receive(stripe(scheme, random), [0, 1, 2, 3, 4], [], random);
    received.set(4, new Uint8Array(100));
    expect(() => correctStripe(received, scheme)).toThrow('share of piece 4 has 100 bytes, expected 256');
    received.delete(4);
    received.set(10, new Uint8Array(256));
    expect(() => correctStripe(received, scheme)).toThrow(ErasureError);
    expect(() => correctStripe(received, scheme)).toThrow('share of piece 10: piece numbers go from 0 to 9');
  });
});
