import { describe, expect, it } from 'vitest';
import {
  CipherSuite, decryptPath, derivePathKey, encryptPath, encryptPrefix, escapeComponent, Store, unescapeComponent,
} from '../src/index.js';

const key = new Uint8Array(32).map((_, i) => i);
const store = (cipher: CipherSuite) => new Store({ defaultKey: key, defaultPathCipher: cipher });

describe('path encryption', () => {
  const paths = ['a', 'a/b/c', 'a/', '/', 'a//b', 'trailing/slash/', 'ünïcødé/パス', '.../..', 'x'.repeat(300)];

  it.each([CipherSuite.AESGCM, CipherSuite.Secretbox])('round-trips every path shape with cipher %i', (cipher) => {
    for (const path of paths) {
      const enc = encryptPath('bucket', path, undefined, store(cipher));
      expect(decryptPath('bucket', enc, undefined, store(cipher))).toBe(path);
      // Components are joined with '/', and escaping keeps '/' out of them.
      expect(enc.filter((b) => b === 0x2f).length).toBe(path.split('/').length - 1);
      expect(Buffer.from(enc).includes(Buffer.from(path.split('/').filter((c) => c.length > 2)[0] ?? '\u0000'))).toBe(false);
    }
  });

  it('is deterministic per bucket and path, and differs across buckets', () => {
    const s = store(CipherSuite.AESGCM);
    expect(encryptPath('b', 'x/y', undefined, s)).toEqual(encryptPath('b', 'x/y', undefined, s));
    expect(encryptPath('b', 'x/y', undefined, s)).not.toEqual(encryptPath('c', 'x/y', undefined, s));
  });

  it('leaves paths readable with the null cipher', () => {
    const enc = encryptPath('b', 'plain/key.txt', undefined, store(CipherSuite.Null));
    expect(Buffer.from(enc).toString()).toBe('plain/key.txt');
    expect(decryptPath('b', enc, undefined, store(CipherSuite.Null))).toBe('plain/key.txt');
  });

  it('decodes base64url components with null-base64url', () => {
    const s = store(CipherSuite.NullBase64URL);
    const enc = encryptPath('b', 'aGVsbG8=/d29ybGQ=', undefined, s);
    expect(Buffer.from(enc).toString()).toBe('hello/world');
    expect(decryptPath('b', enc, undefined, s)).toBe('aGVsbG8=/d29ybGQ=');
    expect(() => encryptPath('b', 'not base64!', undefined, s)).toThrow(/base64/);
  });

  it('encrypts a prefix so that it is a byte prefix of the keys below it', () => {
    const s = store(CipherSuite.AESGCM);
    const prefix = encryptPrefix('b', 'photos/2024/', undefined, s);
    const key = encryptPath('b', 'photos/2024/beach.jpg', undefined, s);
    expect(Buffer.from(key.subarray(0, prefix.length))).toEqual(Buffer.from(prefix));
  });

  it('refuses to decrypt with the wrong key', () => {
    const enc = encryptPath('b', 'secret/name', undefined, store(CipherSuite.AESGCM));
    const other = new Store({ defaultKey: new Uint8Array(32).fill(9), defaultPathCipher: CipherSuite.AESGCM });
    expect(() => decryptPath('b', enc, undefined, other)).toThrow(/authentication failed/);
  });

  it('needs a key for the bucket', () => {
    expect(() => encryptPath('b', 'x', undefined, new Store())).toThrow(/no encryption key/);
  });
});

describe('component escaping', () => {
  it('escapes every special byte and round-trips', () => {
    const raw = new Uint8Array([0x00, 0x01, 0x2e, 0x2f, 0xfe, 0xff, 0x41]);
    const esc = escapeComponent(raw);
    expect(Buffer.from(esc).toString('hex')).toBe('02' + '0101' + '0102' + '2e01' + '2e02' + 'fe01' + 'fe02' + '41');
    expect(unescapeComponent(esc)).toEqual(raw);
    expect(escapeComponent(new Uint8Array(0))).toEqual(new Uint8Array([1]));
    expect(unescapeComponent(new Uint8Array([1]))).toEqual(new Uint8Array(0));
  });

  it.each([[[]], [[3, 4]], [[1, 5]], [[2]], [[2, 0x2f]], [[2, 0x2e, 3]], [[2, 0x2e]]])('rejects malformed %j', (bytes) => {
    expect(() => unescapeComponent(new Uint8Array(bytes))).toThrow();
  });
});

describe('store with shared prefixes', () => {
  it('derives the same keys from a prefix entry as from the root, and nothing outside it', () => {
    const root = store(CipherSuite.AESGCM);
    const shared = new Store();
    shared.add({
      bucket: 'b',
      unencryptedPath: 'a/b',
      encryptedPath: encryptPath('b', 'a/b', undefined, root),
      key: derivePathKey('b', 'a/b', root),
      pathCipher: CipherSuite.AESGCM,
    });
    for (const path of ['a/b', 'a/b/c', 'a/b/c/d.txt']) {
      const enc = encryptPath('b', path, undefined, root);
      expect(encryptPath('b', path, undefined, shared)).toEqual(enc);
      expect(decryptPath('b', enc, undefined, shared)).toBe(path);
      expect(derivePathKey('b', path, shared)).toEqual(derivePathKey('b', path, root));
    }
    expect(() => encryptPath('b', 'a/c', undefined, shared)).toThrow(/no encryption key/);
    expect(() => encryptPath('other', 'a/b/c', undefined, shared)).toThrow(/no encryption key/);
    expect(() => decryptPath('b', encryptPath('b', 'a/x/y', undefined, root), undefined, shared)).toThrow(/no decryption key/);
  });
});
