import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SHARE_SIZE,
  type RedundancyScheme,
  ErasureError,
  SchemeError,
  formatScheme,
  paddedSize,
  parseScheme,
  pieceSize,
  stripeCount,
  stripeSize,
  validateScheme,
} from '../src/index.js';

const dev: RedundancyScheme = { required: 4, repair: 6, optimal: 8, total: 10, shareSize: 256 };
const release: RedundancyScheme = { required: 29, repair: 35, optimal: 80, total: 110, shareSize: 256 };

describe('parseScheme / formatScheme', () => {
  it('parses k/repair/optimal/total with the default share size', () => {
    expect(parseScheme('4/6/8/10')).toEqual(dev);
    expect(DEFAULT_SHARE_SIZE).toBe(256);
  });

  it('takes the share size from an argument or from Storj\'s "-256B" suffix', () => {
    expect(parseScheme('29/35/80/110', 256)).toEqual(release);
    expect(parseScheme('29/35/80/110-256B')).toEqual(release);
    expect(parseScheme(' 4/6/8/10-1024 ').shareSize).toBe(1024);
    expect(parseScheme('1/1/1/1', 7424)).toEqual({ required: 1, repair: 1, optimal: 1, total: 1, shareSize: 7424 });
  });

  it('formats k/repair/optimal/total and round-trips', () => {
    expect(formatScheme(release)).toBe('29/35/80/110');
    expect(parseScheme(formatScheme(dev), dev.shareSize)).toEqual(dev);
  });

  it.each([
    ['4/6/8', /must have 4 numbers.*got 3/],
    ['4/6/8/10/12', /must have 4 numbers.*got 5/],
    ['', /must have 4 numbers/],
    ['4/x/8/10', /repair in "4\/x\/8\/10" is not a number: "x"/],
    ['4/6/8/-10', /total \(n\) in "4\/6\/8\/-10" is not a number: ""/],
    ['4.5/6/8/10', /required \(k\) in .* is not a number/],
    ['4/6/8/10-abc', /not of the form/],
    ['0/6/8/10', /required \(k\) must be at least 1, got 0/],
    ['4/3/8/10', /repair \(3\) must be at least required \(k\) \(4\)/],
    ['4/6/5/10', /optimal \(success\) \(5\) must be at least repair \(6\)/],
    ['4/6/8/7', /total \(n\) \(7\) must be at least optimal \(success\) \(8\)/],
    ['4/6/8/256', /total \(n\) must be at most 255, got 256/],
    ['4/6/8/10-0B', /shareSize must be an integer from 1 to 16777215, got 0/],
    ['4/6/8/10-16777216B', /shareSize must be .* got 16777216/],
  ])('rejects %j naming the bad field', (text, message) => {
    expect(() => parseScheme(text)).toThrow(SchemeError);
    expect(() => parseScheme(text)).toThrow(ErasureError); // the package's base class
    expect(() => parseScheme(text)).toThrow(message);
  });

  it('rejects a share size given twice with different values', () => {
    expect(() => parseScheme('4/6/8/10-512B', 256)).toThrow(/names share size 512 but 256 was also given/);
    expect(parseScheme('4/6/8/10-512B', 512).shareSize).toBe(512);
  });
});

describe('validateScheme', () => {
  it('accepts the Storj dev and release defaults and the edge 255', () => {
    expect(validateScheme(dev)).toBe(dev);
    expect(validateScheme(release)).toBe(release);
    expect(() => validateScheme({ ...dev, total: 255 })).not.toThrow();
  });

  it('rejects non-integers, naming the field', () => {
    expect(() => validateScheme({ ...dev, optimal: 8.5 })).toThrow('optimal (success) must be an integer, got 8.5');
    expect(() => validateScheme({ ...dev, shareSize: 1.5 })).toThrow(/shareSize must be an integer/);
    expect(() => validateScheme({ ...dev, total: Number.NaN })).toThrow('total (n) must be an integer, got NaN');
  });
});

describe('sizes', () => {
  it('stripe = k × share size; 29 × 256 is the 7424-byte encryption block', () => {
    expect(stripeSize(dev)).toBe(1024);
    expect(stripeSize(release)).toBe(7424);
  });

  it('pads like Storj: at least 4 bytes, up to whole stripes (storj.RedundancyScheme.PieceSize)', () => {
    expect(stripeCount(0, dev)).toBe(1);
    expect(pieceSize(0, dev)).toBe(256);
    expect(pieceSize(1020, dev)).toBe(256); // 1020 + 4 fills one stripe exactly
    expect(pieceSize(1021, dev)).toBe(512);
    expect(pieceSize(1024, dev)).toBe(512); // a whole stripe still gets a padding stripe
    expect(paddedSize(1024, dev)).toBe(2048);
    // A 64 MiB segment of 7424-byte AES-GCM blocks with the release scheme.
    const segment = 9040 * 7424;
    expect(stripeCount(segment, release)).toBe(9041);
    expect(pieceSize(segment, release)).toBe(9041 * 256);
  });

  it('rejects negative or fractional segment sizes with an ErasureError', () => {
    expect(() => pieceSize(-1, dev)).toThrow(ErasureError);
    expect(() => pieceSize(1.5, dev)).toThrow('segment size must be a non-negative integer, got 1.5');
  });
});
