import { randomBytes } from 'node:crypto';
import { Reason, status, unary, type ListObjectsResponse, type RequestHeader } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { successorOfPrefix } from '../src/metainfo/listing.js';
import { bytes, createProject, rpcFailure, rpcFailureInfo, startTestSatellite, type TestSatellite } from './helpers.js';

const SLASH = 0x2f;

/** A random "encrypted component": binary, but never containing '/', as escaped ciphertext never does. */
function component(first?: number): Uint8Array {
  const c = new Uint8Array(randomBytes(6)).map((b) => (b === SLASH ? 0x30 : b));
  if (first !== undefined) c[0] = first;
  return c;
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out: number[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(SLASH);
    out.push(...p);
  });
  return new Uint8Array(out);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sorted = (keys: Uint8Array[]) =>
  keys
    .map((k) => Buffer.from(k))
    .sort(Buffer.compare)
    .map(hex);

async function putInline(t: TestSatellite, header: RequestHeader, key: Uint8Array, commit = true) {
  const { streamId } = await unary(t.metainfo, t.metainfo.beginObject, {
    header,
    bucket: 'bkt',
    encryptedObjectKey: key,
    encryptionParameters: undefined,
  });
  await unary(t.metainfo, t.metainfo.makeInlineSegment, {
    header,
    streamId,
    position: undefined,
    encryptedKey: bytes('k'),
    encryptedKeyNonce: bytes('n'),
    encryptedInlineData: bytes('data'),
    plainSize: 4,
  });
  if (commit) {
    await unary(t.metainfo, t.metainfo.commitObject, {
      header,
      streamId,
      encryptedMetadata: bytes('m'),
      encryptedMetadataKey: bytes('mk'),
      encryptedMetadataNonce: bytes('mn'),
    });
  }
}

async function setup() {
  const t = await startTestSatellite();
  const { header } = createProject(t);
  await unary(t.metainfo, t.metainfo.createBucket, { header, name: 'bkt' });
  // c2 starts with 0x00 and c6 with 0xff so byte order is tested at both ends.
  const [c1, c2, c3, c4, c5, c6, c7, c8] = [
    component(0x80),
    component(0x00),
    component(),
    component(),
    component(),
    component(0xff),
    component(),
    component(),
  ];
  const keys = { a: c1, b: join(c2, c3), c: join(c2, c4, c5), d: join(c6, c7), e: join(c2, c4, c8) };
  for (const key of Object.values(keys)) await putInline(t, header, key);
  await putInline(t, header, join(c2, component()), false); // pending: never listed
  const list = (prefix: Uint8Array, recursive: boolean, cursor: Uint8Array = new Uint8Array(0), limit = 0) =>
    unary(t.metainfo, t.metainfo.listObjects, {
      header,
      bucket: 'bkt',
      encryptedPrefix: prefix,
      encryptedCursor: cursor,
      recursive,
      limit,
      includeMetadata: false,
    });
  return { t, header, list, keys, c: { c1, c2, c3, c4, c5, c6, c7, c8 } };
}

const keysOf = (res: ListObjectsResponse) => res.items.map((i) => hex(i.encryptedObjectKey));
const slash = (c: Uint8Array) => new Uint8Array([...c, SLASH]);

describe('ListObjects', () => {
  it('lists every committed key in byte order when recursive', async () => {
    const { list, keys } = await setup();
    const res = await list(new Uint8Array(0), true);
    expect(keysOf(res)).toEqual(sorted(Object.values(keys)));
    expect(res.items.every((i) => !i.isPrefix)).toBe(true);
    expect(res.more).toBe(false);
  });

  it('collapses keys at the next "/" into prefixes when not recursive', async () => {
    const { list, c } = await setup();
    const res = await list(new Uint8Array(0), false);
    expect(keysOf(res)).toEqual(sorted([c.c1, slash(c.c2), slash(c.c6)]));
    const prefixes = res.items.filter((i) => i.isPrefix).map((i) => hex(i.encryptedObjectKey));
    expect(prefixes.sort()).toEqual([hex(slash(c.c2)), hex(slash(c.c6))].sort());
  });

  it('lists relative to a prefix, collapsed or recursive', async () => {
    const { list, c } = await setup();
    const prefix = slash(c.c2);
    const shallow = await list(prefix, false);
    expect(keysOf(shallow)).toEqual(sorted([c.c3, slash(c.c4)]));
    expect(shallow.items.find((i) => hex(i.encryptedObjectKey) === hex(c.c3))?.isPrefix).toBe(false);

    const deep = await list(prefix, true);
    expect(keysOf(deep)).toEqual(sorted([c.c3, join(c.c4, c.c5), join(c.c4, c.c8)]));

    expect(keysOf(await list(join(c.c2, slash(c.c4)), false))).toEqual(sorted([c.c5, c.c8]));
    expect((await list(slash(component()), true)).items).toEqual([]);
  });

  it('pages with limit, more and the cursor, in both modes', async () => {
    const { list } = await setup();
    for (const recursive of [true, false]) {
      const everything = keysOf(await list(new Uint8Array(0), recursive));
      const paged: string[] = [];
      let cursor: Uint8Array = new Uint8Array(0);
      for (let page = 0; page < 10; page++) {
        const res = await list(new Uint8Array(0), recursive, cursor, 1);
        paged.push(...keysOf(res));
        if (!res.more) break;
        cursor = res.items[res.items.length - 1].encryptedObjectKey;
      }
      expect(paged).toEqual(everything);
    }
  });

  it('refuses a prefix that does not end in "/"', async () => {
    const { list, c } = await setup();
    const refused = await rpcFailureInfo(list(c.c2, true));
    expect([refused.code, refused.reason, refused.facts]).toEqual([
      status.INVALID_ARGUMENT,
      Reason.FIELD_INVALID,
      { field: 'encrypted_prefix' },
    ]);
  });

  it('needs the bucket to exist', async () => {
    const { t, header } = await setup();
    const res = unary(t.metainfo, t.metainfo.listObjects, {
      header,
      bucket: 'nope',
      encryptedPrefix: new Uint8Array(0),
      encryptedCursor: new Uint8Array(0),
      recursive: true,
      limit: 0,
      includeMetadata: false,
    });
    expect(await rpcFailure(res)).toEqual({ code: status.NOT_FOUND, reason: Reason.BUCKET_NOT_FOUND, details: 'bucket not found: nope' });
  });
});

describe('successorOfPrefix', () => {
  it('is the smallest string after everything starting with the prefix', () => {
    expect(hex(successorOfPrefix(bytes('a/'))!)).toBe(hex(bytes('a0')));
    expect(hex(successorOfPrefix(new Uint8Array([1, 0xff, 0xff]))!)).toBe('02');
    expect(successorOfPrefix(new Uint8Array([0xff]))).toBeUndefined();
  });
});
