import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ErasureError,
  TooFewPiecesError,
  type RedundancyScheme,
  decodeRange,
  decodeSegment,
  encodeRuns,
  encodeSegment,
  paddedSize,
  parseScheme,
  pieceRange,
  pieceSize,
  stripeSize,
} from '../src/index.js';

const small = parseScheme('2/3/4/4');
const dev = parseScheme('4/6/8/10');
const release = parseScheme('29/35/80/110');
const stripe = stripeSize(dev);

/** Byte comparison that stays fast for megabytes (vitest's toEqual walks typed arrays slowly). */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)).toBe(true);
}

function random(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size));
}

/** Keeps only the pieces whose numbers are listed. */
function keep(pieces: Uint8Array[], numbers: number[]): (Uint8Array | undefined)[] {
  return pieces.map((piece, i) => (numbers.includes(i) ? piece : undefined));
}

function* subsets(n: number, k: number, from = 0): Generator<number[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= n - k; i++) for (const rest of subsets(n, k - 1, i + 1)) yield [i, ...rest];
}

/** Some parity-heavy choices of k piece numbers: the last k, every other one, a random one. */
function someSubsets(scheme: RedundancyScheme): number[][] {
  const { required: k, total: n } = scheme;
  const all = Array.from({ length: n }, (_, i) => i);
  const shuffled = [...all].sort(() => Math.random() - 0.5);
  return [
    all.slice(n - k),
    all
      .filter((i) => i % 2 === 1)
      .concat(all.filter((i) => i % 2 === 0))
      .slice(0, k),
    shuffled.slice(0, k),
  ];
}

describe('encodeSegment / decodeSegment', () => {
  it.each([0, 1, stripe - 5, stripe - 4, stripe - 3, stripe - 1, stripe, stripe + 1, 3 * 1024 * 1024 + 5])(
    'round-trips %i bytes with 4/6/8/10, from all pieces and from parity-heavy subsets',
    (size) => {
      const data = random(size);
      const pieces = encodeSegment(data, dev);
      expect(pieces).toHaveLength(10);
      for (const piece of pieces) expect(piece.length).toBe(pieceSize(size, dev));
      expectBytes(decodeSegment(pieces, dev, size), data);
      for (const numbers of someSubsets(dev)) expectBytes(decodeSegment(keep(pieces, numbers), dev, size), data);
    },
  );

  it('rebuilds from every 2-subset of 2/3/4/4', () => {
    const data = random(3 * stripeSize(small) + 17);
    const pieces = encodeSegment(data, small);
    const chosen = [...subsets(4, 2)];
    expect(chosen).toHaveLength(6);
    for (const numbers of chosen) expectBytes(decodeSegment(keep(pieces, numbers), small, data.length), data);
  });

  it('rebuilds from every 4-subset of 4/6/8/10', () => {
    const data = random(5 * stripe + 100);
    const pieces = encodeSegment(data, dev);
    let count = 0;
    for (const numbers of subsets(10, 4)) {
      expectBytes(decodeSegment(keep(pieces, numbers), dev, data.length), data);
      count++;
    }
    expect(count).toBe(210);
  });

  it('rebuilds 29/35/80/110 from sampled 29-subsets, across several engine batches', () => {
    const data = random(2 * 1024 * 1024 + 12345); // > 1 MiB batch, so more than one engine call
    const pieces = encodeSegment(data, release);
    expect(pieces).toHaveLength(110);
    for (const numbers of someSubsets(release)) expectBytes(decodeSegment(keep(pieces, numbers), release, data.length), data);
  });

  it('handles k = n (no parity): all pieces are needed', () => {
    const scheme = parseScheme('3/3/3/3');
    const data = random(2000);
    const pieces = encodeSegment(data, scheme);
    expectBytes(decodeSegment(pieces, scheme, data.length), data);
    expect(() => decodeSegment(keep(pieces, [0, 2]), scheme, data.length)).toThrow(TooFewPiecesError);
  });

  it('lays pieces out as Storj does: piece i is share i of every stripe, after Storj padding', () => {
    const data = random(2 * stripe + 10);
    const pieces = encodeSegment(data, dev);
    const padded = new Uint8Array(paddedSize(data.length, dev));
    padded.set(data);
    new DataView(padded.buffer).setUint32(padded.length - 4, padded.length - data.length);
    for (let i = 0; i < dev.required; i++) {
      const expected: number[] = [];
      for (let s = 0; s < padded.length / stripe; s++) {
        expected.push(...padded.subarray(s * stripe + i * 256, s * stripe + (i + 1) * 256));
      }
      expect(Array.from(pieces[i])).toEqual(expected);
    }
  });

  it('says how many pieces were present and how many are needed', () => {
    const data = random(5000);
    const pieces = encodeSegment(data, dev);
    const tooFew = keep(pieces, [1, 5, 9]);
    expect(() => decodeSegment(tooFew, dev, data.length)).toThrow(TooFewPiecesError);
    expect(() => decodeSegment(tooFew, dev, data.length)).toThrow('not enough pieces to rebuild the segment: 3 present, 4 required');
    try {
      decodeSegment(tooFew, dev, data.length);
    } catch (err) {
      expect(err).toMatchObject({ present: 3, required: 4 });
    }
  });

  it('rejects pieces of the wrong size or a wrong number of slots', () => {
    const data = random(5000);
    const pieces = encodeSegment(data, dev);
    const short: (Uint8Array | undefined)[] = [...pieces];
    short[7] = pieces[7].subarray(1);
    expect(() => decodeSegment(short, dev, data.length)).toThrow('piece 7 has 1279 bytes, expected 1280');
    expect(() => decodeSegment(pieces, dev, data.length + 2000)).toThrow(ErasureError);
    expect(() => decodeSegment(pieces.slice(0, 9), dev, data.length)).toThrow('expected 10 piece slots (one per piece number), got 9');
  });

  it('does not detect corruption by itself: a bad piece silently yields bad data', () => {
    // This is why the uplink verifies every piece against its signed hash before decoding.
    const data = random(4 * stripe);
    const pieces = encodeSegment(data, dev);
    pieces[6] = Uint8Array.from(pieces[6]);
    pieces[6][0] ^= 0xff;
    const rebuilt = decodeSegment(keep(pieces, [1, 2, 3, 6]), dev, data.length);
    expect(Buffer.from(rebuilt).equals(data)).toBe(false);
    expect(rebuilt.length).toBe(data.length);
  });
});

describe('ranged reads', () => {
  const data = random(40 * stripe + 321);
  const pieces = encodeSegment(data, dev);

  function readRange(offset: number, length: number, numbers: number[]): Uint8Array {
    const range = pieceRange(offset, length, data.length, dev);
    const slices = keep(pieces, numbers).map((piece) => piece?.subarray(range.pieceOffset, range.pieceOffset + range.pieceLength));
    return decodeRange(slices, dev, range);
  }

  it('maps a segment byte range to the stripes and piece bytes that hold it', () => {
    expect(pieceRange(0, 1, data.length, dev)).toEqual({
      offset: 0,
      length: 1,
      firstStripe: 0,
      stripeCount: 1,
      pieceOffset: 0,
      pieceLength: 256,
    });
    // Bytes 1000..1100 straddle stripes 0 and 1.
    expect(pieceRange(1000, 100, data.length, dev)).toMatchObject({ firstStripe: 0, stripeCount: 2, pieceOffset: 0, pieceLength: 512 });
    expect(pieceRange(5 * stripe, stripe, data.length, dev)).toMatchObject({
      firstStripe: 5,
      stripeCount: 1,
      pieceOffset: 1280,
      pieceLength: 256,
    });
    expect(pieceRange(7, 0, data.length, dev)).toMatchObject({ stripeCount: 0, pieceLength: 0 });
  });

  it('decodes exactly the requested bytes, from data pieces or with data pieces missing', () => {
    const cases: [number, number][] = [
      [0, data.length],
      [0, 1],
      [1000, 100],
      [stripe, stripe],
      [3 * stripe - 1, 2],
      [data.length - 1, 1],
      [data.length - 500, 500],
      [12345, 20000],
    ];
    for (const [offset, length] of cases) {
      const expected = data.subarray(offset, offset + length);
      expectBytes(readRange(offset, length, [0, 1, 2, 3]), expected);
      expectBytes(readRange(offset, length, [0, 4, 7, 9]), expected);
      expectBytes(readRange(offset, length, [6, 7, 8, 9]), expected);
    }
  });

  it('decodes random ranges', () => {
    for (let i = 0; i < 50; i++) {
      const offset = Math.floor(Math.random() * data.length);
      const length = Math.floor(Math.random() * (data.length - offset + 1));
      expectBytes(readRange(offset, length, someSubsets(dev)[2]), data.subarray(offset, offset + length));
    }
  });

  it("decodes ranges that span several of the kernel's chunks (~1 MiB each)", () => {
    const big = random(3 * 1024 * 1024 + 777);
    const bigPieces = encodeSegment(big, dev);
    const cases: [number, number][] = [
      [0, big.length],
      [524_287, 1_048_579],
      [1_000_001, 2_000_000],
      [big.length - 1_500_000, 1_500_000],
    ];
    for (const [offset, length] of cases) {
      const range = pieceRange(offset, length, big.length, dev);
      for (const numbers of [
        [0, 1, 2, 3],
        [1, 4, 5, 9],
      ]) {
        const slices = keep(bigPieces, numbers).map((piece) => piece?.subarray(range.pieceOffset, range.pieceOffset + range.pieceLength));
        expectBytes(decodeRange(slices, dev, range), big.subarray(offset, offset + length));
      }
    }
  });

  it('returns nothing for an empty range and rejects ranges past the end', () => {
    expectBytes(readRange(100, 0, []), new Uint8Array(0));
    expect(() => pieceRange(data.length - 10, 11, data.length, dev)).toThrow(
      `range ${data.length - 10}+11 reaches past the end of the ${data.length}-byte segment`,
    );
    expect(() => pieceRange(-1, 10, data.length, dev)).toThrow('offset must be a non-negative integer, got -1');
  });

  it('rejects a range that does not match the scheme', () => {
    const range = pieceRange(0, 3000, data.length, dev);
    expect(() => decodeRange(pieces, small, range)).toThrow(/does not match scheme stripes of 512 bytes/);
    expect(() => decodeRange(pieces, dev, { ...range, length: 4000 })).toThrow(ErasureError);
  });

  it('rejects slices of the wrong length and too few slices', () => {
    const range = pieceRange(0, 3000, data.length, dev);
    const slices = pieces.map((piece) => piece.subarray(0, range.pieceLength + 1));
    expect(() => decodeRange(slices, dev, range)).toThrow('piece slice 0 has 769 bytes, expected 768');
    const few = keep(pieces, [2, 8]).map((piece) => piece?.subarray(0, range.pieceLength));
    expect(() => decodeRange(few, dev, range)).toThrow('2 present, 4 required');
  });
});

describe('encodeRuns', () => {
  const data = random(5 * stripe + 100);

  it.each([1, 2, 3, 7, 1000])('gives, run by run of %i stripes, exactly the pieces of encodeSegment', (runStripes) => {
    const whole = encodeSegment(data, dev);
    const parts: Uint8Array[][] = whole.map(() => []);
    let expectedFirst = 0;
    // Recycled memory is dirty: fill every run's buffer with garbage first, as a reused buffer would be.
    for (const run of encodeRuns(data, dev, runStripes, (bytes) => new Uint8Array(bytes).fill(0xa5))) {
      expect(run.firstStripe).toBe(expectedFirst);
      expectedFirst += run.stripeCount;
      const shardSize = run.stripeCount * dev.shareSize;
      expect(run.shards.length).toBe(dev.total * shardSize);
      whole.forEach((_, i) => parts[i].push(run.shards.slice(i * shardSize, (i + 1) * shardSize)));
    }
    whole.forEach((piece, i) => expectBytes(Buffer.concat(parts[i]), piece));
  });

  it('refuses a run of no stripes', () => {
    expect(() => encodeRuns(data, dev, 0).next()).toThrow('stripes per run must be a positive integer, got 0');
  });
});
