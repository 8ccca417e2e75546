/** Key derivation (storj/common encryption/encryption.go, password.go). */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { argon2id } from 'hash-wasm';
import { KEY_SIZE } from './cipher.js';

const utf8 = new TextEncoder();
const bytes = (m: string | Uint8Array) => (typeof m === 'string' ? utf8.encode(m) : m);

/** DeriveKey: the first 32 bytes of HMAC-SHA512(key, message). */
export function deriveKey(key: Uint8Array, message: string | Uint8Array): Uint8Array {
  return hmac(sha512, key, bytes(message)).slice(0, KEY_SIZE);
}

/** The key under which an object's content keys and metadata key are encrypted. */
export function deriveContentKey(pathKey: Uint8Array): Uint8Array {
  return deriveKey(pathKey, 'content');
}

/** A project without a stored salt uses SHA-256 of its 16-byte ID, as Storj's satellite does. */
export function projectSaltFromId(projectId: Uint8Array): Uint8Array {
  return sha256(projectId);
}

/**
 * The root encryption key from a passphrase: argon2id(passphrase, salt = HMAC-SHA256(HMAC-SHA256(passphrase,
 * projectSalt), "")), time 1, 64 MiB, 8 lanes. hash-wasm's argon2id is used because it is several times faster
 * than the pure-JS one in @noble/hashes at 64 MiB (about 0.3 s against 2 s here).
 */
export async function deriveRootKey(passphrase: string | Uint8Array, projectSalt: Uint8Array): Promise<Uint8Array> {
  const password = bytes(passphrase);
  const mixed = hmac(sha256, password, projectSalt);
  const pathSalt = hmac(sha256, mixed, new Uint8Array(0));
  return argon2id({
    password,
    salt: pathSalt,
    iterations: 1,
    memorySize: 64 * 1024,
    parallelism: 8,
    hashLength: KEY_SIZE,
    outputType: 'binary',
  });
}
