/**
 * A grant's keys never exceed its API key (storj/common grant/access.go LimitTo, collapsePrefixes). Storj
 * applies this whenever a grant is parsed or restricted: if any caveat restricts paths, the store is rebuilt
 * to hold only the keys at the prefixes that every such caveat allows, each derived from the store as it was.
 */
import { equalBytes, startsWithBytes } from '@dcsim/common/bytes';
import { CipherSuite } from '../encryption/cipher.js';
import { decryptPath, derivePathKey } from '../encryption/path.js';
import { Store } from '../encryption/store.js';
import type { APIKey } from '../macaroon/apikey.js';
import type { AllowedPath, Caveat } from '../macaroon/caveat.js';

const utf8Decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * The store limited to what `apiKey` allows: `store` itself when no caveat restricts paths; otherwise a new
 * store with the same default path cipher, no default key, and one entry per surviving prefix. A prefix the
 * store cannot decrypt or derive is left out; caveats that do not decode leave no keys at all (as Storj).
 */
export function limitStore(store: Store, apiKey: APIKey): Store {
  let caveats: Caveat[];
  try {
    caveats = apiKey.caveats();
  } catch {
    return new Store({ defaultPathCipher: CipherSuite.Unspecified });
  }
  const prefixes = collapsePrefixes(caveats);
  if (prefixes === undefined) return store;

  const limited = new Store({ defaultPathCipher: store.defaultPathCipher });
  for (const prefix of prefixes) {
    const bucket = utf8Decoder.decode(prefix.bucket);
    const encrypted = prefix.encryptedPathPrefix ?? new Uint8Array(0);
    try {
      const unencrypted = decryptPath(bucket, encrypted, undefined, store);
      const key = derivePathKey(bucket, unencrypted, store);
      const base = store.lookupEncrypted(bucket, encrypted)?.base;
      if (!base) continue;
      limited.add({ bucket, unencryptedPath: unencrypted, encryptedPath: encrypted, key, pathCipher: base.pathCipher });
    } catch {
      // Storj skips a prefix it cannot turn into a key: the grant simply cannot decrypt there.
    }
  }
  return limited;
}

/**
 * Every allowed path that lies inside some path of every path-restricting caveat (the same bucket and a
 * byte prefix), i.e. the intersection of the caveats' path sets; undefined when no caveat restricts paths.
 */
export function collapsePrefixes(caveats: Caveat[]): AllowedPath[] | undefined {
  const groups = caveats.map((c) => c.allowedPaths ?? []).filter((paths) => paths.length > 0);
  if (groups.length === 0) return undefined;
  const inside = (p: AllowedPath, q: AllowedPath) =>
    equalBytes(p.bucket, q.bucket) && startsWithBytes(p.encryptedPathPrefix ?? EMPTY, q.encryptedPathPrefix ?? EMPTY);
  return groups.flat().filter((p) => groups.every((group) => group.some((q) => inside(p, q))));
}
