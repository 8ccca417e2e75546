import { describe, expect, it } from 'vitest';
import { CipherSuite, decrypt, decryptPath, Store } from '../src/encryption/index.js';
import { CryptoError } from '../src/errors.js';
import { parseAccess } from '../src/grant/index.js';
import { APIKey, decodeCaveat, parseMacaroon } from '../src/macaroon/index.js';

describe('errors', () => {
  const store = new Store({ defaultKey: new Uint8Array(32), defaultPathCipher: CipherSuite.AESGCM });
  it.each([
    ['access grant', () => parseAccess('1111')],
    ['API key', () => APIKey.parse('1111')],
    ['macaroon', () => parseMacaroon(new Uint8Array([9]))],
    ['caveat', () => decodeCaveat(new Uint8Array([0xff]))],
    ['ciphertext', () => decrypt(new Uint8Array(40), CipherSuite.AESGCM, new Uint8Array(32), new Uint8Array(24))],
    ['encrypted path', () => decryptPath('bucket', new Uint8Array([1, 2, 3]), CipherSuite.AESGCM, store)],
  ])('a bad %s is a CryptoError: one class catches anything from this package', (_, bad) => {
    expect(bad).toThrow(CryptoError);
  });
});
