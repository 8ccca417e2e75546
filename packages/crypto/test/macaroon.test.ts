import { describe, expect, it } from 'vitest';
import { ActionType, APIKey, decodeCaveat, encodeCaveat, parseMacaroon, serializeMacaroon, type Action } from '../src/index.js';

const secret = new Uint8Array(32).fill(3);
const bucket = new TextEncoder().encode('photos');
const at = (op: ActionType, time = new Date()): Action => ({ op, bucket, encryptedPath: new Uint8Array([2, 9, 9]), time });

describe('macaroon wire format', () => {
  it('round-trips with caveats and rejects truncation at every length', () => {
    const key = APIKey.generate(secret).restrict({ disallowWrites: true }).restrict({ nonce: new Uint8Array([1, 2]) });
    const raw = key.rawBytes();
    expect(raw[0]).toBe(2);
    expect(serializeMacaroon(parseMacaroon(raw))).toEqual(raw);
    for (let n = 0; n < raw.length; n++) expect(() => APIKey.fromBytes(raw.subarray(0, n))).toThrow(/invalid API key/);
    expect(() => APIKey.fromBytes(new Uint8Array([...raw, 0]))).toThrow(/trailing/);
  });
});

describe('caveats', () => {
  it('encode as Storj does and decode back', () => {
    const c = { disallowReads: true, allowedPaths: [{ bucket, encryptedPathPrefix: new Uint8Array([5]) }], notAfter: new Date(1_700_000_000_500), maxObjectTtlMs: 3_600_000, nonce: new Uint8Array([9]) };
    const bytes = encodeCaveat(c);
    // field 1 (bool) first, then 10 (paths), 20 (not_after), 22 (ttl), 30 (nonce)
    expect(Buffer.from(bytes.subarray(0, 2)).toString('hex')).toBe('0801');
    expect(decodeCaveat(bytes)).toEqual(c);
  });

  it('flags unknown fields so the satellite can refuse them', () => {
    const withUnknown = new Uint8Array([...encodeCaveat({ disallowDeletes: true }), 0xc8, 0x01, 0x01]); // field 25 = 1
    expect(decodeCaveat(withUnknown).hasUnknownFields).toBe(true);
  });
});

describe('API key checks', () => {
  it('verifies against the secret only', () => {
    const key = APIKey.generate(secret);
    expect(() => key.check(secret, at(ActionType.Read))).not.toThrow();
    expect(() => key.check(new Uint8Array(32), at(ActionType.Read))).toThrow(/signature does not verify/);
  });

  it('enforces every caveat type', () => {
    const key = APIKey.generate(secret);
    expect(() => key.restrict({ disallowReads: true }).check(secret, at(ActionType.Read))).toThrow(/disallow_reads/);
    expect(() => key.restrict({ disallowLists: true }).check(secret, at(ActionType.List))).toThrow(/disallow_lists/);
    expect(() => key.restrict({ disallowDeletes: true }).check(secret, at(ActionType.Delete))).toThrow(/disallow_deletes/);
    expect(() => key.restrict({ disallowWrites: true }).check(secret, at(ActionType.Read))).not.toThrow();
    const past = new Date(Date.now() - 60_000);
    expect(() => key.restrict({ notAfter: past }).check(secret, at(ActionType.Read))).toThrow(/expired/);
    expect(() => key.restrict({ notBefore: new Date(Date.now() + 60_000) }).check(secret, at(ActionType.Read))).toThrow(/not valid before/);
    expect(() => key.restrict({ allowedPaths: [{ bucket: new Uint8Array([1]) }] }).check(secret, at(ActionType.Write))).toThrow(/allowed_paths/);
  });

  it('detects a tampered tail or a dropped caveat', () => {
    const key = APIKey.generate(secret).restrict({ disallowWrites: true });
    const m = key.macaroon;
    const dropped = APIKey.fromBytes(serializeMacaroon(new (m.constructor as any)(m.head, [], m.tail)));
    expect(() => dropped.check(secret, at(ActionType.Write))).toThrow(/signature does not verify/);
    const raw = key.rawBytes();
    raw[raw.length - 1] ^= 1;
    expect(() => APIKey.fromBytes(raw).check(secret, at(ActionType.Read))).toThrow(/signature does not verify/);
  });

  it('revoking a key revokes every key derived from it, not its parent', () => {
    const parent = APIKey.generate(secret);
    const child = parent.restrict({ nonce: new Uint8Array([1]) });
    const grandchild = child.restrict({ disallowDeletes: true });
    const revoked = new Set([Buffer.from(child.tail()).toString('hex')]);
    const isRevoked = (t: Uint8Array) => revoked.has(Buffer.from(t).toString('hex'));
    expect(() => child.check(secret, at(ActionType.Read), isRevoked)).toThrow(/revoked/);
    expect(() => grandchild.check(secret, at(ActionType.Read), isRevoked)).toThrow(/revoked/);
    expect(() => parent.check(secret, at(ActionType.Read), isRevoked)).not.toThrow();
  });

  it('refuses caveats it cannot understand', () => {
    const key = APIKey.generate(secret);
    const m = key.macaroon.addFirstPartyCaveat(new Uint8Array([0xc8, 0x01, 0x01]));
    expect(() => APIKey.fromBytes(serializeMacaroon(m)).check(secret, at(ActionType.Read))).toThrow(/does not understand/);
  });
});
