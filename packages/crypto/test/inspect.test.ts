import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { CipherSuite, Store } from '../src/encryption/index.js';
import { inspectAccess, inspectAccessJson, serializeAccess, type AccessGrant } from '../src/grant/index.js';
import { APIKey, serializeMacaroon } from '../src/macaroon/index.js';

// Go's base64.StdEncoding and base64.URLEncoding (both padded), via Node, independently of the code under test.
const b64 = (b: Uint8Array | number[]) => Buffer.from(b).toString('base64');
const b64url = (b: Uint8Array | number[]) => b64(b).replace(/\+/g, '-').replace(/\//g, '_');

const secret = new Uint8Array(32).fill(7);
const head = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const satelliteAddress = '1sat@127.0.0.1:7777';

describe('inspecting a shared grant (no default key, store entries, a caveat with every kind of field)', () => {
  const encryptedPath = new Uint8Array([0x02, 0xaa, 0xbb, 0x2f, 0x02, 0xfb, 0xff]);
  const store = new Store({ defaultPathCipher: CipherSuite.AESGCM });
  store.add({
    bucket: 'photos',
    unencryptedPath: '2024/trip',
    encryptedPath,
    key: new Uint8Array(32).fill(5),
    pathCipher: CipherSuite.AESGCM,
  });
  const apiKey = APIKey.fromParts(head, secret, {
    disallowWrites: true,
    disallowDeletes: true,
    disallowLocks: true,
    allowedPaths: [{ bucket: new TextEncoder().encode('photos'), encryptedPathPrefix: encryptedPath }],
    notAfter: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 600)),
    notBefore: new Date(Date.UTC(2030, 0, 1)),
    maxObjectTtlMs: 5_400_000,
    nonce: new Uint8Array([1, 2, 3, 4]),
  });
  const text = serializeAccess({ satelliteAddress, apiKey, encAccess: { store } });

  it('prints what Storj prints, key for key', () => {
    const path = `${b64url([0x02, 0xaa, 0xbb])}/${b64url([0x02, 0xfb, 0xff])}`;
    const expected = {
      satellite_addr: satelliteAddress,
      encryption_access: {
        store_entries: [
          {
            bucket: 'photos',
            unencrypted_path: '2024/trip',
            encrypted_path: path,
            key: b64url(new Uint8Array(32).fill(5)),
            path_cipher: 'ENC_AESGCM',
          },
        ],
        default_path_cipher: 'ENC_AESGCM',
      },
      api_key: apiKey.serialize(),
      macaroon: {
        head: b64url(head),
        caveats: [
          {
            disallow_writes: true,
            disallow_deletes: true,
            disallow_locks: true,
            allowed_paths: [{ bucket: 'photos', encrypted_path_prefix: path }],
            not_after: '2030-01-02T03:04:05.6Z',
            not_before: '2030-01-01T00:00:00Z',
            max_object_ttl: 5_400_000_000_000,
            nonce: 'AQIDBA==',
          },
        ],
        tail: b64url(apiKey.tail()),
      },
    };
    expect(inspectAccess(text)).toEqual(expected);
    expect(inspectAccessJson(text)).toBe(JSON.stringify(expected, null, 2));
    expect(path).toContain('_'); // the URL-safe alphabet really is in use
  });
});

describe('Go JSON details', () => {
  function grantWithCaveat(caveat: Uint8Array, store = new Store({ defaultKey: new Uint8Array(32) })): string {
    const apiKey = APIKey.fromBytes(serializeMacaroon(APIKey.fromParts(head, secret).macaroon.addFirstPartyCaveat(caveat)));
    const grant: AccessGrant = { satelliteAddress, apiKey, encAccess: { store } };
    return serializeAccess(grant);
  }
  const time = (w: BinaryWriter, field: number, seconds: bigint, nanos: number) =>
    w.tag(field, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(seconds).tag(2, WireType.Varint).int32(nanos).join();

  it('prints nanoseconds, 64-bit durations, HTML-safe escapes and pb cipher names', () => {
    const w = new BinaryWriter();
    w.tag(10, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(new TextEncoder().encode('a<b&c>')).join();
    time(w, 20, 1_700_000_000n, 123_456_789);
    time(w, 22, 9_223_372_036n, 854_775_807); // the largest time.Duration
    const text = grantWithCaveat(w.finish(), new Store({ defaultKey: new Uint8Array(32), defaultPathCipher: CipherSuite.NullBase64URL }));
    const json = inspectAccessJson(text);
    expect(json).toContain('"bucket": "a\\u003cb\\u0026c\\u003e"');
    expect(json).toContain('"not_after": "2023-11-14T22:13:20.123456789Z"');
    expect(json).toContain('"max_object_ttl": 9223372036854775807');
    // storj.io/common/pb's enum has no name for ENC_NULL_BASE64URL: Go prints the number.
    expect(json).toContain('"default_path_cipher": "4"');
    expect(inspectAccess(text).macaroon.caveats[0].max_object_ttl).toBe(9_223_372_036_854_775_807n);
  });

  it('saturates overflowing durations as Storj decoder does', () => {
    const w = new BinaryWriter();
    time(w, 22, 10_000_000_000n, 0);
    expect(inspectAccess(grantWithCaveat(w.finish())).macaroon.caveats[0].max_object_ttl).toBe(9_223_372_036_854_775_807n);
  });

  it('prints an empty caveat as {} and refuses years Go cannot print', () => {
    expect(inspectAccessJson(grantWithCaveat(new Uint8Array(0)))).toContain('"caveats": [\n      {}\n    ]');
    const w = new BinaryWriter();
    time(w, 20, 253_402_300_800n, 0); // 10000-01-01
    expect(() => inspectAccess(grantWithCaveat(w.finish()))).toThrow(/caveat 1: not_after year outside of range \[0,9999\]/);
  });
});
