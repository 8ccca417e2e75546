/**
 * `uplink access inspect` (storj/storj cmd/uplink/cmd_access_inspect.go): what an access grant holds, as the
 * JSON Storj's CLI prints. Storj parses the grant (which limits its keys to what the API key allows),
 * serializes it again and prints the protobuf structs with Go's encoding/json, so:
 * - bytes print as standard base64, except head and tail (URL-safe base64, padded) and the store entries'
 *   keys (URL-safe base64); bucket names and unencrypted paths print as text;
 * - encrypted paths and caveat prefixes print component by component, each in URL-safe base64, joined by '/';
 * - cipher suites print as their protobuf names (ENC_NULL_BASE64URL, unknown to that enum, as "4");
 * - empty fields are left out, times are RFC 3339 in UTC with nanoseconds, durations are nanoseconds;
 * - default_encryption_parameters never appears (Storj does not serialize it).
 */
import { CAVEAT_FLAGS, decodeCaveatMessage, durationNanos, type CaveatMessage, type ProtoTime } from '../macaroon/caveat.js';
import type { StoreEntry } from '../encryption/store.js';
import { AccessError, parseAccess } from './access.js';
import { marshalIndent } from './gojson.js';

export interface InspectedStoreEntry {
  bucket?: string;
  unencrypted_path?: string;
  encrypted_path?: string;
  key?: string;
  path_cipher?: string;
}

export interface InspectedEncryptionAccess {
  default_key?: string;
  store_entries?: InspectedStoreEntry[];
  default_path_cipher?: string;
}

export interface InspectedCaveat {
  /** disallow_reads … disallow_get_bucket_notification_configuration: present (true) only when set. */
  [flag: string]: true | InspectedAllowedPath[] | string | number | bigint | undefined;
  allowed_paths?: InspectedAllowedPath[];
  not_after?: string;
  not_before?: string;
  /** Nanoseconds (a bigint only when beyond Number's exact range). */
  max_object_ttl?: number | bigint;
  nonce?: string;
}

export interface InspectedAllowedPath {
  bucket?: string;
  encrypted_path_prefix?: string;
}

export interface AccessInspection {
  satellite_addr: string;
  encryption_access: InspectedEncryptionAccess;
  api_key: string;
  macaroon: { head: string; caveats: InspectedCaveat[]; tail: string };
}

/** The object `uplink access inspect` prints, key order included. Throws AccessError for a bad grant. */
export function inspectAccess(text: string): AccessInspection {
  const grant = parseAccess(text);
  const { store } = grant.encAccess;
  const entries = store.list().map(inspectStoreEntry);
  const m = grant.apiKey.macaroon;
  return {
    satellite_addr: grant.satelliteAddress,
    encryption_access: {
      default_key: store.defaultKey?.length ? base64(store.defaultKey) : undefined,
      store_entries: entries.length ? entries : undefined,
      default_path_cipher: store.defaultPathCipher ? cipherName(store.defaultPathCipher) : undefined,
    },
    api_key: grant.apiKey.serialize(),
    macaroon: {
      head: base64Url(m.head),
      caveats: m.caveats.map((bytes, i) => {
        try {
          return inspectCaveat(decodeCaveatMessage(bytes));
        } catch (err) {
          throw new AccessError(`invalid access grant: caveat ${i + 1}: ${(err as Error).message}`);
        }
      }),
      tail: base64Url(m.tail),
    },
  };
}

/** The exact text `uplink access inspect` prints (without its final newline). */
export function inspectAccessJson(text: string): string {
  return marshalIndent(inspectAccess(text));
}

function inspectStoreEntry(e: StoreEntry): InspectedStoreEntry {
  return {
    bucket: e.bucket || undefined,
    unencrypted_path: e.unencryptedPath || undefined,
    encrypted_path: componentsBase64Url(e.encryptedPath) || undefined,
    key: e.key.length ? base64Url(e.key) : undefined,
    path_cipher: e.pathCipher ? cipherName(e.pathCipher) : undefined,
  };
}

function inspectCaveat(c: CaveatMessage): InspectedCaveat {
  const out: InspectedCaveat = {};
  for (const [, name, json] of CAVEAT_FLAGS) if (c[name]) out[json] = true;
  if (c.allowedPaths?.length) {
    out.allowed_paths = c.allowedPaths.map((p) => ({
      bucket: p.bucket.length ? utf8Decoder.decode(p.bucket) : undefined,
      encrypted_path_prefix: componentsBase64Url(p.encryptedPathPrefix ?? new Uint8Array(0)) || undefined,
    }));
  }
  if (c.notAfter) out.not_after = goTime(c.notAfter, 'not_after');
  if (c.notBefore) out.not_before = goTime(c.notBefore, 'not_before');
  if (c.maxObjectTtl) {
    const nanos = durationNanos(c.maxObjectTtl);
    out.max_object_ttl = nanos >= BigInt(Number.MIN_SAFE_INTEGER) && nanos <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(nanos) : nanos;
  }
  if (c.nonce?.length) out.nonce = base64(c.nonce);
  return out;
}

const utf8Decoder = new TextDecoder();

/** The names of storj.io/common/pb's CipherSuite enum; values it lacks print as their number. */
function cipherName(suite: number): string {
  return ['ENC_UNSPECIFIED', 'ENC_NULL', 'ENC_AESGCM', 'ENC_SECRETBOX'][suite] ?? String(suite);
}

/** Go's time.Time JSON (RFC3339Nano, UTC): fraction only when non-zero, trailing zeros dropped. */
function goTime(t: ProtoTime, field: string): string {
  const total = t.seconds * 1_000_000_000n + BigInt(t.nanos);
  let seconds = total / 1_000_000_000n;
  if (total < 0n && total % 1_000_000_000n !== 0n) seconds -= 1n;
  const nanos = Number(total - seconds * 1_000_000_000n);
  // Go refuses to print years outside 0..9999 (and so does `uplink access inspect`).
  if (seconds < -62167219200n || seconds > 253402300799n) throw new AccessError(`${field} year outside of range [0,9999]`);
  const date = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const fraction = nanos ? `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${date}${fraction}Z`;
}

/** Each '/'-separated component of an encrypted path in padded URL-safe base64, as Storj's EncNullBase64URL. */
function componentsBase64Url(path: Uint8Array): string {
  if (path.length === 0) return '';
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0x2f) {
      parts.push(base64Url(path.subarray(start, i)));
      start = i + 1;
    }
  }
  return parts.join('/');
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Go's base64.URLEncoding: URL-safe alphabet, with padding. */
function base64Url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_');
}
