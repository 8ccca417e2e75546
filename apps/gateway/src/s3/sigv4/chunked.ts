/**
 * aws-chunked request bodies (Content-Encoding: aws-chunked), decoded as they stream in:
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n[<trailers>]\r\n
 *
 * With STREAMING-AWS4-HMAC-SHA256-PAYLOAD each chunk's signature chains from the previous one (the
 * seed is the request's), so chunks cannot be dropped, reordered or altered; the -TRAILER variants end
 * with trailing headers (a checksum), signed too in the signed variant. Data is passed on as it arrives
 * and the chunk's signature checked at its end: a bad chunk fails the stream, so the upload it feeds is
 * never committed. Nothing is buffered beyond one network read.
 */
import { createHash } from 'node:crypto';
import { S3Error } from '../errors.js';
import { EMPTY_SHA256, hmac, sameSignature, sha256Hex } from './hashing.js';

export interface ChunkSigning {
  signingKey: Uint8Array;
  /** YYYYMMDDTHHMMSSZ of the request. */
  amzDate: string;
  /** date/region/s3/aws4_request */
  scope: string;
  /** The request's own signature: the first chunk's signature chains from it. */
  seedSignature: string;
}

export interface ChunkedOptions {
  /** Present for signed chunks; absent for STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
  signing?: ChunkSigning;
  /** The body ends in trailing headers. */
  trailer: boolean;
  /** x-amz-decoded-content-length, when the client sent it. */
  decodedLength?: number;
  /** Called with the trailing headers (lower-case names, signature removed) once verified. */
  onTrailers?: (trailers: Record<string, string>) => void;
}

const MAX_LINE = 4096;
const MAX_TRAILERS = 16;

export function chunkStringToSign(signing: ChunkSigning, previous: string, chunkHash: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${previous}\n${EMPTY_SHA256}\n${chunkHash}`;
}

function trailerStringToSign(signing: ChunkSigning, previous: string, canonicalTrailers: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${signing.amzDate}\n${signing.scope}\n${previous}\n${sha256Hex(canonicalTrailers)}`;
}

export async function* decodeAwsChunked(source: AsyncIterable<Uint8Array>, options: ChunkedOptions): AsyncGenerator<Uint8Array> {
  const reader = new ByteReader(source);
  const { signing } = options;
  let previous = signing?.seedSignature ?? '';
  let total = 0;
  for (;;) {
    const { size, signature } = parseChunkHeader(await reader.line(), signing !== undefined);
    const hash = signing ? createHash('sha256') : undefined;
    for await (const piece of reader.take(size)) {
      hash?.update(piece);
      total += piece.length;
      yield piece;
    }
    if (signing) {
      const expected = hmac(signing.signingKey, chunkStringToSign(signing, previous, hash!.digest('hex'))).toString('hex');
      if (!sameSignature(expected, signature!))
        throw new S3Error('SignatureDoesNotMatch', `the signature of chunk ending at byte ${total} does not match`);
      previous = signature!;
    }
    if (size === 0) break;
    if ((await reader.line()) !== '')
      throw new S3Error('IncompleteBody', 'a chunk of the aws-chunked body is longer than its declared size');
  }
  if (options.trailer) {
    const trailers = await readTrailers(reader);
    if (signing) checkTrailerSignature(signing, previous, trailers);
    delete trailers['x-amz-trailer-signature'];
    options.onTrailers?.(trailers);
  } else {
    await reader.finalLine();
  }
  if (options.decodedLength !== undefined && total !== options.decodedLength) {
    throw new S3Error('IncompleteBody', `the body has ${total} bytes, x-amz-decoded-content-length says ${options.decodedLength}`);
  }
}

function parseChunkHeader(line: string, signed: boolean): { size: number; signature?: string } {
  const [sizeText, ...extensions] = line.split(';');
  if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw new S3Error('IncompleteBody', 'malformed aws-chunked chunk header');
  const size = parseInt(sizeText, 16);
  const signature = extensions
    .map((e) => e.trim())
    .find((e) => e.startsWith('chunk-signature='))
    ?.slice('chunk-signature='.length);
  if (signed && (signature === undefined || !/^[0-9a-f]{64}$/.test(signature))) {
    throw new S3Error('SignatureDoesNotMatch', 'a chunk of a signed aws-chunked body has no valid chunk-signature');
  }
  return { size, signature };
}

/** "name:value" lines up to an empty line (or the end of the body). */
async function readTrailers(reader: ByteReader): Promise<Record<string, string>> {
  const trailers: Record<string, string> = {};
  for (let count = 0; ; count++) {
    const line = await reader.line(true);
    if (line === '' || line === undefined) return trailers;
    if (count >= MAX_TRAILERS) throw new S3Error('InvalidRequest', 'too many trailing headers');
    // Some clients end the checksum line with a bare LF before the CRLF of the signature line.
    for (const part of line.split('\n').filter((p) => p !== '')) {
      const colon = part.indexOf(':');
      if (colon <= 0) throw new S3Error('InvalidRequest', 'malformed trailing header');
      trailers[part.slice(0, colon).trim().toLowerCase()] = part.slice(colon + 1).trim();
    }
  }
}

function checkTrailerSignature(signing: ChunkSigning, previous: string, trailers: Record<string, string>): void {
  const signature = trailers['x-amz-trailer-signature'];
  if (!signature) throw new S3Error('SignatureDoesNotMatch', 'the signed trailer has no x-amz-trailer-signature');
  const canonical = Object.entries(trailers)
    .filter(([name]) => name !== 'x-amz-trailer-signature')
    .map(([name, value]) => `${name}:${value}\n`)
    .join('');
  const expected = hmac(signing.signingKey, trailerStringToSign(signing, previous, canonical)).toString('hex');
  if (!sameSignature(expected, signature)) throw new S3Error('SignatureDoesNotMatch', 'the trailer signature does not match');
}

/** Pulls bytes from an async iterable: CRLF-terminated lines and runs of exactly n bytes. */
class ByteReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.it.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }

  /** The next line without its CRLF; with `orEnd`, undefined at the end of the body instead of an error. */
  async line(orEnd: true): Promise<string | undefined>;
  async line(): Promise<string>;
  async line(orEnd = false): Promise<string | undefined> {
    for (;;) {
      const at = this.buf.indexOf('\r\n');
      if (at >= 0) {
        const text = this.buf.subarray(0, at).toString('latin1');
        this.buf = this.buf.subarray(at + 2);
        return text;
      }
      if (this.buf.length > MAX_LINE) throw new S3Error('IncompleteBody', 'an aws-chunked header line is too long');
      if (!(await this.fill())) {
        if (orEnd && this.buf.length === 0) return undefined;
        throw new S3Error('IncompleteBody', 'the aws-chunked body ended early');
      }
    }
  }

  /** The final CRLF after the last chunk; a body that simply ends there is accepted too. */
  async finalLine(): Promise<void> {
    const line = await this.line(true);
    if (line !== undefined && line !== '') throw new S3Error('IncompleteBody', 'unexpected bytes after the last chunk');
  }

  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill())) throw new S3Error('IncompleteBody', 'the aws-chunked body ended inside a chunk');
      const piece = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }
}
