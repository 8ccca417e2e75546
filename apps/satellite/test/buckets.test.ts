import { Reason, status, unary } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { bytes, createProject, rpcFailure, rpcFailureInfo, startTestSatellite } from './helpers.js';

describe('buckets', () => {
  it('creates, gets, lists in name order with a cursor, and deletes', async () => {
    const t = await startTestSatellite();
    const { header } = createProject(t);
    const mi = t.metainfo;
    for (const name of ['photos', 'backups', 'music']) {
      const res = await unary(mi, mi.createBucket, { header, name });
      expect(res.bucket?.name).toBe(name);
    }
    expect((await unary(mi, mi.getBucket, { header, name: 'music' })).bucket?.name).toBe('music');

    const page1 = await unary(mi, mi.listBuckets, { header, cursor: '', limit: 2 });
    expect(page1.items.map((b) => b.name)).toEqual(['backups', 'music']);
    expect(page1.more).toBe(true);
    const page2 = await unary(mi, mi.listBuckets, { header, cursor: 'music', limit: 2 });
    expect(page2.items.map((b) => b.name)).toEqual(['photos']);
    expect(page2.more).toBe(false);

    expect(await unary(mi, mi.deleteBucket, { header, name: 'music', deleteAll: false })).toEqual({ deletedObjects: 0 });
    expect(await rpcFailureInfo(unary(mi, mi.getBucket, { header, name: 'music' }))).toEqual({
      code: status.NOT_FOUND,
      reason: Reason.BUCKET_NOT_FOUND,
      message: 'bucket not found: music',
      facts: { bucket: 'music' },
    });
  });

  it('refuses a duplicate name and invalid names', async () => {
    const t = await startTestSatellite();
    const { header } = createProject(t);
    const mi = t.metainfo;
    await unary(mi, mi.createBucket, { header, name: 'photos' });
    expect(await rpcFailure(unary(mi, mi.createBucket, { header, name: 'photos' }))).toEqual({
      code: status.ALREADY_EXISTS,
      reason: Reason.BUCKET_ALREADY_EXISTS,
      details: 'bucket already exists: photos',
    });
    for (const name of ['', 'ab', 'Upper', 'under_score', '-dash', 'a..b', '192.168.1.1', 'x'.repeat(64)]) {
      const refused = await rpcFailureInfo(unary(mi, mi.createBucket, { header, name }));
      expect([refused.code, refused.reason, refused.facts]).toEqual([
        status.INVALID_ARGUMENT,
        Reason.BUCKET_NAME_INVALID,
        { field: 'name' },
      ]);
    }
  });

  it('keeps projects apart: same names, separate listings', async () => {
    const t = await startTestSatellite();
    const a = createProject(t, 'a');
    const b = createProject(t, 'b');
    const mi = t.metainfo;
    await unary(mi, mi.createBucket, { header: a.header, name: 'shared-name' });
    await unary(mi, mi.createBucket, { header: b.header, name: 'shared-name' });
    await unary(mi, mi.createBucket, { header: b.header, name: 'only-b' });
    const listA = await unary(mi, mi.listBuckets, { header: a.header, cursor: '', limit: 0 });
    expect(listA.items.map((x) => x.name)).toEqual(['shared-name']);
    expect((await rpcFailure(unary(mi, mi.getBucket, { header: a.header, name: 'only-b' }))).code).toBe(status.NOT_FOUND);
  });

  it('refuses to delete a bucket with objects unless delete_all is set', async () => {
    const t = await startTestSatellite();
    const { header } = createProject(t);
    const mi = t.metainfo;
    await unary(mi, mi.createBucket, { header, name: 'full' });
    const begun = await unary(mi, mi.beginObject, {
      header,
      bucket: 'full',
      encryptedObjectKey: bytes('k'),
      encryptionParameters: undefined,
    });
    await unary(mi, mi.makeInlineSegment, {
      header,
      streamId: begun.streamId,
      position: { partNumber: 0, index: 0 },
      encryptedKey: bytes('key'),
      encryptedKeyNonce: bytes('nonce'),
      encryptedInlineData: bytes('ciphertext'),
      plainSize: 4,
    });
    await unary(mi, mi.commitObject, {
      header,
      streamId: begun.streamId,
      encryptedMetadata: bytes('m'),
      encryptedMetadataKey: bytes('mk'),
      encryptedMetadataNonce: bytes('mn'),
    });

    expect(await rpcFailure(unary(mi, mi.deleteBucket, { header, name: 'full', deleteAll: false }))).toEqual({
      code: status.FAILED_PRECONDITION,
      reason: Reason.BUCKET_NOT_EMPTY,
      details: 'bucket not empty',
    });
    expect(await unary(mi, mi.deleteBucket, { header, name: 'full', deleteAll: true })).toEqual({ deletedObjects: 1 });
    expect(t.sat.db.sql.prepare('SELECT COUNT(*) AS n FROM objects').get()).toEqual({ n: 0 });
    expect(t.sat.db.sql.prepare('SELECT COUNT(*) AS n FROM segments').get()).toEqual({ n: 0 });
  });

  it('a bucket holding only a pending upload counts as empty, and the upload goes with it', async () => {
    const t = await startTestSatellite();
    const { header } = createProject(t);
    const mi = t.metainfo;
    await unary(mi, mi.createBucket, { header, name: 'half' });
    const begun = await unary(mi, mi.beginObject, {
      header,
      bucket: 'half',
      encryptedObjectKey: bytes('k'),
      encryptionParameters: undefined,
    });
    expect(await unary(mi, mi.deleteBucket, { header, name: 'half', deleteAll: false })).toEqual({ deletedObjects: 0 });
    const failure = await rpcFailure(
      unary(mi, mi.commitObject, {
        header,
        streamId: begun.streamId,
        encryptedMetadata: bytes(''),
        encryptedMetadataKey: bytes(''),
        encryptedMetadataNonce: bytes(''),
      }),
    );
    expect(failure.code).toBe(status.NOT_FOUND);
    expect(failure.reason).toBe(Reason.UPLOAD_NOT_FOUND);
  });
});
