/**
 * The auth service's logic, without HTTP: register an access grant (returning fresh S3 credentials) and
 * look one up again by its access key ID. What it keeps is in records.ts; how it keeps it in sealed.ts.
 *
 * While a registration or lookup is in flight the grant is in this process's memory in the clear: the
 * hosted-gateway trade-off Storj documents. At rest it is sealed under a key only the client holds.
 */
import { AccessError, parseAccess, type AccessGrant } from '@dcsim/crypto';
import { accessKeyIdText, CredentialError, keyHash, newAccessKey, newSecretKey, parseAccessKeyId, secretKeyText } from './credentials.js';
import type { Records } from './records.js';
import { seal, unseal } from './sealed.js';

/** A grant must stay valid at least this long to be worth registering (as Storj's auth service). */
export const MIN_REMAINING_VALIDITY_MS = 60_000;

/**
 * bad-request: the grant or key ID is malformed, expires too soon, or names a satellite not served here;
 * unauthorized: no usable record for the key (unknown, expired or invalidated).
 */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly kind: 'bad-request' | 'unauthorized',
    message: string,
  ) {
    super(message);
  }
}

export interface Credentials {
  accessKeyId: string;
  secretKey: string;
}

export interface Registered {
  accessGrant: string;
  secretKey: string;
  public: boolean;
}

export class AuthService {
  constructor(
    private readonly records: Records,
    /** Satellite node URLs (`id@host:port`) whose grants this service accepts. */
    private readonly allowedSatellites: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  register(accessGrant: string, isPublic: boolean): Credentials {
    const grant = parseGrant(accessGrant);
    if (!this.allowedSatellites.includes(grant.satelliteAddress)) {
      throw new AuthError('bad-request', `access grant is for satellite ${grant.satelliteAddress}, which this service does not serve`);
    }
    const expiresAt = earliestNotAfter(grant);
    if (expiresAt !== null && expiresAt < this.now() + MIN_REMAINING_VALIDITY_MS) {
      throw new AuthError('bad-request', 'access grant expires within a minute (or has expired)');
    }
    const key = newAccessKey();
    const secret = newSecretKey();
    this.records.put({
      keyHash: keyHash(key),
      createdAt: this.now(),
      public: isPublic,
      satelliteAddress: grant.satelliteAddress,
      macaroonHead: grant.apiKey.head(),
      expiresAt,
      ...seal(key, secret, accessGrant),
      invalidationReason: null,
      invalidatedAt: null,
    });
    return { accessKeyId: accessKeyIdText(key), secretKey: secretKeyText(secret) };
  }

  lookup(accessKeyId: string): Registered {
    const key = parseKeyId(accessKeyId);
    const record = this.records.get(keyHash(key));
    if (!record) throw new AuthError('unauthorized', 'unknown access key ID');
    if (record.invalidatedAt !== null) throw new AuthError('unauthorized', `access key invalidated: ${record.invalidationReason}`);
    if (record.expiresAt !== null && record.expiresAt <= this.now()) throw new AuthError('unauthorized', 'access key expired');
    const { secretKey, accessGrant } = unseal(key, record);
    return { accessGrant, secretKey: secretKeyText(secretKey), public: record.public };
  }

  invalidate(accessKeyId: string, reason: string): void {
    if (!this.records.invalidate(keyHash(parseKeyId(accessKeyId)), reason, this.now())) {
      throw new AuthError('unauthorized', 'unknown (or already invalidated) access key ID');
    }
  }
}

function parseGrant(text: string): AccessGrant {
  try {
    return parseAccess(text);
  } catch (err) {
    if (err instanceof AccessError) throw new AuthError('bad-request', err.message);
    throw err;
  }
}

function parseKeyId(text: string): Uint8Array {
  try {
    return parseAccessKeyId(text);
  } catch (err) {
    if (err instanceof CredentialError) throw new AuthError('bad-request', err.message);
    throw err;
  }
}

/** The record lives as long as the grant's API key does: the earliest not_after of its caveats. */
function earliestNotAfter(grant: AccessGrant): number | null {
  let earliest: number | null = null;
  for (const caveat of grant.apiKey.caveats()) {
    const t = caveat.notAfter?.getTime();
    if (t !== undefined && (earliest === null || t < earliest)) earliest = t;
  }
  return earliest;
}
