/** ListObjects (v1) and ListObjectsV2: the S3 shapes around listing.ts's pages. */
import type { ListItem } from '@dcsim/uplink';
import type { S3Context } from './context.js';
import { S3Error } from './errors.js';
import { listPage, type ListPage } from './listing.js';
import { etagOf } from './metadata.js';
import { sendXml } from './respond.js';
import { uriEncode } from './sigv4/canonical.js';

const MAX_KEYS = 1000;

interface Common {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  /** encoding-type=url: keys and prefixes percent-encoded in the answer. */
  encode: (text: string) => string;
}

function commonParams(ctx: S3Context): Common {
  const q = ctx.query;
  const maxText = q.get('max-keys');
  const maxKeys = maxText === undefined ? MAX_KEYS : Number(maxText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error('InvalidArgument', 'max-keys must be a non-negative integer');
  const encodingType = q.get('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url') throw new S3Error('InvalidArgument', 'encoding-type must be url');
  return {
    prefix: q.get('prefix') ?? '',
    delimiter: q.get('delimiter') ?? '',
    maxKeys: Math.min(maxKeys, MAX_KEYS),
    encode: encodingType === 'url' ? (t) => uriEncode(t, true) : (t) => t,
  };
}

function contents(page: ListPage, encode: (t: string) => string) {
  return page.objects.map((o: ListItem) => ({
    Key: encode(o.key),
    LastModified: (o.created ?? new Date(0)).toISOString(),
    ETag: etagOf(o.metadata),
    Size: o.size,
    StorageClass: 'STANDARD',
  }));
}

function orderHeader(page: ListPage): Record<string, string> {
  // Not S3's: tells a curious client which order it got (see the README).
  return { 'x-dcsim-list-order': page.order };
}

export async function listObjectsV1(ctx: S3Context, bucket: string): Promise<void> {
  const p = commonParams(ctx);
  const marker = ctx.query.get('marker') ?? '';
  const page = await listPage(ctx.project, bucket, { prefix: p.prefix, delimiter: p.delimiter, after: marker, maxKeys: p.maxKeys });
  sendXml(
    ctx.res,
    200,
    'ListBucketResult',
    {
      Name: bucket,
      Prefix: p.encode(p.prefix),
      Marker: p.encode(marker),
      NextMarker: page.next !== undefined ? p.encode(page.next) : undefined,
      MaxKeys: p.maxKeys,
      Delimiter: p.delimiter !== '' ? p.encode(p.delimiter) : undefined,
      IsTruncated: page.truncated,
      EncodingType: ctx.query.get('encoding-type'),
      Contents: contents(page, p.encode),
      CommonPrefixes: page.prefixes.map((prefix) => ({ Prefix: p.encode(prefix) })),
    },
    orderHeader(page),
  );
}

export async function listObjectsV2(ctx: S3Context, bucket: string): Promise<void> {
  const p = commonParams(ctx);
  const token = ctx.query.get('continuation-token');
  const startAfter = ctx.query.get('start-after') ?? '';
  const after = token !== undefined ? decodeToken(token) : startAfter;
  const page = await listPage(ctx.project, bucket, { prefix: p.prefix, delimiter: p.delimiter, after, maxKeys: p.maxKeys });
  sendXml(
    ctx.res,
    200,
    'ListBucketResult',
    {
      Name: bucket,
      Prefix: p.encode(p.prefix),
      Delimiter: p.delimiter !== '' ? p.encode(p.delimiter) : undefined,
      MaxKeys: p.maxKeys,
      KeyCount: page.objects.length + page.prefixes.length,
      IsTruncated: page.truncated,
      EncodingType: ctx.query.get('encoding-type'),
      ContinuationToken: token,
      NextContinuationToken: page.next !== undefined ? encodeToken(page.next) : undefined,
      StartAfter: startAfter !== '' ? p.encode(startAfter) : undefined,
      Contents: contents(page, p.encode),
      CommonPrefixes: page.prefixes.map((prefix) => ({ Prefix: p.encode(prefix) })),
    },
    orderHeader(page),
  );
}

/** The token is the last key of the previous page, base64url so it survives any client. */
function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new S3Error('InvalidArgument', 'the continuation token is not one this gateway issued');
  return Buffer.from(token, 'base64url').toString('utf8');
}
