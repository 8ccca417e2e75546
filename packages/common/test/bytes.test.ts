import { describe, expect, it } from 'vitest';
import { concatBytes, constantTimeEqual, equalBytes, startsWithBytes } from '../src/bytes.js';

const b = (...v: number[]) => new Uint8Array(v);

describe('byte helpers', () => {
  it('compare by length and content, plainly and in constant time alike', () => {
    for (const equal of [equalBytes, constantTimeEqual]) {
      expect(equal(b(), b())).toBe(true);
      expect(equal(b(1, 2, 3), b(1, 2, 3))).toBe(true);
      expect(equal(b(1, 2, 3), b(1, 2, 4))).toBe(false);
      expect(equal(b(1, 2), b(1, 2, 3))).toBe(false);
      // A Buffer view into a larger buffer compares by its own bytes only.
      expect(equal(Buffer.from([9, 1, 2]).subarray(1), b(1, 2))).toBe(true);
    }
  });

  it('find prefixes', () => {
    expect(startsWithBytes(b(1, 2, 3), b())).toBe(true);
    expect(startsWithBytes(b(1, 2, 3), b(1, 2))).toBe(true);
    expect(startsWithBytes(b(1, 2, 3), b(2))).toBe(false);
    expect(startsWithBytes(b(1), b(1, 2))).toBe(false);
  });

  it('concatenate into a new array', () => {
    const first = b(1, 2);
    const joined = concatBytes(first, b(), b(3));
    expect(joined).toEqual(b(1, 2, 3));
    joined[0] = 7;
    expect(first[0]).toBe(1);
    expect(concatBytes()).toEqual(b());
  });
});
