/**
 * Multipart uploads, built in the gateway over the uplink library (dcsim's satellite has no multipart
 * API). An upload in progress is a set of ordinary, encrypted objects in the same bucket under
 * `.dcsim-multipart/<upload ID>/`:
 *
 *   upload        empty; its encrypted metadata holds the final key, content type and S3 metadata
 *   part-00001    each part as its own object, its MD5 (the part's ETag) in its metadata
 *
 * CompleteMultipartUpload checks the client's part list against the stored parts, then streams the
 * parts, in order, into one upload of the final key (so any uplink reads the object as one ordinary
 * object) and deletes the staging objects. The price: completion moves the data a second time, and takes
 * time in proportion to the object's size. Listings never show `.dcsim-multipart/`. Uploads nobody
 * completes or aborts stay until AbortMultipartUpload.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ObjectNotFoundError, type ListItem, type Project } from '@dcsim/uplink';
import { md5Passthrough, readSmallBody, requestBody } from './body.js';
import { OWNER } from './buckets.js';
import type { S3Context } from './context.js';
import { S3Error } from './errors.js';
import { compareKeys as compare, HIDDEN_PREFIX } from './listing.js';
import { ETAG_KEY, metadataFromHeaders } from './metadata.js';
import { checkKey, parseCopySource } from './objects.js';
import { sendEmpty, sendXml } from './respond.js';
import { childText, parseXml } from './xml.js';

/** S3's limits. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
const MAX_LISTED = 1000;

const KEY_FIELD = 's3:multipart-key';
const METADATA_FIELD = 's3:multipart-metadata';
const UPLOAD_ID = /^[A-Za-z0-9_-]{22}$/;

const uploadDir = (uploadId: string) => `${HIDDEN_PREFIX}${uploadId}/`;
const markerKey = (uploadId: string) => `${uploadDir(uploadId)}upload`;
const partKey = (uploadId: string, part: number) => `${uploadDir(uploadId)}part-${String(part).padStart(5, '0')}`;

interface Upload {
  uploadId: string;
  key: string;
  initiated: Date;
  contentType?: string;
  metadata: Record<string, string>;
}

interface Part {
  number: number;
  size: number;
  etag: string;
  created: Date;
}

export async function createUpload(ctx: S3Context, bucket: string, key: string): Promise<void> {
  checkKey(key);
  const { contentType, metadata } = metadataFromHeaders(ctx.req.headers);
  const uploadId = randomBytes(16).toString('base64url');
  await ctx.project.upload(bucket, markerKey(uploadId), new Uint8Array(0), {
    contentType,
    metadata: { [KEY_FIELD]: key, [METADATA_FIELD]: JSON.stringify(metadata) },
  });
  sendXml(ctx.res, 200, 'InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId });
}

export async function uploadPart(ctx: S3Context, bucket: string, key: string, uploadId: string): Promise<void> {
  const number = partNumberOf(ctx);
  await findUpload(ctx.project, bucket, key, uploadId);
  if (ctx.req.headers['x-amz-copy-source'] !== undefined) return copyPart(ctx, bucket, uploadId, number);
  const body = requestBody(ctx.req, ctx.signature);
  await ctx.project.upload(bucket, partKey(uploadId, number), body.data, {
    size: body.declaredSize,
    lateMetadata: () => ({ [ETAG_KEY]: body.result().md5Hex }),
    signal: ctx.signal,
  });
  sendEmpty(ctx.res, 200, { etag: `"${body.result().md5Hex}"` });
}

/** UploadPartCopy: the part's bytes come from (a range of) an existing object, streamed through here. */
async function copyPart(ctx: S3Context, bucket: string, uploadId: string, number: number): Promise<void> {
  const source = parseCopySource(String(ctx.req.headers['x-amz-copy-source']));
  const rangeHeader = ctx.req.headers['x-amz-copy-source-range'];
  let range: { offset: number; length: number } | undefined;
  if (rangeHeader !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(String(rangeHeader));
    const size = (await ctx.project.stat(source.bucket, source.key)).size;
    if (!m || Number(m[2]) < Number(m[1]) || Number(m[2]) >= size) {
      throw new S3Error('InvalidArgument', 'x-amz-copy-source-range must be bytes=first-last within the source object');
    }
    range = { offset: Number(m[1]), length: Number(m[2]) - Number(m[1]) + 1 };
  }
  const download = await ctx.project.download(source.bucket, source.key, { ...range, signal: ctx.signal });
  const hashed = md5Passthrough(download);
  let etag = '';
  const report = await ctx.project.upload(bucket, partKey(uploadId, number), hashed.stream, {
    lateMetadata: () => ({ [ETAG_KEY]: (etag = hashed.hex()) }),
    signal: ctx.signal,
  });
  sendXml(ctx.res, 200, 'CopyPartResult', { LastModified: (report.created ?? new Date()).toISOString(), ETag: `"${etag}"` });
}

function partNumberOf(ctx: S3Context): number {
  const number = Number(ctx.query.get('partNumber'));
  if (!Number.isInteger(number) || number < 1 || number > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', `partNumber must be an integer from 1 to ${MAX_PART_NUMBER}`);
  }
  return number;
}

export async function listParts(ctx: S3Context, bucket: string, key: string, uploadId: string): Promise<void> {
  const upload = await findUpload(ctx.project, bucket, key, uploadId);
  const marker = Number(ctx.query.get('part-number-marker') ?? '0');
  const maxParts = Math.min(Number(ctx.query.get('max-parts') ?? MAX_LISTED), MAX_LISTED);
  if (!Number.isInteger(marker) || marker < 0 || !Number.isInteger(maxParts) || maxParts < 0) {
    throw new S3Error('InvalidArgument', 'part-number-marker and max-parts must be non-negative integers');
  }
  const after = (await storedParts(ctx.project, bucket, uploadId)).filter((p) => p.number > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  sendXml(ctx.res, 200, 'ListPartsResult', {
    Bucket: bucket,
    Key: upload.key,
    UploadId: uploadId,
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: 'STANDARD',
    PartNumberMarker: marker,
    NextPartNumberMarker: truncated ? page[page.length - 1].number : undefined,
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: page.map((p) => ({ PartNumber: p.number, LastModified: p.created.toISOString(), ETag: `"${p.etag}"`, Size: p.size })),
  });
}

export async function completeUpload(ctx: S3Context, bucket: string, key: string, uploadId: string): Promise<void> {
  const upload = await findUpload(ctx.project, bucket, key, uploadId);
  const requested = parseCompleteBody(await readSmallBody(ctx.req, ctx.signature));
  const stored = new Map((await storedParts(ctx.project, bucket, uploadId)).map((p) => [p.number, p]));
  const parts = requested.map(({ number, etag }, i) => {
    const part = stored.get(number);
    if (!part || part.etag !== etag) throw new S3Error('InvalidPart', `part ${number} was not uploaded, or its ETag differs`);
    if (i < requested.length - 1 && part.size < MIN_PART_SIZE) {
      throw new S3Error('EntityTooSmall', `part ${number} is ${part.size} bytes; every part but the last needs at least ${MIN_PART_SIZE}`);
    }
    return part;
  });
  const project = ctx.project;
  const signal = ctx.signal;
  async function* concatenated(): AsyncGenerator<Uint8Array> {
    for (const part of parts) yield* await project.download(bucket, partKey(uploadId, part.number), { signal });
  }
  // S3's multipart ETag: MD5 of the parts' binary MD5s, and their count.
  const digest = createHash('md5');
  for (const part of parts) digest.update(Buffer.from(part.etag, 'hex'));
  const etag = `${digest.digest('hex')}-${parts.length}`;
  await project.upload(bucket, upload.key, concatenated(), {
    contentType: upload.contentType,
    metadata: { ...upload.metadata, [ETAG_KEY]: etag },
    signal,
  });
  await removeUpload(project, bucket, uploadId);
  sendXml(ctx.res, 200, 'CompleteMultipartUploadResult', {
    Location: `/${bucket}/${upload.key}`,
    Bucket: bucket,
    Key: upload.key,
    ETag: `"${etag}"`,
  });
}

export async function abortUpload(ctx: S3Context, bucket: string, key: string, uploadId: string): Promise<void> {
  await findUpload(ctx.project, bucket, key, uploadId);
  await removeUpload(ctx.project, bucket, uploadId);
  sendEmpty(ctx.res, 204);
}

export async function listUploads(ctx: S3Context, bucket: string): Promise<void> {
  const prefix = ctx.query.get('prefix') ?? '';
  const keyMarker = ctx.query.get('key-marker') ?? '';
  const idMarker = ctx.query.get('upload-id-marker') ?? '';
  const maxUploads = Math.min(Number(ctx.query.get('max-uploads') ?? MAX_LISTED), MAX_LISTED);
  if (!Number.isInteger(maxUploads) || maxUploads < 0) throw new S3Error('InvalidArgument', 'max-uploads must be a non-negative integer');
  await ctx.project.statBucket(bucket);
  const uploads: Upload[] = [];
  for await (const item of ctx.project.list(bucket, { prefix: HIDDEN_PREFIX, recursive: true, includeMetadata: true })) {
    const upload = uploadOf(item);
    if (upload && upload.key.startsWith(prefix)) uploads.push(upload);
  }
  const after = uploads
    .sort((a, b) => compare(a.key, b.key) || compare(a.uploadId, b.uploadId))
    .filter((u) => compare(u.key, keyMarker) > 0 || (u.key === keyMarker && idMarker !== '' && compare(u.uploadId, idMarker) > 0));
  const page = after.slice(0, maxUploads);
  const truncated = after.length > page.length;
  const last = page[page.length - 1];
  sendXml(ctx.res, 200, 'ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: keyMarker,
    UploadIdMarker: idMarker,
    NextKeyMarker: truncated ? last.key : undefined,
    NextUploadIdMarker: truncated ? last.uploadId : undefined,
    Prefix: prefix,
    MaxUploads: maxUploads,
    IsTruncated: truncated,
    Upload: page.map((u) => ({
      Key: u.key,
      UploadId: u.uploadId,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: 'STANDARD',
      Initiated: u.initiated.toISOString(),
    })),
  });
}

/** The upload's marker object, which must be for `key`: NoSuchUpload otherwise. */
async function findUpload(project: Project, bucket: string, key: string, uploadId: string): Promise<Upload> {
  const noSuchUpload = () => new S3Error('NoSuchUpload', 'the specified multipart upload does not exist', { UploadId: uploadId });
  if (!UPLOAD_ID.test(uploadId)) throw noSuchUpload();
  try {
    const info = await project.stat(bucket, markerKey(uploadId));
    const upload = uploadOf({
      key: markerKey(uploadId),
      isPrefix: false,
      size: 0,
      created: info.created,
      contentType: info.contentType,
      metadata: info.metadata,
    });
    if (!upload || upload.key !== key) throw noSuchUpload();
    return upload;
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw noSuchUpload();
    throw err;
  }
}

/** A listed or statted marker object as an Upload (undefined for anything else under the hidden prefix). */
function uploadOf(item: ListItem): Upload | undefined {
  const m = /^\.dcsim-multipart\/([A-Za-z0-9_-]{22})\/upload$/.exec(item.key);
  const key = item.metadata?.[KEY_FIELD];
  if (!m || key === undefined) return undefined;
  let metadata: Record<string, string> = {};
  try {
    metadata = JSON.parse(item.metadata?.[METADATA_FIELD] ?? '{}');
  } catch {
    // a damaged marker still names its upload; it just loses its metadata
  }
  return { uploadId: m[1], key, initiated: item.created ?? new Date(0), contentType: item.contentType, metadata };
}

async function storedParts(project: Project, bucket: string, uploadId: string): Promise<Part[]> {
  const parts: Part[] = [];
  for await (const item of project.list(bucket, { prefix: uploadDir(uploadId), recursive: true, includeMetadata: true })) {
    const m = /\/part-(\d{5})$/.exec(item.key);
    if (m)
      parts.push({ number: Number(m[1]), size: item.size, etag: item.metadata?.[ETAG_KEY] ?? '', created: item.created ?? new Date(0) });
  }
  return parts.sort((a, b) => a.number - b.number);
}

/** Deletes the parts, then the marker: an upload half removed is still listed, and can be aborted again. */
async function removeUpload(project: Project, bucket: string, uploadId: string): Promise<void> {
  const keys: string[] = [];
  for await (const item of project.list(bucket, { prefix: uploadDir(uploadId), recursive: true })) keys.push(item.key);
  for (const key of keys.filter((k) => k !== markerKey(uploadId))) await project.delete(bucket, key).catch(ignoreMissing);
  await project.delete(bucket, markerKey(uploadId)).catch(ignoreMissing);
}

function ignoreMissing(err: unknown): void {
  if (!(err instanceof ObjectNotFoundError)) throw err;
}

function parseCompleteBody(text: string): { number: number; etag: string }[] {
  const root = parseXml(text);
  if (root.name !== 'CompleteMultipartUpload') throw new S3Error('MalformedXML', 'the body must be a CompleteMultipartUpload element');
  const parts = root.children
    .filter((c) => c.name === 'Part')
    .map((p) => ({ number: Number(childText(p, 'PartNumber')), etag: (childText(p, 'ETag') ?? '').trim().replace(/^"|"$/g, '') }));
  if (parts.length === 0 || parts.some((p) => !Number.isInteger(p.number) || p.number < 1 || p.number > MAX_PART_NUMBER)) {
    throw new S3Error('MalformedXML', 'CompleteMultipartUpload needs Part elements with a PartNumber and an ETag');
  }
  for (let i = 1; i < parts.length; i++) {
    if (parts[i].number <= parts[i - 1].number) throw new S3Error('InvalidPartOrder', 'the list of parts was not in ascending order');
  }
  return parts;
}
