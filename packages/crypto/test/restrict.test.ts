import { describe, expect, it } from 'vitest';
import { CipherSuite, Store, decryptPath, derivePathKey, encryptPath } from '../src/encryption/index.js';
import {
  collapsePrefixes,
  limitStore,
  parseAccess,
  restrictAccess,
  serializeAccess,
  type AccessGrant,
  type Permission,
} from '../src/grant/index.js';
import { APIKey, ActionType, serializeMacaroon, type Caveat } from '../src/macaroon/index.js';

const utf8 = new TextEncoder();
const secret = new Uint8Array(32).fill(7);
const rootKey = Uint8Array.from({ length: 32 }, (_, i) => i);
const full: Permission = { allowDownload: true, allowUpload: true, allowList: true, allowDelete: true };

function grantWith(cipher = CipherSuite.AESGCM): AccessGrant {
  return {
    satelliteAddress: '1sat@127.0.0.1:7777',
    apiKey: APIKey.generate(secret),
    encAccess: { store: new Store({ defaultKey: rootKey, defaultPathCipher: cipher }) },
  };
}

/** Does the satellite let `grant` do `op` on this object? */
function allowed(grant: AccessGrant, op: ActionType, bucket: string, encryptedPath: Uint8Array, time = new Date()): boolean {
  try {
    grant.apiKey.check(secret, { op, bucket: utf8.encode(bucket), encryptedPath, time });
    return true;
  } catch {
    return false;
  }
}

/** Through the wire and back, as a grant handed to someone else arrives. */
const reparse = (g: AccessGrant) => parseAccess(serializeAccess(g));

describe('restrictAccess', () => {
  const parent = grantWith();
  const root = parent.encAccess.store;
  const enc = (bucket: string, path: string) => encryptPath(bucket, path, undefined, root);

  it('builds the caveat Storj builds: operations, lock flags, encrypted prefixes, a 4-byte nonce', () => {
    const child = restrictAccess(parent, { allowDownload: true, allowList: true }, [
      { bucket: 'b', prefix: 'a/b/' },
      { bucket: 'c', prefix: '' },
    ]);
    const [caveat] = child.apiKey.caveats();
    expect(caveat.nonce).toHaveLength(4);
    const { nonce: _nonce, ...rest } = caveat;
    expect(rest).toEqual({
      disallowWrites: true,
      disallowDeletes: true,
      disallowLocks: true,
      disallowPutRetention: true,
      disallowGetRetention: true,
      disallowPutLegalHold: true,
      disallowGetLegalHold: true,
      disallowBypassGovernanceRetention: true,
      disallowPutBucketObjectLockConfiguration: true,
      disallowGetBucketObjectLockConfiguration: true,
      disallowPutBucketNotificationConfiguration: true,
      disallowGetBucketNotificationConfiguration: true,
      // "a/b/" shares "a/b": the trailing '/' is dropped, not encrypted as an empty component; '' is the whole bucket.
      allowedPaths: [{ bucket: utf8.encode('b'), encryptedPathPrefix: enc('b', 'a/b') }, { bucket: utf8.encode('c') }],
    });
  });

  it('gives the child only the keys at the shared prefixes, and the satellite enforces the rest', () => {
    const child = reparse(restrictAccess(parent, { allowDownload: true, allowList: true }, [{ bucket: 'b', prefix: 'a/b/' }]));
    const store = child.encAccess.store;
    expect(store.defaultKey).toBeUndefined();
    expect(store.list()).toEqual([
      {
        bucket: 'b',
        unencryptedPath: 'a/b',
        encryptedPath: enc('b', 'a/b'),
        key: derivePathKey('b', 'a/b', root),
        pathCipher: CipherSuite.AESGCM,
      },
    ]);
    const inside = enc('b', 'a/b/c.txt');
    const outside = enc('b', 'a/x.txt');
    expect(encryptPath('b', 'a/b/c.txt', undefined, store)).toEqual(inside);
    expect(decryptPath('b', inside, undefined, store)).toBe('a/b/c.txt');
    expect(() => decryptPath('b', outside, undefined, store)).toThrow();
    expect(() => encryptPath('other', 'a/b/c.txt', undefined, store)).toThrow();

    expect(allowed(child, ActionType.Read, 'b', inside)).toBe(true);
    expect(allowed(child, ActionType.List, 'b', enc('b', 'a/b'))).toBe(true);
    expect(allowed(child, ActionType.Write, 'b', inside)).toBe(false);
    expect(allowed(child, ActionType.Delete, 'b', inside)).toBe(false);
    expect(allowed(child, ActionType.Read, 'b', outside)).toBe(false);
    expect(allowed(child, ActionType.Read, 'other', inside)).toBe(false);
  });

  it('shares a whole bucket with the prefix ""', () => {
    const child = reparse(restrictAccess(parent, full, [{ bucket: 'b', prefix: '' }]));
    expect(child.encAccess.store.list()).toEqual([
      {
        bucket: 'b',
        unencryptedPath: '',
        encryptedPath: new Uint8Array(0),
        key: derivePathKey('b', '', root),
        pathCipher: CipherSuite.AESGCM,
      },
    ]);
    expect(decryptPath('b', enc('b', 'x/y'), undefined, child.encAccess.store)).toBe('x/y');
    expect(allowed(child, ActionType.Write, 'b', enc('b', 'x/y'))).toBe(true);
    expect(allowed(child, ActionType.Write, 'c', enc('c', 'x/y'))).toBe(false);
  });

  it('keeps the default key when no prefix is shared', () => {
    const child = reparse(restrictAccess(parent, { allowList: true }));
    expect(child.encAccess.store.defaultKey).toEqual(rootKey);
    expect(child.encAccess.store).not.toBe(root);
  });

  it('enforces the time window and carries the max object TTL', () => {
    const now = Date.now();
    const child = reparse(
      restrictAccess(parent, { ...full, notBefore: new Date(now + 60_000), notAfter: new Date(now + 120_000), maxObjectTtlMs: 3_600_000 }),
    );
    const path = enc('b', 'k');
    expect(allowed(child, ActionType.Read, 'b', path, new Date(now))).toBe(false);
    expect(allowed(child, ActionType.Read, 'b', path, new Date(now + 90_000))).toBe(true);
    expect(allowed(child, ActionType.Read, 'b', path, new Date(now + 180_000))).toBe(false);
    expect(child.apiKey.caveats()[0].maxObjectTtlMs).toBe(3_600_000);
  });

  it('gives identical shares distinct tails (the nonce), so each can be revoked alone', () => {
    const a = restrictAccess(parent, { allowList: true });
    const b = restrictAccess(parent, { allowList: true });
    expect(a.apiKey.tail()).not.toEqual(b.apiKey.tail());
  });

  it('refuses what Storj refuses', () => {
    const now = new Date();
    expect(() => restrictAccess(parent, {})).toThrow(/^permission is empty$/);
    expect(() => restrictAccess(parent, { allowList: true, notBefore: now, notAfter: new Date(now.getTime() - 1) })).toThrow(
      /invalid time range/,
    );
    expect(() => restrictAccess(parent, { allowList: true, maxObjectTtlMs: 0 })).toThrow(/non-positive ttl period/);
    expect(() => restrictAccess(parent, { allowList: true, notAfter: new Date('nonsense') })).toThrow(/invalid not-after time/);
    const keyless = { ...parent, encAccess: { store: new Store() } };
    expect(() => restrictAccess(keyless, full, [{ bucket: 'b', prefix: 'p' }])).toThrow(/cannot share sj:\/\/b\/p: /);
    // A time window alone is a valid permission: it allows no operation.
    const windowOnly = restrictAccess(parent, { notAfter: new Date(now.getTime() + 60_000) });
    expect(allowed(windowOnly, ActionType.Read, 'b', enc('b', 'k'))).toBe(false);
  });
});

describe('restricting only narrows', () => {
  const parent = grantWith();
  const root = parent.encAccess.store;
  const enc = (bucket: string, path: string) => encryptPath(bucket, path, undefined, root);

  it('cannot regain operations', () => {
    const readOnly = restrictAccess(parent, { allowDownload: true, allowList: true });
    const widened = reparse(restrictAccess(readOnly, full));
    expect(allowed(widened, ActionType.Write, 'b', enc('b', 'k'))).toBe(false);
    expect(allowed(widened, ActionType.Read, 'b', enc('b', 'k'))).toBe(true);
  });

  it('cannot regain keys or paths by restricting again without prefixes', () => {
    const shared = restrictAccess(parent, full, [{ bucket: 'b', prefix: 'a' }]);
    const again = reparse(restrictAccess(shared, { allowDownload: true }));
    expect(again.encAccess.store.defaultKey).toBeUndefined();
    expect(again.encAccess.store.list().map((e) => e.unencryptedPath)).toEqual(['a']);
    expect(allowed(again, ActionType.Read, 'b', enc('b', 'x'))).toBe(false);
    expect(allowed(again, ActionType.Read, 'b', enc('b', 'a/x'))).toBe(true);
  });

  it('narrows to the deeper prefix, and to nothing for disjoint ones', () => {
    const shared = restrictAccess(parent, full, [{ bucket: 'b', prefix: 'a' }]);
    const deeper = reparse(restrictAccess(shared, full, [{ bucket: 'b', prefix: 'a/c' }]));
    expect(deeper.encAccess.store.list().map((e) => e.unencryptedPath)).toEqual(['a/c']);
    expect(deeper.encAccess.store.list()[0].key).toEqual(derivePathKey('b', 'a/c', root));
    expect(allowed(deeper, ActionType.Read, 'b', enc('b', 'a/c/x'))).toBe(true);
    expect(allowed(deeper, ActionType.Read, 'b', enc('b', 'a/x'))).toBe(false);

    // The child has no key for "z", so it cannot even name it; a hand-made caveat with the right bytes gains nothing.
    expect(() => restrictAccess(shared, full, [{ bucket: 'b', prefix: 'z' }])).toThrow(/cannot share sj:\/\/b\/z/);
    const handMade = shared.apiKey.restrict({ allowedPaths: [{ bucket: utf8.encode('b'), encryptedPathPrefix: enc('b', 'z') }] });
    const disjoint = reparse({ ...shared, apiKey: handMade });
    expect(disjoint.encAccess.store.list()).toEqual([]);
    expect(allowed(disjoint, ActionType.Read, 'b', enc('b', 'z/x'))).toBe(false);
    expect(allowed(disjoint, ActionType.Read, 'b', enc('b', 'a/x'))).toBe(false);
  });

  it('follows Storj TestRestrict (null path cipher, so encrypted = unencrypted)', () => {
    const nullGrant = grantWith(CipherSuite.Null);
    const p1 = utf8.encode('prefix1/path1');
    const p2 = utf8.encode('prefix2/path2');
    let r = restrictAccess(nullGrant, { ...full, notAfter: new Date(Date.now() + 7_200_000) });
    expect(allowed(r, ActionType.Read, 'bucket', p1) && allowed(r, ActionType.Read, 'bucket', p2)).toBe(true);
    expect(r.encAccess.store.lookupEncrypted('bucket', p1)?.base.isDefault).toBe(true);

    r = restrictAccess(r, full, [{ bucket: 'bucket', prefix: 'prefix1' }]);
    expect(allowed(r, ActionType.Read, 'bucket', p1)).toBe(true);
    expect(allowed(r, ActionType.Read, 'bucket', p2)).toBe(false);
    const base = r.encAccess.store.lookupEncrypted('bucket', p1)!.base;
    expect(base.isDefault).toBe(false);
    expect(base.key).not.toEqual(rootKey);
    expect(base.unencryptedPath).toBe('prefix1');
    expect(new TextDecoder().decode(base.encryptedPath)).toBe('prefix1');
    expect(r.encAccess.store.lookupEncrypted('bucket', p2)).toBeUndefined();

    r = restrictAccess(r, { ...full, notAfter: new Date(Date.now() + 3_600_000) });
    expect(allowed(r, ActionType.Read, 'bucket', p1)).toBe(true);
    expect(allowed(r, ActionType.Read, 'bucket', p2)).toBe(false);
    expect(r.encAccess.store.lookupEncrypted('bucket', p1)!.base.unencryptedPath).toBe('prefix1');
    expect(r.encAccess.store.lookupEncrypted('bucket', p2)).toBeUndefined();
  });
});

describe('limitStore (Storj LimitTo)', () => {
  // Storj's TestLimitTo table: "bucket|path", or "path" in the bucket "bucket"; null cipher, so paths are plain.
  const split = (s: string): [string, string] => (s.includes('|') ? (s.split('|') as [string, string]) : ['bucket', s]);
  const toCaveat = (group: string[]): Caveat => ({
    allowedPaths: group.map((s) => ({ bucket: utf8.encode(split(s)[0]), encryptedPathPrefix: utf8.encode(split(s)[1]) })),
  });
  const table: { groups: string[][]; valid: string[]; invalid: string[] }[] = [
    { groups: [], valid: ['a', 'b', 'c', 'a/a', 'b/b', 'c/c'], invalid: [] },
    { groups: [['a']], valid: ['a', 'a/b', 'a/b/c'], invalid: ['b', 'b/a', 'c/a'] },
    {
      groups: [
        ['a', 'f'],
        ['c', 'a/b', 'f/e'],
        ['a/b/c', 'c', 'f'],
      ],
      valid: ['a/b/c', 'a/b/c/d', 'f/e', 'f/e/e'],
      invalid: ['a', 'a/b', 'f', 'c', 'c/d'],
    },
    {
      groups: [
        ['bucket1|', 'bucket2|', 'bucket3|'],
        ['bucket2|', 'bucket3|', 'bucket4|'],
      ],
      valid: ['bucket2|anything/here', 'bucket3|', 'bucket3|whatever'],
      invalid: ['bucket1|', 'bucket1|path/ignored', 'bucket4|huh', 'bucket5|'],
    },
    {
      groups: [
        ['b1|p1', 'b1|p2', 'b2|p3', 'b2|p4'],
        ['b1|p1', 'b1|p2', 'b2|p3'],
      ],
      valid: ['b1|p1', 'b1|p1/whatever', 'b1|p2', 'b2|p3/foo'],
      invalid: ['b3|', 'b2|p4', 'b1|p3'],
    },
  ];
  it.each(table.map((t, i) => [i, t] as const))('case %i', (_i, t) => {
    const apiKey = t.groups.reduce((k, g) => k.restrict(toCaveat(g)), APIKey.generate(new Uint8Array(0)));
    const store = limitStore(new Store({ defaultKey: new Uint8Array(32), defaultPathCipher: CipherSuite.Null }), apiKey);
    for (const v of t.valid) expect(store.lookupEncrypted(split(v)[0], utf8.encode(split(v)[1])), v).toBeDefined();
    for (const v of t.invalid) expect(store.lookupEncrypted(split(v)[0], utf8.encode(split(v)[1])), v).toBeUndefined();
  });

  it('returns the same store when no caveat restricts paths, and no keys when a caveat does not decode', () => {
    const store = new Store({ defaultKey: rootKey });
    expect(limitStore(store, APIKey.generate(secret).restrict({ disallowWrites: true }))).toBe(store);
    expect(collapsePrefixes([{ disallowWrites: true }])).toBeUndefined();
    const broken = APIKey.fromBytes(serializeMacaroon(APIKey.generate(secret).macaroon.addFirstPartyCaveat(new Uint8Array([0x0a, 0x09]))));
    const limited = limitStore(store, broken);
    expect(limited.defaultKey).toBeUndefined();
    expect(limited.list()).toEqual([]);
  });
});
