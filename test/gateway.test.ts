/**
 * The S3 gateway end to end: a real network (withTestnet), the gateway as a real child process, and
 * @aws-sdk/client-s3 driving every operation the gateway implements, in both modes: single-tenant (one fixed
 * key pair) and multi-tenant (keys the auth service issued). Objects written through S3 are
 * read back byte for byte through the uplink library with the same grant, and the other way round.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parseAccess, restrictAccess, serializeAccess } from '@dcsim/crypto/grant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '../scripts/testnet/processes.js';
import { readState } from '../scripts/testnet/state.js';
import { withTestnet } from './harness.js';
import { useTestnet } from './support/fixtures.js';
import { s3Client, signedChunkedPut, startGatewayProcess, type GatewayProcess } from './support/gateway.js';
import { scanDir } from './support/leak-scan.js';

const KEY_ID = 'dcsim-test-key';
const SECRET = 'dcsim-test-secret-0123456789';

async function s3Code(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the request to fail');
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  return Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** The auth service's lookup token in multi-tenant mode (test only). */
const TOKEN = 'dcsim-test-auth-token';

/** Registers `grant` with the auth service as an S3 user would: POST /v1/access. */
async function register(authUrl: string, grant: string): Promise<{ keyId: string; secret: string }> {
  const res = await fetch(`${authUrl}/v1/access`, { method: 'POST', body: JSON.stringify({ access_grant: grant, public: false }) });
  const json = (await res.json()) as { access_key_id: string; secret_key: string };
  return { keyId: json.access_key_id, secret: json.secret_key };
}

// Every operation in both modes: one fixed key pair for one grant, and keys the auth service issued.
describe.each(['single-tenant', 'multi-tenant'] as const)('S3 gateway, %s', (mode) => {
  // Small segments make multi-segment objects cheap.
  const net = useTestnet({ nodes: 4, segmentSize: 256 * 1024 });
  let gateway: GatewayProcess;
  let auth: GatewayProcess | undefined;
  let s3: S3Client;
  let keyId = KEY_ID;
  let secret = SECRET;

  beforeAll(async () => {
    if (mode === 'single-tenant') {
      gateway = await startGatewayProcess(['run', '--listen', '127.0.0.1:0'], {
        GATEWAY_ACCESS: net().access,
        GATEWAY_ACCESS_KEY_ID: KEY_ID,
        GATEWAY_SECRET_KEY: SECRET,
      });
    } else {
      const authDir = mkdtempSync(join(tmpdir(), 'dcsim-gateway-auth-'));
      auth = await startGatewayProcess(['auth', 'run', '--dir', authDir, '--listen', '127.0.0.1:0', '--endpoint', 'http://s3.example'], {
        GATEWAY_AUTH_TOKEN: TOKEN,
      });
      ({ keyId, secret } = await register(auth.endpoint, net().access));
      gateway = await startGatewayProcess(['run', '--listen', '127.0.0.1:0', '--auth-url', auth.endpoint], { GATEWAY_AUTH_TOKEN: TOKEN });
    }
    s3 = s3Client(gateway.endpoint, keyId, secret);
  });
  afterAll(async () => {
    s3?.destroy();
    expect(await gateway?.stop()).toBe(0);
    if (auth) expect(await auth.stop()).toBe(0);
  });

  it('creates, lists, heads and deletes buckets, with S3 errors', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'buckets-1' }));
    expect((await s3Code(s3.send(new CreateBucketCommand({ Bucket: 'buckets-1' })))).name).toBe('BucketAlreadyOwnedByYou');
    expect((await s3Code(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })))).name).toBe('InvalidBucketName');
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets!.map((b) => b.Name)).toContain('buckets-1');
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'buckets-1' }))).$metadata.httpStatusCode).toBe(200);
    expect((await s3Code(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })))).status).toBe(404);
    await s3.send(new PutObjectCommand({ Bucket: 'buckets-1', Key: 'x', Body: 'x' }));
    expect((await s3Code(s3.send(new DeleteBucketCommand({ Bucket: 'buckets-1' })))).name).toBe('BucketNotEmpty');
    await s3.send(new DeleteObjectCommand({ Bucket: 'buckets-1', Key: 'x' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'buckets-1' }));
    expect((await s3Code(s3.send(new DeleteBucketCommand({ Bucket: 'buckets-1' })))).name).toBe('NoSuchBucket');
  });

  it('puts, gets (whole and ranged), heads, copies and deletes objects with their metadata', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'objects' }));
    const data = randomBytes(600 * 1024); // three segments
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'dir/photo.bin',
        Body: data,
        ContentType: 'image/x-test',
        Metadata: { owner: 'alice', note: 'héllo' },
      }),
    );
    expect(put.ETag).toBe(`"${md5(data)}"`);

    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'dir/photo.bin' }));
    expect(head.ContentLength).toBe(data.length);
    expect(head.ContentType).toBe('image/x-test');
    expect(head.ETag).toBe(`"${md5(data)}"`);
    expect(head.Metadata).toEqual({ owner: 'alice', note: 'héllo' });

    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/photo.bin' }));
    expect((await bodyBytes(got.Body)).equals(data)).toBe(true);
    const ranged = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/photo.bin', Range: 'bytes=262140-262150' }));
    expect(ranged.$metadata.httpStatusCode).toBe(206);
    expect(ranged.ContentRange).toBe(`bytes 262140-262150/${data.length}`);
    expect((await bodyBytes(ranged.Body)).equals(data.subarray(262140, 262151))).toBe(true);
    const suffix = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/photo.bin', Range: 'bytes=-5' }));
    expect((await bodyBytes(suffix.Body)).equals(data.subarray(-5))).toBe(true);
    expect(
      (await s3Code(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/photo.bin', Range: `bytes=${data.length}-` })))).name,
    ).toBe('InvalidRange');
    expect((await s3Code(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/nothing' })))).name).toBe('NoSuchKey');
    expect((await s3Code(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' })))).name).toBe('NoSuchBucket');
    expect((await s3Code(s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'dir/nothing' })))).status).toBe(404);
    const unchanged = await s3Code(
      s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/photo.bin', IfNoneMatch: `"${md5(data)}"` })),
    );
    expect(unchanged.status).toBe(304);
    expect((await s3Code(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/photo.bin', IfMatch: '"0000"' })))).name).toBe(
      'PreconditionFailed',
    );

    const copied = await s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'copy.bin', CopySource: 'objects/dir/photo.bin' }));
    expect(copied.CopyObjectResult!.ETag).toBe(`"${md5(data)}"`);
    const copyHead = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'copy.bin' }));
    expect(copyHead.Metadata).toEqual({ owner: 'alice', note: 'héllo' });
    expect(copyHead.ContentType).toBe('image/x-test');
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'objects',
        Key: 'copy.bin',
        CopySource: 'objects/copy.bin',
        MetadataDirective: 'REPLACE',
        Metadata: { owner: 'bob' },
        ContentType: 'text/plain',
      }),
    );
    const replaced = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'copy.bin' }));
    expect(replaced.Metadata).toEqual({ owner: 'bob' });
    expect(replaced.ContentType).toBe('text/plain');
    expect((await bodyBytes(replaced.Body)).equals(data)).toBe(true);
    expect(
      (await s3Code(s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'copy.bin', CopySource: 'objects/copy.bin' })))).name,
    ).toBe('InvalidRequest');

    await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'copy.bin' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'copy.bin' })); // gone already: still 204
    expect((await s3Code(s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'copy.bin' })))).status).toBe(404);
  });

  it('takes streamed bodies (aws-chunked with a checksum trailer) and empty objects', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'streams' }));
    const data = randomBytes(300 * 1024);
    const stream = Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]);
    // What the SDK actually sent, after signing: newer SDKs stream with a CRC32 trailer.
    const sent: Record<string, string>[] = [];
    const watcher = s3Client(gateway.endpoint, keyId, secret);
    watcher.middlewareStack.addRelativeTo(
      ((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        sent.push({ ...(args as { request: { headers: Record<string, string> } }).request.headers });
        return next(args);
      }) as never,
      { relation: 'after', toMiddleware: 'awsAuthMiddleware', name: 'captureHeaders' } as never,
    );
    await watcher.send(new PutObjectCommand({ Bucket: 'streams', Key: 'streamed', Body: stream, ContentLength: data.length }));
    watcher.destroy();
    expect(sent[0]['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expect(sent[0]['x-amz-trailer']).toBe('x-amz-checksum-crc32');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'streams', Key: 'streamed' }));
    expect((await bodyBytes(got.Body)).equals(data)).toBe(true);
    await s3.send(new PutObjectCommand({ Bucket: 'streams', Key: 'empty', Body: '' }));
    const empty = await s3.send(new GetObjectCommand({ Bucket: 'streams', Key: 'empty' }));
    expect((await bodyBytes(empty.Body)).length).toBe(0);
    expect(empty.ETag).toBe(`"${md5(new Uint8Array(0))}"`);
  });

  it('verifies every chunk signature of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload, committing only a valid one', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'signed-chunks' }));
    const data = randomBytes(200 * 1024);
    const credentials = { accessKeyId: keyId, secret };
    const ok = await signedChunkedPut(gateway.endpoint, credentials, '/signed-chunks/good', data, 64 * 1024);
    expect(ok.status, ok.body).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'signed-chunks', Key: 'good' }));
    expect((await bodyBytes(got.Body)).equals(data)).toBe(true);
    expect(got.ETag).toBe(`"${md5(data)}"`);
    const bad = await signedChunkedPut(gateway.endpoint, credentials, '/signed-chunks/bad', data, 64 * 1024, true);
    expect(bad.status).toBe(403);
    expect(bad.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect((await s3Code(s3.send(new HeadObjectCommand({ Bucket: 'signed-chunks', Key: 'bad' })))).status).toBe(404);
  });

  it('deletes many objects at once, reporting each', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'multi-delete' }));
    for (const key of ['a', 'b', 'c']) await s3.send(new PutObjectCommand({ Bucket: 'multi-delete', Key: key, Body: key }));
    const result = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'multi-delete', Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }, { Key: 'not-there' }] } }),
    );
    expect(result.Deleted!.map((d) => d.Key).sort()).toEqual(['a', 'b', 'not-there']);
    expect(result.Errors ?? []).toEqual([]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'multi-delete' }));
    expect(left.Contents!.map((o) => o.Key)).toEqual(['c']);
  });

  it('lists with prefix, delimiter, max-keys, markers, continuation tokens and start-after', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'listing' }));
    const keys = ['a/1', 'a/2', 'a/b/3', 'a/b/4', 'ab', 'b', 'c/d/e', 'c/f'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: 'listing', Key: key, Body: key }));

    // Satellite order: a whole-"directory" prefix with delimiter "/" (compare as sets).
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
    expect(top.Contents!.map((o) => o.Key).sort()).toEqual(['ab', 'b']);
    expect(top.CommonPrefixes!.map((p) => p.Prefix).sort()).toEqual(['a/', 'c/']);
    expect(top.KeyCount).toBe(4);
    const underA = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'a/', Delimiter: '/' }));
    expect(underA.Contents!.map((o) => o.Key).sort()).toEqual(['a/1', 'a/2']);
    expect(underA.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['a/b/']);
    expect(underA.Contents!.every((o) => o.Size === o.Key!.length && o.ETag === `"${md5(Buffer.from(o.Key!))}"`)).toBe(true);

    // Page through everything one key at a time: every key exactly once, in both API versions.
    const v2: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', MaxKeys: 1, ContinuationToken: token }));
      v2.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(v2.sort()).toEqual([...keys].sort());
    const v1: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: 'listing', MaxKeys: 3, Marker: marker, Prefix: 'a/' }));
      v1.push(...(page.Contents ?? []).map((o) => o.Key!));
      if (!page.IsTruncated) break;
      marker = page.NextMarker;
    }
    expect(v1.sort()).toEqual(['a/1', 'a/2', 'a/b/3', 'a/b/4']);

    // Lexical order: a prefix that is not a whole "directory".
    const partial = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'a' }));
    expect(partial.Contents!.map((o) => o.Key)).toEqual(['a/1', 'a/2', 'a/b/3', 'a/b/4', 'ab']);
    const partialDelimited = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'a', Delimiter: '/' }));
    expect(partialDelimited.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['a/']);
    expect(partialDelimited.Contents!.map((o) => o.Key)).toEqual(['ab']);
    const paged = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'a', MaxKeys: 2, StartAfter: 'a/1' }));
    expect(paged.Contents!.map((o) => o.Key)).toEqual(['a/2', 'a/b/3']);
    const next = await s3.send(
      new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'a', MaxKeys: 2, ContinuationToken: paged.NextContinuationToken }),
    );
    expect(next.Contents!.map((o) => o.Key)).toEqual(['a/b/4', 'ab']);
    expect(next.IsTruncated).toBe(false);
    expect((await s3Code(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })))).name).toBe('NoSuchBucket');
  });

  it('reads what the uplink library wrote and the library reads what S3 wrote, byte for byte', async () => {
    const project = await net().uplink();
    await project.createBucket('interop');
    const fromUplink = randomBytes(400 * 1024);
    await project.upload('interop', 'from-uplink', fromUplink, { contentType: 'application/x-uplink', metadata: { source: 'uplink' } });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'interop', Key: 'from-uplink' }));
    const gotBytes = await bodyBytes(got.Body);
    expect(gotBytes.equals(fromUplink)).toBe(true);
    expect(got.ContentType).toBe('application/x-uplink');
    expect(got.Metadata).toEqual({ source: 'uplink' });

    const fromS3 = randomBytes(350 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: 'interop', Key: 'from/s3', Body: fromS3, Metadata: { source: 's3' } }));
    const download = await project.download('interop', 'from/s3');
    const parts: Uint8Array[] = [];
    for await (const chunk of download) parts.push(chunk);
    expect(Buffer.concat(parts).equals(fromS3)).toBe(true);
    expect(download.info.metadata.source).toBe('s3');
  });

  it('checks signatures: wrong secret, unknown key, presigned URLs, anonymous requests', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'signed' }));
    await s3.send(new PutObjectCommand({ Bucket: 'signed', Key: 'k', Body: 'presigned content' }));
    const wrongSecret = s3Client(gateway.endpoint, keyId, 'not-the-secret');
    expect(await s3Code(wrongSecret.send(new ListBucketsCommand({})))).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    const unknownKey = s3Client(gateway.endpoint, mode === 'single-tenant' ? 'nobody' : 'jaaaaaaaaaaaaaaaaaaaaaaaaaaa', secret);
    expect(await s3Code(unknownKey.send(new ListBucketsCommand({})))).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
    wrongSecret.destroy();
    unknownKey.destroy();

    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'signed', Key: 'k' }), { expiresIn: 60 });
    const presigned = await fetch(url);
    expect(presigned.status).toBe(200);
    expect(await presigned.text()).toBe('presigned content');
    const asAttachment = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: 'signed',
        Key: 'k',
        ResponseContentDisposition: 'attachment; filename="k.txt"',
        ResponseContentType: 'text/x-test',
      }),
      { expiresIn: 60 },
    );
    const attachment = await fetch(asAttachment);
    expect(attachment.headers.get('content-disposition')).toBe('attachment; filename="k.txt"');
    expect(attachment.headers.get('content-type')).toBe('text/x-test');
    expect(await attachment.text()).toBe('presigned content');
    const tampered = await fetch(url.replace('/signed/k', '/signed/other'));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const anonymous = await fetch(`${gateway.endpoint}/signed/k`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('answers malformed requests with errors and keeps serving', async () => {
    const raw = (path: string, headers: Record<string, string>, body = '') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(gateway.endpoint);
        const req = request({ host: url.hostname, port: url.port, method: 'PUT', path, headers }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const malformed = await raw('/x/y', { authorization: 'AWS4-HMAC-SHA256 garbage' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toContain('AuthorizationHeaderMalformed');
    const badPath = await raw('/%E0%A4%A/y', { authorization: 'AWS4-HMAC-SHA256 garbage' });
    expect(badPath.status).toBe(400);
    const notImplemented = await s3Code(s3.send(new GetObjectCommand({ Bucket: 'signed', Key: 'k', VersionId: 'v1' })));
    expect(notImplemented.status).toBe(501);
    expect((await s3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode).toBe(200);
  });

  it('gives a read-only grant AccessDenied on PutObject (the satellite enforces the caveat)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'shared' }));
    await s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'readme', Body: 'read me' }));
    const readOnly = serializeAccess(restrictAccess(parseAccess(net().access), { allowDownload: true, allowList: true }));
    const restricted = await startGatewayProcess(['run', '--listen', '127.0.0.1:0'], {
      GATEWAY_ACCESS: readOnly,
      GATEWAY_ACCESS_KEY_ID: 'reader',
      GATEWAY_SECRET_KEY: 'reader-secret',
    });
    const reader = s3Client(restricted.endpoint, 'reader', 'reader-secret');
    try {
      const got = await reader.send(new GetObjectCommand({ Bucket: 'shared', Key: 'readme' }));
      expect((await bodyBytes(got.Body)).toString()).toBe('read me');
      expect(await s3Code(reader.send(new PutObjectCommand({ Bucket: 'shared', Key: 'new', Body: 'no' })))).toEqual({
        name: 'AccessDenied',
        status: 403,
      });
      expect((await s3Code(reader.send(new DeleteObjectCommand({ Bucket: 'shared', Key: 'readme' })))).name).toBe('AccessDenied');
    } finally {
      reader.destroy();
      await restricted.stop();
    }
  });

  it('gives a grant restricted to a prefix AccessDenied outside it, as a client error, never InternalError', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'team' }));
    await s3.send(new PutObjectCommand({ Bucket: 'team', Key: 'shared/in.txt', Body: 'inside' }));
    await s3.send(new PutObjectCommand({ Bucket: 'team', Key: 'private/out.txt', Body: 'outside' }));
    const everything = { allowDownload: true, allowUpload: true, allowList: true, allowDelete: true };
    const prefixOnly = serializeAccess(restrictAccess(parseAccess(net().access), everything, [{ bucket: 'team', prefix: 'shared/' }]));
    const restricted = await startGatewayProcess(['run', '--listen', '127.0.0.1:0'], {
      GATEWAY_ACCESS: prefixOnly,
      GATEWAY_ACCESS_KEY_ID: 'teammate',
      GATEWAY_SECRET_KEY: 'teammate-secret',
    });
    const teammate = s3Client(restricted.endpoint, 'teammate', 'teammate-secret');
    const denied = { name: 'AccessDenied', status: 403 };
    try {
      expect((await bodyBytes((await teammate.send(new GetObjectCommand({ Bucket: 'team', Key: 'shared/in.txt' }))).Body)).toString()).toBe(
        'inside',
      );
      expect(await s3Code(teammate.send(new GetObjectCommand({ Bucket: 'team', Key: 'private/out.txt' })))).toEqual(denied);
      expect(await s3Code(teammate.send(new PutObjectCommand({ Bucket: 'team', Key: 'private/new.txt', Body: 'no' })))).toEqual(denied);
      expect(await s3Code(teammate.send(new DeleteObjectCommand({ Bucket: 'team', Key: 'private/out.txt' })))).toEqual(denied);
      expect(await s3Code(teammate.send(new ListObjectsV2Command({ Bucket: 'team', Prefix: 'private/', Delimiter: '/' })))).toEqual(denied);
      expect(await s3Code(teammate.send(new GetObjectCommand({ Bucket: 'shared', Key: 'readme' })))).toEqual(denied);
      expect((await s3Code(teammate.send(new HeadObjectCommand({ Bucket: 'team', Key: 'private/out.txt' })))).status).toBe(403);
    } finally {
      teammate.destroy();
      await restricted.stop();
    }
    expect(restricted.stderr()).not.toMatch(/no encryption key/);
  });

  it("refuses keys over 1024 bytes and user metadata over 2 KB with S3's codes", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'limits' }));
    const longest = 'k'.repeat(1024);
    await s3.send(new PutObjectCommand({ Bucket: 'limits', Key: longest, Body: 'fits' }));
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: 'limits', Key: longest }))).Body)).toString()).toBe('fits');
    const tooLong = { name: 'KeyTooLongError', status: 400 };
    expect(await s3Code(s3.send(new PutObjectCommand({ Bucket: 'limits', Key: `${longest}k`, Body: 'x' })))).toEqual(tooLong);
    expect(await s3Code(s3.send(new GetObjectCommand({ Bucket: 'limits', Key: `${longest}k` })))).toEqual(tooLong);
    // Bytes, not characters: 513 two-byte characters are 1026 bytes.
    expect(await s3Code(s3.send(new PutObjectCommand({ Bucket: 'limits', Key: 'é'.repeat(513), Body: 'x' })))).toEqual(tooLong);
    expect(await s3Code(s3.send(new CopyObjectCommand({ Bucket: 'limits', Key: `${longest}k`, CopySource: `limits/${longest}` })))).toEqual(
      tooLong,
    );

    // S3 counts the UTF-8 bytes of each x-amz-meta-* name and value: 2 KB in all.
    await s3.send(new PutObjectCommand({ Bucket: 'limits', Key: 'meta', Body: 'x', Metadata: { big: 'v'.repeat(2048 - 3) } }));
    const tooLarge = { name: 'MetadataTooLarge', status: 400 };
    expect(
      await s3Code(s3.send(new PutObjectCommand({ Bucket: 'limits', Key: 'meta', Body: 'x', Metadata: { big: 'v'.repeat(2048 - 2) } }))),
    ).toEqual(tooLarge);
    expect(
      await s3Code(
        s3.send(new CreateMultipartUploadCommand({ Bucket: 'limits', Key: 'mp', Metadata: { a: 'v'.repeat(1024), b: 'v'.repeat(1024) } })),
      ),
    ).toEqual(tooLarge);
  });

  it('uploads a multi-part object with @aws-sdk/lib-storage, readable as one object by the uplink library', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'multipart' }));
    const data = randomBytes(5 * 1024 * 1024 + 100 * 1024);
    const upload = new Upload({
      client: s3,
      params: { Bucket: 'multipart', Key: 'big/object.bin', Body: data, ContentType: 'application/x-big', Metadata: { parts: 'two' } },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    const done = await upload.done();
    const partMd5s = [data.subarray(0, 5 * 1024 * 1024), data.subarray(5 * 1024 * 1024)].map((p) => createHash('md5').update(p).digest());
    const expectedEtag = `"${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-2"`;
    expect(done.ETag).toBe(expectedEtag);

    const got = await s3.send(new GetObjectCommand({ Bucket: 'multipart', Key: 'big/object.bin' }));
    expect(got.ETag).toBe(expectedEtag);
    expect(got.ContentType).toBe('application/x-big');
    expect(got.Metadata).toEqual({ parts: 'two' });
    expect((await bodyBytes(got.Body)).equals(data)).toBe(true);
    const project = await net().uplink();
    const parts: Uint8Array[] = [];
    for await (const chunk of await project.download('multipart', 'big/object.bin')) parts.push(chunk);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    // The staging objects are gone and were never listed.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'multipart' }));
    expect(listed.Contents!.map((o) => o.Key)).toEqual(['big/object.bin']);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'multipart' }))).Uploads ?? []).toEqual([]);
  });

  it('lists, checks, completes and aborts multipart uploads with S3 errors', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    const { UploadId: first } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'one', Metadata: { m: '1' } }));
    const { UploadId: second } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'two' }));
    const part1 = await s3.send(
      new UploadPartCommand({ Bucket: 'uploads', Key: 'one', UploadId: first, PartNumber: 1, Body: 'small first part' }),
    );
    const part2 = await s3.send(new UploadPartCommand({ Bucket: 'uploads', Key: 'one', UploadId: first, PartNumber: 2, Body: 'second' }));
    expect(part1.ETag).toBe(`"${md5(Buffer.from('small first part'))}"`);

    const listedParts = await s3.send(new ListPartsCommand({ Bucket: 'uploads', Key: 'one', UploadId: first }));
    expect(listedParts.Parts!.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, 16, part1.ETag],
      [2, 6, part2.ETag],
    ]);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }));
    expect(uploads.Uploads!.map((u) => [u.Key, u.UploadId])).toEqual([
      ['one', first],
      ['two', second],
    ]);

    const complete = (parts: { PartNumber: number; ETag?: string }[], uploadId = first) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: 'uploads', Key: 'one', UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    expect(
      (
        await s3Code(
          complete([
            { PartNumber: 1, ETag: part1.ETag },
            { PartNumber: 2, ETag: part2.ETag },
          ]),
        )
      ).name,
    ).toBe('EntityTooSmall');
    expect((await s3Code(complete([{ PartNumber: 1, ETag: part2.ETag }]))).name).toBe('InvalidPart');
    expect(
      (
        await s3Code(
          complete([
            { PartNumber: 2, ETag: part2.ETag },
            { PartNumber: 1, ETag: part1.ETag },
          ]),
        )
      ).name,
    ).toBe('InvalidPartOrder');
    expect((await s3Code(complete([{ PartNumber: 1, ETag: part1.ETag }], 'AAAAAAAAAAAAAAAAAAAAAA'))).name).toBe('NoSuchUpload');
    // UploadPartCopy: a part made of a range of an existing object.
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'source', Body: '0123456789' }));
    const copiedPart = await s3.send(
      new UploadPartCopyCommand({
        Bucket: 'uploads',
        Key: 'one',
        UploadId: first,
        PartNumber: 3,
        CopySource: 'uploads/source',
        CopySourceRange: 'bytes=2-5',
      }),
    );
    expect(copiedPart.CopyPartResult!.ETag).toBe(`"${md5(Buffer.from('2345'))}"`);
    const withCopy = await s3.send(new ListPartsCommand({ Bucket: 'uploads', Key: 'one', UploadId: first }));
    expect(withCopy.Parts!.map((p) => p.Size)).toEqual([16, 6, 4]);
    await s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: 'source' }));
    // The last part may be small: completing with part 1 alone works, and leaves parts 2 and 3 behind as S3 does.
    await complete([{ PartNumber: 1, ETag: part1.ETag }]);
    const one = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'one' }));
    expect((await bodyBytes(one.Body)).toString()).toBe('small first part');
    expect(one.Metadata).toEqual({ m: '1' });

    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'uploads', Key: 'two', UploadId: second }));
    expect(
      (await s3Code(s3.send(new UploadPartCommand({ Bucket: 'uploads', Key: 'two', UploadId: second, PartNumber: 1, Body: 'x' })))).name,
    ).toBe('NoSuchUpload');
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }))).Uploads ?? []).toEqual([]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'uploads' }));
    expect(listed.Contents!.map((o) => o.Key)).toEqual(['one']);
  });

  it('keeps what S3 clients write private: the satellite and the nodes see no key, metadata or content', async () => {
    const key = 'private-key-marker-7f3a/report.txt';
    const content = Buffer.from('content-marker-55e1 '.repeat(200));
    await s3.send(new CreateBucketCommand({ Bucket: 'private' }));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'private',
        Key: key,
        Body: content,
        ContentType: 'text/x-type-marker-0b8d',
        Metadata: { note: 'meta-marker-91c2' },
      }),
    );
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'private', Key: 'upload-key-marker-3d9e', Metadata: { m: 'upload-meta-marker-c4a7' } }),
    );
    await s3.send(new UploadPartCommand({ Bucket: 'private', Key: 'upload-key-marker-3d9e', UploadId, PartNumber: 1, Body: content }));
    const secrets = new Map(
      [
        'private-key-marker-7f3a',
        'content-marker-55e1',
        'text/x-type-marker-0b8d',
        'meta-marker-91c2',
        'upload-key-marker-3d9e',
        'upload-meta-marker-c4a7',
        '.dcsim-multipart',
        secret,
      ].map((m) => [m, new Uint8Array(Buffer.from(m))] as const),
    );
    const found = [...scanDir(net().satelliteDir, secrets), ...net().nodes.flatMap((node) => scanDir(node.dir, secrets))];
    expect(found).toEqual([]);
  });
});

describe('S3 gateway with its satellite down', () => {
  it('answers 503 ServiceUnavailable (S3\'s "try again later", which SDKs retry), not 500, and keeps serving', async () => {
    await withTestnet({ nodes: 1 }, async (net) => {
      const gateway = await startGatewayProcess(['run', '--listen', '127.0.0.1:0'], {
        GATEWAY_ACCESS: net.access,
        GATEWAY_ACCESS_KEY_ID: KEY_ID,
        GATEWAY_SECRET_KEY: SECRET,
      });
      const s3 = s3Client(gateway.endpoint, KEY_ID, SECRET);
      try {
        await s3.send(new CreateBucketCommand({ Bucket: 'before' }));
        await s3.send(new PutObjectCommand({ Bucket: 'before', Key: 'k', Body: 'stored before' }));
        await stopProcess(readState(net.dir).satellite.pid!, net.dir);

        const unavailable = { name: 'ServiceUnavailable', status: 503 };
        expect(await s3Code(s3.send(new ListBucketsCommand({})))).toEqual(unavailable);
        expect(await s3Code(s3.send(new ListObjectsV2Command({ Bucket: 'before' })))).toEqual(unavailable);
        expect(await s3Code(s3.send(new GetObjectCommand({ Bucket: 'before', Key: 'k' })))).toEqual(unavailable);
        expect(await s3Code(s3.send(new PutObjectCommand({ Bucket: 'before', Key: 'k2', Body: 'not now' })))).toEqual(unavailable);
        expect(gateway.child.exitCode).toBe(null);
      } finally {
        s3.destroy();
        expect(await gateway.stop()).toBe(0);
      }
    });
  });
});
