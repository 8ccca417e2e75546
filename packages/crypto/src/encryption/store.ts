/**
 * The encryption store (storj/common encryption/store.go): which key encrypts which part of which bucket.
 *
 * A full-access grant holds only a default key; every path key derives from it. A shared grant instead holds
 * entries "bucket + unencrypted prefix → encrypted prefix + key": the derived key at that prefix, so it can
 * decrypt the subtree and nothing above or beside it. Lookups pick the entry matching the most components.
 */
import { CipherSuite, CryptoError } from './cipher.js';
import { splitComponents } from './components.js';

export interface StoreEntry {
  bucket: string;
  /** Unencrypted path of the entry, without a trailing '/'. */
  unencryptedPath: string;
  /** Encrypted path bytes of the same components. */
  encryptedPath: Uint8Array;
  key: Uint8Array;
  pathCipher: CipherSuite;
}

/** A key to derive further keys from, at some path. `isDefault` bases still need the bucket mixed in. */
export interface Base {
  unencryptedPath: string;
  encryptedPath: Uint8Array;
  key: Uint8Array;
  pathCipher: CipherSuite;
  isDefault: boolean;
}

export interface Lookup<P> {
  base: Base;
  /** The part of the looked-up path the base covers (raw, possibly with its trailing '/'). */
  consumed: P;
}

export class MissingEncryptionBaseError extends CryptoError {
  override name = 'MissingEncryptionBaseError';
}

export class Store {
  defaultKey?: Uint8Array;
  defaultPathCipher: CipherSuite = CipherSuite.AESGCM;
  private readonly entries: StoreEntry[] = [];

  constructor(opts: { defaultKey?: Uint8Array; defaultPathCipher?: CipherSuite } = {}) {
    this.defaultKey = opts.defaultKey;
    if (opts.defaultPathCipher !== undefined) this.defaultPathCipher = opts.defaultPathCipher;
  }

  add(entry: StoreEntry): void {
    const unenc = splitComponents(entry.unencryptedPath);
    const enc = splitComponents(entry.encryptedPath);
    if (unenc.length !== enc.length) {
      throw new CryptoError('encrypted and unencrypted paths had different number of components');
    }
    const same = this.entries.findIndex((e) => e.bucket === entry.bucket && e.unencryptedPath === entry.unencryptedPath);
    if (same >= 0) this.entries.splice(same, 1);
    this.entries.push({ ...entry });
  }

  list(): readonly StoreEntry[] {
    return this.entries;
  }

  lookupUnencrypted(bucket: string, path: string): Lookup<string> | undefined {
    const target = splitComponents(path);
    let best: StoreEntry | undefined;
    let bestLength = -1;
    for (const e of this.entries) {
      if (e.bucket !== bucket) continue;
      const comps = splitComponents(e.unencryptedPath);
      if (comps.length > bestLength && isPrefix(comps, target)) {
        best = e;
        bestLength = comps.length;
      }
    }
    if (best) return { base: baseOf(best), consumed: path.slice(0, consumedLength(target, bestLength, path.length)) };
    return this.defaultLookup('');
  }

  lookupEncrypted(bucket: string, path: Uint8Array): Lookup<Uint8Array> | undefined {
    const target = splitComponents(path);
    let best: StoreEntry | undefined;
    let bestLength = -1;
    for (const e of this.entries) {
      if (e.bucket !== bucket) continue;
      const comps = splitComponents(e.encryptedPath);
      if (comps.length > bestLength && isPrefix(comps, target)) {
        best = e;
        bestLength = comps.length;
      }
    }
    if (best) return { base: baseOf(best), consumed: path.subarray(0, consumedLength(target, bestLength, path.length)) };
    return this.defaultLookup(new Uint8Array(0));
  }

  private defaultLookup<P>(empty: P): Lookup<P> | undefined {
    if (!this.defaultKey) return undefined;
    const base: Base = { unencryptedPath: '', encryptedPath: new Uint8Array(0), key: this.defaultKey, pathCipher: this.defaultPathCipher, isDefault: true };
    return { base, consumed: empty };
  }
}

function baseOf(e: StoreEntry): Base {
  return { unencryptedPath: e.unencryptedPath, encryptedPath: e.encryptedPath, key: e.key, pathCipher: e.pathCipher, isDefault: false };
}

function isPrefix<T extends string | Uint8Array>(prefix: T[], of: T[]): boolean {
  if (prefix.length > of.length) return false;
  return prefix.every((c, i) => equal(c, of[i]));
}

function equal(a: string | Uint8Array, b: string | Uint8Array): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Raw length of the first n components including their '/' separators (Storj's Iterator.Consumed). */
function consumedLength(components: (string | Uint8Array)[], n: number, rawLength: number): number {
  let length = 0;
  for (let i = 0; i < n; i++) length += components[i].length + 1;
  return Math.min(length, rawLength);
}
