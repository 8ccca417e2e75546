/**
 * Reading plain bytes [from, from + length) of one segment, in two steps: `fetchSegment` gets the
 * bytes from the satellite or the nodes, and the function it returns gives the plain bytes. A caller
 * can fetch the next segment while the previous one is still being decoded.
 *
 * Inline: the satellite hands the encrypted bytes over; decrypt and cut.
 *
 * Whole segment: fetch k whole pieces, each verified against the hash its node signed (a bad one is
 * replaced by another node's), rebuild the encrypted segment, decrypt it (AES-GCM checks every block).
 *
 * Part of a segment: fetch only the stripes that hold the encrypted blocks the range needs (the same
 * byte range of every piece). A partial piece cannot be checked against a whole-piece hash, so the
 * AES-GCM tags are the check: if the rebuilt blocks fail authentication, some piece among those used
 * is bad, and we fetch one more piece and try the subsets of k that include it until one decrypts,
 * then name the pieces that disagree with it. The good pieces may be among the spare transfers that
 * were cancelled: the fetcher then asks the satellite for fresh order limits (piece-fetcher.ts).
 */
import {
  DecryptionError,
  blockRange,
  decrypt,
  decryptBlocks,
  decryptKey,
  segmentNonce,
  type EncryptionParameters,
} from '@dcsim/crypto/encryption';
import { decodeRange, pieceRange, pieceSize, type RedundancyScheme } from '@dcsim/erasure';
import type { AddressedOrderLimit, DownloadSegmentResponse, SegmentInfo } from '@dcsim/protocol';
import type { ProjectContext } from './context.js';
import { decodeInWorker } from './decoder.js';
import { CorruptDataError, NotEnoughPiecesError, SatelliteError } from './errors.js';
import { PieceFetcher, type BadPiece } from './piece-fetcher.js';
import type { ProgressListener } from './progress.js';
import { summarize } from './segment-upload.js';

/** Decoding attempts per ranged read before giving up on finding k consistent pieces. */
const MAX_SUBSET_TRIES = 1000;

export interface SegmentRead {
  ctx: ProjectContext;
  /** Index of the segment in the object, for events and log lines. */
  segment: number;
  response: DownloadSegmentResponse;
  /** DownloadSegment again: fresh order limits once the ones in `response` are used up. */
  refresh?: () => Promise<DownloadSegmentResponse>;
  /** The object's key derived from its path: it decrypts the segment's content key. */
  derivedKey: Uint8Array;
  encryption: EncryptionParameters;
  from: number;
  length: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  onBadPiece?: (bad: BadPiece) => void;
  /** Progress within this segment, in plain bytes (estimated from the piece bytes received). */
  onPlainBytes?: (done: number) => void;
}

/** A fetched segment: what is left is to decode it. */
export type FetchedSegment = () => Promise<Uint8Array>;

export async function fetchSegment(read: SegmentRead): Promise<FetchedSegment> {
  const info = read.response.segment;
  if (!info) throw new SatelliteError(undefined, 'DownloadSegment answered without segment info');
  const contentKey = decryptKey(info.encryptedKey, read.encryption.cipherSuite, read.derivedKey, info.encryptedKeyNonce);
  const nonce = segmentNonce(info.position?.partNumber ?? 0, info.position?.index ?? 0);
  const done = (plain: Uint8Array) => () => Promise.resolve(plain);
  if (read.length === 0) return done(new Uint8Array(0));

  if (info.inline) {
    const plain = openOrCorrupt(() => decrypt(read.response.encryptedInlineData, read.encryption.cipherSuite, contentKey, nonce), read);
    return done(plain.subarray(read.from, read.from + read.length));
  }
  const scheme = read.response.redundancyScheme;
  if (!scheme || scheme.required < 1) throw new SatelliteError(undefined, 'DownloadSegment answered without a redundancy scheme');
  if (read.from === 0 && read.length === info.plainSize) return fetchWholeSegment(read, info, { ...scheme }, contentKey, nonce);
  // A ranged read is usually small: decoded here, as soon as its pieces are in.
  return done(await readPartOfSegment(read, info, { ...scheme }, contentKey, nonce));
}

async function fetchWholeSegment(
  read: SegmentRead,
  info: SegmentInfo,
  scheme: RedundancyScheme,
  contentKey: Uint8Array,
  nonce: Uint8Array,
): Promise<FetchedSegment> {
  const fetcher = newFetcher(read, scheme, pieceSize(info.encryptedSize, scheme));
  const pieces = await fetcher.fetch(scheme.required);
  requireEnough(pieces.size, scheme, fetcher);
  // On the segment thread: meanwhile the event loop can bring in the next segment's pieces.
  const job = { pieces: slots(pieces, scheme), scheme, encryptedSize: info.encryptedSize, contentKey, nonce, encryption: read.encryption };
  return () =>
    decodeInWorker(read.ctx.resources.thread, job, (free) => read.ctx.resources.pieces.give(free)).catch((err) => {
      throw asCorrupt(err, read);
    });
}

async function readPartOfSegment(
  read: SegmentRead,
  info: SegmentInfo,
  scheme: RedundancyScheme,
  contentKey: Uint8Array,
  nonce: Uint8Array,
): Promise<Uint8Array> {
  const blocks = blockRange(read.from, read.length, read.encryption);
  const range = pieceRange(blocks.encryptedOffset, blocks.encryptedLength, info.encryptedSize, scheme);
  const fetcher = newFetcher(read, scheme, pieceSize(info.encryptedSize, scheme), { offset: range.pieceOffset, length: range.pieceLength });
  const attempt = (subset: number[], pool: Map<number, Uint8Array>): Uint8Array | undefined => {
    const chosen = new Map(subset.map((n) => [n, pool.get(n)!]));
    const encrypted = decodeRange(slots(chosen, scheme), scheme, range);
    try {
      return decryptBlocks(encrypted, blocks.firstBlock, contentKey, nonce, read.encryption);
    } catch (err) {
      if (err instanceof DecryptionError) return undefined;
      throw err;
    }
  };

  const pool = await fetcher.fetch(scheme.required);
  requireEnough(pool.size, scheme, fetcher);
  let plain = attempt([...pool.keys()].slice(0, scheme.required), pool);
  let tries = 1;
  while (!plain) {
    // Some piece used is bad. One more piece gives new subsets: those that include it.
    const more = await fetcher.fetch(1, 0);
    if (more.size === 0) {
      throw new CorruptDataError(
        `segment ${read.segment}: no ${scheme.required} of the ${pool.size} pieces fetched agree (the data was altered on the nodes)`,
      );
    }
    const [newest, data] = [...more][0];
    const others = [...pool.keys()];
    pool.set(newest, data);
    for (const subset of subsetsOf(others, scheme.required - 1)) {
      if (++tries > MAX_SUBSET_TRIES) throw new CorruptDataError(`segment ${read.segment}: too many bad pieces to find a consistent set`);
      const candidate = [...subset, newest];
      plain = attempt(candidate, pool);
      if (plain) {
        reportDisagreeing(read, fetcher, pool, candidate, attempt);
        break;
      }
    }
  }
  return plain.subarray(blocks.skip, blocks.skip + read.length);
}

/**
 * Once a subset of k pieces decrypts, each other piece is tested by swapping it in for one member:
 * k - 1 good pieces plus a bad one cannot rebuild blocks that authenticate.
 */
function reportDisagreeing(
  read: SegmentRead,
  fetcher: PieceFetcher,
  pool: Map<number, Uint8Array>,
  good: number[],
  attempt: (subset: number[], pool: Map<number, Uint8Array>) => Uint8Array | undefined,
): void {
  for (const suspect of pool.keys()) {
    if (good.includes(suspect)) continue;
    if (attempt([...good.slice(1), suspect], pool)) continue;
    const addressed = read.response.addressedLimits.find((l) => l.pieceNum === suspect);
    if (addressed) fetcher.reportBad(addressed, 'its stripes failed authentication (AES-GCM) when combined with good pieces');
  }
}

function newFetcher(read: SegmentRead, scheme: RedundancyScheme, size: number, range?: { offset: number; length: number }): PieceFetcher {
  const limits: AddressedOrderLimit[] = read.response.addressedLimits;
  const needed = scheme.required * (range?.length ?? size);
  let received = 0;
  return new PieceFetcher(read.ctx.nodes, limits, {
    segment: read.segment,
    pieceSize: size,
    range,
    extra: read.ctx.extraPieces,
    memory: read.ctx.resources.pieces,
    signal: read.signal,
    onProgress: read.onProgress,
    onBadPiece: read.onBadPiece,
    onBytes: (bytes) => {
      received += bytes;
      read.onPlainBytes?.(Math.floor(read.length * Math.min(1, received / needed)));
    },
    log: read.ctx.log,
    refresh: read.refresh && (async () => (await read.refresh!()).addressedLimits),
  });
}

function requireEnough(got: number, scheme: RedundancyScheme, fetcher: PieceFetcher): void {
  if (got < scheme.required) throw new NotEnoughPiecesError('download', got, scheme.required, summarize(fetcher.failures));
}

/** Pieces by number into the codec's form: one slot per piece number, undefined when absent. */
function slots(pieces: Map<number, Uint8Array>, scheme: RedundancyScheme): (Uint8Array | undefined)[] {
  const out: (Uint8Array | undefined)[] = new Array(scheme.total).fill(undefined);
  for (const [num, data] of pieces) if (num >= 0 && num < scheme.total) out[num] = data;
  return out;
}

function openOrCorrupt(open: () => Uint8Array, read: SegmentRead): Uint8Array {
  try {
    return open();
  } catch (err) {
    throw asCorrupt(err, read);
  }
}

/** Bytes that fail authentication after decoding verified pieces were altered: say so plainly. */
function asCorrupt(err: unknown, read: SegmentRead): unknown {
  if (!(err instanceof DecryptionError)) return err;
  return new CorruptDataError(`segment ${read.segment} failed authentication after decoding verified pieces: ${err.message}`);
}

/** All subsets of `items` with `size` members, in order. */
export function* subsetsOf<T>(items: T[], size: number, start = 0): Generator<T[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= items.length - size; i++) {
    for (const rest of subsetsOf(items, size - 1, i + 1)) yield [items[i], ...rest];
  }
}
