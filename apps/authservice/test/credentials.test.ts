import { describe, expect, it } from 'vitest';
import { accessKeyIdText, CredentialError, keyHash, newAccessKey, newSecretKey, parseAccessKeyId, secretKeyText } from '../src/credentials.js';
import { seal, unseal } from '../src/sealed.js';

describe('credentials in Storj text form', () => {
  it('writes access key IDs as 28 and secret keys as 53 lowercase base32 characters with version bytes 77 and 78', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i);
    const id = accessKeyIdText(key);
    expect(id).toMatch(/^[a-z2-7]{28}$/);
    // Version byte 77 = 0b01001101: the first five bits 01001 are base32 'j'.
    expect(id[0]).toBe('j');
    expect(parseAccessKeyId(id)).toEqual(key);
    expect(parseAccessKeyId(id.toUpperCase())).toEqual(key);
    const secret = secretKeyText(newSecretKey());
    expect(secret).toMatch(/^[a-z2-7]{53}$/);
    // 78 = 0b01001110: also 'j', then the next bits differ from an access key's.
    expect(secret[0]).toBe('j');
  });

  it('refuses key IDs of the wrong length, alphabet or version, naming the problem', () => {
    const id = accessKeyIdText(newAccessKey());
    expect(() => parseAccessKeyId(id.slice(1))).toThrow(new CredentialError('access key ID must be 28 characters, not 27'));
    expect(() => parseAccessKeyId(`${id.slice(0, 27)}1`)).toThrow(/not base32/);
    expect(() => parseAccessKeyId(secretKeyText(newSecretKey()).slice(0, 28))).toThrow(/unknown version/);
  });

  it('finds records by a hash of the key, and seals under the key itself', () => {
    const key = newAccessKey();
    expect(keyHash(key)).toHaveLength(32);
    expect(keyHash(key)).not.toEqual(keyHash(newAccessKey()));
    const secret = newSecretKey();
    const sealed = seal(key, secret, 'the grant');
    expect(unseal(key, sealed)).toEqual({ secretKey: secret, accessGrant: 'the grant' });
    expect(() => unseal(newAccessKey(), sealed)).toThrow();
  });
});
