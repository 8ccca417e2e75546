/**
 * Who may do what: every metainfo request carries a macaroon API key, checked here.
 *
 * The key's head names a row in `api_keys` (and so a project); the row's secret recomputes the tail
 * chain, which proves the caveats were not tampered with; every caveat must allow the action; and
 * no tail along the chain may be revoked, so revoking a macaroon also revokes every key derived
 * from it. Revoked tails live in memory (a Set of hex strings) and are reloaded whenever another
 * process changed the database, so the check costs no query. The chain is computed and the caveats
 * decoded once per request, however many checks the request needs (`npm run bench -- auth`).
 */
import { constantTimeEqual, equalBytes } from '@dcsim/common/bytes';
import { toHex } from '@dcsim/common/encoding';
import { APIKey, ApiKeyError, ActionType, allows, checkCaveats, type Action, type Caveat } from '@dcsim/crypto/macaroon';
import type { Clock } from '@dcsim/process';
import { Reason, RpcError, fieldInvalid, fieldTooLarge, type RequestHeader } from '@dcsim/protocol';
import type { ApiKeyRow, ProjectRow, SatelliteDb } from './db/index.js';
import type { RateLimiter } from './limits/rate-limiter.js';

/** A request's key after its head, tail chain and revocations were checked. */
export interface Authenticated {
  key: APIKey;
  apiKey: ApiKeyRow;
  project: ProjectRow;
  /** The key's caveats, decoded, oldest first. */
  caveats: Caveat[];
}

/** What a request wants to do, as the caveats see it. */
export interface RequestedAction {
  op: ActionType;
  bucket?: string;
  encryptedPath?: Uint8Array;
}

/**
 * Far more caveats than any real chain carries (each share or restrict adds one). Every caveat costs an HMAC
 * and a decode, so an unbounded chain would let a single request burn the satellite's CPU.
 */
const MAX_CAVEATS = 1000;

/**
 * Largest serialized API key accepted, checked before it is parsed. A key with a few caveats is a few
 * hundred bytes; one restricted to many long encrypted prefixes a few KiB.
 */
export const MAX_API_KEY_SIZE = 64 * 1024;

/** No row has this head: nothing to reveal, but a hint for the common mistakes. */
const UNKNOWN_KEY = 'invalid API key: not known to this satellite (deleted, or made for another satellite)';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Auth {
  private revoked = new Set<string>();
  /** Projects never change once created (name, salt), so each is read from the database once. */
  private readonly projects = new Map<string, ProjectRow>();
  private dataVersion = -1;
  // Prepared once: `sql.pragma()` prepares a statement on every call, which is most of a request's cost.
  private readonly dataVersionStmt;

  constructor(
    private readonly db: SatelliteDb,
    /** Caveats' time windows are judged by the satellite's clock. */
    private readonly clock: Clock,
    /** Each project's request rate, checked once the key's project is known (before its signature chain, as Storj). */
    private readonly rateLimiter?: RateLimiter,
  ) {
    this.dataVersionStmt = db.sql.prepare('PRAGMA data_version').pluck();
    this.reloadShared();
  }

  /** Checks the key and that every caveat allows the action; returns the key's project. */
  authorize(header: RequestHeader | undefined, action: RequestedAction): Authenticated {
    const auth = this.authenticate(header);
    this.check(auth, action);
    return auth;
  }

  /**
   * Parses the key, finds its head and verifies its tail chain and revocations, without looking at
   * what the caveats allow: for requests whose bucket and key are only known after a lookup in the
   * key's project (stream IDs, segment IDs). Call `check` before acting.
   */
  authenticate(header: RequestHeader | undefined): Authenticated {
    const raw = header?.apiKey;
    if (!raw || raw.length === 0) throw new RpcError(Reason.API_KEY_MISSING, 'missing API key');
    if (raw.length > MAX_API_KEY_SIZE) {
      throw fieldTooLarge('header.api_key', MAX_API_KEY_SIZE, `API key is ${raw.length} bytes; at most ${MAX_API_KEY_SIZE} are accepted`);
    }
    let key: APIKey;
    try {
      key = APIKey.fromBytes(raw);
    } catch {
      throw new RpcError(Reason.API_KEY_MALFORMED, 'invalid API key: not a macaroon');
    }
    const caveatCount = key.macaroon.caveats.length;
    if (caveatCount > MAX_CAVEATS) {
      const message = `invalid API key: it has ${caveatCount} caveats, more than the ${MAX_CAVEATS} this satellite accepts`;
      throw new RpcError(Reason.API_KEY_MALFORMED, message);
    }
    this.refreshIfChanged();
    const apiKey = this.db.apiKeys.byHead(key.macaroon.head);
    if (!apiKey) throw new RpcError(Reason.API_KEY_UNKNOWN, UNKNOWN_KEY);
    this.rateLimiter?.take(apiKey.projectId);
    let tails: Uint8Array[];
    let caveats: Caveat[];
    try {
      tails = key.verify(apiKey.secret);
      caveats = key.caveats();
    } catch (err) {
      if (!(err instanceof ApiKeyError)) throw err;
      // A chain that does not verify gets no detail: it only tells a forger how far they got.
      if (err.code === 'invalid') throw new RpcError(Reason.API_KEY_INVALID, 'invalid API key');
      throw new RpcError(Reason.API_KEY_MALFORMED, withPrefix('invalid API key', err.message));
    }
    const project = this.project(apiKey.projectId);
    if (!project) throw new RpcError(Reason.API_KEY_UNKNOWN, 'invalid API key');
    if (tails.some((tail) => this.revoked.has(toHex(tail)))) throw new RpcError(Reason.API_KEY_REVOKED, 'API key revoked');
    return { key, apiKey, project, caveats };
  }

  /** Throws PERMISSION_DENIED (CAVEAT_REFUSED) naming the caveat that refuses the action. */
  check(auth: Authenticated, action: RequestedAction): void {
    const checked: Action = {
      op: action.op,
      bucket: action.bucket === undefined ? undefined : encoder.encode(action.bucket),
      encryptedPath: action.encryptedPath,
      time: this.clock.date(),
    };
    try {
      checkCaveats(auth.caveats, checked);
    } catch (err) {
      if (!(err instanceof ApiKeyError)) throw err;
      if (err.code !== 'unauthorized') throw new RpcError(Reason.API_KEY_MALFORMED, withPrefix('invalid API key', err.message));
      const caveat = refusingField(auth.caveats, checked);
      throw new RpcError(Reason.CAVEAT_REFUSED, withPrefix('permission denied', err.message), { caveat });
    }
  }

  /**
   * Buckets the key may touch at all: 'all', or the names every caveat with path restrictions
   * allows (Storj's GetAllowedBuckets). ListBuckets filters its answer with this.
   */
  allowedBuckets(auth: Authenticated): 'all' | Set<string> {
    let allowed: Set<string> | undefined;
    for (const caveat of auth.caveats) {
      const paths = caveat.allowedPaths ?? [];
      if (paths.length === 0) continue;
      const names = new Set(paths.map((p) => decoder.decode(p.bucket)));
      allowed = allowed === undefined ? names : new Set([...allowed].filter((b) => names.has(b)));
    }
    return allowed ?? 'all';
  }

  /** The shortest max-object-TTL of the key's caveats, in ms; undefined when none limits it. */
  maxObjectTtlMs(auth: Authenticated): number | undefined {
    let ttl: number | undefined;
    for (const caveat of auth.caveats) {
      if (caveat.maxObjectTtlMs !== undefined && (ttl === undefined || caveat.maxObjectTtlMs < ttl)) ttl = caveat.maxObjectTtlMs;
    }
    return ttl;
  }

  /**
   * Revokes `raw` (a serialized macaroon) on behalf of the request's key. Storj's rule: both keys share
   * the head (and so the secret), and the revoking key's tail appears in the revoked key's chain
   * before its last tail, i.e. the revoked key was derived from the revoking one. A key therefore
   * cannot revoke itself or anything more powerful than itself.
   */
  revoke(header: RequestHeader | undefined, raw: Uint8Array): { revoker: Authenticated; caveats: number } {
    const revoker = this.authenticate(header);
    let target: APIKey;
    try {
      target = APIKey.fromBytes(raw);
    } catch {
      throw fieldInvalid('api_key', 'the API key to revoke is not a macaroon');
    }
    const invalid = () => fieldInvalid('api_key', 'the API key to revoke is not valid for this project key');
    if (!equalBytes(target.head(), revoker.key.head())) throw invalid();
    let tails: Uint8Array[];
    try {
      tails = target.verify(revoker.apiKey.secret);
    } catch (err) {
      if (err instanceof ApiKeyError) throw invalid();
      throw err;
    }
    const revokerTail = revoker.key.tail();
    // A tail is as good as a key: compare them in constant time.
    const derived = tails.slice(0, -1).some((tail) => constantTimeEqual(tail, revokerTail));
    if (!derived) {
      throw new RpcError(Reason.REVOKE_NOT_ALLOWED, 'cannot revoke this API key: it was not derived from the key making the request');
    }
    this.db.revocations.add(target.tail(), this.clock.now());
    this.revoked.add(toHex(target.tail()));
    return { revoker, caveats: tails.length - 1 };
  }

  private project(id: string): ProjectRow | undefined {
    let project = this.projects.get(id);
    if (!project) {
      project = this.db.projects.get(id);
      if (project) this.projects.set(id, project);
    }
    return project;
  }

  /** `data_version` changes when another connection (the admin CLI) committed: reload revocations and forget cached keys then. */
  private refreshIfChanged(): void {
    const version = this.dataVersionStmt.get() as number;
    if (version !== this.dataVersion) this.reloadShared(version);
  }

  private reloadShared(version = this.dataVersionStmt.get() as number): void {
    this.dataVersion = version;
    this.db.apiKeys.forgetCached();
    this.revoked = new Set(this.db.revocations.allTails().map(toHex));
  }
}

/** The caveat fields, as Storj's macaroon.proto names them, that forbid each operation the satellite checks. */
const DISALLOWS: Partial<Record<ActionType, string>> = {
  [ActionType.Read]: 'disallow_reads',
  [ActionType.Write]: 'disallow_writes',
  [ActionType.List]: 'disallow_lists',
  [ActionType.Delete]: 'disallow_deletes',
};

/**
 * The field of the first caveat that refuses `action`, for CAVEAT_REFUSED's facts. ApiKeyError says which
 * only in words, so each field of that caveat is tried on its own, in the order checkCaveats tries them.
 */
function refusingField(caveats: readonly Caveat[], action: Action): string {
  const caveat = caveats.find((c) => c.hasUnknownFields || !allows(c, action));
  if (!caveat) return 'unknown';
  if (caveat.hasUnknownFields) return 'unknown_fields';
  const refuses = (only: Caveat) => !allows(only, action);
  if (refuses({ notAfter: caveat.notAfter })) return 'not_after';
  if (refuses({ notBefore: caveat.notBefore })) return 'not_before';
  if (refuses({ ...caveat, allowedPaths: undefined, notAfter: undefined, notBefore: undefined })) return DISALLOWS[action.op] ?? 'unknown';
  return 'allowed_paths';
}
function withPrefix(prefix: string, message: string): string {
  return message.startsWith(prefix) ? message : `${prefix}: ${message}`;
}
