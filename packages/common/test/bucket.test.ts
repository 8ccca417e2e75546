import { describe, expect, it } from 'vitest';
import { bucketNameLengthProblem, bucketNameProblem } from '../src/bucket.js';

describe("bucket names (Storj's satellite rules)", () => {
  it.each(['abc', 'my-bucket.2024', 'a'.repeat(63), '1.2.3', '999.1.1.1', '01.2.3.4', 'a-b.c-d', '123'])('accepts %j', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /required/],
    ['ab', /2 characters; it must be 3 to 63/],
    ['a'.repeat(64), /64 characters/],
    ['Upper', /lowercase letters/],
    ['under_score', /lowercase letters/],
    ['-start', /start and end with a letter or digit/],
    ['end-', /start and end with a letter or digit/],
    ['a.-b', /start and end with a letter or digit/],
    ['a..b', /must not be empty/],
    ['.abc', /must not be empty/],
    ['abc.', /must not be empty/],
    ['192.168.1.1', /IP address/],
    ['0.0.0.0', /IP address/],
  ])('refuses %j, saying why', (name, why) => {
    expect(bucketNameProblem(name)).toMatch(why);
  });

  it('judges only the length of a bucket a request names: any bucket that could have been made', () => {
    expect(bucketNameLengthProblem('Upper_Case')).toBeUndefined();
    expect(bucketNameLengthProblem('ab')).toMatch(/2 characters/);
    expect(bucketNameLengthProblem('')).toBe('bucket name is required');
  });
});
