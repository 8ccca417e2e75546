/**
 * Downloading an object, or a byte range of it: DownloadObject lists the segments (with their plain
 * offsets), and only the segments the range touches are read, each through DownloadSegment's order
 * limits (segment-download.ts). Segments stream out in order; the next one is fetched while the
 * caller consumes the current one, so at most two segments are in memory.
 */
import { deriveObjectContentKey } from '@dcsim/crypto/encryption';
import type { SegmentInfo } from '@dcsim/protocol';
import type { ProjectContext } from './context.js';
import { InvalidArgumentError } from './errors.js';
import { checkBucketAndKey } from './names.js';
import { objectInfo, type ObjectInfo } from './object-info.js';
import { encryptObjectKey } from './object-key.js';
import { observed } from '@dcsim/common/observed';
import type { BadPiece } from './piece-fetcher.js';
import { emit, type ProgressListener } from './progress.js';
import { fetchSegment, type FetchedSegment } from './segment-download.js';

export interface DownloadOptions {
  /** First plain byte to return (default 0). */
  offset?: number;
  /** Bytes to return (default: to the end of the object). */
  length?: number;
  onProgress?: ProgressListener;
  /** A piece failed verification; it was skipped and another node's piece used instead. */
  onBadPiece?: (bad: BadPiece) => void;
  signal?: AbortSignal;
}

/** An object being downloaded: its info at once, its bytes as an async iterable (iterate it once). */
export interface ObjectDownload extends AsyncIterable<Uint8Array> {
  info: ObjectInfo;
  /** The plain byte range the iterable yields. */
  offset: number;
  length: number;
}

/** One segment's part of the requested range. */
interface SegmentPart {
  segment: SegmentInfo;
  ordinal: number;
  from: number;
  length: number;
}

export async function downloadObject(
  ctx: ProjectContext,
  bucket: string,
  key: string,
  options: DownloadOptions = {},
): Promise<ObjectDownload> {
  checkBucketAndKey(bucket, key);
  const subject = { bucket, key };
  const encryptedKey = encryptObjectKey(ctx, bucket, key);
  const response = await ctx.metainfo.downloadObject(bucket, encryptedKey, subject);
  const object = response.object!;
  const info = objectInfo(ctx, bucket, key, object);
  const { offset, length } = checkRange(options, info.size, `sj://${bucket}/${key}`);
  const parts = partsOf(response.segments, offset, length);
  const derivedKey = deriveObjectContentKey(bucket, key, ctx.store);
  const encryption = info.encryption;

  async function* stream(): AsyncGenerator<Uint8Array> {
    const stop = new AbortController();
    const abort = () => stop.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', abort, { once: true });
    let done = 0;
    let reading = 0; // index into parts of the segment the caller waits for
    const fetch = async (part: SegmentPart) => {
      const position = part.segment.position ?? { partNumber: 0, index: part.ordinal };
      const refresh = () => ctx.metainfo.downloadSegment(object.streamId, position, subject);
      return fetchSegment({
        ctx,
        segment: part.ordinal,
        response: await refresh(),
        refresh,
        derivedKey,
        encryption,
        from: part.from,
        length: part.length,
        signal: stop.signal,
        onProgress: options.onProgress,
        onBadPiece: options.onBadPiece,
        // Segments are fetched one ahead of the consumer: report progress of the one being consumed next.
        onPlainBytes: (n) => {
          if (part === parts[reading]) emit(options.onProgress, { type: 'bytes', done: done + n, total: length });
        },
      });
    };
    try {
      // Pipeline: segment i+1's pieces are fetched while segment i is decoded and consumed.
      let fetching: Promise<FetchedSegment> | undefined = parts.length > 0 ? observed(fetch(parts[0])) : undefined;
      for (let i = 0; i < parts.length; i++) {
        reading = i;
        const decode = await fetching!;
        // Awaited in the next round, or never if the caller stops reading: observed either way.
        fetching = i + 1 < parts.length ? observed(fetch(parts[i + 1])) : undefined;
        const plain = await decode();
        done += plain.length;
        emit(options.onProgress, { type: 'segment', index: parts[i].ordinal, plainSize: plain.length, inline: parts[i].segment.inline });
        emit(options.onProgress, { type: 'bytes', done, total: length });
        yield plain;
      }
    } finally {
      stop.abort(); // the caller stopped early, or something failed: cancel what is in flight
      options.signal?.removeEventListener('abort', abort);
    }
  }

  const iterable = stream();
  return { info, offset, length, [Symbol.asyncIterator]: () => iterable };
}

function checkRange(options: DownloadOptions, size: number, what: string): { offset: number; length: number } {
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
    throw new InvalidArgumentError(`offset ${offset} is outside ${what} (${size} bytes)`);
  }
  const length = options.length ?? size - offset;
  if (!Number.isSafeInteger(length) || length < 0) throw new InvalidArgumentError(`length must be a non-negative integer, got ${length}`);
  return { offset, length: Math.min(length, size - offset) };
}

/** The segments holding plain bytes [offset, offset + length), and which of their bytes. */
function partsOf(segments: SegmentInfo[], offset: number, length: number): SegmentPart[] {
  const end = offset + length;
  const parts: SegmentPart[] = [];
  segments.forEach((segment, ordinal) => {
    const start = segment.plainOffset;
    const stop = start + segment.plainSize;
    const from = Math.max(offset, start);
    const to = Math.min(end, stop);
    if (from < to) parts.push({ segment, ordinal, from: from - start, length: to - from });
  });
  return parts;
}
