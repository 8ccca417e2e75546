/** Object operations: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, CopyObject. */
import { ObjectNotFoundError, type ObjectInfo } from '@dcsim/uplink';
import { md5Passthrough, readSmallBody, requestBody } from './body.js';
import type { S3Context } from './context.js';
import { S3Error } from './errors.js';
import { HIDDEN_PREFIX } from './listing.js';
import { ETAG_KEY, etagOf, headersFromMetadata, metadataFromHeaders } from './metadata.js';
import { parseRange } from './range.js';
import { pipeToResponse, sendEmpty, sendXml } from './respond.js';
import { toS3Error } from './uplink-errors.js';
import { childText, parseXml } from './xml.js';

const MAX_DELETE_KEYS = 1000;

export async function putObject(ctx: S3Context, bucket: string, key: string): Promise<void> {
  checkKey(key);
  const { contentType, metadata } = metadataFromHeaders(ctx.req.headers);
  const body = requestBody(ctx.req, ctx.signature);
  await ctx.project.upload(bucket, key, body.data, {
    contentType,
    metadata,
    size: body.declaredSize, // lets the satellite refuse an upload past a project limit before any data moves
    lateMetadata: () => ({ [ETAG_KEY]: body.result().md5Hex }),
    signal: ctx.signal,
  });
  sendEmpty(ctx.res, 200, { etag: `"${body.result().md5Hex}"` });
}

export async function headObject(ctx: S3Context, bucket: string, key: string): Promise<void> {
  const info = await ctx.project.stat(bucket, key);
  const status = checkConditions(ctx, info);
  sendEmpty(ctx.res, status, { ...objectHeaders(info), 'content-length': status === 200 ? info.size : 0 });
}

export async function getObject(ctx: S3Context, bucket: string, key: string): Promise<void> {
  const rangeHeader = ctx.req.headers.range;
  // A range needs the size before the download is set up; a whole object does not.
  const range = rangeHeader === undefined ? undefined : parseRange(rangeHeader, (await ctx.project.stat(bucket, key)).size);
  const download = await ctx.project.download(bucket, key, { ...range, signal: ctx.signal });
  const status = checkConditions(ctx, download.info);
  if (status !== 200) {
    sendEmpty(ctx.res, status, objectHeaders(download.info));
    return;
  }
  const headers: Record<string, string | number> = {
    ...objectHeaders(download.info),
    ...responseOverrides(ctx),
    'content-length': download.length,
  };
  if (range) headers['content-range'] = `bytes ${download.offset}-${download.offset + download.length - 1}/${download.info.size}`;
  ctx.res.writeHead(range ? 206 : 200, headers);
  await pipeToResponse(ctx.res, download);
}

export async function deleteObject(ctx: S3Context, bucket: string, key: string): Promise<void> {
  try {
    await ctx.project.delete(bucket, key);
  } catch (err) {
    if (!(err instanceof ObjectNotFoundError)) throw err; // deleting what is not there succeeds, as in S3
  }
  sendEmpty(ctx.res, 204);
}

export async function deleteObjects(ctx: S3Context, bucket: string): Promise<void> {
  const root = parseXml(await readSmallBody(ctx.req, ctx.signature));
  if (root.name !== 'Delete') throw new S3Error('MalformedXML', 'the body must be a Delete element');
  const quiet = childText(root, 'Quiet')?.trim() === 'true';
  const keys = root.children.filter((c) => c.name === 'Object').map((o) => childText(o, 'Key'));
  if (keys.length === 0 || keys.length > MAX_DELETE_KEYS || keys.some((k) => k === undefined || k === '')) {
    throw new S3Error('MalformedXML', `a Delete request names 1 to ${MAX_DELETE_KEYS} objects, each with a Key`);
  }
  await ctx.project.statBucket(bucket);
  const deleted: { Key: string }[] = [];
  const errors: { Key: string; Code: string; Message: string }[] = [];
  await inParallel(keys as string[], 8, async (key) => {
    try {
      checkKeyLength(key);
      await ctx.project.delete(bucket, key);
      deleted.push({ Key: key });
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return void deleted.push({ Key: key });
      const s3 = toS3Error(err);
      if (!s3) throw err;
      errors.push({ Key: key, Code: s3.code, Message: s3.message });
    }
  });
  sendXml(ctx.res, 200, 'DeleteResult', { Deleted: quiet ? undefined : deleted, Error: errors });
}

export async function copyObject(ctx: S3Context, bucket: string, key: string): Promise<void> {
  checkKey(key);
  const source = parseCopySource(String(ctx.req.headers['x-amz-copy-source']));
  const directive = String(ctx.req.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE')
    throw new S3Error('InvalidArgument', 'x-amz-metadata-directive must be COPY or REPLACE');
  if (directive === 'COPY' && source.bucket === bucket && source.key === key) {
    throw new S3Error(
      'InvalidRequest',
      "this copy request is illegal because it is trying to copy an object to itself without changing the object's metadata",
    );
  }
  const download = await ctx.project.download(source.bucket, source.key, { signal: ctx.signal });
  const kept =
    directive === 'COPY'
      ? { contentType: download.info.contentType, metadata: download.info.metadata }
      : metadataFromHeaders(ctx.req.headers);
  const hashed = md5Passthrough(download);
  let etag = '';
  const report = await ctx.project.upload(bucket, key, hashed.stream, {
    contentType: kept.contentType,
    metadata: kept.metadata,
    lateMetadata: () => ({ [ETAG_KEY]: (etag = hashed.hex()) }),
    signal: ctx.signal,
  });
  sendXml(ctx.res, 200, 'CopyObjectResult', { LastModified: (report.created ?? new Date()).toISOString(), ETag: `"${etag}"` });
}

/** "/bucket/key" or "bucket/key", percent-encoded; a version other than "null" does not exist here. */
export function parseCopySource(header: string): { bucket: string; key: string } {
  const [path, query] = header.split('?', 2);
  if (query !== undefined && !/^versionId=null$/.test(query)) throw new S3Error('NotImplemented', 'object versions are not supported');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw new S3Error('InvalidArgument', 'x-amz-copy-source is not valid percent-encoding');
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw new S3Error('InvalidArgument', 'x-amz-copy-source must be /bucket/key');
  const key = decoded.slice(slash + 1);
  checkKeyLength(key);
  return { bucket: decoded.slice(0, slash), key };
}

/** S3's longest object key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/** Checked for every request that names an object (router.ts), and for each key of a DeleteObjects or copy source. */
export function checkKeyLength(key: string): void {
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', `your key is too long: ${bytes} bytes, at most ${MAX_KEY_BYTES} are allowed`);
  }
}

/** What a new object's key must also not be: the gateway's own prefix is kept out of reach. */
export function checkKey(key: string): void {
  checkKeyLength(key);
  if (key.startsWith(HIDDEN_PREFIX)) throw new S3Error('InvalidArgument', `keys under ${HIDDEN_PREFIX} are the gateway's own`);
}

function objectHeaders(info: ObjectInfo): Record<string, string> {
  return {
    ...headersFromMetadata(info.contentType, info.metadata),
    etag: etagOf(info.metadata),
    'last-modified': (info.created ?? new Date(0)).toUTCString(),
    'accept-ranges': 'bytes',
  };
}

/** GET's response-content-type & co. (presigned download links use them): they replace the stored headers. */
function responseOverrides(ctx: S3Context): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding']) {
    const value = ctx.query.get(`response-${name}`);
    if (value !== undefined) overrides[name] = value;
  }
  return overrides;
}

/** If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since: 200, 304, or PreconditionFailed. */
function checkConditions(ctx: S3Context, info: ObjectInfo): 200 | 304 {
  const h = ctx.req.headers;
  const etag = etagOf(info.metadata);
  const modified = Math.floor((info.created?.getTime() ?? 0) / 1000) * 1000;
  const matches = (list: string) => list.split(',').some((e) => e.trim() === '*' || e.trim() === etag || `"${e.trim()}"` === etag);
  if (h['if-match'] !== undefined && !matches(h['if-match']))
    throw new S3Error('PreconditionFailed', 'at least one of the preconditions you specified did not hold');
  if (h['if-match'] === undefined && h['if-unmodified-since'] !== undefined && modified > Date.parse(h['if-unmodified-since'])) {
    throw new S3Error('PreconditionFailed', 'at least one of the preconditions you specified did not hold');
  }
  if (h['if-none-match'] !== undefined) return matches(h['if-none-match']) ? 304 : 200;
  if (h['if-modified-since'] !== undefined && modified <= Date.parse(h['if-modified-since'])) return 304;
  return 200;
}

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
