import { describe, expect, it } from 'vitest';
import {
  APIKey, ActionType, CipherSuite, decryptPath, encryptPath, inspectAccess, parseAccess, restrictAccess, serializeAccess, Store, checkEncode, checkDecode,
} from '../src/index.js';
import { loadVector } from './vectors.js';

const vector = loadVector('access-grants.json').grants[0];

describe('access grants from real Storj tooling', () => {
  it('inspects exactly as `uplink access inspect` prints', () => {
    expect(JSON.stringify(inspectAccess(vector.grant), null, 2)).toBe(JSON.stringify(vector.inspect, null, 2));
  });

  it('parses and re-serializes to the same string', () => {
    const grant = parseAccess(vector.grant);
    expect(grant.satelliteAddress).toBe(vector.inspect.satellite_addr);
    expect(grant.apiKey.serialize()).toBe(vector.inspect.api_key);
    expect(serializeAccess(grant)).toBe(vector.grant);
  });
});

describe('malformed grants get a one-line reason', () => {
  const scope = checkDecode(vector.grant).payload;
  it.each([
    ['bad checksum', vector.grant.slice(0, -2) + (vector.grant.endsWith('Q') ? 'RR' : 'QQ'), /checksum/],
    ['wrong version', checkEncode(scope, 1), /version 1/],
    ['truncated protobuf', checkEncode(scope.subarray(0, scope.length - 20), 0), /truncated|malformed|invalid/],
    ['not base58', 'not-a-grant!', /invalid base58/],
    ['missing satellite address', checkEncode(scope.subarray(scope.indexOf(0x12)), 0), /no satellite address/],
  ])('%s', (_name, text, reason) => {
    expect(() => parseAccess(text)).toThrow(reason);
  });

  it('bad macaroon', () => {
    const grant = parseAccess(vector.grant);
    const broken = serializeAccess({ ...grant, apiKey: { rawBytes: () => new Uint8Array([2, 1, 2]) } as unknown as APIKey });
    expect(() => parseAccess(broken)).toThrow(/invalid API key/);
  });
});

describe('sharing', () => {
  const secret = new Uint8Array(32).fill(7);
  const root = new Store({ defaultKey: new Uint8Array(32).fill(1), defaultPathCipher: CipherSuite.AESGCM });
  const full = { satelliteAddress: '1x@127.0.0.1:1', apiKey: APIKey.generate(secret), encAccess: { store: root } };
  const now = new Date();

  it('restricts the macaroon to the shared prefix and operations, and carries only the prefix key', () => {
    const child = parseAccess(serializeAccess(restrictAccess(full, { allowDownload: true, allowList: true }, [{ bucket: 'b', prefix: 'a/b/' }])));
    expect(child.encAccess.store.defaultKey).toBeUndefined();
    const inside = encryptPath('b', 'a/b/c.txt', undefined, root);
    expect(decryptPath('b', inside, undefined, child.encAccess.store)).toBe('a/b/c.txt');
    expect(() => decryptPath('b', encryptPath('b', 'a/x.txt', undefined, root), undefined, child.encAccess.store)).toThrow();

    const check = (op: ActionType, bucket: string, path: Uint8Array) => () =>
      child.apiKey.check(secret, { op, bucket: new TextEncoder().encode(bucket), encryptedPath: path, time: now });
    expect(check(ActionType.Read, 'b', inside)).not.toThrow();
    expect(check(ActionType.Write, 'b', inside)).toThrow(/disallow_writes/);
    expect(check(ActionType.Read, 'b', encryptPath('b', 'a/x.txt', undefined, root))).toThrow(/allowed_paths/);
    expect(check(ActionType.Read, 'other', inside)).toThrow(/allowed_paths/);
  });

  it('only narrows: restricting again intersects', () => {
    const readOnly = restrictAccess(full, { allowDownload: true, allowList: true });
    const widened = restrictAccess(readOnly, { allowDownload: true, allowUpload: true, allowList: true, allowDelete: true });
    expect(() => widened.apiKey.check(secret, { op: ActionType.Write, bucket: new Uint8Array([98]), encryptedPath: new Uint8Array([1]), time: now })).toThrow(/disallow_writes/);
  });

  it('refuses an empty permission and an inverted time range', () => {
    expect(() => restrictAccess(full, {})).toThrow(/permission is empty/);
    expect(() => restrictAccess(full, { allowList: true, notBefore: now, notAfter: new Date(now.getTime() - 1) })).toThrow(/time range/);
  });
});
