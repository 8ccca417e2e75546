import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { APIKey } from '@dcsim/crypto/macaroon';
import { Reason, status, unary } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/index.js';
import { bytes, createProject, headerOf, rpcFailure, rpcFailureInfo, startTestSatellite, type TestSatellite } from './helpers.js';

const list = (t: TestSatellite, header: { apiKey: Uint8Array }) =>
  unary(t.metainfo, t.metainfo.listBuckets, { header, cursor: '', limit: 0 });

describe('API key checks', () => {
  it('refuses a missing, malformed or unknown key with UNAUTHENTICATED', async () => {
    const t = await startTestSatellite();
    createProject(t);
    expect(await rpcFailure(list(t, { apiKey: new Uint8Array(0) }))).toEqual({
      code: status.UNAUTHENTICATED,
      reason: Reason.API_KEY_MISSING,
      details: 'missing API key',
    });
    expect(await rpcFailure(list(t, { apiKey: bytes('not a macaroon') }))).toEqual({
      code: status.UNAUTHENTICATED,
      reason: Reason.API_KEY_MALFORMED,
      details: 'invalid API key: not a macaroon',
    });
    const stranger = APIKey.generate(new Uint8Array(randomBytes(32)));
    expect(await rpcFailure(list(t, headerOf(stranger)))).toEqual({
      code: status.UNAUTHENTICATED,
      reason: Reason.API_KEY_UNKNOWN,
      details: 'invalid API key: not known to this satellite (deleted, or made for another satellite)',
    });
  });

  it('refuses a key whose tail was not made with the secret on file', async () => {
    const t = await startTestSatellite();
    const { projectId } = createProject(t);
    const forged = APIKey.generate(new Uint8Array(randomBytes(32)));
    // The head is known, but under another secret: the tail chain does not verify.
    t.sat.db.apiKeys.create(projectId, forged.head(), new Uint8Array(randomBytes(32)), 'other');
    expect(await rpcFailure(list(t, headerOf(forged)))).toEqual({
      code: status.UNAUTHENTICATED,
      reason: Reason.API_KEY_INVALID,
      details: 'invalid API key',
    });
  });

  it('answers ProjectInfo with the project salt and public ID', async () => {
    const t = await startTestSatellite();
    const { header, projectId } = createProject(t);
    const info = await unary(t.metainfo, t.metainfo.projectInfo, { header });
    expect(Buffer.from(info.projectSalt)).toEqual(Buffer.from(t.sat.db.projects.get(projectId)!.salt));
    expect(info.projectSalt).toHaveLength(32);
    expect(Buffer.from(info.projectPublicId).toString('hex')).toBe(projectId.replace(/-/g, ''));
  });

  it('gives PERMISSION_DENIED when a caveat forbids the operation, and allows the rest', async () => {
    const t = await startTestSatellite();
    const { key, header } = createProject(t);
    await unary(t.metainfo, t.metainfo.createBucket, { header, name: 'existing' });
    const readOnly = headerOf(key.restrict({ disallowWrites: true, disallowDeletes: true }));
    const denied = await rpcFailure(unary(t.metainfo, t.metainfo.createBucket, { header: readOnly, name: 'new-one' }));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(denied.reason).toBe(Reason.CAVEAT_REFUSED);
    expect(denied.details).toMatch(/^permission denied: /);
    const deleteDenied = await rpcFailure(
      unary(t.metainfo, t.metainfo.deleteBucket, { header: readOnly, name: 'existing', deleteAll: false }),
    );
    expect(deleteDenied.code).toBe(status.PERMISSION_DENIED);
    expect((await unary(t.metainfo, t.metainfo.getBucket, { header: readOnly, name: 'existing' })).bucket?.name).toBe('existing');
  });

  it('limits a bucket-restricted key to its buckets, in listings too', async () => {
    const t = await startTestSatellite();
    const { key, header } = createProject(t);
    for (const name of ['alpha', 'beta', 'gamma']) await unary(t.metainfo, t.metainfo.createBucket, { header, name });
    const onlyBeta = headerOf(key.restrict({ allowedPaths: [{ bucket: bytes('beta') }] }));
    expect((await list(t, onlyBeta)).items.map((b) => b.name)).toEqual(['beta']);
    expect((await rpcFailure(unary(t.metainfo, t.metainfo.getBucket, { header: onlyBeta, name: 'alpha' }))).code).toBe(
      status.PERMISSION_DENIED,
    );
  });

  it('names the caveat field that refused, whatever the message says', async () => {
    const t = await startTestSatellite();
    const { key, header } = createProject(t);
    await unary(t.metainfo, t.metainfo.createBucket, { header, name: 'alpha' });
    type Call = (header: { apiKey: Uint8Array }) => Promise<unknown>;
    const getBucket: Call = (h) => unary(t.metainfo, t.metainfo.getBucket, { header: h, name: 'alpha' });
    const getObject: Call = (h) => unary(t.metainfo, t.metainfo.getObject, { header: h, bucket: 'alpha', encryptedObjectKey: bytes('k') });
    const createBucket: Call = (h) => unary(t.metainfo, t.metainfo.createBucket, { header: h, name: 'another' });
    const deleteBucket: Call = (h) => unary(t.metainfo, t.metainfo.deleteBucket, { header: h, name: 'alpha', deleteAll: false });
    const refusedBy = async (restricted: APIKey, call = getBucket) => {
      const info = await rpcFailureInfo(call(headerOf(restricted)));
      expect([info.code, info.reason]).toEqual([status.PERMISSION_DENIED, Reason.CAVEAT_REFUSED]);
      return info.facts.caveat;
    };
    const hour = 3600_000;
    expect(await refusedBy(key.restrict({ notAfter: new Date(Date.now() - hour) }))).toBe('not_after');
    expect(await refusedBy(key.restrict({ notBefore: new Date(Date.now() + hour) }))).toBe('not_before');
    expect(await refusedBy(key.restrict({ disallowReads: true }), getObject)).toBe('disallow_reads');
    expect(await refusedBy(key.restrict({ disallowWrites: true }), createBucket)).toBe('disallow_writes');
    expect(await refusedBy(key.restrict({ disallowDeletes: true }), deleteBucket)).toBe('disallow_deletes');
    expect(await refusedBy(key.restrict({ allowedPaths: [{ bucket: bytes('beta') }] }))).toBe('allowed_paths');
    // The first refusing caveat, and in it the field checked first: this one has expired and forbids reads.
    const twice = key.restrict({ disallowWrites: true }).restrict({ notAfter: new Date(Date.now() - hour), disallowReads: true });
    expect(await refusedBy(twice, getObject)).toBe('not_after');
  });
});

describe('revocation', () => {
  it('revoking a child refuses it and its own children, while the parent keeps working', async () => {
    const t = await startTestSatellite();
    const { key, header } = createProject(t);
    const child = key.restrict({ disallowDeletes: true });
    const grandchild = child.restrict({ disallowWrites: true });
    expect((await list(t, headerOf(grandchild))).items).toEqual([]);

    await unary(t.metainfo, t.metainfo.revokeApiKey, { header, apiKey: child.rawBytes() });
    for (const revoked of [child, grandchild]) {
      expect(await rpcFailure(list(t, headerOf(revoked)))).toEqual({
        code: status.UNAUTHENTICATED,
        reason: Reason.API_KEY_REVOKED,
        details: 'API key revoked',
      });
    }
    expect((await list(t, header)).items).toEqual([]);
    expect(t.logs.some((l) => l.startsWith('API key revoked:'))).toBe(true);
    // Nothing secret in the log line.
    expect(t.logs.join('\n')).not.toContain(Buffer.from(child.tail()).toString('hex'));
  });

  it('lets a key revoke only keys derived from it', async () => {
    const t = await startTestSatellite();
    const { key, header } = createProject(t);
    const child = key.restrict({ disallowDeletes: true });
    const childHeader = headerOf(child);
    const denied = await rpcFailure(unary(t.metainfo, t.metainfo.revokeApiKey, { header: childHeader, apiKey: key.rawBytes() }));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(denied.reason).toBe(Reason.REVOKE_NOT_ALLOWED);
    const self = await rpcFailure(unary(t.metainfo, t.metainfo.revokeApiKey, { header: childHeader, apiKey: child.rawBytes() }));
    expect(self.code).toBe(status.PERMISSION_DENIED);
    const sibling = key.restrict({ disallowLists: true });
    expect((await rpcFailure(unary(t.metainfo, t.metainfo.revokeApiKey, { header: childHeader, apiKey: sibling.rawBytes() }))).code).toBe(
      status.PERMISSION_DENIED,
    );
    // Another project's key is not this satellite secret's to judge.
    const other = createProject(t, 'other');
    const foreign = await rpcFailure(
      unary(t.metainfo, t.metainfo.revokeApiKey, { header, apiKey: other.key.restrict({ disallowReads: true }).rawBytes() }),
    );
    expect(foreign.code).toBe(status.INVALID_ARGUMENT);
    const garbage = await rpcFailureInfo(unary(t.metainfo, t.metainfo.revokeApiKey, { header, apiKey: bytes('garbage') }));
    expect([garbage.code, garbage.reason, garbage.facts]).toEqual([status.INVALID_ARGUMENT, Reason.FIELD_INVALID, { field: 'api_key' }]);
    expect((await list(t, childHeader)).items).toEqual([]);
  });

  it('sees revocations written by another process (the revocation cache refreshes)', async () => {
    const t = await startTestSatellite();
    const { key } = createProject(t);
    const child = key.restrict({ disallowDeletes: true });
    expect((await list(t, headerOf(child))).items).toEqual([]);
    const other = openDatabase(join(t.dir, 'satellite.db'));
    other.revocations.add(child.tail(), Date.now());
    other.close();
    expect(await rpcFailure(list(t, headerOf(child)))).toEqual({
      code: status.UNAUTHENTICATED,
      reason: Reason.API_KEY_REVOKED,
      details: 'API key revoked',
    });
  });

  it('refuses every key of a deleted API key row', async () => {
    const t = await startTestSatellite();
    const { key, header } = createProject(t);
    const row = t.sat.db.apiKeys.byHead(key.head())!;
    t.sat.db.apiKeys.delete(row.id);
    expect((await rpcFailure(list(t, header))).reason).toBe(Reason.API_KEY_UNKNOWN);
    expect((await rpcFailure(list(t, headerOf(key.restrict({ disallowDeletes: true }))))).reason).toBe(Reason.API_KEY_UNKNOWN);
  });
});

describe('max object TTL caveat', () => {
  it('sets the expiry when none is given and refuses one beyond the TTL or in the past', async () => {
    const t = await startTestSatellite();
    const { key, header } = createProject(t);
    await unary(t.metainfo, t.metainfo.createBucket, { header, name: 'ttl' });
    const hour = 3600_000;
    const limited = headerOf(key.restrict({ maxObjectTtlMs: hour }));
    const begin = (expiresAt?: Date) =>
      unary(t.metainfo, t.metainfo.beginObject, {
        header: limited,
        bucket: 'ttl',
        encryptedObjectKey: bytes('obj'),
        expiresAt,
        encryptionParameters: undefined,
      });

    const before = Date.now();
    const begun = await begin();
    const row = t.sat.db.objects.byStream(begun.streamId)!;
    expect(row.expiresAt).toBeGreaterThanOrEqual(before + hour);
    expect(row.expiresAt).toBeLessThanOrEqual(Date.now() + hour);

    const tooLong = await rpcFailure(begin(new Date(Date.now() + 2 * hour)));
    expect(tooLong).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.FIELD_INVALID,
      details: "invalid expiration time, cannot be longer than 1h (the API key's max object TTL)",
    });
    const past = await rpcFailureInfo(begin(new Date(Date.now() - 1000)));
    expect(past).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.FIELD_INVALID,
      message: 'invalid expiration time, cannot be in the past',
      facts: { field: 'expires_at' },
    });
    const shorter = await begin(new Date(Date.now() + hour / 2));
    expect(t.sat.db.objects.byStream(shorter.streamId)!.expiresAt).toBeLessThan(Date.now() + hour / 2 + 1000);
  });
});
