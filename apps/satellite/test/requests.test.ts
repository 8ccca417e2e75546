/**
 * A hostile client can make any bytes, string or list field as large as a gRPC message. Every such
 * field of every Metainfo request is bounded: refused with INVALID_ARGUMENT and a short message naming
 * it, before the request's API key is even looked at (these requests carry none).
 */
import { status, unary } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { createProject, rpcFailure, startTestSatellite, type TestSatellite } from './helpers.js';

const noKey = { apiKey: new Uint8Array(0) };
const big = (n: number) => new Uint8Array(n).fill(0x61);
const longName = 'b'.repeat(1 << 20);
const id16 = new Uint8Array(16);
const segmentKey = { encryptedKey: big(48), encryptedKeyNonce: big(24) };

type Call = (t: TestSatellite) => Promise<unknown>;

const cases: [string, Call, RegExp][] = [
  ['CreateBucket name', (t) => unary(t.metainfo, t.metainfo.createBucket, { header: noKey, name: longName }), /^bucket name is 1048576 characters; it must be 3 to 63$/],
  ['GetBucket name', (t) => unary(t.metainfo, t.metainfo.getBucket, { header: noKey, name: longName }), /^bucket name is 1048576 characters/],
  ['DeleteBucket name', (t) => unary(t.metainfo, t.metainfo.deleteBucket, { header: noKey, name: longName, deleteAll: true }), /^bucket name is/],
  ['ListBuckets cursor', (t) => unary(t.metainfo, t.metainfo.listBuckets, { header: noKey, cursor: longName, limit: 0 }), /^bucket listing cursor is 1048576 characters/],
  [
    'BeginObject key',
    (t) => unary(t.metainfo, t.metainfo.beginObject, { header: noKey, bucket: 'bkt', encryptedObjectKey: big(5000), encryptionParameters: undefined }),
    /^encrypted object key is 5000 bytes; at most 4096 are allowed$/,
  ],
  ['GetObject bucket', (t) => unary(t.metainfo, t.metainfo.getObject, { header: noKey, bucket: longName, encryptedObjectKey: big(1) }), /^bucket name is/],
  ['DownloadObject key', (t) => unary(t.metainfo, t.metainfo.downloadObject, { header: noKey, bucket: 'bkt', encryptedObjectKey: big(1 << 20) }), /^encrypted object key is/],
  ['DeleteObject key', (t) => unary(t.metainfo, t.metainfo.deleteObject, { header: noKey, bucket: 'bkt', encryptedObjectKey: big(1 << 20) }), /^encrypted object key is/],
  [
    'ListObjects prefix',
    (t) => unary(t.metainfo, t.metainfo.listObjects, listRequest({ encryptedPrefix: big(5000) })),
    /^encrypted listing prefix is 5000 bytes; at most 4096 are allowed$/,
  ],
  ['ListObjects cursor', (t) => unary(t.metainfo, t.metainfo.listObjects, listRequest({ encryptedCursor: big(5000) })), /^encrypted listing cursor is 5000 bytes/],
  [
    'CommitObject metadata key',
    (t) =>
      unary(t.metainfo, t.metainfo.commitObject, {
        header: noKey, streamId: id16, encryptedMetadata: big(10), encryptedMetadataKey: big(1 << 20), encryptedMetadataNonce: big(24),
      }),
    /^encrypted metadata key is 1048576 bytes; at most 256 are allowed$/,
  ],
  [
    'CommitSegment upload results',
    (t) => unary(t.metainfo, t.metainfo.commitSegment, commitRequest({ uploadResults: Array(5000).fill({ pieceNum: 0, nodeId: id16, hash: undefined }) })),
    /^5000 upload results; at most 255 are allowed$/,
  ],
  ['CommitSegment key', (t) => unary(t.metainfo, t.metainfo.commitSegment, commitRequest({ encryptedKey: big(1 << 20) })), /^encrypted segment key is 1048576 bytes/],
  ['CommitSegment nonce', (t) => unary(t.metainfo, t.metainfo.commitSegment, commitRequest({ encryptedKeyNonce: big(300) })), /^encrypted segment key nonce is 300 bytes/],
  [
    'MakeInlineSegment key',
    (t) =>
      unary(t.metainfo, t.metainfo.makeInlineSegment, {
        header: noKey, streamId: id16, position: undefined, ...segmentKey, encryptedKey: big(1000), encryptedInlineData: big(10), plainSize: 1,
      }),
    /^encrypted segment key is 1000 bytes; at most 256 are allowed$/,
  ],
  ['RevokeAPIKey key', (t) => unary(t.metainfo, t.metainfo.revokeApiKey, { header: noKey, apiKey: big(100_000) }), /^API key to revoke is 100000 bytes/],
  [
    'CommitSegment int64 beyond 2^53-1',
    (t) => unary(t.metainfo, t.metainfo.commitSegment, commitRequest({ plainSize: 2 ** 60 })),
    /^cannot decode the dcsim\.Metainfo\/CommitSegment request: an integer field is above 2\^53-1 \(9007199254740991\)/,
  ],
  ['header API key', (t) => unary(t.metainfo, t.metainfo.projectInfo, { header: { apiKey: big(100_000) } }), /^API key is 100000 bytes; at most 65536 are accepted$/],
];

function listRequest(fields: { encryptedPrefix?: Uint8Array; encryptedCursor?: Uint8Array }) {
  const empty = new Uint8Array(0);
  return { header: noKey, bucket: 'bkt', encryptedPrefix: empty, encryptedCursor: empty, recursive: true, limit: 0, includeMetadata: false, ...fields };
}

function commitRequest(fields: object) {
  return { header: noKey, segmentId: id16, uploadResults: [], ...segmentKey, plainSize: 1, encryptedSize: 1, ...fields };
}

describe('request fields', () => {
  it.each(cases)('%s: refused at once with INVALID_ARGUMENT naming it, in a short message', async (_name, call, message) => {
    const t = await startTestSatellite();
    const failure = await rpcFailure(call(t));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.details).toMatch(message);
    expect(failure.details.length).toBeLessThan(150);
    // The channel is fine afterwards.
    const { header } = createProject(t);
    await unary(t.metainfo, t.metainfo.listBuckets, { header, cursor: '', limit: 0 });
  });
});
