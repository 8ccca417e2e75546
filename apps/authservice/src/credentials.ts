/**
 * The S3 credentials the auth service hands out, in Storj's exact text forms (storj/edge authdb):
 *
 * - access key ID: 16 random bytes after a version byte (77), lowercase unpadded RFC 4648 base32, 28
 *   characters. It is not derived from the grant: it is the random key the grant is encrypted with, which
 *   is why the service must never store it.
 * - secret key: 32 random bytes after a version byte (78), same encoding, 53 characters. S3 clients sign
 *   requests with this text.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fromBase32, toBase32 } from '@dcsim/crypto';

const ACCESS_KEY_VERSION = 77;
const SECRET_KEY_VERSION = 78;
export const ACCESS_KEY_BYTES = 16;
export const SECRET_KEY_BYTES = 32;
export const ACCESS_KEY_ID_LENGTH = 28;

export class CredentialError extends Error {
  override name = 'CredentialError';
}

export function newAccessKey(): Uint8Array {
  return new Uint8Array(randomBytes(ACCESS_KEY_BYTES));
}

export function newSecretKey(): Uint8Array {
  return new Uint8Array(randomBytes(SECRET_KEY_BYTES));
}

export function accessKeyIdText(key: Uint8Array): string {
  return withVersion(ACCESS_KEY_VERSION, key);
}

export function secretKeyText(secret: Uint8Array): string {
  return withVersion(SECRET_KEY_VERSION, secret);
}

/** The 16 key bytes of an access key ID; a CredentialError names what is wrong with it. */
export function parseAccessKeyId(text: string): Uint8Array {
  if (text.length !== ACCESS_KEY_ID_LENGTH) {
    throw new CredentialError(`access key ID must be ${ACCESS_KEY_ID_LENGTH} characters, not ${text.length}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase32(text.toUpperCase());
  } catch {
    throw new CredentialError('access key ID is not base32');
  }
  if (bytes[0] !== ACCESS_KEY_VERSION) throw new CredentialError('access key ID has an unknown version');
  return bytes.slice(1);
}

/** What the database is keyed by: SHA-256 of the key bytes. It finds a record and decrypts nothing. */
export function keyHash(key: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(key).digest());
}

function withVersion(version: number, bytes: Uint8Array): string {
  const out = new Uint8Array(bytes.length + 1);
  out[0] = version;
  out.set(bytes, 1);
  return toBase32(out).toLowerCase();
}
