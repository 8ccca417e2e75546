/**
 * One-shot encryption by cipher suite (storj/common encryption/encryption.go Encrypt, Decrypt, EncryptKey,
 * DecryptKey). As in Storj, empty input stays empty (no tag), and the null suite returns data unchanged.
 * Used for path components, inline segments, metadata and the keys that protect content.
 */
import { decryptAESGCM, encryptAESGCM } from './aesgcm.js';
import { CipherSuite, KEY_SIZE, NONCE_SIZE, cipherSuiteName } from './cipher.js';
import { CryptoError } from '../errors.js';
import { DecryptionError } from './errors.js';
import { decryptSecretbox, encryptSecretbox } from './secretbox.js';

function unsupported(suite: CipherSuite): CryptoError {
  if (suite === CipherSuite.NullBase64URL) return new CryptoError('base64 encoding not supported for this operation');
  return new CryptoError(`encryption type ${cipherSuiteName(suite)} is not supported`);
}

export function encrypt(data: Uint8Array, suite: CipherSuite, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  switch (suite) {
    case CipherSuite.Null:
      return data;
    case CipherSuite.AESGCM:
      return encryptAESGCM(data, key, nonce);
    case CipherSuite.Secretbox:
      return encryptSecretbox(data, key, nonce);
    default:
      throw unsupported(suite);
  }
}

export function decrypt(data: Uint8Array, suite: CipherSuite, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  switch (suite) {
    case CipherSuite.Null:
      return data;
    case CipherSuite.AESGCM:
      return decryptAESGCM(data, key, nonce);
    case CipherSuite.Secretbox:
      return decryptSecretbox(data, key, nonce);
    default:
      throw unsupported(suite);
  }
}

/**
 * Seals a 32-byte key (a segment's content key, an object's metadata key) under another key. `suite` is
 * the object's *content* cipher (AES-GCM by default, whatever the path cipher), as uplink passes it; with
 * the null suite the key is stored as is, exactly as Storj would.
 */
export function encryptKey(toEncrypt: Uint8Array, suite: CipherSuite, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (toEncrypt.length !== KEY_SIZE) throw new CryptoError(`key to encrypt is ${toEncrypt.length} bytes, want ${KEY_SIZE}`);
  if (nonce.length !== NONCE_SIZE) throw new CryptoError(`key nonce is ${nonce.length} bytes, want ${NONCE_SIZE}`);
  return encrypt(toEncrypt, suite, key, nonce);
}

export function decryptKey(encrypted: Uint8Array, suite: CipherSuite, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (nonce.length !== NONCE_SIZE) throw new DecryptionError(`key nonce is ${nonce.length} bytes, want ${NONCE_SIZE}`);
  const plain = decrypt(encrypted, suite, key, nonce);
  if (plain.length !== KEY_SIZE) throw new DecryptionError(`decrypted key is ${plain.length} bytes, want ${KEY_SIZE}`);
  return plain;
}
