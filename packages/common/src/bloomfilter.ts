/**
 * The bloom filter of garbage collection (storj/common bloomfilter/filter.go), byte for byte: the satellite adds
 * the ID of every piece a node should hold, the node keeps every piece the filter may contain and trashes the
 * rest. A bloom filter never says "no" for an ID that was added, so a piece in use is never trashed; it says
 * "maybe" for about `falsePositiveRate` of the others, so some garbage stays until a later filter.
 *
 * Piece IDs are already uniformly random, so there is no hash function: each of the `hashCount` probes reads
 * 9 bytes of the ID (wrapping around its 32 bytes) at an offset the seed picks, takes the first 8 as a
 * little-endian uint64 whose remainder by the table's length is a byte index, and the 9th, mod 8, a bit in it.
 * On the wire: [version 1][seed][hashCount][table].
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { CommonError } from './errors.js';
import { PIECE_ID_SIZE } from './pieceid.js';

export class BloomFilterError extends CommonError {
  override name = 'BloomFilterError';
}

const VERSION = 1;
const HEADER_BYTES = 3;
/** Probe steps through the ID; the seed picks one, so filters with different seeds probe differently. */
const RANGE_OFFSETS = [9, 13, 19, 23];
/** Storj's satellite default (gc bloomfilter `FalsePositiveRate`). */
export const DEFAULT_FALSE_POSITIVE_RATE = 0.1;
/** Storj's `MaxBloomFilterSize` (2m): past ~3.3 million pieces a node's filter stops growing and lets more garbage through. */
export const DEFAULT_MAX_FILTER_BYTES = 2_000_000;
/** Larger tables would make the bucket arithmetic below inexact in doubles; Storj's cap is 2 MB. */
const MAX_TABLE_BYTES = 64 * 1024 * 1024;
const TWO_32 = 2 ** 32;

/** Storj's `getHashCountAndSize`: bits per element for the rate, probes, and the table's length in bytes. */
export function optimalParameters(expectedElements: number, falsePositiveRate: number): { hashCount: number; sizeBytes: number } {
  if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
    throw new BloomFilterError(`false-positive rate must be between 0 and 1, got ${falsePositiveRate}`);
  }
  const bitsPerElement = -1.44 * Math.log2(falsePositiveRate);
  const hashCount = Math.min(Math.ceil(bitsPerElement * Math.LN2), 32);
  const sizeBytes = Math.ceil((Math.max(0, expectedElements) * bitsPerElement) / 8);
  return { hashCount, sizeBytes: Math.max(1, sizeBytes) };
}

export class BloomFilter {
  private constructor(
    /** 0..254 (Storj's `rand.Intn(255)`): where the probes start and how far they step. */
    readonly seed: number,
    readonly hashCount: number,
    private readonly table: Uint8Array,
  ) {}

  /** A filter sized for `expectedElements` at `falsePositiveRate`, its table capped at `maxBytes` (Storj's NewOptimalMaxSize). */
  static optimal(
    expectedElements: number,
    falsePositiveRate = DEFAULT_FALSE_POSITIVE_RATE,
    maxBytes = DEFAULT_MAX_FILTER_BYTES,
    seed = randomSeed(),
  ): BloomFilter {
    const { hashCount, sizeBytes } = optimalParameters(expectedElements, falsePositiveRate);
    return BloomFilter.explicit(seed, hashCount, Math.min(sizeBytes, maxBytes));
  }

  static explicit(seed: number, hashCount: number, sizeBytes: number): BloomFilter {
    if (!Number.isInteger(seed) || seed < 0 || seed > 255) throw new BloomFilterError(`seed must be a byte, got ${seed}`);
    if (!Number.isInteger(hashCount) || hashCount < 1 || hashCount > 255) {
      throw new BloomFilterError(`hash count must be 1 to 255, got ${hashCount}`);
    }
    if (!Number.isInteger(sizeBytes) || sizeBytes < 1 || sizeBytes > MAX_TABLE_BYTES) {
      throw new BloomFilterError(`filter table must be 1 to ${MAX_TABLE_BYTES} bytes, got ${sizeBytes}`);
    }
    return new BloomFilter(seed, hashCount, new Uint8Array(sizeBytes));
  }

  /** Decodes what `bytes()` made (Storj's NewFromBytes); the table is copied. */
  static fromBytes(data: Uint8Array): BloomFilter {
    if (data.length < HEADER_BYTES) throw new BloomFilterError(`bloom filter is ${data.length} bytes: too short for its header`);
    if (data[0] !== VERSION) throw new BloomFilterError(`bloom filter version ${data[0]} is not supported (only ${VERSION})`);
    if (data[2] === 0) throw new BloomFilterError('bloom filter hash count is 0');
    const tableBytes = data.length - HEADER_BYTES;
    if (tableBytes < 1 || tableBytes > MAX_TABLE_BYTES) {
      throw new BloomFilterError(`bloom filter table must be 1 to ${MAX_TABLE_BYTES} bytes, got ${tableBytes}`);
    }
    return new BloomFilter(data[1], data[2], data.slice(HEADER_BYTES));
  }

  /** Length of the table in bytes (what `bytes()` returns is 3 more). */
  get sizeBytes(): number {
    return this.table.length;
  }

  add(pieceId: Uint8Array): void {
    this.probe(pieceId, (bucket, mask) => {
      this.table[bucket] |= mask;
      return true;
    });
  }

  /** False only if `pieceId` was never added; true for every added ID and for a few others. */
  contains(pieceId: Uint8Array): boolean {
    return this.probe(pieceId, (bucket, mask) => (this.table[bucket] & mask) !== 0);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(HEADER_BYTES + this.table.length);
    out[0] = VERSION;
    out[1] = this.seed;
    out[2] = this.hashCount;
    out.set(this.table, HEADER_BYTES);
    return out;
  }

  /** Visits the `hashCount` (byte, bit) positions of `pieceId` while `visit` returns true. */
  private probe(pieceId: Uint8Array, visit: (bucket: number, mask: number) => boolean): boolean {
    if (pieceId.length !== PIECE_ID_SIZE) throw new BloomFilterError(`piece ID is ${pieceId.length} bytes, want ${PIECE_ID_SIZE}`);
    const m = this.table.length;
    const twoTo32ModM = TWO_32 % m;
    let offset = this.seed % PIECE_ID_SIZE;
    const step = RANGE_OFFSETS[Math.floor(this.seed / PIECE_ID_SIZE) % RANGE_OFFSETS.length];
    for (let k = 0; k < this.hashCount; k++) {
      const lo = readUint32LE(pieceId, offset);
      const hi = readUint32LE(pieceId, offset + 4);
      const bit = pieceId[(offset + 8) % PIECE_ID_SIZE] % 8;
      // (hi·2^32 + lo) mod m, exact in doubles while m² < 2^53 (MAX_TABLE_BYTES keeps it so).
      const bucket = (((hi % m) * twoTo32ModM) % m) + (lo % m);
      if (!visit(bucket % m, 1 << bit)) return false;
      offset = (offset + step) % PIECE_ID_SIZE;
    }
    return true;
  }
}

/** Storj's `rand.Intn(255)`: uniform in 0..254. */
function randomSeed(): number {
  for (;;) {
    const byte = randomBytes(1)[0];
    if (byte < 255) return byte;
  }
}

/** Little-endian uint32 at `at`, wrapping past the end of the 32-byte ID (as Storj's `subrange` does). */
function readUint32LE(id: Uint8Array, at: number): number {
  const n = PIECE_ID_SIZE;
  return (id[at % n] | (id[(at + 1) % n] << 8) | (id[(at + 2) % n] << 16)) + id[(at + 3) % n] * 2 ** 24;
}
