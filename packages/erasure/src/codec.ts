/**
 * Encode an encrypted segment into n pieces and rebuild it from any k of them, whole or by range.
 *
 * Layout: Storj's. The segment is padded like uplink pads it (zeros, then the padding length as a
 * big-endian uint32, at least 4 bytes) to whole stripes of k × shareSize; stripe s is cut into k
 * shares, Reed-Solomon turns them into n, and piece i holds share i of every stripe in order.
 * Pieces 0..k-1 are the data shares themselves (the code is systematic), pieces k..n-1 parity.
 *
 * Why stripes rather than cutting the segment into k contiguous shards? With contiguous shards a
 * byte range lies inside one data shard, and rebuilding it without that piece needs the same range
 * from k other pieces: k times the bytes. With stripes a range costs about its own size summed over
 * k pieces, and a download can decode from the start of every piece as it streams in.
 *
 * The work runs in the wasm kernel (kernel.ts, wasm/rs.c) a chunk of stripes at a time: the chunk's
 * bytes are copied into wasm memory once, the kernel gathers shares into shards (or scatters them
 * back into stripes) while coding, and the result is copied out once. Chunks are small enough
 * (CHUNK_BYTES) to stay in cache and keep the wasm memory small, whatever the run or segment size.
 *
 * Reed-Solomon here only fills in *missing* pieces: it cannot tell a corrupted piece from a good
 * one. Callers must verify pieces first (signed piece hashes; AES-GCM tags catch the rest), or
 * correct a stripe with more than k shares (correct.ts).
 */
import { ErasureError, TooFewPiecesError } from './errors.js';
import { decodeStripes as decodeChunk, encodeStripes as encodeChunk, nibbleTables } from './kernel.js';
import { decodeMatrix, generatorMatrix } from './matrix.js';
import { PADDING_TRAILER_SIZE, type RedundancyScheme, paddedSize, pieceSize, stripeCount, stripeSize, validateScheme } from './scheme.js';

/** Bytes of input plus output the kernel works on per call: fits in L2 and keeps wasm memory small. */
const CHUNK_BYTES = 1 << 20;

/** Erasure codes `data` (an encrypted segment) into `scheme.total` pieces of `pieceSize` bytes. */
export function encodeSegment(data: Uint8Array, scheme: RedundancyScheme): Uint8Array[] {
  validateScheme(scheme);
  const { total: n, shareSize } = scheme;
  const stripes = stripeCount(data.length, scheme);
  const pieces = Array.from({ length: n }, () => new Uint8Array(stripes * shareSize));
  for (const chunk of encodeChunks(paddedStripes(data, scheme), scheme, 0, stripes)) {
    const shardSize = chunk.stripeCount * shareSize;
    const at = chunk.firstStripe * shareSize;
    for (let i = 0; i < n; i++) pieces[i].set(chunk.shards.subarray(i * shardSize, (i + 1) * shardSize), at);
  }
  return pieces;
}

/** One run of stripes, erasure coded: what it adds to each of the n pieces. */
export interface EncodedRun {
  firstStripe: number;
  stripeCount: number;
  /** n shards of `stripeCount × shareSize` bytes, back to back: shard i continues piece i. */
  shards: Uint8Array;
}

/**
 * Erasure codes `data` run by run, `runStripes` stripes at a time, so that a caller can send the start
 * of every piece while the rest of the segment is still being coded (Storj's uplink streams the same
 * way). `buffer(bytes)` supplies each run's memory; a caller may recycle buffers it is done with. The
 * concatenated shards i of all runs are exactly piece i of `encodeSegment`.
 */
export function* encodeRuns(
  data: Uint8Array,
  scheme: RedundancyScheme,
  runStripes: number,
  buffer: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes),
): Generator<EncodedRun> {
  validateScheme(scheme);
  if (!Number.isSafeInteger(runStripes) || runStripes < 1) {
    throw new ErasureError(`stripes per run must be a positive integer, got ${runStripes}`);
  }
  const { total: n, shareSize } = scheme;
  const stripes = stripeCount(data.length, scheme);
  const readStripes = paddedStripes(data, scheme);
  for (let first = 0; first < stripes; first += runStripes) {
    const count = Math.min(runStripes, stripes - first);
    const shardSize = count * shareSize;
    const shards = buffer(n * shardSize);
    for (const chunk of encodeChunks(readStripes, scheme, first, count)) {
      const chunkShard = chunk.stripeCount * shareSize;
      const at = (chunk.firstStripe - first) * shareSize;
      for (let i = 0; i < n; i++) shards.set(chunk.shards.subarray(i * chunkShard, (i + 1) * chunkShard), i * shardSize + at);
    }
    yield { firstStripe: first, stripeCount: count, shards };
  }
}

/**
 * Encodes stripes [first, first + count) chunk by chunk. Each chunk's shards are a view of the
 * kernel's memory: the caller copies them out before asking for the next chunk.
 */
function* encodeChunks(readStripes: StripeReader, scheme: RedundancyScheme, first: number, count: number): Generator<EncodedRun> {
  const { required: k, total: n, shareSize } = scheme;
  const parityTables = nibbleTables(generatorMatrix(k, n)).subarray(k * k * 32);
  const step = Math.max(1, Math.floor(CHUNK_BYTES / ((k + n) * shareSize)));
  for (let done = 0; done < count; done += step) {
    const stripes = Math.min(step, count - done);
    const shards = encodeChunk(parityTables, k, n, shareSize, stripes, (into) => readStripes(first + done, stripes, into));
    yield { firstStripe: first + done, stripeCount: stripes, shards };
  }
}

/**
 * Rebuilds an encrypted segment of `segmentSize` bytes. `pieces[i]` is piece number i, or
 * undefined when missing; any k present pieces suffice (data pieces are preferred, and when all
 * of them are present no decoding is needed). The segment is written into `out` when given (it
 * must be exactly `segmentSize` bytes), so a caller can reuse one buffer across segments.
 */
export function decodeSegment(
  pieces: (Uint8Array | undefined)[],
  scheme: RedundancyScheme,
  segmentSize: number,
  out = new Uint8Array(segmentSize),
): Uint8Array {
  validateScheme(scheme);
  const stripes = stripeCount(segmentSize, scheme);
  checkPieces(pieces, scheme, pieceSize(segmentSize, scheme), 'piece');
  if (out.length !== segmentSize) throw new ErasureError(`output buffer has ${out.length} bytes, the segment ${segmentSize}`);
  decodeStripes(pieces, scheme, 0, stripes, out, 0);
  return out;
}

/** Which stripes, and so which bytes of every piece, a ranged read of a segment needs. */
export interface PieceRange {
  /** The request, in bytes of the encrypted segment. */
  offset: number;
  length: number;
  /** The run of stripes that covers it. */
  firstStripe: number;
  stripeCount: number;
  /** Fetch bytes [pieceOffset, pieceOffset + pieceLength) of each piece. */
  pieceOffset: number;
  pieceLength: number;
}

/** Maps bytes [offset, offset + length) of an encrypted segment to the piece bytes that hold them. */
export function pieceRange(offset: number, length: number, segmentSize: number, scheme: RedundancyScheme): PieceRange {
  validateScheme(scheme);
  for (const [name, value] of [
    ['offset', offset],
    ['length', length],
    ['segment size', segmentSize],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new ErasureError(`${name} must be a non-negative integer, got ${value}`);
  }
  if (offset + length > segmentSize) {
    throw new ErasureError(`range ${offset}+${length} reaches past the end of the ${segmentSize}-byte segment`);
  }
  const stripe = stripeSize(scheme);
  const firstStripe = Math.floor(offset / stripe);
  const count = length === 0 ? 0 : Math.ceil((offset + length) / stripe) - firstStripe;
  return {
    offset,
    length,
    firstStripe,
    stripeCount: count,
    pieceOffset: firstStripe * scheme.shareSize,
    pieceLength: count * scheme.shareSize,
  };
}

/**
 * Decodes a ranged read: `slices[i]` holds bytes [range.pieceOffset, range.pieceOffset +
 * range.pieceLength) of piece i, or is undefined. Returns exactly the requested segment bytes.
 */
export function decodeRange(slices: (Uint8Array | undefined)[], scheme: RedundancyScheme, range: PieceRange): Uint8Array {
  validateScheme(scheme);
  if (range.length === 0) return new Uint8Array(0);
  checkRange(range, scheme);
  const out = new Uint8Array(range.length);
  checkPieces(slices, scheme, range.pieceLength, 'piece slice');
  decodeStripes(slices, scheme, range.firstStripe, range.stripeCount, out, range.offset);
  return out;
}

/**
 * Decodes stripes [first, first + count) from `slices` (each holding exactly those stripes'
 * shares) into `out`, which stands for segment bytes [outStart, outStart + out.length).
 */
function decodeStripes(
  slices: (Uint8Array | undefined)[],
  scheme: RedundancyScheme,
  first: number,
  count: number,
  out: Uint8Array,
  outStart: number,
): void {
  const { required: k, total: n, shareSize } = scheme;
  const chosen = choosePieces(slices, k);
  // Data share i is copied from its piece when present, else computed with row i of the decode matrix.
  const sources = Int32Array.from({ length: k }, (_, i) => chosen.indexOf(i));
  const tables = sources.includes(-1) ? nibbleTables(decodeMatrix(k, n, chosen)) : new Uint8Array(0);
  const stripe = stripeSize(scheme);
  const outEnd = outStart + out.length;
  const step = Math.max(1, Math.floor(CHUNK_BYTES / (2 * stripe)));
  for (let done = 0; done < count; done += step) {
    const stripes = Math.min(step, count - done);
    const shardSize = stripes * shareSize;
    const from = done * shareSize;
    const decoded = decodeChunk(tables, sources, shareSize, stripes, (shards) => {
      chosen.forEach((piece, c) => shards.set(slices[piece]!.subarray(from, from + shardSize), c * shardSize));
    });
    // `decoded` holds padded-segment bytes [start, start + decoded.length): keep what `out` stands for.
    const start = (first + done) * stripe;
    const lo = Math.max(start, outStart);
    const hi = Math.min(start + decoded.length, outEnd);
    if (lo < hi) out.set(decoded.subarray(lo - start, hi - start), lo - outStart);
  }
}

/** The k present pieces to decode from, lowest numbers first (data pieces need no decoding). */
function choosePieces(slices: (Uint8Array | undefined)[], k: number): number[] {
  const present: number[] = [];
  slices.forEach((slice, i) => {
    if (slice) present.push(i);
  });
  if (present.length < k) throw new TooFewPiecesError(present.length, k);
  return present.slice(0, k);
}

function checkPieces(slices: (Uint8Array | undefined)[], scheme: RedundancyScheme, expectedLength: number, what: string): void {
  if (slices.length !== scheme.total) {
    throw new ErasureError(`expected ${scheme.total} ${what} slots (one per piece number), got ${slices.length}`);
  }
  slices.forEach((slice, i) => {
    if (slice && slice.length !== expectedLength) {
      throw new ErasureError(`${what} ${i} has ${slice.length} bytes, expected ${expectedLength}`);
    }
  });
}

/** A range not made by pieceRange (or for another scheme) would decode the wrong bytes. */
function checkRange(range: PieceRange, scheme: RedundancyScheme): void {
  const stripe = stripeSize(scheme);
  const end = range.firstStripe + range.stripeCount;
  const consistent =
    range.pieceOffset === range.firstStripe * scheme.shareSize &&
    range.pieceLength === range.stripeCount * scheme.shareSize &&
    range.offset >= range.firstStripe * stripe &&
    range.offset + range.length <= end * stripe;
  if (!consistent) throw new ErasureError(`piece range ${JSON.stringify(range)} does not match scheme stripes of ${stripe} bytes`);
}

/** Copies stripes [first, first + count) of a padded segment into `into`. */
type StripeReader = (first: number, count: number, into: Uint8Array) => void;

/**
 * The padded segment's stripes, without padding a copy of the whole segment: whole stripes come
 * straight from `data`, the last one or two (which hold the padding) from a small padded tail.
 */
function paddedStripes(data: Uint8Array, scheme: RedundancyScheme): StripeReader {
  const stripe = stripeSize(scheme);
  const split = Math.floor(data.length / stripe) * stripe;
  const padded = paddedSize(data.length, scheme);
  const tail = new Uint8Array(padded - split);
  tail.set(data.subarray(split));
  // Storj's padding: zeros, then the padding length as a big-endian uint32.
  new DataView(tail.buffer).setUint32(tail.length - PADDING_TRAILER_SIZE, padded - data.length);
  return (first, count, into) => {
    const start = first * stripe;
    const end = (first + count) * stripe;
    if (start < split) into.set(data.subarray(start, Math.min(end, split)));
    if (end > split) into.set(tail.subarray(Math.max(start, split) - split, end - split), Math.max(start, split) - start);
  };
}
