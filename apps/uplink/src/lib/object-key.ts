/**
 * Object keys and listing prefixes as the satellite sees them: encrypted with the grant's path keys. A grant
 * shared for some buckets or prefixes has no key for the others; asking for one is a question of access
 * (NoPathKeyError, an AccessDeniedError), not a failure of the cryptography.
 */
import { encryptPath, encryptPrefix, MissingEncryptionBaseError } from '@dcsim/crypto/encryption';
import type { ProjectContext } from './context.js';
import { NoPathKeyError } from './errors.js';

export function encryptObjectKey(ctx: ProjectContext, bucket: string, key: string): Uint8Array {
  return withPathKey(bucket, key, () => encryptPath(bucket, key, ctx.pathCipher, ctx.store));
}

/** A prefix ending in '/' (or a key, without one), as listings send it. */
export function encryptListPrefix(ctx: ProjectContext, bucket: string, prefix: string): Uint8Array {
  return withPathKey(bucket, prefix, () => encryptPrefix(bucket, prefix, ctx.pathCipher, ctx.store));
}

function withPathKey(bucket: string, path: string, encrypt: () => Uint8Array): Uint8Array {
  try {
    return encrypt();
  } catch (err) {
    if (err instanceof MissingEncryptionBaseError) throw new NoPathKeyError(bucket, path);
    throw err;
  }
}
