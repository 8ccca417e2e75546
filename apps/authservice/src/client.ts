/**
 * What a gateway uses to turn an S3 access key ID into the grant and secret key: a lookup on the auth
 * service (GET /v1/access/{id} with the bearer token) behind a small cache. As in Storj's gateway, the cache
 * entries are themselves sealed under the access key and found by its hash, so even the gateway's memory
 * holds registered grants in the clear only while it serves a request that presented the key.
 */
import { keyHash, parseAccessKeyId } from './credentials.js';
import { seal, unseal, type Sealed } from './sealed.js';
import { AuthError, type Registered } from './service.js';

/** The auth service could not be asked (down, or answered nonsense): the request may be retried. */
export class AuthUnavailableError extends Error {
  override name = 'AuthUnavailableError';
}

export interface AuthClientOptions {
  /** How long a looked-up record is used before asking again (invalidations take this long to bite). */
  cacheTtlMs?: number;
  maxEntries?: number;
  timeoutMs?: number;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

interface Entry extends Sealed {
  public: boolean;
  until: number;
}

export class AuthClient {
  private readonly cache = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    options: AuthClientOptions = {},
  ) {
    this.ttlMs = options.cacheTtlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The grant and secret key registered under `accessKeyId`; AuthError for a bad or unusable key. */
  async lookup(accessKeyId: string): Promise<Registered> {
    let key: Uint8Array;
    try {
      key = parseAccessKeyId(accessKeyId);
    } catch (err) {
      throw new AuthError('bad-request', (err as Error).message);
    }
    const id = Buffer.from(keyHash(key)).toString('hex');
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) {
      const { secretKey, accessGrant } = unseal(key, cached);
      return { accessGrant, secretKey: textDecoder.decode(secretKey), public: cached.public };
    }
    const found = await this.fetchRecord(accessKeyId);
    this.remember(id, key, found);
    return found;
  }

  /** The cache's raw entries, for tests that check nothing in it is readable without the key. */
  cachedEntries(): Sealed[] {
    return [...this.cache.values()];
  }

  private async fetchRecord(accessKeyId: string): Promise<Registered> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/v1/access/${encodeURIComponent(accessKeyId)}`, {
        headers: { Authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new AuthUnavailableError(`auth service unreachable: ${(err as Error).message}`);
    }
    const body = await res.text();
    if (res.status === 400) throw new AuthError('bad-request', body.trim());
    if (res.status === 401) throw new AuthError('unauthorized', body.trim());
    if (res.status !== 200) throw new AuthUnavailableError(`auth service answered ${res.status}`);
    const parsed = JSON.parse(body) as { access_grant?: unknown; secret_key?: unknown; public?: unknown };
    if (typeof parsed.access_grant !== 'string' || typeof parsed.secret_key !== 'string') {
      throw new AuthUnavailableError('auth service answered without a grant and secret key');
    }
    return { accessGrant: parsed.access_grant, secretKey: parsed.secret_key, public: parsed.public === true };
  }

  private remember(id: string, key: Uint8Array, found: Registered): void {
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!); // oldest first
    // The secret key is cached in its text form's bytes: that is what signatures are checked with.
    const sealed = seal(key, textEncoder.encode(found.secretKey), found.accessGrant);
    this.cache.set(id, { ...sealed, public: found.public, until: Date.now() + this.ttlMs });
  }
}
