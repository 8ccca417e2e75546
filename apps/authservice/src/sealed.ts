/**
 * How a record's secrets are kept at rest, as Storj's auth service keeps them: the access grant and the
 * secret key are each encrypted with AES-256-GCM under the 16 access-key bytes zero-padded to 32 bytes.
 * The nonces are fixed (all zeros for the secret key, 1 then zeros for the grant): every key encrypts
 * exactly these two messages, once each, so a fixed distinct nonce per message never repeats a (key, nonce).
 */
import { CipherSuite, decrypt, encrypt } from '@dcsim/crypto';

const NONCE_SIZE = 24; // Storj's nonce type; AES-GCM uses its first 12 bytes
const SECRET_NONCE = new Uint8Array(NONCE_SIZE);
const GRANT_NONCE = Uint8Array.from({ length: NONCE_SIZE }, (_, i) => (i === 0 ? 1 : 0));
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface Sealed {
  encryptedSecretKey: Uint8Array;
  encryptedAccessGrant: Uint8Array;
}

export function seal(accessKey: Uint8Array, secretKey: Uint8Array, accessGrant: string): Sealed {
  const key = storjKey(accessKey);
  return {
    encryptedSecretKey: encrypt(secretKey, CipherSuite.AESGCM, key, SECRET_NONCE),
    encryptedAccessGrant: encrypt(utf8.encode(accessGrant), CipherSuite.AESGCM, key, GRANT_NONCE),
  };
}

/** Throws (from the cipher) when the key is not the one the record was sealed with. */
export function unseal(accessKey: Uint8Array, sealed: Sealed): { secretKey: Uint8Array; accessGrant: string } {
  const key = storjKey(accessKey);
  return {
    secretKey: decrypt(sealed.encryptedSecretKey, CipherSuite.AESGCM, key, SECRET_NONCE),
    accessGrant: fromUtf8.decode(decrypt(sealed.encryptedAccessGrant, CipherSuite.AESGCM, key, GRANT_NONCE)),
  };
}

function storjKey(accessKey: Uint8Array): Uint8Array {
  const key = new Uint8Array(32);
  key.set(accessKey);
  return key;
}
