/**
 * XSalsa20-Poly1305 (NaCl secretbox) on @noble/ciphers: the output is tag ‖ ciphertext, as Go's
 * secretbox.Seal writes it (storj/common encryption/secretbox.go). All 24 nonce bytes are used.
 */
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { KEY_SIZE, NONCE_SIZE, TAG_SIZE } from './cipher.js';
import { CryptoError } from '../errors.js';
import { DecryptionError } from './errors.js';

function box(key: Uint8Array, nonce: Uint8Array) {
  if (key.length !== KEY_SIZE) throw new CryptoError(`secretbox key is ${key.length} bytes, want ${KEY_SIZE}`);
  if (nonce.length !== NONCE_SIZE) throw new CryptoError(`secretbox nonce is ${nonce.length} bytes, want ${NONCE_SIZE}`);
  return xsalsa20poly1305(key, nonce);
}

export function encryptSecretbox(plain: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  return box(key, nonce).encrypt(plain);
}

export function decryptSecretbox(sealed: Uint8Array, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (sealed.length < TAG_SIZE) throw new DecryptionError('secretbox data is shorter than its authentication tag');
  try {
    return box(key, nonce).decrypt(sealed);
  } catch {
    throw new DecryptionError('secretbox authentication failed: wrong key or corrupted data');
  }
}
