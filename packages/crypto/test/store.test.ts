/** The Store's lookups, after storj/common encryption/store_test.go (ExampleStore, ExampleStore_SetDefaultKey). */
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '@dcsim/common/encoding';
import { CipherSuite, Store } from '../src/encryption/index.js';

const toKey = (s: string) => {
  const k = new Uint8Array(32);
  k.set(utf8Encode(s));
  return k;
};
const keyName = (k: Uint8Array) => Buffer.from(k.subarray(0, 2)).toString();

function exampleStore(defaultKey?: Uint8Array): Store {
  const s = new Store({ defaultKey });
  const add = (bucket: string, u: string, e: string, k: string) =>
    s.add({ bucket, unencryptedPath: u, encryptedPath: utf8Encode(e), key: toKey(k), pathCipher: CipherSuite.AESGCM });
  add('b1', 'u1/u2/u3', 'e1/e2/e3', 'k3');
  add('b1', 'u1/u2/u3/u4', 'e1/e2/e3/e4', 'k4');
  add('b1', 'u1/u5', 'e1/e5', 'k5');
  add('b1', 'u6', 'e6', 'k6');
  add('b1', 'u6/u7/u8', 'e6/e7/e8', 'k8');
  add('b2', 'u1', "e1'", 'k1');
  add('b3', '', '', 'm1');
  return s;
}

function unenc(s: Store, bucket: string, path: string) {
  const r = s.lookupUnencrypted(bucket, path);
  return (
    r && {
      remaining: r.remaining,
      base: [r.base.unencryptedPath, Buffer.from(r.base.encryptedPath).toString(), keyName(r.base.key), r.base.isDefault],
    }
  );
}

function enc(s: Store, bucket: string, path: string) {
  const r = s.lookupEncrypted(bucket, utf8Encode(path));
  return (
    r && {
      remaining: r.remaining.map((c) => Buffer.from(c).toString()),
      base: [r.base.unencryptedPath, Buffer.from(r.base.encryptedPath).toString(), keyName(r.base.key), r.base.isDefault],
    }
  );
}

describe('Store lookups', () => {
  it('pick the entry covering the most leading components (ExampleStore)', () => {
    const s = exampleStore();
    expect(unenc(s, 'b1', 'u1')).toBeUndefined();
    expect(unenc(s, 'b1', 'u1/u2/u3')).toEqual({ remaining: [], base: ['u1/u2/u3', 'e1/e2/e3', 'k3', false] });
    expect(unenc(s, 'b1', 'u1/u2/u3/u6')).toEqual({ remaining: ['u6'], base: ['u1/u2/u3', 'e1/e2/e3', 'k3', false] });
    expect(unenc(s, 'b1', 'u1/u2/u3/u4')).toEqual({ remaining: [], base: ['u1/u2/u3/u4', 'e1/e2/e3/e4', 'k4', false] });
    expect(unenc(s, 'b1', 'u6/u7')).toEqual({ remaining: ['u7'], base: ['u6', 'e6', 'k6', false] });
    expect(unenc(s, 'b2', 'u1')).toEqual({ remaining: [], base: ['u1', "e1'", 'k1', false] });
    expect(unenc(s, 'b3', '')).toEqual({ remaining: [], base: ['', '', 'm1', false] });
    expect(unenc(s, 'b3', 'z1')).toEqual({ remaining: ['z1'], base: ['', '', 'm1', false] });

    expect(enc(s, 'b1', 'e1')).toBeUndefined();
    expect(enc(s, 'b1', 'e1/e2/e3')).toEqual({ remaining: [], base: ['u1/u2/u3', 'e1/e2/e3', 'k3', false] });
    expect(enc(s, 'b1', 'e1/e2/e3/e6')).toEqual({ remaining: ['e6'], base: ['u1/u2/u3', 'e1/e2/e3', 'k3', false] });
    expect(enc(s, 'b1', 'e1/e2/e3/e4')).toEqual({ remaining: [], base: ['u1/u2/u3/u4', 'e1/e2/e3/e4', 'k4', false] });
    expect(enc(s, 'b1', 'e6/e7')).toEqual({ remaining: ['e7'], base: ['u6', 'e6', 'k6', false] });
    expect(enc(s, 'b2', "e1'")).toEqual({ remaining: [], base: ['u1', "e1'", 'k1', false] });
    expect(enc(s, 'b3', 'z1')).toEqual({ remaining: ['z1'], base: ['', '', 'm1', false] });
  });

  it('fall back to the default key with the whole path remaining (ExampleStore_SetDefaultKey)', () => {
    const s = new Store({ defaultKey: toKey('dk') });
    s.add({
      bucket: 'b1',
      unencryptedPath: 'u1/u2/u3',
      encryptedPath: utf8Encode('e1/e2/e3'),
      key: toKey('k3'),
      pathCipher: CipherSuite.AESGCM,
    });
    expect(unenc(s, 'b1', 'u1')).toEqual({ remaining: ['u1'], base: ['', '', 'dk', true] });
    expect(unenc(s, 'b1', 'u1/u2')).toEqual({ remaining: ['u1', 'u2'], base: ['', '', 'dk', true] });
    expect(unenc(s, 'b1', 'u1/u2/u3')).toEqual({ remaining: [], base: ['u1/u2/u3', 'e1/e2/e3', 'k3', false] });
    expect(unenc(s, 'b1', 'u1/u2/u3/u4')).toEqual({ remaining: ['u4'], base: ['u1/u2/u3', 'e1/e2/e3', 'k3', false] });
    expect(enc(s, 'b1', 'e1/e2')).toEqual({ remaining: ['e1', 'e2'], base: ['', '', 'dk', true] });
  });

  it('match whole components only, and keep an empty last component as remaining', () => {
    const s = exampleStore();
    expect(unenc(s, 'b1', 'u6x')).toBeUndefined();
    expect(unenc(s, 'b1', 'u6/')).toEqual({ remaining: [''], base: ['u6', 'e6', 'k6', false] });
  });

  it('iterate every entry (what a grant serializes) and clone deeply', () => {
    const s = exampleStore(toKey('dk'));
    const entries = s.list().map((e) => `${e.bucket}:${e.unencryptedPath}`);
    expect(entries.sort()).toEqual(['b1:u1/u2/u3', 'b1:u1/u2/u3/u4', 'b1:u1/u5', 'b1:u6', 'b1:u6/u7/u8', 'b2:u1', 'b3:'].sort());
    const copy = s.clone();
    expect(copy.list()).toEqual(s.list());
    copy.add({ bucket: 'b9', unencryptedPath: 'x', encryptedPath: utf8Encode('y'), key: toKey('k9') });
    expect(s.list().length).toBe(7);
    expect(copy.list().find((e) => e.bucket === 'b9')!.pathCipher).toBe(CipherSuite.AESGCM); // the store default
  });

  it('refuse inconsistent entries', () => {
    const s = exampleStore();
    const add = (u: string, e: string) =>
      s.add({ bucket: 'b1', unencryptedPath: u, encryptedPath: utf8Encode(e), key: toKey('kx'), pathCipher: CipherSuite.AESGCM });
    expect(() => add('u1/u2', 'e1')).toThrow(/different number of components/);
    expect(() => add('u1/zz', 'e1/e2')).toThrow(/conflicting/); // e2 already stands for u2
    expect(() => add('u1/u2', 'e1/zz')).toThrow(/conflicting/); // u2 already encrypts to e2
    expect(() => s.add({ bucket: 'b1', unencryptedPath: 'q', encryptedPath: utf8Encode('q'), key: new Uint8Array(16) })).toThrow(
      /16 bytes, want 32/,
    );
    expect(s.list().length).toBe(7);
  });
});
