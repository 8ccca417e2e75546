/**
 * A hostile client can make any bytes, string or list field as large as a gRPC message. Every such
 * field of every Metainfo request is bounded: refused with INVALID_ARGUMENT, a reason naming the field and
 * a short message naming it, before the request's API key is even looked at (these requests carry none).
 */
import { Reason, status, unary, type MetainfoClient, type ReasonFacts } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { createProject, rpcFailureInfo, startTestSatellite } from './helpers.js';

const noKey = { apiKey: new Uint8Array(0) };
const big = (n: number) => new Uint8Array(n).fill(0x61);
const longName = 'b'.repeat(1 << 20);
const id16 = new Uint8Array(16);
const segmentKey = { encryptedKey: big(48), encryptedKeyNonce: big(24) };

type Call = (m: MetainfoClient) => Promise<unknown>;

const cases: [string, Call, RegExp][] = [
  [
    'CreateBucket name',
    (m) => unary(m, m.createBucket, { header: noKey, name: longName }),
    /^bucket name is 1048576 characters; it must be 3 to 63$/,
  ],
  ['GetBucket name', (m) => unary(m, m.getBucket, { header: noKey, name: longName }), /^bucket name is 1048576 characters/],
  ['DeleteBucket name', (m) => unary(m, m.deleteBucket, { header: noKey, name: longName, deleteAll: true }), /^bucket name is/],
  [
    'ListBuckets cursor',
    (m) => unary(m, m.listBuckets, { header: noKey, cursor: longName, limit: 0 }),
    /^bucket listing cursor is 1048576 characters/,
  ],
  [
    'BeginObject key',
    (m) => unary(m, m.beginObject, { header: noKey, bucket: 'bkt', encryptedObjectKey: big(5000), encryptionParameters: undefined }),
    /^encrypted object key is 5000 bytes; at most 4096 are allowed$/,
  ],
  ['GetObject bucket', (m) => unary(m, m.getObject, { header: noKey, bucket: longName, encryptedObjectKey: big(1) }), /^bucket name is/],
  [
    'DownloadObject key',
    (m) => unary(m, m.downloadObject, { header: noKey, bucket: 'bkt', encryptedObjectKey: big(1 << 20) }),
    /^encrypted object key is/,
  ],
  [
    'DeleteObject key',
    (m) => unary(m, m.deleteObject, { header: noKey, bucket: 'bkt', encryptedObjectKey: big(1 << 20) }),
    /^encrypted object key is/,
  ],
  [
    'ListObjects prefix',
    (m) => unary(m, m.listObjects, listRequest({ encryptedPrefix: big(5000) })),
    /^encrypted listing prefix is 5000 bytes; at most 4096/,
  ],
  [
    'ListObjects cursor',
    (m) => unary(m, m.listObjects, listRequest({ encryptedCursor: big(5000) })),
    /^encrypted listing cursor is 5000 bytes/,
  ],
  [
    'CommitObject metadata key',
    (m) =>
      unary(m, m.commitObject, {
        header: noKey,
        streamId: id16,
        encryptedMetadata: big(10),
        encryptedMetadataKey: big(1 << 20),
        encryptedMetadataNonce: big(24),
      }),
    /^encrypted metadata key is 1048576 bytes; at most 256 are allowed$/,
  ],
  [
    'CommitSegment upload results',
    (m) => unary(m, m.commitSegment, commitRequest({ uploadResults: Array(5000).fill({ pieceNum: 0, nodeId: id16 }) })),
    /^5000 upload results; at most 255 are allowed$/,
  ],
  [
    'CommitSegment key',
    (m) => unary(m, m.commitSegment, commitRequest({ encryptedKey: big(1 << 20) })),
    /^encrypted segment key is 1048576 bytes/,
  ],
  [
    'CommitSegment nonce',
    (m) => unary(m, m.commitSegment, commitRequest({ encryptedKeyNonce: big(300) })),
    /^encrypted segment key nonce is 300 bytes/,
  ],
  [
    'CommitSegment int64 beyond 2^53-1',
    (m) => unary(m, m.commitSegment, commitRequest({ plainSize: 2 ** 60 })),
    /^cannot decode the dcsim\.Metainfo\/CommitSegment request: an integer field is above 2\^53-1 \(9007199254740991\)/,
  ],
  [
    'MakeInlineSegment key',
    (m) =>
      unary(m, m.makeInlineSegment, {
        header: noKey,
        streamId: id16,
        position: undefined,
        ...segmentKey,
        encryptedKey: big(1000),
        encryptedInlineData: big(10),
        plainSize: 1,
      }),
    /^encrypted segment key is 1000 bytes; at most 256 are allowed$/,
  ],
  ['RevokeAPIKey key', (m) => unary(m, m.revokeApiKey, { header: noKey, apiKey: big(100_000) }), /^API key to revoke is 100000 bytes/],
  [
    'header API key',
    (m) => unary(m, m.projectInfo, { header: { apiKey: big(100_000) } }),
    /^API key is 100000 bytes; at most 65536 are accepted$/,
  ],
];

/** The reason each refusal carries, and its facts (the field, as the .proto names it). */
const reasons: Record<string, [Reason, ReasonFacts]> = {
  'CreateBucket name': [Reason.BUCKET_NAME_INVALID, { field: 'name' }],
  'GetBucket name': [Reason.BUCKET_NAME_INVALID, { field: 'name' }],
  'DeleteBucket name': [Reason.BUCKET_NAME_INVALID, { field: 'name' }],
  'ListBuckets cursor': [Reason.FIELD_TOO_LARGE, { field: 'cursor' }],
  'BeginObject key': [Reason.FIELD_TOO_LARGE, { field: 'encrypted_object_key' }],
  'GetObject bucket': [Reason.BUCKET_NAME_INVALID, { field: 'bucket' }],
  'DownloadObject key': [Reason.FIELD_TOO_LARGE, { field: 'encrypted_object_key' }],
  'DeleteObject key': [Reason.FIELD_TOO_LARGE, { field: 'encrypted_object_key' }],
  'ListObjects prefix': [Reason.FIELD_TOO_LARGE, { field: 'encrypted_prefix' }],
  'ListObjects cursor': [Reason.FIELD_TOO_LARGE, { field: 'encrypted_cursor' }],
  'CommitObject metadata key': [Reason.FIELD_TOO_LARGE, { field: 'encrypted_metadata_key' }],
  'CommitSegment upload results': [Reason.FIELD_TOO_LARGE, { field: 'upload_results' }],
  'CommitSegment key': [Reason.FIELD_TOO_LARGE, { field: 'encrypted_key' }],
  'CommitSegment nonce': [Reason.FIELD_TOO_LARGE, { field: 'encrypted_key_nonce' }],
  'CommitSegment int64 beyond 2^53-1': [Reason.REQUEST_MALFORMED, {}],
  'MakeInlineSegment key': [Reason.FIELD_TOO_LARGE, { field: 'encrypted_key' }],
  'RevokeAPIKey key': [Reason.FIELD_TOO_LARGE, { field: 'api_key' }],
  'header API key': [Reason.FIELD_TOO_LARGE, { field: 'header.api_key' }],
};

function listRequest(fields: { encryptedPrefix?: Uint8Array; encryptedCursor?: Uint8Array }) {
  const empty = new Uint8Array(0);
  return {
    header: noKey,
    bucket: 'bkt',
    encryptedPrefix: empty,
    encryptedCursor: empty,
    recursive: true,
    limit: 0,
    includeMetadata: false,
    ...fields,
  };
}

function commitRequest(fields: object) {
  return { header: noKey, segmentId: id16, uploadResults: [], ...segmentKey, plainSize: 1, encryptedSize: 1, ...fields };
}

describe('request fields', () => {
  it.each(cases)('%s: refused at once with INVALID_ARGUMENT naming it, in a short message', async (name, call, message) => {
    const t = await startTestSatellite();
    const failure = await rpcFailureInfo(call(t.metainfo));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect([failure.reason, failure.facts]).toEqual([reasons[name][0], expect.objectContaining(reasons[name][1])]);
    expect(failure.message).toMatch(message);
    expect(failure.message.length).toBeLessThan(150);
    // The channel is fine afterwards.
    const { header } = createProject(t);
    await unary(t.metainfo, t.metainfo.listBuckets, { header, cursor: '', limit: 0 });
  });
});
