/**
 * SigV4 against AWS's published examples: the SigV4 test suite's get-vanilla, and the S3 API
 * reference's GET Object (header), GET Object (presigned URL) and PUT Object in chunks (plain and
 * with a signed trailer). Constants are AWS's documentation's.
 */
import { describe, expect, it } from 'vitest';
import { crc32c } from '../src/s3/checksum.js';
import { S3Error } from '../src/s3/errors.js';
import { canonicalRequest, type WireRequest } from '../src/s3/sigv4/canonical.js';
import { decodeAwsChunked } from '../src/s3/sigv4/chunked.js';
import { EMPTY_SHA256, sha256Hex } from '../src/s3/sigv4/hashing.js';
import { parseSignature } from '../src/s3/sigv4/parse.js';
import { sign, signingKey, stringToSign } from '../src/s3/sigv4/signing-key.js';
import { verifySignature } from '../src/s3/sigv4/verify.js';

// docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html (aws-sig-v4-test-suite/get-vanilla)
const SUITE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
// docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html and its siblings
const S3_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const S3_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const S3_NOW = new Date('2013-05-24T00:00:00Z');

function s3Error(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error');
}

describe('SigV4 signing key and canonical request', () => {
  it('reproduces the test suite get-vanilla signature', () => {
    const req: WireRequest = {
      method: 'GET',
      path: '/',
      query: '',
      headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
    };
    const canonical = canonicalRequest(req, ['host', 'x-amz-date'], EMPTY_SHA256);
    expect(canonical).toBe('GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n' + EMPTY_SHA256);
    const scope = { date: '20150830', region: 'us-east-1', service: 'service' };
    const signature = sign(signingKey(SUITE_SECRET, scope), stringToSign('20150830T123600Z', scope, sha256Hex(canonical)));
    expect(signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });
});

describe('verifySignature (Authorization header)', () => {
  const getObject: WireRequest = {
    method: 'GET',
    path: '/test.txt',
    query: '',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': EMPTY_SHA256,
      'x-amz-date': '20130524T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    },
  };

  it('accepts the S3 documentation GET Object example', () => {
    const parsed = parseSignature(getObject)!;
    expect(parsed.accessKeyId).toBe(S3_KEY_ID);
    expect(verifySignature(getObject, parsed, S3_SECRET, S3_NOW).accessKeyId).toBe(S3_KEY_ID);
  });

  it('refuses a wrong secret, an altered signed header and a skewed clock', () => {
    const parsed = parseSignature(getObject)!;
    expect(s3Error(() => verifySignature(getObject, parsed, 'not-the-secret', S3_NOW)).code).toBe('SignatureDoesNotMatch');
    const altered = { ...getObject, headers: { ...getObject.headers, range: 'bytes=0-99' } };
    expect(s3Error(() => verifySignature(altered, parseSignature(altered)!, S3_SECRET, S3_NOW)).code).toBe('SignatureDoesNotMatch');
    const inFifteen = new Date(S3_NOW.getTime() + 15 * 60 * 1000);
    expect(verifySignature(getObject, parsed, S3_SECRET, inFifteen).accessKeyId).toBe(S3_KEY_ID);
    const inSixteen = new Date(S3_NOW.getTime() + 16 * 60 * 1000);
    expect(s3Error(() => verifySignature(getObject, parsed, S3_SECRET, inSixteen)).code).toBe('RequestTimeTooSkewed');
  });

  it('refuses malformed authorization headers with a clear code', () => {
    const bad = { ...getObject, headers: { ...getObject.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' } };
    expect(s3Error(() => parseSignature(bad)).code).toBe('AuthorizationHeaderMalformed');
    const v2 = { ...getObject, headers: { ...getObject.headers, authorization: 'AWS AKID:c2ln' } };
    expect(s3Error(() => parseSignature(v2)).code).toBe('NotImplemented');
  });
});

describe('verifySignature (presigned URL)', () => {
  const presigned: WireRequest = {
    method: 'GET',
    path: '/test.txt',
    query:
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    headers: { host: 'examplebucket.s3.amazonaws.com' },
  };

  it('accepts the S3 documentation presigned GET until it expires', () => {
    const parsed = parseSignature(presigned)!;
    expect(parsed.expiresSeconds).toBe(86400);
    expect(verifySignature(presigned, parsed, S3_SECRET, new Date('2013-05-24T23:59:00Z')).accessKeyId).toBe(S3_KEY_ID);
    expect(s3Error(() => verifySignature(presigned, parsed, S3_SECRET, new Date('2013-05-25T00:00:01Z'))).code).toBe('AccessDenied');
  });
});

describe('aws-chunked bodies', () => {
  const data = Buffer.alloc(66560, 'a');
  const key = signingKey(S3_SECRET, { date: '20130524', region: 'us-east-1', service: 's3' });
  const signing = (seedSignature: string) => ({
    signingKey: key,
    amzDate: '20130524T000000Z',
    scope: '20130524/us-east-1/s3/aws4_request',
    seedSignature,
  });
  const body = (sigs: string[], tail: string) =>
    Buffer.concat([
      Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
      data.subarray(0, 65536),
      Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
      data.subarray(65536),
      Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n${tail}\r\n`),
    ]);
  /** Feeds `bytes` in odd-sized pieces, as a network would. */
  async function* pieces(bytes: Buffer, size = 1000): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  }
  const decode = async (source: AsyncIterable<Uint8Array>, options: Parameters<typeof decodeAwsChunked>[1]) => {
    const out: Uint8Array[] = [];
    for await (const piece of decodeAwsChunked(source, options)) out.push(piece);
    return Buffer.concat(out);
  };

  const putRequest: WireRequest = {
    method: 'PUT',
    path: '/examplebucket/chunkObject.txt',
    query: '',
    headers: {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': '66824',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
    },
  };
  const SIGNED = [
    'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
    '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
    'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
  ];

  it('verifies the documentation PUT Object seed and chunk signatures', async () => {
    const verified = verifySignature(putRequest, parseSignature(putRequest)!, S3_SECRET, S3_NOW);
    expect(verified.seedSignature).toBe('4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9');
    const wire = body(SIGNED, '');
    expect(wire.length).toBe(66824);
    const decoded = await decode(pieces(wire), { signing: verified, trailer: false, decodedLength: 66560 });
    expect(decoded.equals(data)).toBe(true);
  });

  it('refuses an altered chunk, swapped chunk signatures and a short body', async () => {
    const altered = body(SIGNED, '');
    altered[200] = 'b'.charCodeAt(0);
    await expect(
      decode(pieces(altered), { signing: signing(putRequest.headers.authorization.slice(-64)), trailer: false }),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    const swapped = body([SIGNED[1], SIGNED[0], SIGNED[2]], '');
    await expect(
      decode(pieces(swapped), { signing: signing(putRequest.headers.authorization.slice(-64)), trailer: false }),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    const short = body(SIGNED, '').subarray(0, 40000);
    await expect(
      decode(pieces(short), { signing: signing(putRequest.headers.authorization.slice(-64)), trailer: false }),
    ).rejects.toMatchObject({ code: 'IncompleteBody' });
  });

  it('verifies the documentation signed-trailer example and hands over its checksum', async () => {
    const sigs = [
      'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
      '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
      '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
    ];
    const trailer =
      'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n';
    let trailers: Record<string, string> = {};
    const seed = signing('106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e');
    const decoded = await decode(pieces(body(sigs, trailer), 4096), { signing: seed, trailer: true, onTrailers: (t) => (trailers = t) });
    expect(decoded.equals(data)).toBe(true);
    expect(trailers).toEqual({ 'x-amz-checksum-crc32c': 'sOO8/Q==' });
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32c(data));
    expect(crc.toString('base64')).toBe('sOO8/Q==');
    const forged = body(sigs, trailer.replace('sOO8/Q==', 'AAAAAA=='));
    await expect(decode(pieces(forged), { signing: seed, trailer: true })).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('decodes unsigned chunks with a trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', async () => {
    const wire = Buffer.concat([Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n')]);
    let trailers: Record<string, string> = {};
    const decoded = await decode(pieces(wire, 3), { trailer: true, onTrailers: (t) => (trailers = t) });
    expect(decoded.toString()).toBe('hello world');
    expect(trailers['x-amz-checksum-crc32']).toBe('DUoRhQ==');
  });
});
