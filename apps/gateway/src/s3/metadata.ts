/**
 * What S3 calls object metadata, kept in the object's encrypted metadata through the uplink library:
 * Content-Type in its own field; user metadata (x-amz-meta-NAME) under NAME; the ETag and the other
 * standard headers S3 stores (Cache-Control, Content-Disposition...) under reserved "s3:" names, which
 * no HTTP header can produce as user metadata (':' is not allowed in header names).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './errors.js';

export const ETAG_KEY = 's3:etag';
const USER_PREFIX = 'x-amz-meta-';
/** Headers S3 stores with the object and returns on GET and HEAD. */
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];
/** S3's limit on user metadata: the UTF-8 bytes of every x-amz-meta-* name (without the prefix) and value, summed. */
const MAX_USER_METADATA = 2048;

export interface S3Metadata {
  contentType?: string;
  /** Everything else, as it goes into the uplink's user metadata. */
  metadata: Record<string, string>;
}

/** The metadata of a PUT, POST (multipart) or COPY with REPLACE, from its headers. */
export function metadataFromHeaders(headers: IncomingHttpHeaders): S3Metadata {
  const metadata: Record<string, string> = {};
  let userBytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
    if (name.startsWith(USER_PREFIX) && name.length > USER_PREFIX.length) {
      const key = name.slice(USER_PREFIX.length);
      metadata[key] = text;
      userBytes += Buffer.byteLength(key) + Buffer.byteLength(text);
    } else if (STORED_HEADERS.includes(name)) {
      // aws-chunked is how the body travelled, not how the object is encoded.
      const stored =
        name === 'content-encoding'
          ? text
              .split(',')
              .map((e) => e.trim())
              .filter((e) => e !== 'aws-chunked' && e !== '')
              .join(',')
          : text;
      if (stored !== '') metadata[`s3:${name}`] = stored;
    }
  }
  if (userBytes > MAX_USER_METADATA) {
    const sizes = `${userBytes} bytes, at most ${MAX_USER_METADATA}`;
    throw new S3Error('MetadataTooLarge', `your metadata headers exceed the maximum allowed metadata size: ${sizes}`);
  }
  return { contentType: headers['content-type'], metadata };
}

/** Response headers of GET and HEAD: Content-Type, the stored headers and x-amz-meta-*. */
export function headersFromMetadata(contentType: string | undefined, metadata: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': contentType || 'binary/octet-stream' };
  for (const [key, value] of Object.entries(metadata)) {
    if (key.startsWith('s3:')) {
      const name = key.slice(3);
      if (STORED_HEADERS.includes(name)) headers[name] = value;
    } else {
      headers[USER_PREFIX + key] = value;
    }
  }
  return headers;
}

/** Quoted, as S3 sends it; objects written without the gateway have none, so they get a stable stand-in. */
export function etagOf(metadata: Record<string, string> | undefined): string {
  return `"${metadata?.[ETAG_KEY] ?? '00000000000000000000000000000000'}"`;
}
