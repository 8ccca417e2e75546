/**
 * The two authenticated ciphers Storj uses, behind one pair of functions. AES-GCM runs on Node's crypto
 * (about 15x faster than pure JS here); secretbox (XSalsa20-Poly1305) on @noble/ciphers.
 */
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { AESGCM_NONCE_SIZE, CipherSuite, CryptoError, NONCE_SIZE, TAG_SIZE, cipherSuiteName } from './cipher.js';

export class DecryptionError extends CryptoError {
  override name = 'DecryptionError';
}

export function encryptAESGCM(data: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, nonce.subarray(0, AESGCM_NONCE_SIZE));
  const out = new Uint8Array(data.length + TAG_SIZE);
  out.set(cipher.update(data), 0);
  cipher.final();
  out.set(cipher.getAuthTag(), data.length);
  return out;
}

export function decryptAESGCM(data: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (data.length < TAG_SIZE) throw new DecryptionError('ciphertext shorter than its authentication tag');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce.subarray(0, AESGCM_NONCE_SIZE));
  decipher.setAuthTag(data.subarray(data.length - TAG_SIZE));
  const plain = decipher.update(data.subarray(0, data.length - TAG_SIZE));
  try {
    decipher.final();
  } catch {
    throw new DecryptionError('authentication failed: wrong key or corrupted data');
  }
  return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
}

export function encryptSecretbox(data: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  // Storj's secretbox.Seal output is tag ‖ ciphertext, as is @noble's.
  return xsalsa20poly1305(key, nonce.subarray(0, NONCE_SIZE)).encrypt(data);
}

export function decryptSecretbox(data: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  try {
    return xsalsa20poly1305(key, nonce.subarray(0, NONCE_SIZE)).decrypt(data);
  } catch {
    throw new DecryptionError('authentication failed: wrong key or corrupted data');
  }
}

/** Encrypt with the given suite; null suites return the data unchanged. */
export function encrypt(data: Uint8Array, suite: CipherSuite, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  switch (suite) {
    case CipherSuite.AESGCM:
      return encryptAESGCM(data, key, nonce);
    case CipherSuite.Secretbox:
      return encryptSecretbox(data, key, nonce);
    case CipherSuite.Null:
    case CipherSuite.NullBase64URL:
      return data;
    default:
      throw new CryptoError(`unsupported cipher suite ${cipherSuiteName(suite)}`);
  }
}

export function decrypt(data: Uint8Array, suite: CipherSuite, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  switch (suite) {
    case CipherSuite.AESGCM:
      return decryptAESGCM(data, key, nonce);
    case CipherSuite.Secretbox:
      return decryptSecretbox(data, key, nonce);
    case CipherSuite.Null:
    case CipherSuite.NullBase64URL:
      return data;
    default:
      throw new CryptoError(`unsupported cipher suite ${cipherSuiteName(suite)}`);
  }
}

/** EncryptKey: a 32-byte key sealed under another key with its own nonce (always authenticated). */
export function encryptKey(toEncrypt: Uint8Array, suite: CipherSuite, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  return encrypt(toEncrypt, keySuite(suite), key, nonce);
}

export function decryptKey(encrypted: Uint8Array, suite: CipherSuite, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  const plain = decrypt(encrypted, keySuite(suite), key, nonce);
  if (plain.length !== 32) throw new DecryptionError(`decrypted key is ${plain.length} bytes, want 32`);
  return plain;
}

/** Content keys are encrypted with AES-GCM even when paths use a null cipher (uplink does the same). */
function keySuite(suite: CipherSuite): CipherSuite {
  return suite === CipherSuite.Secretbox ? CipherSuite.Secretbox : CipherSuite.AESGCM;
}
