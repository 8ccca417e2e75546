/**
 * The encryption store (storj/common encryption/store.go): which key encrypts which part of which bucket.
 *
 * A full-access grant holds only a default key (the root key), from which every path key derives. A shared
 * grant instead holds entries "bucket + unencrypted path → encrypted path + key (+ path cipher)": the key
 * derived at that path, which decrypts the subtree below it and nothing above or beside it. A lookup picks
 * the entry covering the most leading components of the path (by unencrypted path when encrypting, by
 * encrypted path when decrypting), and falls back to the default key.
 */
import { bytesToBinary, binaryToBytes } from '@dcsim/common/encoding';
import { CipherSuite, KEY_SIZE } from './cipher.js';
import { pathComponents } from './components.js';
import { CryptoError } from '../errors.js';

export interface StoreEntry {
  bucket: string;
  /** Unencrypted path of the entry ('' = the whole bucket). */
  unencryptedPath: string;
  /** The same path encrypted, component for component. */
  encryptedPath: Uint8Array;
  /** The path key at that path. */
  key: Uint8Array;
  pathCipher: CipherSuite;
}

/** A key to derive further keys from, at some path. A default base (the root key) still needs the bucket mixed in. */
export interface Base {
  unencryptedPath: string;
  encryptedPath: Uint8Array;
  key: Uint8Array;
  pathCipher: CipherSuite;
  isDefault: boolean;
}

export interface Lookup<C> {
  base: Base;
  /** Components of the looked-up path below the base (plaintext strings, or encrypted bytes). */
  remaining: C[];
}

/** A tree node per path component; each edge is known by both its unencrypted and encrypted name. */
interface Node {
  byUnencrypted: Map<string, Node>;
  byEncrypted: Map<string, Node>;
  /** unencrypted component → encrypted component (binary string), and back: the mapping must be a bijection. */
  encryptedOf: Map<string, string>;
  unencryptedOf: Map<string, string>;
  entry?: StoreEntry;
}

const newNode = (): Node => ({ byUnencrypted: new Map(), byEncrypted: new Map(), encryptedOf: new Map(), unencryptedOf: new Map() });

export class Store {
  defaultKey?: Uint8Array;
  defaultPathCipher: CipherSuite = CipherSuite.AESGCM;
  /**
   * Storj's EncryptionBypass: every lookup reports the null-base64url path cipher, so a client without keys
   * can still name objects (encrypted keys travel as base64url text).
   */
  encryptionBypass = false;
  private readonly roots = new Map<string, Node>();

  constructor(opts: { defaultKey?: Uint8Array; defaultPathCipher?: CipherSuite; encryptionBypass?: boolean } = {}) {
    if (opts.defaultKey) this.defaultKey = checkKey(opts.defaultKey, 'default key');
    if (opts.defaultPathCipher !== undefined) this.defaultPathCipher = opts.defaultPathCipher;
    if (opts.encryptionBypass) this.encryptionBypass = true;
  }

  /** Adds (or replaces) the entry at bucket + unencrypted path. pathCipher defaults to the store's default. */
  add(entry: Omit<StoreEntry, 'pathCipher'> & { pathCipher?: CipherSuite }): void {
    const unenc = pathComponents(entry.unencryptedPath);
    const enc = pathComponents(bytesToBinary(entry.encryptedPath));
    if (unenc.length !== enc.length) throw new CryptoError('encrypted and unencrypted paths had different number of components');
    const stored: StoreEntry = {
      bucket: entry.bucket,
      unencryptedPath: entry.unencryptedPath,
      encryptedPath: entry.encryptedPath.slice(),
      key: checkKey(entry.key, `key for ${JSON.stringify(entry.bucket)}`).slice(),
      pathCipher: entry.pathCipher ?? this.defaultPathCipher,
    };
    // Check the whole walk first, so a conflicting add leaves the store as it was.
    let node = this.roots.get(entry.bucket);
    for (let i = 0; node && i < unenc.length; i++) {
      const knownEnc = node.encryptedOf.get(unenc[i]);
      const knownUnenc = node.unencryptedOf.get(enc[i]);
      if ((knownEnc !== undefined && knownEnc !== enc[i]) || (knownUnenc !== undefined && knownUnenc !== unenc[i])) {
        throw new CryptoError('conflicting encrypted parts for unencrypted path');
      }
      node = node.byUnencrypted.get(unenc[i]);
    }
    let at = this.roots.get(entry.bucket) ?? newNode();
    this.roots.set(entry.bucket, at);
    for (let i = 0; i < unenc.length; i++) {
      let child: Node | undefined = at.byUnencrypted.get(unenc[i]);
      if (!child) {
        child = newNode();
        at.byUnencrypted.set(unenc[i], child);
        at.byEncrypted.set(enc[i], child);
        at.encryptedOf.set(unenc[i], enc[i]);
        at.unencryptedOf.set(enc[i], unenc[i]);
      }
      at = child;
    }
    at.entry = stored;
  }

  /** The base for encrypting `path` in `bucket`, and the plaintext components left below it. */
  lookupUnencrypted(bucket: string, path: string): Lookup<string> | undefined {
    const components = pathComponents(path);
    const found = this.walk(bucket, components, false);
    return found && { base: found.base, remaining: components.slice(found.depth) };
  }

  /** The base for decrypting the encrypted `path` in `bucket`, and the encrypted components left below it. */
  lookupEncrypted(bucket: string, path: Uint8Array): Lookup<Uint8Array> | undefined {
    const components = pathComponents(bytesToBinary(path));
    const found = this.walk(bucket, components, true);
    return found && { base: found.base, remaining: components.slice(found.depth).map(binaryToBytes) };
  }

  /** Every entry, parents before children (Storj's IterateWithCipher); what an access grant serializes. */
  *entries(): IterableIterator<StoreEntry> {
    const visit = function* (node: Node): IterableIterator<StoreEntry> {
      if (node.entry) yield copyEntry(node.entry);
      for (const child of node.byUnencrypted.values()) yield* visit(child);
    };
    for (const root of this.roots.values()) yield* visit(root);
  }

  list(): StoreEntry[] {
    return [...this.entries()];
  }

  clone(): Store {
    const copy = new Store({
      defaultKey: this.defaultKey,
      defaultPathCipher: this.defaultPathCipher,
      encryptionBypass: this.encryptionBypass,
    });
    for (const entry of this.entries()) copy.add(entry);
    return copy;
  }

  private walk(bucket: string, components: string[], encrypted: boolean): { base: Base; depth: number } | undefined {
    let best: { entry: StoreEntry; depth: number } | undefined;
    let node = this.roots.get(bucket);
    for (let depth = 0; node; depth++) {
      if (node.entry) best = { entry: node.entry, depth };
      if (depth === components.length) break;
      node = (encrypted ? node.byEncrypted : node.byUnencrypted).get(components[depth]);
    }
    let base: Base;
    if (best) {
      const e = best.entry;
      base = {
        unencryptedPath: e.unencryptedPath,
        encryptedPath: e.encryptedPath.slice(),
        key: e.key.slice(),
        pathCipher: e.pathCipher,
        isDefault: false,
      };
    } else if (this.defaultKey) {
      base = {
        unencryptedPath: '',
        encryptedPath: new Uint8Array(0),
        key: this.defaultKey.slice(),
        pathCipher: this.defaultPathCipher,
        isDefault: true,
      };
    } else {
      return undefined;
    }
    if (this.encryptionBypass) base.pathCipher = CipherSuite.NullBase64URL;
    return { base, depth: best?.depth ?? 0 };
  }
}

function checkKey(key: Uint8Array, what: string): Uint8Array {
  if (key.length !== KEY_SIZE) throw new CryptoError(`${what} is ${key.length} bytes, want ${KEY_SIZE}`);
  return key;
}

function copyEntry(e: StoreEntry): StoreEntry {
  return { ...e, encryptedPath: e.encryptedPath.slice(), key: e.key.slice() };
}
