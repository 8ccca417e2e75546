/**
 * Sharing (uplink's Access.Share): a child grant whose macaroon gains one caveat (operations, time window,
 * max object TTL, and the *encrypted* prefixes it may touch), and whose key store holds only the keys derived
 * at the shared prefixes. The child can decrypt its subtree and nothing else; the satellite enforces the rest.
 */
import { randomBytes } from 'node:crypto';
import { derivePathKey, encryptPath } from '../encryption/path.js';
import { Store } from '../encryption/store.js';
import type { Caveat } from '../macaroon/caveat.js';
import { AccessError, type AccessGrant } from './access.js';

export interface Permission {
  allowDownload?: boolean;
  allowUpload?: boolean;
  allowList?: boolean;
  allowDelete?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  maxObjectTtlMs?: number;
}

export interface SharePrefix {
  bucket: string;
  /** Unencrypted key prefix inside the bucket; '' shares the whole bucket. */
  prefix: string;
}

export function restrictAccess(grant: AccessGrant, permission: Permission, prefixes: SharePrefix[] = []): AccessGrant {
  const { allowDownload, allowUpload, allowList, allowDelete, notBefore, notAfter } = permission;
  if (!allowDownload && !allowUpload && !allowList && !allowDelete) throw new AccessError('permission is empty: allow at least one operation');
  if (notBefore && notAfter && notAfter < notBefore) throw new AccessError('invalid time range: not-after is before not-before');

  const parent = grant.encAccess.store;
  const caveat: Caveat = {
    disallowReads: !allowDownload,
    disallowWrites: !allowUpload,
    disallowLists: !allowList,
    disallowDeletes: !allowDelete,
    notBefore,
    notAfter,
    maxObjectTtlMs: permission.maxObjectTtlMs,
    // Lets a user make many restricted keys with the same restrictions, each revocable on its own.
    nonce: new Uint8Array(randomBytes(4)),
    allowedPaths: [],
  };
  const store = new Store({ defaultPathCipher: parent.defaultPathCipher });
  if (prefixes.length === 0) store.defaultKey = parent.defaultKey;
  for (const p of prefixes) {
    // "photos/" and "photos" share the same subtree: a trailing '/' would add an empty component.
    const unencrypted = p.prefix.replace(/\/$/, '');
    const encrypted = encryptPath(p.bucket, unencrypted, undefined, parent);
    const key = derivePathKey(p.bucket, unencrypted, parent);
    const pathCipher = parent.lookupUnencrypted(p.bucket, unencrypted)!.base.pathCipher;
    store.add({ bucket: p.bucket, unencryptedPath: unencrypted, encryptedPath: encrypted, key, pathCipher });
    caveat.allowedPaths!.push({ bucket: new TextEncoder().encode(p.bucket), encryptedPathPrefix: encrypted });
  }
  return {
    satelliteAddress: grant.satelliteAddress,
    apiKey: grant.apiKey.restrict(caveat),
    encAccess: { store, defaultEncryptionParameters: grant.encAccess.defaultEncryptionParameters },
  };
}
