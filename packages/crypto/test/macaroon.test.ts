import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDecode, checkEncode } from '@dcsim/common/base58';
import {
  APIKey,
  ActionType,
  ApiKeyError,
  Macaroon,
  MacaroonError,
  encodeCaveat,
  parseMacaroon,
  serializeMacaroon,
  type Action,
} from '../src/macaroon/index.js';
import { loadVector } from './vectors.js';

// Computed with Node's HMAC, independently of the code under test.
const hmac = (key: Uint8Array, data: Uint8Array) => new Uint8Array(createHmac('sha256', key).update(data).digest());
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));

const secret = new Uint8Array(32).fill(7);
const head = Uint8Array.from({ length: 32 }, (_, i) => i);
const bucket = new TextEncoder().encode('photos');
const at = (op: ActionType, time = new Date()): Action => ({ op, bucket, encryptedPath: new Uint8Array([2, 9, 9]), time });

function expectApiKeyError(fn: () => unknown, code: ApiKeyError['code'], message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiKeyError);
    expect((err as ApiKeyError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected an ApiKeyError');
}

describe('macaroon tail chain and wire format', () => {
  it('chains HMAC-SHA256 from the secret over the head and each caveat', () => {
    const caveat = encodeCaveat({ disallowWrites: true });
    expect(hex(caveat)).toBe('1001');
    const key = APIKey.fromParts(head, secret, { disallowWrites: true });
    const tail0 = hmac(secret, head);
    const tail1 = hmac(tail0, caveat);
    expect(key.tails(secret)).toEqual([tail0, tail1]);
    expect(key.tail()).toEqual(tail1);
    // 0x02 ‖ packet(2, head) 00 ‖ packet(2, caveat) 00 ‖ 00 ‖ packet(6, tail)
    expect(hex(key.rawBytes())).toBe(`02 0220${hex(head)} 00 02021001 00 00 0620${hex(tail1)}`.replace(/\s/g, ''));
  });

  it('round-trips through bytes and base58check', () => {
    const key = APIKey.generate(secret)
      .restrict({ disallowWrites: true })
      .restrict({ nonce: new Uint8Array([1, 2]) });
    expect(key.head()).toHaveLength(32);
    expect(serializeMacaroon(parseMacaroon(key.rawBytes()))).toEqual(key.rawBytes());
    const parsed = APIKey.parse(key.serialize());
    expect(parsed.rawBytes()).toEqual(key.rawBytes());
    expect(parsed.caveats()).toEqual([{ disallowWrites: true }, { nonce: new Uint8Array([1, 2]) }]);
    expect(checkDecode(key.serialize()).version).toBe(0);
  });

  it('parses the API key of a grant made by Storj', () => {
    const v = loadVector('access-grants.json').grants[0].inspect;
    const key = APIKey.parse(v.api_key);
    expect(Buffer.from(key.head()).toString('base64url')).toBe(v.macaroon.head.replace(/=+$/, ''));
    expect(Buffer.from(key.tail()).toString('base64url')).toBe(v.macaroon.tail.replace(/=+$/, ''));
    expect(key.serialize()).toBe(v.api_key);
  });

  it('accepts a location and a verification id as Storj does, and drops them', () => {
    const tail = hmac(hmac(secret, head), new Uint8Array([0x10, 0x01]));
    const raw = fromHex(`02 0103616263 0220${hex(head)} 00 02021001 0403766964 00 00 0620${hex(tail)}`);
    const m = parseMacaroon(raw);
    expect(m.caveats).toEqual([new Uint8Array([0x10, 0x01])]);
    expect(hex(serializeMacaroon(m))).toBe(`02 0220${hex(head)} 00 02021001 00 00 0620${hex(tail)}`.replace(/\s/g, ''));
    expect(() => APIKey.fromBytes(raw).check(secret, at(ActionType.Read))).not.toThrow();
  });

  it('rejects every truncation, naming the problem', () => {
    const raw = APIKey.generate(secret).restrict({ disallowWrites: true }).rawBytes();
    for (let n = 0; n < raw.length; n++) {
      expect(() => parseMacaroon(raw.subarray(0, n))).toThrow(MacaroonError);
      expect(() => APIKey.fromBytes(raw.subarray(0, n))).toThrow(
        /^invalid API key: macaroon (is empty|is truncated|signature is \d+ bytes)/,
      );
    }
  });

  it('rejects garbage, naming the problem', () => {
    const tail = hex(new Uint8Array(32));
    const cases: [string, RegExp][] = [
      ['03 0201aa 00 00 0620' + tail, /unsupported macaroon version 3/],
      ['02 00 00 0620' + tail, /invalid macaroon header/],
      ['02 0201aa 0101bb 00 00 0620' + tail, /out of order/],
      ['02 0201aa 00 0401bb 00 00 0620' + tail, /caveat 1 has no identifier/],
      ['02 0201aa 00 02021001 0501bb 00 00 0620' + tail, /caveat 1 has unexpected fields/],
      ['02 0201aa 00 00 0520' + tail, /field 5 where the signature belongs/],
      ['02 0201aa 00 00 0610' + tail.slice(0, 32), /signature is 16 bytes, want 32/],
      ['02 0201aa 00 00 0620' + tail + '00', /1 bytes of trailing data/],
      ['02 02ffffffff0f', /oversized varint/],
      ['02 02ffffffffffffffffffff01', /overlong varint/],
      ['02 0205aa', /a packet of 5 bytes has 1 left/],
    ];
    for (const [bytes, reason] of cases) expect(() => parseMacaroon(fromHex(bytes))).toThrow(reason);
  });

  it('validates only with the right secret', () => {
    const m = Macaroon.newUnrestricted(secret, head);
    expect(m.validate(secret)).toBe(true);
    expect(m.validate(new Uint8Array(32))).toBe(false);
  });
});

describe('APIKey.parse', () => {
  it('names what is wrong with the text', () => {
    expectApiKeyError(() => APIKey.parse('not base58!'), 'malformed', /invalid API key: invalid base58 character/);
    const raw = APIKey.generate(secret).rawBytes();
    const text = APIKey.fromBytes(raw).serialize();
    expectApiKeyError(() => APIKey.parse(text.slice(0, -1) + (text.endsWith('1') ? '2' : '1')), 'malformed', /checksum/);
    expectApiKeyError(() => APIKey.parse(checkEncode(checkDecode(text).payload, 1)), 'malformed', /version 1, want 0/);
    expectApiKeyError(() => APIKey.parse(checkEncode(new Uint8Array([2, 2]), 0)), 'malformed', /invalid API key: macaroon is truncated/);
  });
});

describe('APIKey.check', () => {
  it('accepts an unrestricted key with its secret, and refuses any other secret', () => {
    const key = APIKey.generate(secret);
    expect(() => key.check(secret, at(ActionType.Write))).not.toThrow();
    expectApiKeyError(() => key.check(new Uint8Array(32), at(ActionType.Read)), 'invalid', /signature does not verify/);
  });

  it('enforces every caveat type', () => {
    const key = APIKey.generate(secret);
    const now = Date.now();
    expectApiKeyError(() => key.restrict({ disallowReads: true }).check(secret, at(ActionType.Read)), 'unauthorized', /disallow_reads/);
    expectApiKeyError(() => key.restrict({ disallowWrites: true }).check(secret, at(ActionType.Write)), 'unauthorized', /disallow_writes/);
    expectApiKeyError(() => key.restrict({ disallowLists: true }).check(secret, at(ActionType.List)), 'unauthorized', /disallow_lists/);
    expectApiKeyError(
      () => key.restrict({ disallowDeletes: true }).check(secret, at(ActionType.Delete)),
      'unauthorized',
      /disallow_deletes/,
    );
    expect(() => key.restrict({ disallowWrites: true }).check(secret, at(ActionType.Read))).not.toThrow();
    const windowed = key.restrict({ notBefore: new Date(now + 60_000), notAfter: new Date(now + 120_000) });
    expectApiKeyError(() => windowed.check(secret, at(ActionType.Read, new Date(now))), 'unauthorized', /not valid before/);
    expect(() => windowed.check(secret, at(ActionType.Read, new Date(now + 90_000)))).not.toThrow();
    expectApiKeyError(() => windowed.check(secret, at(ActionType.Read, new Date(now + 180_000))), 'unauthorized', /expired/);
    const paths = key.restrict({ allowedPaths: [{ bucket, encryptedPathPrefix: new Uint8Array([2, 9]) }] });
    expect(() => paths.check(secret, at(ActionType.Write))).not.toThrow();
    expectApiKeyError(
      () => paths.check(secret, { ...at(ActionType.Write), encryptedPath: new Uint8Array([2, 8]) }),
      'unauthorized',
      /allowed_paths/,
    );
    // max object TTL and nonce restrict no action by themselves; the satellite reads the TTL at upload.
    const ttl = key.restrict({ maxObjectTtlMs: 3_600_000, nonce: new Uint8Array([1, 2, 3, 4]) });
    expect(() => ttl.check(secret, at(ActionType.Write))).not.toThrow();
    expect(ttl.caveats()[0]).toEqual({ maxObjectTtlMs: 3_600_000, nonce: new Uint8Array([1, 2, 3, 4]) });
    expectApiKeyError(() => key.check(secret, at(ActionType.Read, new Date(NaN))), 'malformed', /no valid time/);
  });

  it('every caveat of the chain must allow the action', () => {
    const key = APIKey.generate(secret).restrict({ disallowDeletes: true }).restrict({ disallowWrites: true });
    expectApiKeyError(() => key.check(secret, at(ActionType.Delete)), 'unauthorized', /disallow_deletes/);
    expectApiKeyError(() => key.check(secret, at(ActionType.Write)), 'unauthorized', /disallow_writes/);
    expect(() => key.check(secret, at(ActionType.Read))).not.toThrow();
  });

  it('detects a tampered tail, a tampered caveat and a dropped caveat', () => {
    const key = APIKey.fromParts(head, secret, { disallowWrites: true });
    const tamperedTail = key.rawBytes();
    tamperedTail[tamperedTail.length - 1] ^= 1;
    expectApiKeyError(() => APIKey.fromBytes(tamperedTail).check(secret, at(ActionType.Read)), 'invalid', /signature does not verify/);
    // Flip disallow_writes to false (10 01 → 10 00): the key would allow writes, but the chain breaks.
    const loosened = key.rawBytes();
    const at1001 = hex(loosened).indexOf('02021001') / 2 + 3;
    loosened[at1001] = 0;
    expectApiKeyError(() => APIKey.fromBytes(loosened).check(secret, at(ActionType.Write)), 'invalid', /signature does not verify/);
    const dropped = new Macaroon(key.macaroon.head, [], key.macaroon.tail);
    expectApiKeyError(() => APIKey.fromBytes(serializeMacaroon(dropped)).check(secret, at(ActionType.Write)), 'invalid', /signature/);
  });

  it('revoking a key revokes every key derived from it, not its parent', () => {
    const parent = APIKey.generate(secret);
    const child = parent.restrict({ nonce: new Uint8Array([1]) });
    const grandchild = child.restrict({ disallowDeletes: true });
    const revoked = new Set([hex(child.tail())]);
    const seen: string[] = [];
    const isRevoked = (t: Uint8Array) => (seen.push(hex(t)), revoked.has(hex(t)));
    expectApiKeyError(() => child.check(secret, at(ActionType.Read), isRevoked), 'revoked', /revoked/);
    expectApiKeyError(() => grandchild.check(secret, at(ActionType.Read), isRevoked), 'revoked', /revoked/);
    seen.length = 0;
    expect(() => parent.check(secret, at(ActionType.Read), isRevoked)).not.toThrow();
    expect(seen).toEqual([hex(parent.tail())]);
    // A sibling with the same restriction but another nonce is not affected.
    const sibling = parent.restrict({ nonce: new Uint8Array([2]) });
    expect(() => sibling.check(secret, at(ActionType.Read), isRevoked)).not.toThrow();
  });

  it('refuses caveats it cannot understand or decode (fail closed)', () => {
    const base = APIKey.generate(secret).macaroon;
    const unknown = APIKey.fromBytes(serializeMacaroon(base.addFirstPartyCaveat(new Uint8Array([0xc8, 0x01, 0x01]))));
    expectApiKeyError(
      () => unknown.check(secret, at(ActionType.Read)),
      'unauthorized',
      /caveat 1 has fields this satellite does not understand/,
    );
    const garbage = APIKey.fromBytes(serializeMacaroon(base.addFirstPartyCaveat(new Uint8Array([0x0a, 0x05]))));
    expectApiKeyError(() => garbage.check(secret, at(ActionType.Read)), 'malformed', /caveat 1/);
    expectApiKeyError(() => garbage.caveats(), 'malformed', /caveat 1/);
  });
});
