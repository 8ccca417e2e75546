/**
 * A request body as the uplink library reads it: aws-chunked decoded (chunk signatures checked) when
 * the client streamed it so, and checked as it passes against every digest the client declared
 * (x-amz-content-sha256, Content-MD5, x-amz-checksum-*, as a header or a trailer). A mismatch fails the
 * stream at its end, before the upload it feeds commits. The MD5 becomes the ETag.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { checksumAlgorithm, createChecksum, type Checksum } from './checksum.js';
import { S3Error } from './errors.js';
import { decodeAwsChunked } from './sigv4/chunked.js';
import { STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD } from './sigv4/parse.js';
import type { VerifiedSignature } from './sigv4/verify.js';

/** S3's largest single PUT. */
const MAX_PUT_SIZE = 5 * 1024 ** 3;

export interface RequestBody {
  data: AsyncGenerator<Uint8Array>;
  /** The size the client declared (Content-Length, or x-amz-decoded-content-length when aws-chunked), if any. */
  declaredSize: number | undefined;
  /** Known once `data` is exhausted. */
  result(): { md5Hex: string; size: number };
}

export function requestBody(req: IncomingMessage, signature: VerifiedSignature, maxSize = MAX_PUT_SIZE): RequestBody {
  const mode = signature.payloadHash;
  const headers = req.headers;
  const trailerName = header(req, 'x-amz-trailer')?.toLowerCase();
  let trailers: Record<string, string> = {};
  let source: AsyncIterable<Uint8Array> = req;
  let declaredSize: number | undefined;
  if (mode === STREAMING_SIGNED || mode === STREAMING_SIGNED_TRAILER || mode === STREAMING_UNSIGNED_TRAILER) {
    const decoded = headers['x-amz-decoded-content-length'];
    declaredSize = decoded !== undefined ? parseLength(String(decoded)) : undefined;
    source = decodeAwsChunked(req, {
      signing: mode === STREAMING_UNSIGNED_TRAILER ? undefined : signature,
      trailer: mode !== STREAMING_SIGNED,
      decodedLength: decoded !== undefined ? parseLength(String(decoded)) : undefined,
      onTrailers: (t) => (trailers = t),
    });
  } else if (mode !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(mode)) {
    throw new S3Error('NotImplemented', `x-amz-content-sha256 ${JSON.stringify(mode.slice(0, 64))} is not supported`);
  }
  const declaredLength = headers['content-length'];
  if (source === req && declaredLength !== undefined) {
    declaredSize = parseLength(declaredLength);
    if (declaredSize > maxSize)
      throw new S3Error('EntityTooLarge', `your proposed upload exceeds the maximum allowed size (${maxSize} bytes)`);
  }
  const sha256 = /^[0-9a-f]{64}$/.test(mode) ? createHash('sha256') : undefined;
  const contentMd5 = header(req, 'content-md5');
  const checksumHeader = Object.keys(headers).find(
    (h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-algorithm' && h !== 'x-amz-checksum-type',
  );
  const checksumName = checksumHeader ?? (trailerName?.startsWith('x-amz-checksum-') ? trailerName : undefined);
  const checksum: Checksum | undefined = checksumName ? createChecksum(checksumAlgorithm(checksumName)) : undefined;
  const md5 = createHash('md5');
  let size = 0;
  let md5Hex: string | undefined;

  async function* data(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > maxSize) throw new S3Error('EntityTooLarge', `your upload exceeds the maximum allowed size (${maxSize} bytes)`);
      md5.update(chunk);
      sha256?.update(chunk);
      checksum?.update(chunk);
      yield chunk;
    }
    if (source === req && !req.complete) throw new S3Error('IncompleteBody', 'the request body ended before its Content-Length');
    const md5Bytes = md5.digest();
    md5Hex = md5Bytes.toString('hex');
    if (sha256 && sha256.digest('hex') !== mode) {
      throw new S3Error('XAmzContentSHA256Mismatch', 'the provided x-amz-content-sha256 header does not match what was computed');
    }
    if (contentMd5 !== undefined && contentMd5 !== md5Bytes.toString('base64')) {
      throw new S3Error('BadDigest', 'the Content-MD5 you specified did not match what we received');
    }
    if (checksum && checksumName) {
      const expected = checksumHeader ? header(req, checksumHeader) : trailers[checksumName];
      if (expected === undefined) throw new S3Error('InvalidRequest', `the ${checksumName} trailer announced in x-amz-trailer is missing`);
      if (expected !== checksum.digest())
        throw new S3Error(
          'BadDigest',
          `the ${checksumName.replace('x-amz-checksum-', '')} checksum you specified did not match what we received`,
        );
    }
  }

  return {
    data: data(),
    declaredSize,
    result: () => {
      if (md5Hex === undefined) throw new Error('request body read before it ended');
      return { md5Hex, size };
    },
  };
}

/** A whole small body (XML of DeleteObjects or CompleteMultipartUpload), checked the same way. */
export async function readSmallBody(req: IncomingMessage, signature: VerifiedSignature, maxSize = 1024 * 1024): Promise<string> {
  const body = requestBody(req, signature, maxSize);
  const parts: Uint8Array[] = [];
  for await (const chunk of body.data) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseLength(text: string): number {
  if (!/^\d{1,16}$/.test(text)) throw new S3Error('InvalidArgument', `invalid length ${JSON.stringify(text.slice(0, 20))}`);
  return Number(text);
}

/** Passes `source` through, feeding every chunk to an MD5: the ETag of a copy, known once the last byte went by. */
export function md5Passthrough(source: AsyncIterable<Uint8Array>): { stream: AsyncIterable<Uint8Array>; hex: () => string } {
  const md5 = createHash('md5');
  async function* stream() {
    for await (const chunk of source) {
      md5.update(chunk);
      yield chunk;
    }
  }
  return { stream: stream(), hex: () => md5.digest('hex') };
}
