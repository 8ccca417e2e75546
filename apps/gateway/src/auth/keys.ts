/**
 * S3 credentials as Storj's auth service makes them. The access key ID is 16 random bytes behind a
 * version byte (77), base32: 28 characters. Those 16 bytes are also the key the record is encrypted
 * under, and the database only holds their SHA-256, so the ID is needed to find a record and to read it.
 * The secret is 32 random bytes behind version byte 78: 53 characters; S3 clients sign with that string.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fromBase32, toBase32 } from '@dcsim/common/encoding';

/** Lower-case unpadded RFC 4648 base32, as Storj prints these keys. */
export const base32Encode = (bytes: Uint8Array): string => toBase32(bytes).toLowerCase();

/** undefined for anything that is not lower- or upper-case base32 without padding. */
export function base32Decode(text: string): Uint8Array | undefined {
  try {
    return fromBase32(text.toUpperCase());
  } catch {
    return undefined;
  }
}

export const ACCESS_KEY_VERSION = 77;
export const SECRET_KEY_VERSION = 78;
const ACCESS_KEY_BYTES = 16;
const SECRET_KEY_BYTES = 32;

/** The 16 secret bytes behind an access key ID. */
export interface AccessKey {
  id: string;
  bytes: Uint8Array;
}

export function newAccessKey(): AccessKey {
  const bytes = new Uint8Array(randomBytes(ACCESS_KEY_BYTES));
  return { id: base32Encode(Uint8Array.of(ACCESS_KEY_VERSION, ...bytes)), bytes };
}

export function newSecretKey(): string {
  return base32Encode(Uint8Array.of(SECRET_KEY_VERSION, ...randomBytes(SECRET_KEY_BYTES)));
}

/** undefined for anything that is not an access key ID of this format. */
export function parseAccessKeyId(id: string): AccessKey | undefined {
  if (id.length !== 28) return undefined;
  const raw = base32Decode(id);
  if (!raw || raw.length !== ACCESS_KEY_BYTES + 1 || raw[0] !== ACCESS_KEY_VERSION) return undefined;
  return { id: id.toLowerCase(), bytes: raw.subarray(1) };
}

/** The record's primary key: what the database knows of the access key. */
export function keyHash(key: AccessKey): Uint8Array {
  return new Uint8Array(createHash('sha256').update(key.bytes).digest());
}

/** The AES-256 key of the record: the 16 access-key bytes, zero-padded to 32. */
export function recordKey(key: AccessKey): Uint8Array {
  const out = new Uint8Array(32);
  out.set(key.bytes);
  return out;
}
