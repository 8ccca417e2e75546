/**
 * `uplink access inspect`: the JSON Storj's CLI prints (storj/storj cmd/uplink/cmd_access_inspect.go), key for
 * key: Go's encoding/json over the protobuf structs, so bytes are standard base64, enums are names, empty
 * fields are left out, times are RFC 3339, durations are nanoseconds, and head/tail are URL-safe base64.
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { checkEncode } from '../base58.js';
import { cipherSuiteName } from '../encryption/cipher.js';
import { decodeCaveat, type Caveat } from '../macaroon/caveat.js';
import { parseMacaroon } from '../macaroon/serialize.js';
import { AccessError, decodeScope } from './access.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url') + '='.repeat((3 - (b.length % 3)) % 3);

/** Go's time.Time JSON (RFC3339Nano): fractional seconds only when non-zero, trailing zeros dropped. */
function goTime(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

function inspectParams(bytes: Uint8Array): Record<string, unknown> {
  const r = new BinaryReader(bytes);
  const out: Record<string, unknown> = {};
  while (r.pos < r.len) {
    const [f, t] = r.tag();
    if (f === 1) out.cipher_suite = cipherSuiteName(r.int32());
    else if (f === 2) out.block_size = Number(r.int64());
    else r.skip(t);
  }
  return out;
}

function inspectStoreEntry(bytes: Uint8Array): Record<string, unknown> {
  const r = new BinaryReader(bytes);
  const fields: Record<number, unknown> = {};
  while (r.pos < r.len) {
    const [f, t] = r.tag();
    if (f >= 1 && f <= 4) fields[f] = b64(r.bytes());
    else if (f === 5) fields[5] = cipherSuiteName(r.int32());
    else if (f === 6) fields[6] = inspectParams(r.bytes());
    else r.skip(t);
  }
  const names = ['', 'bucket', 'unencrypted_path', 'encrypted_path', 'key', 'path_cipher', 'encryption_parameters'];
  return Object.fromEntries([1, 2, 3, 4, 5, 6].filter((f) => fields[f] !== undefined).map((f) => [names[f], fields[f]]));
}

function inspectEncryptionAccess(bytes: Uint8Array): Record<string, unknown> {
  const r = new BinaryReader(bytes);
  let defaultKey: string | undefined;
  const entries: unknown[] = [];
  let cipher: string | undefined;
  let params: unknown;
  while (r.pos < r.len) {
    const [f, t] = r.tag();
    if (f === 1) defaultKey = b64(r.bytes());
    else if (f === 2) entries.push(inspectStoreEntry(r.bytes()));
    else if (f === 3) cipher = cipherSuiteName(r.int32());
    else if (f === 4) params = inspectParams(r.bytes());
    else r.skip(t);
  }
  const out: Record<string, unknown> = {};
  if (defaultKey) out.default_key = defaultKey;
  if (entries.length) out.store_entries = entries;
  if (cipher && cipher !== 'ENC_UNSPECIFIED') out.default_path_cipher = cipher;
  if (params) out.default_encryption_parameters = params;
  return out;
}

function inspectCaveat(c: Caveat): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const flags: [keyof Caveat, string][] = [
    ['disallowReads', 'disallow_reads'],
    ['disallowWrites', 'disallow_writes'],
    ['disallowLists', 'disallow_lists'],
    ['disallowDeletes', 'disallow_deletes'],
    ['disallowPutRetention', 'disallow_put_retention'],
    ['disallowGetRetention', 'disallow_get_retention'],
    ['disallowPutLegalHold', 'disallow_put_legal_hold'],
    ['disallowGetLegalHold', 'disallow_get_legal_hold'],
    ['disallowBypassGovernanceRetention', 'disallow_bypass_governance_retention'],
  ];
  for (const [key, name] of flags) if (c[key]) out[name] = true;
  if (c.allowedPaths?.length) {
    out.allowed_paths = c.allowedPaths.map((p) => {
      const path: Record<string, string> = {};
      if (p.bucket.length) path.bucket = b64(p.bucket);
      if (p.encryptedPathPrefix?.length) path.encrypted_path_prefix = b64(p.encryptedPathPrefix);
      return path;
    });
  }
  if (c.notAfter) out.not_after = goTime(c.notAfter);
  if (c.notBefore) out.not_before = goTime(c.notBefore);
  if (c.maxObjectTtlMs !== undefined) out.max_object_ttl = c.maxObjectTtlMs * 1e6;
  if (c.nonce?.length) out.nonce = b64(c.nonce);
  return out;
}

export function inspectAccess(text: string): Record<string, unknown> {
  const scope = decodeScope(text);
  let mac;
  try {
    mac = parseMacaroon(scope.apiKey);
  } catch (err) {
    throw new AccessError(`invalid access grant: invalid API key: ${(err as Error).message}`);
  }
  return {
    satellite_addr: scope.satelliteAddress,
    encryption_access: inspectEncryptionAccess(scope.encryptionAccess),
    api_key: checkEncode(scope.apiKey, 0),
    macaroon: {
      head: b64url(mac.head),
      caveats: mac.caveats.map((c) => inspectCaveat(decodeCaveat(c))),
      tail: b64url(mac.tail),
    },
  };
}
