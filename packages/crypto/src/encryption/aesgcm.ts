/**
 * AES-256-GCM on Node's crypto (OpenSSL, AES-NI): the bulk cipher for content. No additional data, 16-byte
 * tag appended, 12-byte nonce taken from the front of a storj.Nonce (storj/common encryption/aesgcm.go).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { AESGCM_NONCE_SIZE, KEY_SIZE, TAG_SIZE } from './cipher.js';
import { CryptoError } from '../errors.js';
import { DecryptionError } from './errors.js';

function checkKey(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== KEY_SIZE) throw new CryptoError(`AES-256-GCM key is ${key.length} bytes, want ${KEY_SIZE}`);
  if (nonce.length < AESGCM_NONCE_SIZE) throw new CryptoError(`AES-GCM nonce is ${nonce.length} bytes, want at least ${AESGCM_NONCE_SIZE}`);
}

/**
 * Seals `plain` into `out` (at least plain.length + 16 bytes): ciphertext then tag. Writes straight into the
 * caller's buffer so a segment is one allocation, not one per block.
 */
export function sealAESGCM(plain: Uint8Array, key: Uint8Array, nonce: Uint8Array, out: Uint8Array): void {
  checkKey(key, nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce.subarray(0, AESGCM_NONCE_SIZE));
  out.set(cipher.update(plain), 0);
  cipher.final();
  out.set(cipher.getAuthTag(), plain.length);
}

/**
 * Opens `sealed` (ciphertext ‖ tag) into `out`; returns false if authentication fails, after zeroing what
 * was written, so unauthenticated plaintext never escapes.
 */
export function openAESGCM(sealed: Uint8Array, key: Uint8Array, nonce: Uint8Array, out: Uint8Array): boolean {
  checkKey(key, nonce);
  if (sealed.length < TAG_SIZE) return false;
  const size = sealed.length - TAG_SIZE;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce.subarray(0, AESGCM_NONCE_SIZE));
  decipher.setAuthTag(sealed.subarray(size));
  out.set(decipher.update(sealed.subarray(0, size)), 0);
  try {
    decipher.final();
    return true;
  } catch {
    out.fill(0, 0, size);
    return false;
  }
}

export function encryptAESGCM(plain: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  const out = new Uint8Array(plain.length + TAG_SIZE);
  sealAESGCM(plain, key, nonce, out);
  return out;
}

export function decryptAESGCM(sealed: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (sealed.length < TAG_SIZE) throw new DecryptionError('AES-GCM data is shorter than its authentication tag');
  const out = new Uint8Array(sealed.length - TAG_SIZE);
  if (!openAESGCM(sealed, key, nonce, out)) throw new DecryptionError('AES-GCM authentication failed: wrong key or corrupted data');
  return out;
}
