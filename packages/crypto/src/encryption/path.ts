/**
 * Path encryption (storj/common encryption/path.go). Each '/'-separated component is encrypted with the
 * current key and a nonce derived from the component itself, so a path always encrypts the same way (the
 * satellite can look keys up and list them in order) while each component's ciphertext depends on every
 * component above it. The next key derives from the *plaintext* component: DeriveKey(key, "path:" + c).
 *
 * The key a path starts from comes from the Store: the entry covering the most leading components, or the
 * default (root) key, which first derives the bucket's key: DeriveKey(root, "path:" + bucket).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { EncodingError, fromBase64Url, toBase64Url, utf8Decode, utf8Encode } from '@dcsim/common/encoding';
import { AESGCM_NONCE_SIZE, CipherSuite, NONCE_SIZE, cipherSuiteName } from './cipher.js';
import { decrypt, encrypt } from './encrypt.js';
import { CryptoError } from '../errors.js';
import { DecryptionError, MissingEncryptionBaseError } from './errors.js';
import { escapeComponent, unescapeComponent } from './escape.js';
import { deriveContentKey, deriveKey } from './keys.js';
import type { Base, Store } from './store.js';

const SLASH = 0x2f;
const PATH_PREFIX = utf8Encode('path:');
const NONCE_MESSAGE = utf8Encode('nonce');

/** DeriveKey(key, "path:" + component): one step down the key hierarchy. */
function derivePathKeyComponent(key: Uint8Array, component: string | Uint8Array): Uint8Array {
  const comp = typeof component === 'string' ? utf8Encode(component) : component;
  const message = new Uint8Array(PATH_PREFIX.length + comp.length);
  message.set(PATH_PREFIX);
  message.set(comp, PATH_PREFIX.length);
  return deriveKey(key, message);
}

/** The key a base starts from: the default (root) key first mixes in the bucket name. */
function startingKey(base: Base, bucket: string): Uint8Array {
  return base.isDefault ? derivePathKeyComponent(base.key, bucket) : base.key;
}

function storedNonceSize(cipher: CipherSuite): number {
  return cipher === CipherSuite.AESGCM ? AESGCM_NONCE_SIZE : NONCE_SIZE;
}

function checkPathCipher(cipher: CipherSuite): void {
  if (
    cipher !== CipherSuite.AESGCM &&
    cipher !== CipherSuite.Secretbox &&
    cipher !== CipherSuite.Null &&
    cipher !== CipherSuite.NullBase64URL
  ) {
    throw new CryptoError(`path cipher ${cipherSuiteName(cipher)} is not supported`);
  }
}

/**
 * One component: nonce = HMAC-SHA512(DeriveKey(key, "path:" + c), "nonce"), its first 12 (AES-GCM) or 24
 * (secretbox) bytes kept in front of the ciphertext, the whole escaped. An empty component still carries
 * its nonce (Storj's Encrypt leaves empty data empty, without a tag).
 */
function encryptComponent(comp: Uint8Array, cipher: CipherSuite, key: Uint8Array): Uint8Array {
  if (cipher === CipherSuite.Null) return comp;
  if (cipher === CipherSuite.NullBase64URL) {
    try {
      return fromBase64Url(utf8Decode(comp), true);
    } catch {
      throw new CryptoError('invalid base64 data in path component');
    }
  }
  const nonce = hmac(sha512, derivePathKeyComponent(key, comp), NONCE_MESSAGE).subarray(0, NONCE_SIZE);
  const sealed = encrypt(comp, cipher, key, nonce);
  const size = storedNonceSize(cipher);
  const combined = new Uint8Array(size + sealed.length);
  combined.set(nonce.subarray(0, size));
  combined.set(sealed, size);
  return escapeComponent(combined);
}

function decryptComponent(comp: Uint8Array, cipher: CipherSuite, key: Uint8Array): Uint8Array {
  if (comp.length === 0 || cipher === CipherSuite.Null) return comp;
  if (cipher === CipherSuite.NullBase64URL) return utf8Encode(toBase64Url(comp, true));
  const data = unescapeComponent(comp);
  const size = storedNonceSize(cipher);
  if (data.length < size) throw new DecryptionError('encrypted path component did not contain enough nonce bytes');
  const nonce = new Uint8Array(NONCE_SIZE);
  nonce.set(data.subarray(0, size));
  return decrypt(data.subarray(size), cipher, key, nonce);
}

function joinWithSlash(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1));
  let at = 0;
  parts.forEach((p, i) => {
    if (i > 0) out[at++] = SLASH;
    out.set(p, at);
    at += p.length;
  });
  return out;
}

function decodeComponent(bytes: Uint8Array): string {
  try {
    return utf8Decode(bytes, 'decrypted path component');
  } catch (err) {
    throw new DecryptionError((err as EncodingError).message);
  }
}

/** Encrypts plaintext components under `key` (no store): Storj's EncryptIterator. */
function encryptComponents(components: readonly string[], cipher: CipherSuite, key: Uint8Array): Uint8Array {
  checkPathCipher(cipher);
  const out: Uint8Array[] = [];
  for (const component of components) {
    const comp = utf8Encode(component);
    out.push(encryptComponent(comp, cipher, key));
    key = derivePathKeyComponent(key, comp);
  }
  return joinWithSlash(out);
}

/** Decrypts encrypted components under `key` (no store): Storj's DecryptIterator. */
function decryptComponents(components: readonly Uint8Array[], cipher: CipherSuite, key: Uint8Array): string[] {
  checkPathCipher(cipher);
  return components.map((component) => {
    const plain = decryptComponent(component, cipher, key);
    key = derivePathKeyComponent(key, plain);
    return decodeComponent(plain);
  });
}

/**
 * The object key as the satellite stores it. `cipher` overrides the path cipher of the matching store entry
 * (undefined: use the entry's, as EncryptPathWithStoreCipher). The empty path stays empty.
 */
export function encryptPath(bucket: string, path: string, cipher: CipherSuite | undefined, store: Store): Uint8Array {
  if (path === '') return new Uint8Array(0);
  const found = store.lookupUnencrypted(bucket, path);
  if (!found) throw new MissingEncryptionBaseError(`no encryption key for bucket ${JSON.stringify(bucket)} at this path in this access`);
  const parts: Uint8Array[] = [];
  if (found.base.encryptedPath.length > 0) parts.push(found.base.encryptedPath);
  if (found.remaining.length > 0)
    parts.push(encryptComponents(found.remaining, cipher ?? found.base.pathCipher, startingKey(found.base, bucket)));
  return joinWithSlash(parts);
}

export function decryptPath(bucket: string, encrypted: Uint8Array, cipher: CipherSuite | undefined, store: Store): string {
  if (encrypted.length === 0) return '';
  const found = store.lookupEncrypted(bucket, encrypted);
  if (!found) throw new MissingEncryptionBaseError(`no decryption key for bucket ${JSON.stringify(bucket)} at this path in this access`);
  const parts: string[] = [];
  if (found.base.unencryptedPath !== '') parts.push(found.base.unencryptedPath);
  if (found.remaining.length > 0)
    parts.push(decryptComponents(found.remaining, cipher ?? found.base.pathCipher, startingKey(found.base, bucket)).join('/'));
  return parts.join('/');
}

/**
 * Encrypts a listing prefix or a caveat's path prefix (EncryptPrefixWithStoreCipher). A trailing '/' is a
 * separator, not an empty last component: "photos/" encrypts "photos" and appends '/', so the result is a
 * byte prefix of every key below it. Without a trailing '/', the last component is encrypted whole: the
 * result prefixes that key and its subtree only ("pho" does not prefix "photos").
 */
export function encryptPrefix(bucket: string, prefix: string, cipher: CipherSuite | undefined, store: Store): Uint8Array {
  const trailing = prefix.endsWith('/');
  const encrypted = encryptPath(bucket, trailing ? prefix.slice(0, -1) : prefix, cipher, store);
  if (!trailing) return encrypted;
  const out = new Uint8Array(encrypted.length + 1);
  out.set(encrypted);
  out[encrypted.length] = SLASH;
  return out;
}

/** The path key at `path` ('' = the bucket's key), from the matching store entry (DerivePathKey). */
export function derivePathKey(bucket: string, path: string, store: Store): Uint8Array {
  const found = store.lookupUnencrypted(bucket, path);
  if (!found) throw new MissingEncryptionBaseError(`no encryption key for bucket ${JSON.stringify(bucket)} at this path in this access`);
  let key = startingKey(found.base, bucket);
  for (const component of found.remaining) key = derivePathKeyComponent(key, component);
  return key;
}

/** Storj's DeriveContentKey(bucket, path, store): the key sealing an object's content keys and metadata key. */
export function deriveObjectContentKey(bucket: string, path: string, store: Store): Uint8Array {
  return deriveContentKey(derivePathKey(bucket, path, store));
}
