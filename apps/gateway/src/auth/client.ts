/**
 * The gateway's side of the auth service: access key ID → secret and grant, over HTTP with the bearer
 * token, with a small cache. Cache entries are sealed under the access key itself (as the database
 * rows are), so the gateway's memory holds no usable grant for keys not currently presented.
 */
import { randomBytes } from 'node:crypto';
import type { CredentialStore, Credentials } from '../credentials.js';
import { S3Error } from '../s3/errors.js';
import { keyHash, parseAccessKeyId, recordKey } from './keys.js';
import { open, seal } from './seal.js';

export interface AuthClientOptions {
  /** How long a looked-up record is reused (default 5 min): an invalidation takes at most this long to bite. */
  ttlMs?: number;
  maxEntries?: number;
}

interface CacheEntry {
  until: number;
  nonce: Uint8Array;
  sealed: Uint8Array;
}

export class AuthServiceCredentials implements CredentialStore {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    options: AuthClientOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
  }

  async lookup(accessKeyId: string): Promise<Credentials | undefined> {
    const key = parseAccessKeyId(accessKeyId);
    if (!key) return undefined; // not one of ours: no need to ask
    const id = Buffer.from(keyHash(key)).toString('hex');
    const sealKey = recordKey(key);
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return JSON.parse(open(sealKey, cached.nonce, cached.sealed)) as Credentials;

    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/v1/access/${key.id}`, { headers: { authorization: `Bearer ${this.token}` } });
    } catch {
      throw new S3Error('ServiceUnavailable', 'the auth service is unreachable');
    }
    if (res.status === 404 || res.status === 401) {
      this.cache.delete(id);
      return undefined;
    }
    if (res.status !== 200) throw new S3Error('ServiceUnavailable', `the auth service answered ${res.status}`);
    const body = (await res.json()) as { access_grant?: unknown; secret_key?: unknown };
    if (typeof body.access_grant !== 'string' || typeof body.secret_key !== 'string') {
      throw new S3Error('ServiceUnavailable', 'the auth service answered without a grant and secret');
    }
    const credentials: Credentials = { access: body.access_grant, secretKey: body.secret_key };
    const nonce = new Uint8Array(randomBytes(12));
    this.cache.set(id, { until: Date.now() + this.ttlMs, nonce, sealed: seal(sealKey, nonce, JSON.stringify(credentials)) });
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    return credentials;
  }
}
