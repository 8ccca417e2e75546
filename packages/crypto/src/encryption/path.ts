/**
 * Path encryption (storj/common encryption/path.go). Each '/'-separated component is encrypted with the
 * current key and a nonce derived from the component itself, so the same path always encrypts the same
 * way (lookups and listings work) while each component's ciphertext depends on everything above it.
 * The next key derives from the *plaintext* component: DeriveKey(key, "path:" + component).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { decrypt, encrypt } from './aead.js';
import { AESGCM_NONCE_SIZE, CipherSuite, CryptoError, NONCE_SIZE, cipherSuiteName } from './cipher.js';
import { joinComponents, joinPaths, splitComponents } from './components.js';
import { escapeComponent, unescapeComponent } from './escape.js';
import { deriveContentKey, deriveKey } from './keys.js';
import { MissingEncryptionBaseError, type Base, type Store } from './store.js';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function derivePathKeyComponent(key: Uint8Array, component: string | Uint8Array): Uint8Array {
  const comp = typeof component === 'string' ? utf8.encode(component) : component;
  const message = new Uint8Array(5 + comp.length);
  message.set(utf8.encode('path:'));
  message.set(comp, 5);
  return deriveKey(key, message);
}

/** The key a base contributes: a default base (the root key) first mixes in the bucket name. */
function baseKey(base: Base, bucket: string): Uint8Array {
  return base.isDefault ? derivePathKeyComponent(base.key, bucket) : base.key;
}

function nonceSize(cipher: CipherSuite): number {
  return cipher === CipherSuite.AESGCM ? AESGCM_NONCE_SIZE : NONCE_SIZE;
}

function encryptComponent(component: Uint8Array, cipher: CipherSuite, key: Uint8Array): Uint8Array {
  if (cipher === CipherSuite.NullBase64URL) return base64UrlDecode(component);
  const nonce = hmac(sha512, derivePathKeyComponent(key, component), utf8.encode('nonce')).subarray(0, NONCE_SIZE);
  const sealed = component.length === 0 ? new Uint8Array(0) : encrypt(component, cipher, key, nonce);
  const size = nonceSize(cipher);
  const combined = new Uint8Array(size + sealed.length);
  combined.set(nonce.subarray(0, size));
  combined.set(sealed, size);
  return escapeComponent(combined);
}

function decryptComponent(component: Uint8Array, cipher: CipherSuite, key: Uint8Array): Uint8Array {
  if (component.length === 0) return component;
  if (cipher === CipherSuite.NullBase64URL) return utf8.encode(Buffer.from(component).toString('base64url') + padding(component.length));
  const data = unescapeComponent(component);
  const size = nonceSize(cipher);
  if (data.length < size) throw new CryptoError('encrypted path component did not contain enough nonce bytes');
  const nonce = new Uint8Array(NONCE_SIZE);
  nonce.set(data.subarray(0, size));
  const sealed = data.subarray(size);
  return sealed.length === 0 ? sealed : decrypt(sealed, cipher, key, nonce);
}

/** Encrypts the components of `raw` under `key` (no store lookup): Storj's EncryptPathRaw. */
export function encryptPathRaw(raw: string, cipher: CipherSuite, key: Uint8Array): Uint8Array {
  if (cipher === CipherSuite.Null) return utf8.encode(raw);
  const out: Uint8Array[] = [];
  for (const component of splitComponents(raw)) {
    const comp = utf8.encode(component);
    out.push(encryptComponent(comp, cipher, key));
    key = derivePathKeyComponent(key, comp);
  }
  return joinComponents(out);
}

export function decryptPathRaw(raw: Uint8Array, cipher: CipherSuite, key: Uint8Array): string {
  if (cipher === CipherSuite.Null) return decodeUtf8(raw);
  const out: string[] = [];
  for (const component of splitComponents(raw)) {
    const plain = decryptComponent(component, cipher, key);
    key = derivePathKeyComponent(key, plain);
    out.push(decodeUtf8(plain));
  }
  return out.join('/');
}

/**
 * The object key as the satellite stores it. `cipher` overrides the store's cipher for this path
 * (undefined: use the cipher of the matching store entry, as EncryptPathWithStoreCipher).
 */
export function encryptPath(bucket: string, path: string, cipher: CipherSuite | undefined, store: Store): Uint8Array {
  const found = store.lookupUnencrypted(bucket, path);
  if (!found) throw new MissingEncryptionBaseError(`no encryption key for ${JSON.stringify(`${bucket}/${path}`)} in this access`);
  const suite = cipher ?? found.base.pathCipher;
  if (suite === CipherSuite.Null) return utf8.encode(path);
  const remaining = path.slice(found.consumed.length);
  const encrypted = encryptPathRaw(remaining, suite, baseKey(found.base, bucket));
  return joinPaths(found.base.encryptedPath, encrypted);
}

export function decryptPath(bucket: string, encrypted: Uint8Array, cipher: CipherSuite | undefined, store: Store): string {
  const found = store.lookupEncrypted(bucket, encrypted);
  if (!found) throw new MissingEncryptionBaseError(`no decryption key for an object in bucket ${JSON.stringify(bucket)} in this access`);
  const suite = cipher ?? found.base.pathCipher;
  if (suite === CipherSuite.Null) return decodeUtf8(encrypted);
  const remaining = encrypted.subarray(found.consumed.length);
  const decrypted = decryptPathRaw(remaining, suite, baseKey(found.base, bucket));
  if (decrypted.length === 0) return found.base.unencryptedPath;
  return found.base.unencryptedPath.length > 0 ? `${found.base.unencryptedPath}/${decrypted}` : decrypted;
}

/**
 * Encrypts a listing or caveat prefix. A trailing '/' is kept as a separator, not encrypted as an empty
 * final component (Storj's EncryptPrefixWithStoreCipher), so the result is a byte prefix of every key below it.
 */
export function encryptPrefix(bucket: string, prefix: string, cipher: CipherSuite | undefined, store: Store): Uint8Array {
  const trailing = prefix.endsWith('/');
  const encrypted = encryptPath(bucket, trailing ? prefix.slice(0, -1) : prefix, cipher, store);
  if (!trailing) return encrypted;
  const out = new Uint8Array(encrypted.length + 1);
  out.set(encrypted);
  out[encrypted.length] = 0x2f;
  return out;
}

/** The path key at `path` (the bucket's key for an empty path), from the matching store entry. */
export function derivePathKey(bucket: string, path: string, store: Store): Uint8Array {
  const found = store.lookupUnencrypted(bucket, path);
  if (!found) throw new MissingEncryptionBaseError(`no encryption key for ${JSON.stringify(`${bucket}/${path}`)} in this access`);
  let key = baseKey(found.base, bucket);
  for (const component of splitComponents(path.slice(found.consumed.length))) key = derivePathKeyComponent(key, component);
  return key;
}

/** DeriveContentKey(bucket, path, store): the key that encrypts an object's content keys and metadata key. */
export function deriveObjectContentKey(bucket: string, path: string, store: Store): Uint8Array {
  return deriveContentKey(derivePathKey(bucket, path, store));
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new CryptoError('decrypted path is not valid UTF-8');
  }
}

function base64UrlDecode(component: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(component);
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new CryptoError('invalid base64 data in path component');
  }
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

function padding(length: number): string {
  return '='.repeat((3 - (length % 3)) % 3);
}

