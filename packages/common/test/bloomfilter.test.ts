import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BloomFilter, BloomFilterError, optimalParameters } from '../src/bloomfilter.js';

const ids = (count: number) => Array.from({ length: count }, () => new Uint8Array(randomBytes(32)));

/** Storj's probe positions, computed independently with BigInt over the doubled ID (as Storj's notes put it). */
function expectedPositions(seed: number, hashCount: number, size: number, id: Uint8Array): [number, number][] {
  const doubled = new Uint8Array([...id, ...id]);
  const step = [9, 13, 19, 23][Math.floor(seed / 32) % 4];
  let offset = seed % 32;
  const out: [number, number][] = [];
  for (let k = 0; k < hashCount; k++) {
    const hash = Buffer.from(doubled.subarray(offset, offset + 8)).readBigUInt64LE();
    out.push([Number(hash % BigInt(size)), doubled[offset + 8] % 8]);
    offset = (offset + step) % 32;
  }
  return out;
}

describe('bloom filter (Storj format)', () => {
  it('sizes as Storj does for a 10% false-positive rate: 4 hashes, 597,948 table bytes for a million pieces', () => {
    expect(optimalParameters(10, 0.1)).toEqual({ hashCount: 4, sizeBytes: 6 });
    expect(optimalParameters(1_000, 0.1)).toEqual({ hashCount: 4, sizeBytes: 598 });
    expect(optimalParameters(400_000, 0.1)).toEqual({ hashCount: 4, sizeBytes: 239_179 });
    expect(optimalParameters(1_000_000, 0.1)).toEqual({ hashCount: 4, sizeBytes: 597_948 });
    expect(BloomFilter.optimal(1_000_000).bytes().length).toBe(597_951);
    // Capped at Storj's 2 MB past ~3.34 million pieces.
    expect(BloomFilter.optimal(4_000_000).sizeBytes).toBe(2_000_000);
    expect(() => optimalParameters(10, 1)).toThrow(BloomFilterError);
  });

  it('sets exactly the bits Storj sets, for every seed (probes wrap around the 32-byte ID)', () => {
    for (let seed = 0; seed < 255; seed++) {
      const size = seed % 2 === 0 ? 1 + ((seed * 7919) % 5000) : 2_000_000 - seed * 7;
      const filter = BloomFilter.explicit(seed, 4, size);
      const id = ids(1)[0];
      filter.add(id);
      const table = new Uint8Array(size);
      for (const [bucket, bit] of expectedPositions(seed, 4, size, id)) table[bucket] |= 1 << bit;
      const expected = Buffer.concat([Buffer.from([1, seed, 4]), table]);
      expect(Buffer.from(filter.bytes()).equals(expected), `seed ${seed}, ${size}-byte table`).toBe(true);
    }
  });

  it('serializes as [version 1][seed][hash count][table] and parses back; refuses what Storj refuses', () => {
    const filter = BloomFilter.optimal(100, 0.1, 2_000_000, 200);
    for (const id of ids(100)) filter.add(id);
    const bytes = filter.bytes();
    expect([...bytes.subarray(0, 3)]).toEqual([1, 200, 4]);
    const parsed = BloomFilter.fromBytes(bytes);
    expect(parsed.seed).toBe(200);
    expect(parsed.hashCount).toBe(4);
    expect(parsed.bytes()).toEqual(bytes);
    expect(() => BloomFilter.fromBytes(new Uint8Array([1, 0]))).toThrow(/too short/);
    expect(() => BloomFilter.fromBytes(new Uint8Array([2, 0, 4, 0]))).toThrow(/version 2/);
    expect(() => BloomFilter.fromBytes(new Uint8Array([1, 0, 0, 0]))).toThrow(/hash count is 0/);
    expect(() => BloomFilter.fromBytes(new Uint8Array([1, 0, 4]))).toThrow(/table must be/);
    expect(() => filter.contains(new Uint8Array(31))).toThrow(BloomFilterError);
  });

  it('has no false negatives over thousands of IDs, and about 10% false positives', () => {
    const added = ids(20_000);
    const filter = BloomFilter.optimal(added.length);
    for (const id of added) filter.add(id);
    expect(added.filter((id) => !filter.contains(id))).toEqual([]);
    const others = ids(20_000);
    const rate = others.filter((id) => filter.contains(id)).length / others.length;
    console.log(`measured false-positive rate: ${(rate * 100).toFixed(2)}% over ${others.length} IDs never added`);
    // Storj's parameters give ~10%; a random sample this size stays well within these bounds.
    expect(rate).toBeGreaterThan(0.07);
    expect(rate).toBeLessThan(0.14);
  });
});
