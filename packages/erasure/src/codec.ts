/**
 * Encode an encrypted segment into n pieces and rebuild it from any k of them, whole or by range.
 *
 * Layout (see stripes.ts): Storj's. The segment is padded like uplink pads it (zeros, then the
 * padding length as a big-endian uint32, at least 4 bytes) to whole stripes of k × shareSize;
 * piece i holds share i of every stripe in order. Pieces 0..k-1 are the data shares themselves
 * (the code is systematic), pieces k..n-1 parity.
 *
 * Why stripes rather than cutting the segment into k contiguous shards (one engine call, no
 * gather)? With contiguous shards a byte range lies inside one data shard, and rebuilding it
 * without that piece needs the same range from k other pieces: k times the bytes. With stripes a
 * range costs about its own size summed over k pieces, and a download can decode from the start
 * of every piece as it streams in. The gather this needs runs at ~1.7 GB/s, small beside
 * Reed-Solomon itself.
 *
 * Speed: the engine is called once per run of stripes (~1 MiB of segment by default), not per
 * stripe; a run keeps the wasm memory small and is as fast as one call for the whole segment.
 *
 * Reed-Solomon here only fills in *missing* pieces: it cannot tell a corrupted piece from a good
 * one. Callers must verify pieces first (signed piece hashes; AES-GCM tags catch the rest).
 */
import { ErasureError, NotEnoughPiecesError } from './errors.js';
import {
  PADDING_TRAILER_SIZE,
  type RedundancyScheme,
  paddedSize,
  pieceSize,
  stripeCount,
  stripeSize,
  validateScheme,
} from './scheme.js';
import { gatherShares, scatterShares, shardViews } from './stripes.js';
import { encodeParity, rebuildData } from './wasm.js';

/** Segment bytes handed to the engine per call. */
const BATCH_BYTES = 1 << 20;

/** Erasure codes `data` (an encrypted segment) into `scheme.total` pieces of `pieceSize` bytes. */
export function encodeSegment(data: Uint8Array, scheme: RedundancyScheme): Uint8Array[] {
  validateScheme(scheme);
  const { total: n, shareSize } = scheme;
  const pieces = Array.from({ length: n }, () => new Uint8Array(stripeCount(data.length, scheme) * shareSize));
  let work: Uint8Array | undefined; // one buffer for every run: the first run is the largest
  const buffer = (bytes: number) => (work && work.length >= bytes ? work.subarray(0, bytes) : (work = new Uint8Array(bytes)));
  for (const run of encodeRuns(data, scheme, batchStripes(scheme), buffer)) {
    const shards = shardViews(run.shards, n, run.stripeCount * shareSize);
    for (let i = 0; i < n; i++) pieces[i].set(shards[i], run.firstStripe * shareSize);
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
  if (!Number.isSafeInteger(runStripes) || runStripes < 1) throw new RangeError(`stripes per run must be a positive integer, got ${runStripes}`);
  const { required: k, total: n, shareSize } = scheme;
  const stripes = stripeCount(data.length, scheme);
  const stripeAt = paddedStripes(data, scheme);
  for (let first = 0; first < stripes; first += runStripes) {
    const count = Math.min(runStripes, stripes - first);
    const shardSize = count * shareSize;
    const shards = buffer(n * shardSize);
    gatherShares(stripeAt, first, count, shareSize, shardViews(shards, k, shardSize));
    if (n > k) encodeParity(shards, k, n - k);
    yield { firstStripe: first, stripeCount: count, shards };
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
  for (const [name, value] of [['offset', offset], ['length', length], ['segment size', segmentSize]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
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
export function decodeRange(
  slices: (Uint8Array | undefined)[],
  scheme: RedundancyScheme,
  range: PieceRange,
): Uint8Array {
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
  const { required: k, shareSize } = scheme;
  const chosen = choosePieces(slices, k);
  if (chosen[k - 1] === k - 1) {
    // All data pieces are here: they are the stripes' shares as they are.
    scatterShares(chosen.map((i) => slices[i]!), first, count, shareSize, out, outStart);
    return;
  }
  // Row i of the engine's code matrix does not depend on n (rows of a Vandermonde matrix times a
  // fixed k × k inverse), so the engine only needs shards up to the highest piece we decode from.
  const width = chosen[k - 1] + 1;
  const present = Array.from({ length: width }, (_, i) => chosen.includes(i));
  const batch = batchStripes(scheme);
  const work = new Uint8Array(width * Math.min(batch, count) * shareSize);
  for (let done = 0; done < count; done += batch) {
    const runLength = Math.min(batch, count - done);
    const shardSize = runLength * shareSize;
    const shards = shardViews(work, width, shardSize);
    const from = done * shareSize;
    for (const i of chosen) shards[i].set(slices[i]!.subarray(from, from + shardSize));
    rebuildData(work.subarray(0, width * shardSize), k, width - k, present);
    scatterShares(shards.slice(0, k), first + done, runLength, shareSize, out, outStart);
  }
}

/** The k present pieces to decode from, lowest numbers first (data pieces need no decoding). */
function choosePieces(slices: (Uint8Array | undefined)[], k: number): number[] {
  const present: number[] = [];
  slices.forEach((slice, i) => {
    if (slice) present.push(i);
  });
  if (present.length < k) throw new NotEnoughPiecesError(present.length, k);
  return present.slice(0, k);
}

function checkPieces(
  slices: (Uint8Array | undefined)[],
  scheme: RedundancyScheme,
  expectedLength: number,
  what: string,
): void {
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

/** Stripes per engine call: about BATCH_BYTES of segment, at least one stripe. */
function batchStripes(scheme: RedundancyScheme): number {
  return Math.max(1, Math.floor(BATCH_BYTES / stripeSize(scheme)));
}

/**
 * Stripe s of the padded segment, without copying the segment: whole stripes are views of
 * `data`; only the last one or two stripes, which hold the padding, are copied.
 */
function paddedStripes(data: Uint8Array, scheme: RedundancyScheme): (stripe: number) => Uint8Array {
  const stripe = stripeSize(scheme);
  const whole = Math.floor(data.length / stripe);
  const padded = paddedSize(data.length, scheme);
  const tail = new Uint8Array(padded - whole * stripe);
  tail.set(data.subarray(whole * stripe));
  // Storj's padding: zeros, then the padding length as a big-endian uint32.
  new DataView(tail.buffer).setUint32(tail.length - PADDING_TRAILER_SIZE, padded - data.length);
  return (s) => (s < whole ? data.subarray(s * stripe, (s + 1) * stripe) : tail.subarray((s - whole) * stripe, (s - whole + 1) * stripe));
}
