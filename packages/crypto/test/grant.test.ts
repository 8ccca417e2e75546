import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { checkDecode, checkEncode } from '@dcsim/common/base58';
import { CipherSuite, Store } from '../src/encryption/index.js';
import { AccessError, inspectAccess, inspectAccessJson, parseAccess, serializeAccess } from '../src/grant/index.js';
import { APIKey } from '../src/macaroon/index.js';
import { loadVector } from './vectors.js';

const vector = loadVector('access-grants.json').grants[0];

/** A Scope protobuf from its parts, written independently of the code under test. */
function scope(parts: { satellite?: string; apiKey?: Uint8Array; encAccess?: Uint8Array }): Uint8Array {
  const w = new BinaryWriter();
  if (parts.satellite !== undefined) w.tag(1, WireType.LengthDelimited).string(parts.satellite);
  if (parts.apiKey !== undefined) w.tag(2, WireType.LengthDelimited).bytes(parts.apiKey);
  if (parts.encAccess !== undefined) w.tag(3, WireType.LengthDelimited).bytes(parts.encAccess);
  return w.finish();
}

function accessError(text: string): string {
  try {
    parseAccess(text);
  } catch (err) {
    expect(err).toBeInstanceOf(AccessError);
    return (err as Error).message;
  }
  throw new Error('expected an AccessError');
}

describe('access grants made by Storj', () => {
  it('inspect exactly as `uplink access inspect` prints them', () => {
    expect(inspectAccess(vector.grant)).toEqual(vector.inspect);
    expect(Object.keys(inspectAccess(vector.grant))).toEqual(Object.keys(vector.inspect));
    expect(inspectAccessJson(vector.grant)).toBe(JSON.stringify(vector.inspect, null, 2));
  });

  it('parse and re-serialize to the same string', () => {
    const grant = parseAccess(vector.grant);
    expect(grant.satelliteAddress).toBe(vector.inspect.satellite_addr);
    expect(grant.apiKey.serialize()).toBe(vector.inspect.api_key);
    expect(Buffer.from(grant.encAccess.store.defaultKey!).toString('base64')).toBe(vector.inspect.encryption_access.default_key);
    expect(grant.encAccess.store.defaultPathCipher).toBe(CipherSuite.AESGCM);
    expect(grant.encAccess.store.list()).toEqual([]);
    expect(serializeAccess(grant)).toBe(vector.grant);
  });
});

describe('grants written here', () => {
  const apiKey = APIKey.generate(new Uint8Array(32).fill(1));
  const key = (n: number) => new Uint8Array(32).fill(n);

  it('round-trip store entries, path ciphers and encryption parameters', () => {
    const store = new Store({ defaultKey: key(2), defaultPathCipher: CipherSuite.Null });
    store.add({
      bucket: 'b',
      unencryptedPath: 'a/b',
      encryptedPath: new TextEncoder().encode('x/y'),
      key: key(3),
      pathCipher: CipherSuite.Secretbox,
    });
    const grant = {
      satelliteAddress: '1abc@127.0.0.1:7777',
      apiKey,
      encAccess: { store, defaultEncryptionParameters: { cipherSuite: CipherSuite.AESGCM, blockSize: 7424 } },
    };
    const text = serializeAccess(grant);
    const back = parseAccess(text);
    expect(back.satelliteAddress).toBe('1abc@127.0.0.1:7777');
    expect(back.apiKey.rawBytes()).toEqual(apiKey.rawBytes());
    expect(back.encAccess.store.defaultKey).toEqual(key(2));
    expect(back.encAccess.store.defaultPathCipher).toBe(CipherSuite.Null);
    expect(back.encAccess.store.list()).toEqual(store.list());
    expect(back.encAccess.defaultEncryptionParameters).toEqual({ cipherSuite: CipherSuite.AESGCM, blockSize: 7424 });
    expect(serializeAccess(back)).toBe(text);
  });

  it('treat an unspecified default path cipher as AES-GCM, as Storj does for old grants', () => {
    const text = checkEncode(scope({ satellite: 's@h:1', apiKey: apiKey.rawBytes(), encAccess: new Uint8Array([0x0a, 0x20, ...key(4)]) }));
    expect(parseAccess(text).encAccess.store.defaultPathCipher).toBe(CipherSuite.AESGCM);
  });

  it('ignore unknown fields, as Storj does', () => {
    const payload = new Uint8Array([...checkDecode(vector.grant).payload, 0xa0, 0x06, 0x01]); // field 100 = 1
    expect(parseAccess(checkEncode(payload)).apiKey.serialize()).toBe(vector.inspect.api_key);
  });
});

describe('malformed grants get a one-line AccessError naming the problem', () => {
  const payload = checkDecode(vector.grant).payload;
  const apiKey = parseAccess(vector.grant).apiKey.rawBytes();
  const encAccess = new Uint8Array([0x0a, 0x20, ...new Uint8Array(32).fill(9), 0x18, 0x02]);
  const cases: [string, string, RegExp][] = [
    [
      'bad checksum',
      vector.grant.slice(0, -1) + (vector.grant.endsWith('Q') ? 'R' : 'Q'),
      /^invalid access grant: base58check checksum mismatch$/,
    ],
    ['not base58', 'not-a-grant!', /^invalid access grant: invalid base58 character "-"$/],
    ['too short', '1', /^invalid access grant: base58check value too short$/],
    ['wrong version', checkEncode(payload, 1), /^invalid access grant: base58check version 1, want 0$/],
    ['truncated protobuf', checkEncode(payload.subarray(0, payload.length - 20)), /^invalid access grant: truncated protobuf$/],
    [
      'wrong wire type',
      checkEncode(new Uint8Array([0x08, 0x01, ...payload])),
      /^invalid access grant: malformed protobuf: field 1 has wire type 0, want 2$/,
    ],
    ['missing satellite address', checkEncode(scope({ apiKey, encAccess })), /^invalid access grant: no satellite address$/],
    [
      'missing API key',
      checkEncode(scope({ satellite: 's@h:1', encAccess })),
      /^invalid access grant: malformed API key: macaroon is empty$/,
    ],
    [
      'bad macaroon',
      checkEncode(scope({ satellite: 's@h:1', apiKey: new Uint8Array([2, 2, 9]), encAccess })),
      /^invalid access grant: malformed API key: macaroon is truncated/,
    ],
    ['missing encryption access', checkEncode(scope({ satellite: 's@h:1', apiKey })), /^invalid access grant: no encryption access$/],
    [
      'short default key',
      checkEncode(scope({ satellite: 's@h:1', apiKey, encAccess: new Uint8Array([0x0a, 0x01, 0x07]) })),
      /malformed encryption access: default key is 1 bytes, want 32$/,
    ],
    [
      'truncated encryption access',
      checkEncode(scope({ satellite: 's@h:1', apiKey, encAccess: encAccess.subarray(0, 10) })),
      /malformed encryption access: truncated encryption access$/,
    ],
    [
      'store entry without key',
      checkEncode(scope({ satellite: 's@h:1', apiKey, encAccess: new Uint8Array([0x12, 0x03, 0x0a, 0x01, 0x62]) })),
      /store entry for bucket "b" has a 0-byte key, want 32$/,
    ],
  ];
  it.each(cases)('%s', (_name, text, reason) => {
    const message = accessError(text);
    expect(message).toMatch(reason);
    expect(message).not.toContain('\n');
    expect(() => inspectAccess(text)).toThrow(message);
  });

  it('serializing a grant without a satellite address is refused', () => {
    const grant = parseAccess(vector.grant);
    expect(() => serializeAccess({ ...grant, satelliteAddress: '' })).toThrow(/missing satellite address/);
  });
});
