/**
 * Sharing (uplink's Access.Share, storj/common grant/restrict.go Restrict): a child grant whose macaroon gains
 * one caveat (operations, time window, max object TTL, and the *encrypted* prefixes it may touch), and whose
 * key store keeps only the keys at the shared prefixes. The child can decrypt its subtree and nothing else;
 * the satellite enforces the rest. Each caveat is appended to the chain, so a share of a share only narrows.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { encryptPath } from '../encryption/path.js';
import type { AllowedPath, Caveat } from '../macaroon/caveat.js';
import { AccessError, type AccessGrant } from './access.js';
import { limitStore } from './limit.js';

/** What the child may do. Object Lock operations are never shared (uplink's Share has no way to allow them either). */
export interface Permission {
  /** Download content (and read object metadata). */
  allowDownload?: boolean;
  /** Create buckets and upload objects (overwriting needs allowDelete too). */
  allowUpload?: boolean;
  /** List buckets and objects. */
  allowList?: boolean;
  /** Delete buckets and objects. */
  allowDelete?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** New objects must expire within this many milliseconds. */
  maxObjectTtlMs?: number;
}

export interface SharePrefix {
  bucket: string;
  /** Unencrypted key prefix inside the bucket, whole components ('' = the whole bucket; "a/b/" = "a/b"). */
  prefix: string;
}

const utf8 = new TextEncoder();

export function restrictAccess(grant: AccessGrant, permission: Permission, prefixes: SharePrefix[] = []): AccessGrant {
  const { allowDownload, allowUpload, allowList, allowDelete, notBefore, notAfter, maxObjectTtlMs } = permission;
  // As Storj: empty only if nothing at all is set (a permission with just a time window allows nothing, but is valid).
  if (!allowDownload && !allowUpload && !allowList && !allowDelete && !notBefore && !notAfter && maxObjectTtlMs === undefined) {
    throw new AccessError('permission is empty');
  }
  for (const [name, t] of [
    ['not-before', notBefore],
    ['not-after', notAfter],
  ] as const) {
    if (t && Number.isNaN(t.getTime())) throw new AccessError(`invalid ${name} time`);
  }
  if (notBefore && notAfter && notAfter < notBefore) throw new AccessError('invalid time range: not-after is before not-before');
  if (maxObjectTtlMs !== undefined && !(maxObjectTtlMs > 0)) throw new AccessError('non-positive ttl period');

  const caveat: Caveat = {
    disallowReads: !allowDownload,
    disallowWrites: !allowUpload,
    disallowLists: !allowList,
    disallowDeletes: !allowDelete,
    disallowLocks: true,
    disallowPutRetention: true,
    disallowGetRetention: true,
    disallowPutLegalHold: true,
    disallowGetLegalHold: true,
    disallowBypassGovernanceRetention: true,
    disallowPutBucketObjectLockConfiguration: true,
    disallowGetBucketObjectLockConfiguration: true,
    disallowPutBucketNotificationConfiguration: true,
    disallowGetBucketNotificationConfiguration: true,
    allowedPaths: prefixes.map((p) => allowedPath(grant, p)),
    notAfter,
    notBefore,
    maxObjectTtlMs,
    // Four random bytes, as Storj's WithNonce: identical shares still get distinct tails, so each can be revoked alone.
    nonce: randomBytes(4),
  };
  const apiKey = grant.apiKey.restrict(caveat);

  // Storj clones the store before limiting it: the child must not share (and later mutate) the parent's.
  const limited = limitStore(grant.encAccess.store, apiKey);
  const store = limited === grant.encAccess.store ? limited.clone() : limited;
  return {
    satelliteAddress: grant.satelliteAddress,
    apiKey,
    encAccess: { store, defaultEncryptionParameters: grant.encAccess.defaultEncryptionParameters },
  };
}

/** The prefix encrypted with the parent's keys; a trailing '/' would add an empty component, so it goes. */
function allowedPath(grant: AccessGrant, share: SharePrefix): AllowedPath {
  const unencrypted = share.prefix.endsWith('/') ? share.prefix.slice(0, -1) : share.prefix;
  let encrypted: Uint8Array;
  try {
    encrypted = encryptPath(share.bucket, unencrypted, undefined, grant.encAccess.store);
  } catch (err) {
    throw new AccessError(`cannot share sj://${share.bucket}/${share.prefix}: ${(err as Error).message}`);
  }
  return { bucket: utf8.encode(share.bucket), encryptedPathPrefix: encrypted };
}
