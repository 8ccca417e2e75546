import { describe, expect, it } from 'vitest';
import { subsetsOf } from '../src/lib/segment-download.js';

describe('subsetsOf', () => {
  it('yields every subset of the size once, in order', () => {
    expect([...subsetsOf([1, 2, 3, 4], 2)]).toEqual([
      [1, 2],
      [1, 3],
      [1, 4],
      [2, 3],
      [2, 4],
      [3, 4],
    ]);
    expect([...subsetsOf([1, 2, 3], 0)]).toEqual([[]]);
    expect([...subsetsOf([1, 2], 3)]).toEqual([]);
  });
});
