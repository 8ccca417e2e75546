/** The errors of this folder. Messages name what failed, never a key or plaintext. */
import { CryptoError } from '../errors.js';

/** Authentication failed (wrong key, or the data was altered), or the decrypted data is malformed. */
export class DecryptionError extends CryptoError {
  override name = 'DecryptionError';
}

/** The store holds no key for the path (Storj's ErrMissingEncryptionBase / ErrMissingDecryptionBase). */
export class MissingEncryptionBaseError extends CryptoError {
  override name = 'MissingEncryptionBaseError';
}
