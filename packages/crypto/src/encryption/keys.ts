/**
 * Key derivation (storj/common encryption/encryption.go DeriveKey, encryption/password.go DeriveRootKey).
 *
 *   passphrase + project salt --argon2id--> root key
 *   root --"path:" + bucket--> bucket key --"path:" + component--> ... --> path key --"content"--> content key
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { utf8Encode } from '@dcsim/common/encoding';
import { KEY_SIZE } from './cipher.js';

const bytes = (m: string | Uint8Array) => (typeof m === 'string' ? utf8Encode(m) : m);

/** DeriveKey: the first 32 bytes of HMAC-SHA512(key, message). */
export function deriveKey(key: Uint8Array, message: string | Uint8Array): Uint8Array {
  return hmac(sha512, key, bytes(message)).slice(0, KEY_SIZE);
}

/** The key that seals an object's content keys and metadata key: DeriveKey(pathKey, "content"). */
export function deriveContentKey(pathKey: Uint8Array): Uint8Array {
  return deriveKey(pathKey, 'content');
}

/** Storj's argon2id cost: 1 pass over 64 MiB; uplink runs 8 lanes (access.go's default concurrency). */
const ROOT_KEY_ARGON2 = Object.freeze({ iterations: 1, memoryKiB: 64 * 1024, lanes: 8 });

/**
 * The root encryption key of a project from a passphrase:
 *   mixed = HMAC-SHA256(passphrase, projectSalt); pathSalt = HMAC-SHA256(mixed, "")   (the empty path)
 *   root  = argon2id(passphrase, pathSalt, t = 1, m = 64 MiB, p = 8, 32 bytes)
 * hash-wasm's argon2id, because it measured 257 ms here against 921 ms for @noble/hashes' argon2idAsync.
 * It is loaded on first use: hash-wasm carries every algorithm it has, and satellites, nodes and gateways
 * that import this package never derive a root key.
 */
export async function deriveRootKey(passphrase: string | Uint8Array, projectSalt: Uint8Array): Promise<Uint8Array> {
  const password = bytes(passphrase);
  const mixed = hmac(sha256, password, projectSalt);
  const pathSalt = hmac(sha256, mixed, new Uint8Array(0));
  const { argon2id } = await import('hash-wasm');
  return argon2id({
    password,
    salt: pathSalt,
    iterations: ROOT_KEY_ARGON2.iterations,
    memorySize: ROOT_KEY_ARGON2.memoryKiB,
    parallelism: ROOT_KEY_ARGON2.lanes,
    hashLength: KEY_SIZE,
    outputType: 'binary',
  });
}
