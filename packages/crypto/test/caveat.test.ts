import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import {
  ActionType,
  CaveatError,
  allows,
  caveatRefusal,
  decodeCaveat,
  decodeCaveatMessage,
  encodeCaveat,
  type Action,
  type Caveat,
} from '../src/macaroon/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => new TextEncoder().encode(s);

describe('caveat encoding', () => {
  const caveat: Caveat = {
    disallowReads: true,
    disallowLocks: true,
    disallowBypassGovernanceRetention: true,
    disallowGetBucketNotificationConfiguration: true,
    allowedPaths: [{ bucket: bytes('b'), encryptedPathPrefix: new Uint8Array([1, 2]) }, { bucket: bytes('c') }],
    notAfter: new Date(1_700_000_000_500),
    notBefore: new Date(0),
    maxObjectTtlMs: 3_600_000,
    nonce: new Uint8Array([9, 8, 7, 6]),
  };

  it('writes the fields in the order and form of Storj pico encoder', () => {
    // Hand-assembled: 1, 5, the two paths (10), 11, 15, not_after (20: 1700000000 s + 5e8 ns),
    // not_before (21: the epoch, an empty Timestamp), max_object_ttl (22: 3600 s), nonce (30).
    const expected =
      '0801' +
      '2801' +
      '52070a016212020102' +
      '52030a0163' +
      '5801' +
      '7801' +
      'a2010c0880e2cfaa061080cab5ee01' +
      'aa0100' +
      'b2010308901c' +
      'f2010409080706';
    expect(hex(encodeCaveat(caveat))).toBe(expected);
  });

  it('decodes what it encodes', () => {
    expect(decodeCaveat(encodeCaveat(caveat))).toEqual(caveat);
    expect(decodeCaveat(new Uint8Array(0))).toEqual({});
  });

  it('keeps nanoseconds in the exact message view', () => {
    const w = new BinaryWriter();
    w.tag(20, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .int64(1_700_000_000)
      .tag(2, WireType.Varint)
      .int32(123_456_789)
      .join();
    const raw = w.finish();
    expect(decodeCaveatMessage(raw).notAfter).toEqual({ seconds: 1_700_000_000n, nanos: 123_456_789 });
    expect(decodeCaveat(raw).notAfter).toEqual(new Date(1_700_000_000_123));
  });

  it('encodes times before 1970 as Go does (seconds rounded down, positive nanos)', () => {
    const m = decodeCaveatMessage(encodeCaveat({ notBefore: new Date(-1) }));
    expect(m.notBefore).toEqual({ seconds: -1n, nanos: 999_000_000 });
  });

  it('flags unknown fields, at the top level and inside nested messages', () => {
    const unknownTop = new Uint8Array([...encodeCaveat({ disallowDeletes: true }), 0xc8, 0x01, 0x01]); // field 25 = 1
    expect(decodeCaveat(unknownTop).hasUnknownFields).toBe(true);
    const unknownInPath = new Uint8Array([0x52, 0x05, 0x0a, 0x01, 0x62, 0x18, 0x01]); // path { bucket "b", field 3 = 1 }
    expect(decodeCaveat(unknownInPath)).toEqual({ allowedPaths: [{ bucket: bytes('b') }], hasUnknownFields: true });
    const unknownInTime = new Uint8Array([0xa2, 0x01, 0x02, 0x18, 0x01]); // not_after { field 3 = 1 }
    expect(decodeCaveat(unknownInTime).hasUnknownFields).toBe(true);
    expect(decodeCaveat(encodeCaveat({ disallowDeletes: true })).hasUnknownFields).toBeUndefined();
  });

  it('refuses truncated bytes and known fields with the wrong wire type', () => {
    expect(() => decodeCaveat(new Uint8Array([0xf2, 0x01, 0x05, 1, 2]))).toThrow(CaveatError);
    expect(() => decodeCaveat(new Uint8Array([0xf2, 0x01, 0x05, 1, 2]))).toThrow(/invalid caveat/);
    expect(() => decodeCaveat(new Uint8Array([0x0a, 0x00]))).toThrow(/field 1 has wire type 2, want 0/);
    expect(() => decodeCaveat(new Uint8Array([0x50, 0x01]))).toThrow(/field 10 has wire type 0, want 2/);
  });

  it('refuses an embedded message whose fields run past its length', () => {
    // allowed_paths of length 3 whose bucket field claims 4 bytes: it would swallow the nonce that follows.
    expect(() => decodeCaveat(new Uint8Array([0x52, 0x03, 0x0a, 0x04, 0x62, 0xf2, 0x01, 0x00]))).toThrow(/overruns its length/);
    // A path message that claims more bytes than the caveat has.
    expect(() => decodeCaveat(new Uint8Array([0x52, 0x09, 0x0a, 0x01, 0x62]))).toThrow(/runs past the end/);
  });
});

describe('allows (Storj Caveat.Allows)', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const bucket = bytes('photos');
  const inside = new Uint8Array([2, 1, 1, 0x2f, 2, 5]);
  const act = (op: ActionType, extra: Partial<Action> = {}): Action => ({ op, bucket, encryptedPath: inside, time: now, ...extra });

  it('refuses outside the time window, inclusive at both ends', () => {
    expect(allows({ notAfter: now }, act(ActionType.Read))).toBe(true);
    expect(caveatRefusal({ notAfter: new Date(now.getTime() - 1) }, act(ActionType.Read))).toMatch(/expired.*not_after/);
    expect(allows({ notBefore: now }, act(ActionType.Read))).toBe(true);
    expect(caveatRefusal({ notBefore: new Date(now.getTime() + 1) }, act(ActionType.Read))).toMatch(/not valid before.*not_before/);
    // The window applies to every operation, even those no flag restricts.
    expect(allows({ notAfter: new Date(0) }, act(ActionType.ProjectInfo))).toBe(false);
  });

  it('checks the disallow flag of each operation', () => {
    const cases: [ActionType, Caveat, RegExp][] = [
      [ActionType.Read, { disallowReads: true }, /disallow_reads/],
      [ActionType.Write, { disallowWrites: true }, /disallow_writes/],
      [ActionType.List, { disallowLists: true }, /disallow_lists/],
      [ActionType.Delete, { disallowDeletes: true }, /disallow_deletes/],
      [ActionType.Lock, { disallowLocks: true }, /disallow_locks/],
      [ActionType.PutObjectLegalHold, { disallowPutLegalHold: true }, /disallow_put_legal_hold/],
    ];
    for (const [op, caveat, reason] of cases) {
      expect(caveatRefusal(caveat, act(op))).toMatch(reason);
      expect(allows({}, act(op))).toBe(true);
    }
    // A flag restricts only its own operation.
    expect(allows({ disallowWrites: true, disallowDeletes: true }, act(ActionType.Read))).toBe(true);
    // ProjectInfo ignores every flag.
    expect(
      allows({ disallowReads: true, disallowWrites: true, disallowLists: true, disallowDeletes: true }, act(ActionType.ProjectInfo)),
    ).toBe(true);
    // Unknown operations are refused.
    expect(allows({}, act(99 as ActionType))).toBe(false);
  });

  it('lets whoever may set retention also read it', () => {
    expect(allows({ disallowGetRetention: true }, act(ActionType.GetObjectRetention))).toBe(true);
    expect(allows({ disallowPutRetention: true, disallowGetRetention: true }, act(ActionType.GetObjectRetention))).toBe(false);
  });

  it('always allows reading bucket metadata, filtered by the buckets of the allowed paths', () => {
    const c: Caveat = { disallowReads: true, allowedPaths: [{ bucket, encryptedPathPrefix: inside }] };
    expect(allows(c, act(ActionType.Read, { encryptedPath: undefined }))).toBe(true);
    expect(allows(c, act(ActionType.Read, { bucket: undefined, encryptedPath: undefined }))).toBe(true); // listing buckets
    expect(caveatRefusal(c, act(ActionType.Read, { bucket: bytes('other'), encryptedPath: undefined }))).toMatch(
      /bucket not in the allowed paths/,
    );
    expect(allows(c, act(ActionType.Read))).toBe(false); // the object itself: disallow_reads applies
  });

  it('requires requests inside an allowed path: same bucket, encrypted key starting with the prefix', () => {
    const c: Caveat = { allowedPaths: [{ bucket, encryptedPathPrefix: inside.subarray(0, 3) }, { bucket: bytes('whole') }] };
    expect(allows(c, act(ActionType.Write))).toBe(true);
    expect(caveatRefusal(c, act(ActionType.Write, { encryptedPath: new Uint8Array([2, 1, 9]) }))).toMatch(/allowed_paths/);
    expect(caveatRefusal(c, act(ActionType.Write, { bucket: bytes('photos2') }))).toMatch(/allowed_paths/);
    expect(allows(c, act(ActionType.Delete, { bucket: bytes('whole'), encryptedPath: new Uint8Array([7]) }))).toBe(true);
    expect(allows(c, act(ActionType.List, { bucket: bytes('whole'), encryptedPath: undefined }))).toBe(true);
    expect(allows(c, act(ActionType.ProjectInfo, { bucket: undefined, encryptedPath: undefined }))).toBe(true);
  });
});
