import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, toHex, utf8Encode } from '@dcsim/common/encoding';
import {
  CipherSuite,
  decryptPath,
  derivePathKey,
  encryptPath,
  encryptPrefix,
  escapeComponent,
  MissingEncryptionBaseError,
  Store,
  unescapeComponent,
} from '../src/encryption/index.js';

const key = new Uint8Array(32).map((_, i) => i);
const rootStore = (cipher: CipherSuite) => new Store({ defaultKey: key, defaultPathCipher: cipher });
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

// storj/common path_test.go's shapes, plus a few of our own.
const SHAPES = [
  '',
  '/',
  '//',
  'file.txt',
  'file.txt/',
  'fold1/file.txt',
  'fold1/fold2/file.txt',
  '/fold1/fold2/fold3/file.txt',
  '/fold1/fold2/fold3/file.txt/',
  'a//b',
  'ünïcødé/パス/😀',
  '.../..',
  'x'.repeat(300),
];

describe('path encryption round trips', () => {
  it.each([CipherSuite.AESGCM, CipherSuite.Secretbox])('cipher %i: every shape, never ending in "/", one "/" per separator', (cipher) => {
    const store = rootStore(cipher);
    for (const path of SHAPES) {
      const enc = encryptPath('bucket', path, undefined, store);
      expect(decryptPath('bucket', enc, undefined, store)).toBe(path);
      if (path === '') expect(enc.length).toBe(0);
      else expect(enc[enc.length - 1]).not.toBe(0x2f); // even an empty last component is encrypted (it carries its nonce)
      expect(enc.filter((b) => b === 0x2f).length).toBe(path === '' ? 0 : path.split('/').length - 1);
    }
  });

  it.each([CipherSuite.AESGCM, CipherSuite.Secretbox, CipherSuite.Null])(
    'cipher %i: control bytes and dots in plaintext components',
    (cipher) => {
      const store = rootStore(cipher);
      const path = '\u0000/\u0001/./../\u00fe\u00ff/\u0000\u0001.\u00fe\u00ff//';
      const enc = encryptPath('bucket', path, undefined, store);
      expect(decryptPath('bucket', enc, undefined, store)).toBe(path);
      if (cipher !== CipherSuite.Null) expect(enc.some((b) => b === 0x00 || b === 0xff)).toBe(false);
    },
  );

  it('hides every component and is deterministic per bucket', () => {
    const s = rootStore(CipherSuite.AESGCM);
    const enc = encryptPath('b', 'secret-folder/secret-file.txt', undefined, s);
    expect(text(enc)).not.toContain('secret');
    expect(encryptPath('b', 'secret-folder/secret-file.txt', undefined, s)).toEqual(enc);
    expect(encryptPath('c', 'secret-folder/secret-file.txt', undefined, s)).not.toEqual(enc);
    // The same name in another folder encrypts differently: each key depends on the components above it.
    const [, file] = text(enc).split('/');
    expect(text(encryptPath('b', 'other/secret-file.txt', undefined, s)).split('/')[1]).not.toBe(file);
  });

  it('AES-GCM components are 0x02 ‖ escape(12-byte nonce ‖ ciphertext ‖ tag); secretbox keeps 24 nonce bytes', () => {
    const gcm = unescapeComponent(encryptPath('b', 'abc', CipherSuite.AESGCM, rootStore(CipherSuite.AESGCM)));
    expect(gcm.length).toBe(12 + 3 + 16);
    const box = unescapeComponent(encryptPath('b', 'abc', CipherSuite.Secretbox, rootStore(CipherSuite.AESGCM)));
    expect(box.length).toBe(24 + 16 + 3);
    // An empty component is its nonce alone: Storj's Encrypt leaves empty data empty, without a tag.
    const empty = encryptPath('b', '/', undefined, rootStore(CipherSuite.AESGCM));
    expect(
      text(empty)
        .split('/')
        .map((c) => unescapeComponent(Buffer.from(c, 'latin1')).length),
    ).toEqual([12, 12]);
  });

  it('null cipher: the path as is', () => {
    const s = rootStore(CipherSuite.Null);
    for (const path of SHAPES) {
      const enc = encryptPath('b', path, undefined, s);
      expect(Buffer.from(enc).toString()).toBe(path);
      expect(decryptPath('b', enc, undefined, s)).toBe(path);
    }
  });

  it('null-base64url: padded base64url components decode to their bytes and back', () => {
    const s = rootStore(CipherSuite.NullBase64URL);
    const raw = new Uint8Array([0x00, 0x01, 0x2e, 0xfe, 0xff]);
    const path = `${toBase64Url(utf8Encode('hello'))}/${toBase64Url(raw)}/`;
    const enc = encryptPath('b', path, undefined, s);
    expect(toHex(enc)).toBe(toHex(utf8Encode('hello')) + '2f' + toHex(raw) + '2f');
    expect(decryptPath('b', enc, undefined, s)).toBe(path);
    expect(() => encryptPath('b', 'not base64!', undefined, s)).toThrow(/base64/);
    expect(() => encryptPath('b', 'aGVsbG8', undefined, s)).toThrow(/base64/); // Go's URLEncoding wants padding
    expect(fromBase64Url('aGVsbG8')).toEqual(utf8Encode('hello'));
  });

  it('an explicit cipher overrides the store cipher', () => {
    const s = rootStore(CipherSuite.AESGCM);
    const enc = encryptPath('b', 'x/y', CipherSuite.Null, s);
    expect(Buffer.from(enc).toString()).toBe('x/y');
    expect(decryptPath('b', encryptPath('b', 'x/y', CipherSuite.Secretbox, s), CipherSuite.Secretbox, s)).toBe('x/y');
  });

  it('refuses the wrong key and tampered components with clear errors', () => {
    const enc = encryptPath('b', 'secret/name', undefined, rootStore(CipherSuite.AESGCM));
    const other = new Store({ defaultKey: new Uint8Array(32).fill(9), defaultPathCipher: CipherSuite.AESGCM });
    expect(() => decryptPath('b', enc, undefined, other)).toThrow(/authentication failed/);
    const tampered = enc.slice();
    tampered[5] ^= 0x40;
    expect(() => decryptPath('b', tampered, undefined, rootStore(CipherSuite.AESGCM))).toThrow();
    expect(() => decryptPath('b', new Uint8Array([0x03, 0x41]), undefined, rootStore(CipherSuite.AESGCM))).toThrow(
      /invalid path component prefix/,
    );
    expect(() => decryptPath('b', new Uint8Array([0x02, 0x41]), undefined, rootStore(CipherSuite.AESGCM))).toThrow(/nonce bytes/);
  });

  it('needs a key for the bucket', () => {
    expect(() => encryptPath('b', 'x', undefined, new Store())).toThrow(MissingEncryptionBaseError);
    expect(encryptPath('b', '', undefined, new Store())).toEqual(new Uint8Array(0)); // the empty path maps to itself
  });
});

describe('encryptPrefix', () => {
  const s = rootStore(CipherSuite.AESGCM);

  it('with a trailing "/" is a byte prefix of every key below it, and ends in "/"', () => {
    const prefix = encryptPrefix('b', 'photos/2024/', undefined, s);
    expect(prefix[prefix.length - 1]).toBe(0x2f);
    for (const path of ['photos/2024/beach.jpg', 'photos/2024/a/b/c', 'photos/2024/']) {
      const full = encryptPath('b', path, undefined, s);
      expect(toHex(full.subarray(0, prefix.length))).toBe(toHex(prefix));
    }
    expect(decryptPath('b', prefix.subarray(0, -1), undefined, s)).toBe('photos/2024');
  });

  it('without one, encrypts the last component whole: a prefix of that key and its subtree only', () => {
    const prefix = encryptPrefix('b', 'photos/20', undefined, s);
    expect(prefix).toEqual(encryptPath('b', 'photos/20', undefined, s));
    const sibling = encryptPath('b', 'photos/2024/x', undefined, s);
    expect(toHex(sibling.subarray(0, prefix.length))).not.toBe(toHex(prefix));
  });

  it('keeps Storj edge cases: "" → "", "/" → "/"', () => {
    expect(encryptPrefix('b', '', undefined, s)).toEqual(new Uint8Array(0));
    expect(Array.from(encryptPrefix('b', '/', undefined, s))).toEqual([0x2f]);
  });

  it.each([CipherSuite.AESGCM, CipherSuite.Secretbox, CipherSuite.Null])('round-trips Storj prefix shapes with cipher %i', (cipher) => {
    const store = rootStore(cipher);
    for (const path of SHAPES) {
      const enc = encryptPrefix('bucket', path, undefined, store);
      expect(enc[enc.length - 1] === 0x2f).toBe(path.endsWith('/'));
      expect(decryptPath('bucket', enc, undefined, store)).toBe(path);
    }
  });
});

describe('component escaping', () => {
  it('escapes 00 01 2e 2f fe ff and leaves other bytes alone', () => {
    const raw = new Uint8Array([0x00, 0x01, 0x2e, 0x2f, 0xfe, 0xff, 0x41, 0x02]);
    const esc = escapeComponent(raw);
    expect(toHex(esc)).toBe('02' + '0101' + '0102' + '2e01' + '2e02' + 'fe01' + 'fe02' + '41' + '02');
    expect(unescapeComponent(esc)).toEqual(raw);
    expect(escapeComponent(new Uint8Array(0))).toEqual(new Uint8Array([1]));
    expect(unescapeComponent(new Uint8Array([1]))).toEqual(new Uint8Array(0));
  });

  it('round-trips every byte value, and never emits 00, ff or 2f', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const esc = escapeComponent(all);
    expect(esc.some((b) => b === 0x00 || b === 0xff || b === 0x2f)).toBe(false);
    expect(unescapeComponent(esc)).toEqual(all);
  });

  it.each([[[]], [[3, 4]], [[1, 5]], [[2]], [[2, 0x2f]], [[2, 0x00]], [[2, 0xff]], [[2, 0x2e, 3]], [[2, 0x2e]], [[2, 0x41, 0x01]]])(
    'rejects malformed %j',
    (bytes) => {
      expect(() => unescapeComponent(new Uint8Array(bytes))).toThrow();
    },
  );
});

describe('keys from a store with prefix entries', () => {
  it('derive the same keys and encrypted paths as the root, for the subtree only', () => {
    const root = rootStore(CipherSuite.AESGCM);
    const shared = new Store();
    shared.add({
      bucket: 'b',
      unencryptedPath: 'a/b',
      encryptedPath: encryptPath('b', 'a/b', undefined, root),
      key: derivePathKey('b', 'a/b', root),
      pathCipher: CipherSuite.AESGCM,
    });
    for (const path of ['a/b', 'a/b/', 'a/b/c', 'a/b/c/d.txt', 'a/b//x']) {
      const enc = encryptPath('b', path, undefined, root);
      expect(encryptPath('b', path, undefined, shared)).toEqual(enc);
      expect(decryptPath('b', enc, undefined, shared)).toBe(path);
      expect(derivePathKey('b', path, shared)).toEqual(derivePathKey('b', path, root));
    }
    expect(() => encryptPath('b', 'a/c', undefined, shared)).toThrow(/no encryption key/);
    expect(() => encryptPath('b', 'a', undefined, shared)).toThrow(/no encryption key/);
    expect(() => encryptPath('other', 'a/b/c', undefined, shared)).toThrow(/no encryption key/);
    expect(() => decryptPath('b', encryptPath('b', 'a/x/y', undefined, root), undefined, shared)).toThrow(/no decryption key/);
  });

  it('a bucket-wide entry equals the root key for that bucket (TestStoreEncryption_BucketRoot)', () => {
    const root = rootStore(CipherSuite.Secretbox);
    const bucket = new Store();
    bucket.add({
      bucket: 'b',
      unencryptedPath: '',
      encryptedPath: new Uint8Array(0),
      key: derivePathKey('b', '', root),
      pathCipher: CipherSuite.Secretbox,
    });
    for (const path of SHAPES) expect(encryptPath('b', path, undefined, bucket)).toEqual(encryptPath('b', path, undefined, root));
  });

  it('the entry decides the cipher below it', () => {
    const root = rootStore(CipherSuite.AESGCM);
    const s = new Store({ defaultKey: key, defaultPathCipher: CipherSuite.AESGCM });
    s.add({
      bucket: 'b',
      unencryptedPath: 'open',
      encryptedPath: utf8Encode('open'),
      key: derivePathKey('b', 'open', root),
      pathCipher: CipherSuite.Null,
    });
    expect(Buffer.from(encryptPath('b', 'open/file', undefined, s)).toString()).toBe('open/file');
    expect(text(encryptPath('b', 'closed/file', undefined, s))).not.toContain('closed');
  });

  it('encryption bypass: paths are null-base64url whatever the entry says', () => {
    const s = new Store({ defaultKey: key, encryptionBypass: true });
    const path = toBase64Url(new Uint8Array([1, 2, 3, 0xff]));
    expect(encryptPath('b', path, undefined, s)).toEqual(new Uint8Array([1, 2, 3, 0xff]));
    expect(s.lookupUnencrypted('b', 'x')!.base.pathCipher).toBe(CipherSuite.NullBase64URL);
  });
});
