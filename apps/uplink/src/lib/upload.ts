/**
 * Uploading an object, as Storj's uplink does:
 *
 *   encrypt the key (path encryption) → BeginObject → for each segment: a fresh random content key,
 *   encrypt the segment in blocks, erasure-code it into n pieces → BeginSegment (n order limits on n
 *   nodes) → pieces to nodes in parallel, long tail cancelled once `optimal` are stored →
 *   CommitSegment with the node-signed hashes and the content key encrypted under a key derived from
 *   the path → CommitObject with the encrypted metadata.
 *
 * A last segment small enough goes to the satellite inline instead (still encrypted). The source is
 * read one segment at a time. Encryption and erasure coding run on the segment thread (encoder.ts) and
 * stream: a segment's pieces start uploading with the first coded run, and the next segment is read
 * and coded while the current one's pieces upload.
 */
import { randomBytes } from 'node:crypto';
import { pieceIdToString } from '@dcsim/common/pieceid';
import {
  KEY_SIZE,
  NONCE_SIZE,
  cipherSuiteName,
  deriveObjectContentKey,
  encrypt,
  encryptKey,
  encryptObjectMetadata,
  encryptedSize,
  segmentNonce,
  type EncryptionParameters,
} from '@dcsim/crypto/encryption';
import type { RedundancyScheme } from '@dcsim/erasure';
import { nodeIdString } from '@dcsim/common/nodeid';
import type { ProjectContext } from './context.js';
import { encodeInWorker, type SegmentEncoding } from './encoder.js';
import { SatelliteError, type Subject } from './errors.js';
import { checkBucketAndKey } from './names.js';
import { encryptObjectKey } from './object-key.js';
import { observed, whenSettled } from '@dcsim/common/observed';
import { emit, type ProgressListener } from './progress.js';
import { readSegments, type UploadSource } from './segmenter.js';
import { uploadPieces, type PieceOutcome, type PieceRetry } from './segment-upload.js';

export interface UploadOptions {
  contentType?: string;
  /** User metadata; stored encrypted. */
  metadata?: Record<string, string>;
  /**
   * User metadata that depends on the content (a digest of it, like an S3 ETag): called once the last
   * byte has been read, before the object is committed; merged over `metadata`.
   */
  lateMetadata?: () => Record<string, string>;
  /** The satellite deletes the object after this time. */
  expires?: Date;
  /** Plain bytes per segment (default: the project's, 64 MiB); small values make multi-segment tests cheap. */
  segmentSize?: number;
  /** Total size when known, so progress events can carry it. */
  size?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** One piece in the upload report: which node got which piece number, under which piece ID. */
export interface PieceReport {
  pieceNum: number;
  nodeId: string;
  address: string;
  pieceId: string;
  status: PieceOutcome['status'];
  error?: string;
}

export interface SegmentReport {
  index: number;
  plainSize: number;
  encryptedSize: number;
  /** Stored in the satellite's database instead of on nodes. */
  inline: boolean;
  /** Bytes of each piece (remote segments). */
  pieceSize?: number;
  pieces: PieceReport[];
}

/** What an upload did, for `cp --explain`: everything here is what left the process, or where it went. */
export interface UploadReport {
  bucket: string;
  key: string;
  /** The key as the satellite stores it (hex). */
  encryptedKey: string;
  pathCipher: string;
  encryption: EncryptionParameters;
  scheme: RedundancyScheme;
  size: number;
  created?: Date;
  segments: SegmentReport[];
}

/**
 * What the upload will add to the project, when its size is known: the satellite refuses an upload that would
 * cross a project limit at BeginObject, before any data moves.
 */
function plannedUsage(size: number | undefined, segmentSize: number, encryption: EncryptionParameters) {
  if (size === undefined) return {};
  const full = Math.floor(size / segmentSize);
  const rest = size % segmentSize;
  const segments = Math.max(1, full + (rest > 0 ? 1 : 0));
  const bytes = full * encryptedSize(segmentSize, encryption) + (rest > 0 || full === 0 ? encryptedSize(rest, encryption) : 0);
  return { plannedEncryptedSize: bytes, plannedSegments: segments };
}

/** State of one upload shared by its segments. */
interface Upload {
  ctx: ProjectContext;
  subject: Subject;
  streamId: Uint8Array;
  scheme: RedundancyScheme;
  maxInlineSize: number;
  /** The key content keys and the metadata key are encrypted under. */
  derivedKey: Uint8Array;
  options: UploadOptions;
  /** The segments are ours to hand to the segment thread (not views of the caller's bytes). */
  ownsSegments: boolean;
  /** Plain bytes of the segments already committed. */
  committed: number;
  /** Aborted by the caller's signal, or when the upload fails: stops piece transfers still running. */
  stop: AbortController;
}

export async function uploadObject(
  ctx: ProjectContext,
  bucket: string,
  key: string,
  source: UploadSource,
  options: UploadOptions = {},
): Promise<UploadReport> {
  checkBucketAndKey(bucket, key);
  const subject = { bucket, key };
  const encryptedKey = encryptObjectKey(ctx, bucket, key);
  const begin = await ctx.metainfo.beginObject(
    {
      bucket,
      encryptedObjectKey: encryptedKey,
      expiresAt: options.expires,
      encryptionParameters: ctx.encryption,
      ...plannedUsage(source instanceof Uint8Array ? source.length : options.size, options.segmentSize ?? ctx.segmentSize, ctx.encryption),
    },
    subject,
  );
  if (!begin.redundancyScheme) throw new SatelliteError(undefined, 'BeginObject answered without a redundancy scheme');
  const scheme: RedundancyScheme = { ...begin.redundancyScheme };
  const segmentSize = Math.min(options.segmentSize ?? ctx.segmentSize, begin.maxSegmentSize > 0 ? begin.maxSegmentSize : Infinity);
  const upload: Upload = {
    ctx,
    subject,
    streamId: begin.streamId,
    scheme,
    maxInlineSize: begin.maxInlineSize,
    derivedKey: deriveObjectContentKey(bucket, key, ctx.store),
    options,
    // Segments cut from a stream are the segmenter's own copies; those of a byte array are views of it.
    ownsSegments: !(source instanceof Uint8Array),
    committed: 0,
    stop: new AbortController(),
  };
  const abort = () => upload.stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abort, { once: true });
  const report: UploadReport = {
    bucket,
    key,
    encryptedKey: Buffer.from(encryptedKey).toString('hex'),
    pathCipher: cipherSuiteName(ctx.pathCipher ?? ctx.store.lookupUnencrypted(bucket, key)?.base.pathCipher ?? ctx.store.defaultPathCipher),
    encryption: ctx.encryption,
    scheme,
    size: 0,
    segments: [],
  };

  const segments = readSegments(source, segmentSize, (size) => ctx.resources.segments.take(size))[Symbol.asyncIterator]();
  let sending: Promise<SegmentReport> | undefined;
  let prepared: PreparedSegment | undefined; // encoding, not sending yet
  try {
    let next = observed(segments.next());
    for (let index = 0; ; index++) {
      const { value: plain, done } = await next;
      if (done) break;
      options.signal?.throwIfAborted();
      // Pipeline: read segment i+1 from the source, and start encrypting and encoding segment i,
      // while segment i-1's pieces are still on their way to the nodes.
      next = observed(segments.next());
      prepared = prepareSegment(upload, index, plain);
      if (sending) report.segments.push(await sending);
      sending = observed(sendSegment(upload, prepared));
      prepared = undefined;
    }
    if (sending) report.segments.push(await sending);
  } catch (err) {
    upload.stop.abort(); // a segment still uploading has no object to belong to
    prepared?.encoding?.pieces.stopAll(); // nor has one being encoded: its runs go back as they come
    if (sending) await whenSettled(sending); // nothing of this upload keeps running once it has failed
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await segments.return?.(undefined);
  }

  const last = report.segments[report.segments.length - 1];
  const metadata = encryptObjectMetadata(
    {
      userMetadata: { ...options.metadata, ...options.lateMetadata?.() },
      contentType: options.contentType,
      segmentSize,
      lastSegmentSize: last.plainSize,
      numberOfSegments: report.segments.length,
    },
    upload.derivedKey,
    ctx.encryption,
  );
  const object = await ctx.metainfo.commitObject(
    {
      streamId: upload.streamId,
      encryptedMetadata: metadata.encryptedMetadata,
      encryptedMetadataKey: metadata.encryptedMetadataKey,
      encryptedMetadataNonce: metadata.encryptedMetadataKeyNonce,
    },
    subject,
  );
  report.size = upload.committed;
  report.created = object?.createdAt;
  return report;
}

/** A segment encrypted (and, unless it goes inline, being erasure coded), ready to send. */
interface PreparedSegment {
  index: number;
  plainSize: number;
  encryptedKey: Uint8Array;
  keyNonce: Uint8Array;
  encryptedSize: number;
  /** Inline: the sealed bytes for the satellite. */
  inlineData?: Uint8Array;
  /** Remote: its n pieces, coming from the encoder. */
  encoding?: SegmentEncoding;
  /** Remote: the n pieces coded again (same key and nonce, so the same bytes), for pieces retried on other nodes. */
  reencode?: () => SegmentEncoding;
  /** Done with the plain segment: its memory goes back to the segmenter. */
  release(): void;
}

/** The CPU part of a segment: encryption and erasure coding (started on the worker thread), no network. */
function prepareSegment(upload: Upload, index: number, plain: Uint8Array): PreparedSegment {
  const { ctx } = upload;
  // A fresh content key per segment, sealed under the path-derived key: only holders of that key can read it.
  const contentKey = new Uint8Array(randomBytes(KEY_SIZE));
  const keyNonce = new Uint8Array(randomBytes(NONCE_SIZE));
  const encryptedKey = encryptKey(contentKey, ctx.encryption.cipherSuite, upload.derivedKey, keyNonce);
  const nonce = segmentNonce(0, index);
  // The segmenter's memory goes back to it for the next segments; the caller's bytes are not ours to give.
  const release = () => upload.ownsSegments && ctx.resources.segments.give([plain]);
  const base = { index, plainSize: plain.length, encryptedKey, keyNonce, release };

  if (plain.length <= upload.maxInlineSize) {
    // Inline data is sealed in one piece (Storj's encryption.Encrypt), not in padded blocks; the
    // satellite's threshold applies to the encrypted bytes.
    const inlineData = encrypt(plain, ctx.encryption.cipherSuite, contentKey, nonce);
    if (inlineData.length <= upload.maxInlineSize) return { ...base, inlineData, encryptedSize: inlineData.length };
  }
  const job = { contentKey, nonce, encryption: ctx.encryption, scheme: upload.scheme, chunkSize: ctx.chunkSize };
  // A segment of ours moves to the worker and back once encrypted; it is kept until the segment is
  // stored, in case pieces must be coded again for other nodes.
  const encode = () => encodeInWorker(ctx.resources.thread, { ...job, plain }, upload.ownsSegments, (back) => (plain = back));
  const encoding = encode();
  return { ...base, encryptedSize: encoding.encryptedSize, encoding, reencode: encode };
}

/** The network part: MakeInlineSegment, or BeginSegment → pieces to nodes → CommitSegment. */
async function sendSegment(upload: Upload, segment: PreparedSegment): Promise<SegmentReport> {
  try {
    return await (segment.inlineData ? sendInline(upload, segment) : sendRemote(upload, segment));
  } catch (err) {
    segment.encoding?.pieces.stopAll(); // runs no upload will read go back as they come
    throw err;
  } finally {
    if (segment.encoding) await whenSettled(segment.encoding.finished); // the plain segment is back from the worker
    segment.release();
  }
}

async function sendInline(upload: Upload, segment: PreparedSegment): Promise<SegmentReport> {
  const { index, plainSize, encryptedKey, keyNonce, encryptedSize } = segment;
  await upload.ctx.metainfo.makeInlineSegment(
    {
      streamId: upload.streamId,
      position: { partNumber: 0, index },
      encryptedKey,
      encryptedKeyNonce: keyNonce,
      encryptedInlineData: segment.inlineData!,
      plainSize,
    },
    upload.subject,
  );
  finishSegment(upload, index, plainSize, true);
  return { index, plainSize, encryptedSize, inline: true, pieces: [] };
}

async function sendRemote(upload: Upload, segment: PreparedSegment): Promise<SegmentReport> {
  const { ctx, options, subject } = upload;
  const { index, plainSize, encryptedKey, keyNonce, encryptedSize } = segment;
  const encoding = segment.encoding!;
  const size = encoding.pieceSize;
  const position = { partNumber: 0, index };
  const begun = await ctx.metainfo.beginSegment({ streamId: upload.streamId, position, maxOrderLimit: size }, subject);
  checkScheme(upload.scheme, begun.redundancyScheme);
  const optimal = upload.scheme.optimal;
  let sent = 0;
  const retry: PieceRetry = {
    exchange: async (pieceNums) => (await ctx.metainfo.retryBeginSegmentPieces(begun.segmentId, pieceNums, subject)).addressedLimits,
    reencode: segment.reencode!,
  };
  const result = await uploadPieces(
    ctx.nodes,
    begun.addressedLimits.filter((l) => l.limit),
    encoding,
    {
      segment: index,
      optimal,
      pieceSize: size,
      signal: upload.stop.signal,
      messages: ctx.resources.uploadMessages,
      onProgress: options.onProgress,
      onBytes: (bytes) => {
        // Progress in plain bytes: the segment counts as done once `optimal` pieces are sent.
        sent += bytes;
        const fraction = Math.min(1, sent / (optimal * size));
        emit(options.onProgress, { type: 'bytes', done: upload.committed + Math.floor(plainSize * fraction), total: options.size });
      },
    },
    retry,
  );
  await ctx.metainfo.commitSegment(
    {
      segmentId: begun.segmentId,
      uploadResults: result.stored.map((p) => ({ pieceNum: p.pieceNum, nodeId: p.nodeId, hash: p.hash })),
      encryptedKey,
      encryptedKeyNonce: keyNonce,
      plainSize,
      encryptedSize,
    },
    subject,
  );
  finishSegment(upload, index, plainSize, false);
  return {
    index,
    plainSize,
    encryptedSize,
    inline: false,
    pieceSize: size,
    pieces: result.outcomes.map((o) => ({
      pieceNum: o.pieceNum,
      nodeId: nodeIdString(o.nodeId),
      address: o.address,
      pieceId: pieceIdToString(o.pieceId),
      status: o.status,
      error: o.error,
    })),
  };
}

function finishSegment(upload: Upload, index: number, plainSize: number, inline: boolean): void {
  const { onProgress, size } = upload.options;
  emit(onProgress, { type: 'segment', index, plainSize, inline });
  upload.committed += plainSize;
  emit(onProgress, { type: 'bytes', done: upload.committed, total: size });
}

/** The pieces were encoded with BeginObject's scheme; a segment with another one could not be committed. */
function checkScheme(expected: RedundancyScheme, got: RedundancyScheme | undefined): void {
  if (!got) return;
  const same = (['required', 'repair', 'optimal', 'total', 'shareSize'] as const).every((f) => expected[f] === got[f]);
  if (!same) throw new SatelliteError(undefined, 'BeginSegment changed the redundancy scheme of the object');
}
