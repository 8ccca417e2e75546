/**
 * Registering an access grant (new S3 credentials for it) and looking one up, over the database. The
 * sealed fields open only with the access key ID, which the caller brings and the database never holds.
 */
import { parseAccess, type AccessGrant } from '@dcsim/crypto/grant';
import type { AuthDb } from './db.js';
import { keyHash, newAccessKey, newSecretKey, parseAccessKeyId, recordKey } from './keys.js';
import { GRANT_NONCE, SECRET_NONCE, open, seal } from './seal.js';
import { GatewayError } from '../errors.js';

/** Storj refuses grants whose API key expires sooner than this. */
const MIN_REMAINING_MS = 60_000;

/** A refusal with the HTTP status the service answers it with. */
export class AuthError extends GatewayError {
  constructor(
    readonly status: 400 | 401 | 404 | 413 | 422,
    message: string,
  ) {
    super(message);
  }
}

export interface RegisterOptions {
  /** Satellite node IDs grants may be for; empty or absent: any. */
  allowedSatellites?: string[];
  now?: number;
}

export interface Registered {
  accessKeyId: string;
  secretKey: string;
}

export function register(db: AuthDb, grantText: string, isPublic: boolean, options: RegisterOptions = {}): Registered {
  const now = options.now ?? Date.now();
  let grant: AccessGrant;
  try {
    grant = parseAccess(grantText.trim());
  } catch (err) {
    throw new AuthError(400, `invalid access grant: ${(err as Error).message}`);
  }
  const satelliteId = grant.satelliteAddress.split('@')[0];
  if (options.allowedSatellites?.length && !options.allowedSatellites.some((s) => s.split('@')[0] === satelliteId)) {
    throw new AuthError(400, 'the access grant is for a satellite this service does not serve');
  }
  const expiresAt = earliestNotAfter(grant);
  if (expiresAt !== null && expiresAt < now + MIN_REMAINING_MS) throw new AuthError(400, 'the access grant expires within a minute');

  const key = newAccessKey();
  const secretKey = newSecretKey();
  const sealKey = recordKey(key);
  db.insert({
    keyHash: keyHash(key),
    createdAt: now,
    public: isPublic,
    satelliteAddress: grant.satelliteAddress,
    macaroonHead: grant.apiKey.head(),
    expiresAt,
    encryptedSecretKey: seal(sealKey, SECRET_NONCE, secretKey),
    encryptedAccessGrant: seal(sealKey, GRANT_NONCE, grantText.trim()),
  });
  return { accessKeyId: key.id, secretKey };
}

export interface LookedUp {
  accessGrant: string;
  secretKey: string;
  public: boolean;
}

export function lookup(db: AuthDb, accessKeyId: string, now = Date.now()): LookedUp {
  const key = parseAccessKeyId(accessKeyId);
  if (!key) throw new AuthError(404, 'no such access key');
  const row = db.get(keyHash(key));
  if (!row) throw new AuthError(404, 'no such access key');
  if (row.invalidatedAt !== null)
    throw new AuthError(401, `the access key was invalidated: ${row.invalidationReason ?? 'no reason given'}`);
  if (row.expiresAt !== null && row.expiresAt <= now) throw new AuthError(401, 'the access key has expired');
  const sealKey = recordKey(key);
  return {
    accessGrant: open(sealKey, GRANT_NONCE, row.encryptedAccessGrant),
    secretKey: open(sealKey, SECRET_NONCE, row.encryptedSecretKey),
    public: row.public,
  };
}

export function invalidate(db: AuthDb, accessKeyId: string, reason: string): void {
  const key = parseAccessKeyId(accessKeyId);
  if (!key || !db.invalidate(keyHash(key), reason)) throw new AuthError(404, 'no such access key');
}

function earliestNotAfter(grant: AccessGrant): number | null {
  const times = grant.apiKey
    .caveats()
    .map((c) => c.notAfter?.getTime())
    .filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.min(...times) : null;
}
