import { randomBytes } from 'node:crypto';
import { derivePieceId } from '@dcsim/common/pieceid';
import { APIKey } from '@dcsim/crypto/macaroon';
import { pieceSize } from '@dcsim/erasure';
import { generateIdentity } from '@dcsim/identity';
import {
  PieceAction,
  Reason,
  status,
  unary,
  verifyOrderLimitSignature,
  type AddressedOrderLimit,
  type RequestHeader,
} from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { cleanup, removeRetired } from '../src/cleanup.js';
import { DEFAULTS } from '../src/config.js';
import {
  bytes,
  checkInNodes,
  createProject,
  headerOf,
  rpcFailure,
  rpcFailureInfo,
  signedHash,
  startTestSatellite,
  uploadResults,
  type TestNode,
  type TestSatellite,
} from './helpers.js';

const SCHEME = { required: 4, repair: 6, optimal: 8, total: 10, shareSize: 256 };
const ENCRYPTED_SIZE = 10_000;
const PIECE_SIZE = pieceSize(ENCRYPTED_SIZE, SCHEME);

interface Upload {
  t: TestSatellite;
  key: APIKey;
  header: RequestHeader;
  nodes: TestNode[];
  streamId: Uint8Array;
}

async function setup(nodeCount = 10): Promise<Upload> {
  const t = await startTestSatellite();
  const { header, key } = createProject(t);
  // Nodes that stopped listening after their check-in: piece deletions to them fail and are retried.
  const nodes = await checkInNodes(t, nodeCount);
  await unary(t.metainfo, t.metainfo.createBucket, { header, name: 'bucket' });
  const { streamId } = await beginObject(t, header, bytes('encrypted-key'));
  return { t, key, header, nodes, streamId };
}

async function beginObject(t: TestSatellite, header: RequestHeader, encryptedObjectKey: Uint8Array) {
  return unary(t.metainfo, t.metainfo.beginObject, { header, bucket: 'bucket', encryptedObjectKey, encryptionParameters: undefined });
}

function beginSegment(u: Upload, index = 0, streamId = u.streamId) {
  return unary(u.t.metainfo, u.t.metainfo.beginSegment, {
    header: u.header,
    streamId,
    position: { partNumber: 0, index },
    maxOrderLimit: 4096,
  });
}

function commitSegment(u: Upload, segmentId: Uint8Array, results: ReturnType<typeof uploadResults>) {
  return unary(u.t.metainfo, u.t.metainfo.commitSegment, {
    header: u.header,
    segmentId,
    uploadResults: results,
    encryptedKey: bytes('encrypted content key'),
    encryptedKeyNonce: bytes('key nonce'),
    plainSize: 9_000,
    encryptedSize: ENCRYPTED_SIZE,
  });
}

function commitObject(u: Upload, streamId = u.streamId) {
  return unary(u.t.metainfo, u.t.metainfo.commitObject, {
    header: u.header,
    streamId,
    encryptedMetadata: bytes('encrypted metadata'),
    encryptedMetadataKey: bytes('encrypted metadata key'),
    encryptedMetadataNonce: bytes('nonce'),
  });
}

async function uploadOneSegment(u: Upload, streamId = u.streamId, stored = 8) {
  const seg = await beginSegment(u, 0, streamId);
  await commitSegment(u, seg.segmentId, uploadResults(u.nodes, seg.addressedLimits, ENCRYPTED_SIZE, SCHEME).slice(0, stored));
  return seg;
}

const downloadObject = (u: Upload) =>
  unary(u.t.metainfo, u.t.metainfo.downloadObject, { header: u.header, bucket: 'bucket', encryptedObjectKey: bytes('encrypted-key') });

const downloadSegment = (u: Upload, streamId: Uint8Array) =>
  unary(u.t.metainfo, u.t.metainfo.downloadSegment, { header: u.header, streamId, position: { partNumber: 0, index: 0 } });

/** Let time pass: the grace of every retired object is over. */
/** Moves the satellite's clock past the retired grace. */
const endGrace = (u: Upload) => u.t.sat.clock.advance(DEFAULTS.retiredGraceMs + 1);

const listAll = (u: Upload) =>
  unary(u.t.metainfo, u.t.metainfo.listObjects, {
    header: u.header,
    bucket: 'bucket',
    encryptedPrefix: new Uint8Array(0),
    encryptedCursor: new Uint8Array(0),
    recursive: true,
    limit: 0,
    includeMetadata: true,
  });

describe('BeginSegment', () => {
  it('signs a PUT order limit per piece, on n distinct nodes, for derived piece IDs', async () => {
    const u = await setup();
    const seg = await beginSegment(u);
    expect(seg.redundancyScheme).toEqual(SCHEME);
    expect(seg.addressedLimits).toHaveLength(10);
    const nodeIds = new Set(seg.addressedLimits.map((l) => Buffer.from(l.limit!.storageNodeId).toString('hex')));
    expect(nodeIds.size).toBe(10);
    for (const al of seg.addressedLimits) {
      const limit = al.limit!;
      expect(verifyOrderLimitSignature(u.t.sat.identity.publicKey, limit)).toBe(true);
      expect(limit.action).toBe(PieceAction.PUT);
      expect(limit.limit).toBe(4096);
      expect(limit.serialNumber).toHaveLength(16);
      expect(Buffer.from(limit.satelliteId)).toEqual(Buffer.from(u.t.sat.identity.id));
      expect(Buffer.from(limit.pieceId)).toEqual(Buffer.from(derivePieceId(seg.rootPieceId, limit.storageNodeId, al.pieceNum)));
      expect(limit.orderExpiration!.getTime()).toBeGreaterThan(Date.now());
      const node = u.nodes.find((n) => Buffer.from(n.identity.id).equals(limit.storageNodeId))!;
      expect(al.address).toBe(node.address);
      expect(Buffer.from(al.nodePublicKey)).toEqual(Buffer.from(node.identity.publicKey));
    }
  });

  it('fails with RESOURCE_EXHAUSTED when fewer than n nodes are online', async () => {
    const u = await setup(6);
    expect(await rpcFailureInfo(beginSegment(u))).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      reason: Reason.NOT_ENOUGH_NODES,
      message: 'not enough nodes: need 10, have 6',
      facts: { needed: '10', available: '6' },
    });
  });

  it('refuses an order limit larger than the biggest possible piece', async () => {
    const u = await setup();
    const failure = await rpcFailureInfo(
      unary(u.t.metainfo, u.t.metainfo.beginSegment, {
        header: u.header,
        streamId: u.streamId,
        position: undefined,
        maxOrderLimit: 1 << 30,
      }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.reason).toBe(Reason.FIELD_TOO_LARGE);
    expect(failure.facts.field).toBe('max_order_limit');
  });
});

describe('CommitSegment', () => {
  it('refuses fewer valid piece hashes than the success threshold', async () => {
    const u = await setup();
    const seg = await beginSegment(u);
    const results = uploadResults(u.nodes, seg.addressedLimits, ENCRYPTED_SIZE, SCHEME).slice(0, 7);
    const failure = await rpcFailure(commitSegment(u, seg.segmentId, results));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.reason).toBe(Reason.TOO_FEW_VALID_PIECES);
    expect(failure.details).toMatch(/^number of valid pieces \(7\) is less than the success threshold \(8\)/);
  });

  it('drops forged piece hashes and refuses when that leaves too few', async () => {
    const u = await setup();
    const seg = await beginSegment(u);
    const results = uploadResults(u.nodes, seg.addressedLimits, ENCRYPTED_SIZE, SCHEME).slice(0, 8);
    const impostor = generateIdentity();
    // Piece 0: signed by someone else. Piece 1: right signer, but for a piece ID the satellite never ordered.
    results[0] = { ...results[0], hash: signedHash(impostor, seg.addressedLimits[0], PIECE_SIZE) };
    const owner1 = u.nodes.find((n) => Buffer.from(n.identity.id).equals(results[1].nodeId))!;
    results[1] = { ...results[1], hash: signedHash(owner1.identity, seg.addressedLimits[1], PIECE_SIZE, new Uint8Array(randomBytes(32))) };
    const failure = await rpcFailure(commitSegment(u, seg.segmentId, results));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.details).toMatch(/number of valid pieces \(6\)/);
    expect(failure.details).toMatch(/signature is not valid/);
    expect(failure.details).toMatch(/piece ID in the hash is not the one derived/);
    expect(u.t.logs.filter((l) => l.startsWith('segment commit: dropped'))).toEqual([
      expect.stringMatching(/^segment commit: dropped 2 of 8 piece result\(s\): piece 0 from node .*; piece 1 from node /),
    ]);
  });

  it('refuses more upload results than the segment has pieces, before checking any, and the channel keeps working', async () => {
    const u = await setup();
    const seg = await beginSegment(u);
    const results = uploadResults(u.nodes, seg.addressedLimits, ENCRYPTED_SIZE, SCHEME);
    // What a hostile uplink sends: a thousand results, none of them valid.
    const flood = Array.from({ length: 1000 }, (_, i) => ({ ...results[i % 10], pieceNum: i, hash: undefined }));
    expect(await rpcFailureInfo(commitSegment(u, seg.segmentId, flood))).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.FIELD_TOO_LARGE,
      message: '1000 upload results; at most 255 are allowed',
      facts: { field: 'upload_results', max: '255' },
    });
    expect(await rpcFailure(commitSegment(u, seg.segmentId, [...results, results[0]]))).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.FIELD_TOO_LARGE,
      details: '11 upload results; at most 10 are allowed (the segment has that many pieces)',
    });
    expect(u.t.logs.filter((l) => l.startsWith('segment commit'))).toEqual([]);
    // Same client, same channel: the segment still commits.
    await commitSegment(u, seg.segmentId, results);
  });

  it('names the first three invalid results in its error and log line, and counts the rest', async () => {
    const u = await setup();
    const seg = await beginSegment(u);
    const forged = uploadResults(u.nodes, seg.addressedLimits, ENCRYPTED_SIZE, SCHEME).map((r, i) => ({
      ...r,
      hash: signedHash(generateIdentity(), seg.addressedLimits[i], PIECE_SIZE),
    }));
    const failure = await rpcFailure(commitSegment(u, seg.segmentId, forged));
    expect(failure.details).toMatch(
      /^number of valid pieces \(0\) is less than the success threshold \(8\); found 10 invalid piece\(s\): /,
    );
    expect(failure.details.match(/signature is not valid/g)).toHaveLength(3);
    expect(failure.details).toMatch(/; and 7 more$/);
    expect(failure.details.length).toBeLessThan(600);
    const dropped = u.t.logs.filter((l) => l.startsWith('segment commit: dropped'));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatch(/^segment commit: dropped 10 of 10 piece result\(s\): .*; and 7 more$/);
  });

  it('refuses results for the wrong node, the wrong size, or without a hash', async () => {
    const u = await setup();
    const seg = await beginSegment(u);
    const all = uploadResults(u.nodes, seg.addressedLimits, ENCRYPTED_SIZE, SCHEME);
    const swapped = { ...all[0], nodeId: all[1].nodeId };
    const owner2 = u.nodes.find((n) => Buffer.from(n.identity.id).equals(all[2].nodeId))!;
    const wrongSize = { ...all[2], hash: signedHash(owner2.identity, seg.addressedLimits[2], PIECE_SIZE + 256) };
    const noHash = { ...all[3], hash: undefined };
    const failure = await rpcFailure(commitSegment(u, seg.segmentId, [swapped, wrongSize, noHash, ...all.slice(4)]));
    expect(failure.details).toMatch(/number of valid pieces \(6\)/);
    expect(failure.details).toMatch(/was ordered from node/);
    expect(failure.details).toMatch(/piece size/);
    expect(failure.details).toMatch(/no piece hash/);
  });

  it('stores the valid pieces when enough remain, and forgets the pending segment', async () => {
    const u = await setup();
    const seg = await beginSegment(u);
    const results = uploadResults(u.nodes, seg.addressedLimits, ENCRYPTED_SIZE, SCHEME);
    results[9] = { ...results[9], hash: signedHash(generateIdentity(), seg.addressedLimits[9], PIECE_SIZE) };
    await commitSegment(u, seg.segmentId, results);
    const stored = u.t.sat.db.segments.pieces(u.streamId, 0, 0);
    expect(stored.map((p) => p.pieceNum)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(u.t.logs.some((l) => l.startsWith('segment committed: 9/10 pieces'))).toBe(true);
    // A second commit of the same segment ID finds nothing.
    expect((await rpcFailure(commitSegment(u, seg.segmentId, results))).reason).toBe(Reason.SEGMENT_UPLOAD_NOT_FOUND);
  });
});

describe('objects', () => {
  it('are listed and readable only after CommitObject', async () => {
    const u = await setup();
    await uploadOneSegment(u);
    expect((await listAll(u)).items).toEqual([]);
    const get = () =>
      unary(u.t.metainfo, u.t.metainfo.getObject, { header: u.header, bucket: 'bucket', encryptedObjectKey: bytes('encrypted-key') });
    expect(await rpcFailure(get())).toEqual({ code: status.NOT_FOUND, reason: Reason.OBJECT_NOT_FOUND, details: 'object not found' });

    const committed = await commitObject(u);
    expect(committed.object).toMatchObject({ plainSize: 9_000, encryptedSize: ENCRYPTED_SIZE, segmentCount: 1, bucket: 'bucket' });
    const listed = await listAll(u);
    expect(listed.items.map((i) => Buffer.from(i.encryptedObjectKey).toString())).toEqual(['encrypted-key']);
    expect(Buffer.from(listed.items[0].encryptedMetadata).toString()).toBe('encrypted metadata');
    expect((await get()).object?.segmentCount).toBe(1);
    expect(u.t.logs.some((l) => l.startsWith('object committed:'))).toBe(true);
  });

  it('download returns the segments, and GET limits for every stored piece', async () => {
    const u = await setup();
    const seg = await uploadOneSegment(u);
    await commitObject(u);
    const dl = await unary(u.t.metainfo, u.t.metainfo.downloadObject, {
      header: u.header,
      bucket: 'bucket',
      encryptedObjectKey: bytes('encrypted-key'),
    });
    expect(dl.segments).toHaveLength(1);
    expect(dl.segments[0]).toMatchObject({ plainOffset: 0, plainSize: 9_000, encryptedSize: ENCRYPTED_SIZE, inline: false });

    const ds = await unary(u.t.metainfo, u.t.metainfo.downloadSegment, {
      header: u.header,
      streamId: u.streamId,
      position: { partNumber: 0, index: 0 },
    });
    expect(Buffer.from(ds.rootPieceId)).toEqual(Buffer.from(seg.rootPieceId));
    expect(ds.addressedLimits).toHaveLength(8);
    for (const al of ds.addressedLimits) {
      expect(al.limit!.action).toBe(PieceAction.GET);
      expect(al.limit!.limit).toBe(PIECE_SIZE);
      expect(verifyOrderLimitSignature(u.t.sat.identity.publicKey, al.limit!)).toBe(true);
      expect(Buffer.from(al.limit!.pieceId)).toEqual(Buffer.from(derivePieceId(seg.rootPieceId, al.limit!.storageNodeId, al.pieceNum)));
    }
    // Index -1 names the last segment.
    const last = await unary(u.t.metainfo, u.t.metainfo.downloadSegment, {
      header: u.header,
      streamId: u.streamId,
      position: { partNumber: 0, index: -1 },
    });
    expect(last.segment?.position).toEqual({ partNumber: 0, index: 0 });
  });

  it('refuses CommitObject while a begun segment is not committed, or a segment is missing', async () => {
    const u = await setup();
    await uploadOneSegment(u);
    await beginSegment(u, 1);
    const failure = await rpcFailure(commitObject(u));
    expect(failure).toEqual({
      code: status.FAILED_PRECONDITION,
      reason: Reason.UPLOAD_INCOMPLETE,
      details: 'segment 0/1 was begun but never committed',
    });

    const gap = await beginObject(u.t, u.header, bytes('gappy'));
    const seg = await beginSegment(u, 1, gap.streamId);
    await commitSegment(u, seg.segmentId, uploadResults(u.nodes, seg.addressedLimits, ENCRYPTED_SIZE, SCHEME));
    expect(await rpcFailure(commitObject(u, gap.streamId))).toEqual({
      code: status.FAILED_PRECONDITION,
      reason: Reason.UPLOAD_INCOMPLETE,
      details: 'segment 0/0 is missing',
    });
  });

  it('stores small segments inline, up to the inline threshold', async () => {
    const u = await setup();
    const inline = (data: Uint8Array) =>
      unary(u.t.metainfo, u.t.metainfo.makeInlineSegment, {
        header: u.header,
        streamId: u.streamId,
        position: { partNumber: 0, index: 0 },
        encryptedKey: bytes('k'),
        encryptedKeyNonce: bytes('n'),
        encryptedInlineData: data,
        plainSize: data.length - 16,
      });
    const tooBig = await rpcFailureInfo(inline(new Uint8Array(4097)));
    expect(tooBig).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.FIELD_TOO_LARGE,
      message: 'inline segment is 4097 bytes, over the inline threshold of 4096 bytes',
      facts: { field: 'encrypted_inline_data', max: '4096' },
    });
    const data = new Uint8Array(randomBytes(4096));
    await inline(data);
    await commitObject(u);
    const ds = await unary(u.t.metainfo, u.t.metainfo.downloadSegment, {
      header: u.header,
      streamId: u.streamId,
      position: { partNumber: 0, index: 0 },
    });
    expect(ds.addressedLimits).toEqual([]);
    expect(ds.segment?.inline).toBe(true);
    expect(Buffer.from(ds.encryptedInlineData)).toEqual(Buffer.from(data));
  });

  it('committing over an existing key retires the old object: readable by reads under way, its pieces go after the grace', async () => {
    const u = await setup();
    await uploadOneSegment(u);
    await commitObject(u);
    const second = await beginObject(u.t, u.header, bytes('encrypted-key'));
    await uploadOneSegment(u, second.streamId);
    await commitObject(u, second.streamId);

    const listed = await listAll(u);
    expect(listed.items).toHaveLength(1);
    expect(Buffer.from(listed.items[0].streamId)).toEqual(Buffer.from(second.streamId));
    const byKey = await downloadObject(u);
    expect(Buffer.from(byKey.object!.streamId)).toEqual(Buffer.from(second.streamId));
    expect(u.t.sat.db.objects.byStream(u.streamId)?.status).toBe('retired');
    // A read that began on the old version goes on: its segments still get GET limits.
    const old = await downloadSegment(u, u.streamId);
    expect(old.addressedLimits).toHaveLength(8);
    expect(u.t.sat.db.pieceDeletions.count()).toBe(0);

    // After the grace, the old version is gone and its pieces are queued.
    endGrace(u);
    expect(removeRetired(u.t.sat.db, () => {}, u.t.sat.clock.now())).toEqual({ removed: 1, queuedPieces: 8 });
    expect(u.t.sat.db.objects.byStream(u.streamId)).toBeUndefined();
    expect(u.t.sat.db.pieceDeletions.count()).toBe(8);
    expect((await rpcFailure(downloadSegment(u, u.streamId))).reason).toBe(Reason.OBJECT_NOT_FOUND);
    expect((await downloadSegment(u, second.streamId)).addressedLimits).toHaveLength(8);
  });

  it('cannot be overwritten with a key that may not delete', async () => {
    const u = await setup();
    await uploadOneSegment(u);
    await commitObject(u);
    const noDeletes: Upload = { ...u, header: headerOf(u.key.restrict({ disallowDeletes: true })) };
    const second = await beginObject(u.t, noDeletes.header, bytes('encrypted-key'));
    await uploadOneSegment(noDeletes, second.streamId);
    const failure = await rpcFailureInfo(commitObject(noDeletes, second.streamId));
    expect([failure.code, failure.reason, failure.facts]).toEqual([
      status.PERMISSION_DENIED,
      Reason.CAVEAT_REFUSED,
      { caveat: 'disallow_deletes' },
    ]);
    expect(failure.message).toMatch(/may not overwrite/);
    // A new key is fine, and the old object is untouched.
    const fresh = await beginObject(u.t, noDeletes.header, bytes('another-key'));
    await uploadOneSegment(noDeletes, fresh.streamId);
    await commitObject(noDeletes, fresh.streamId);
    expect((await listAll(u)).items).toHaveLength(2);
    expect(u.t.sat.db.pieceDeletions.count()).toBe(0);
  });

  it("cannot touch another project's upload by its stream ID", async () => {
    const u = await setup();
    const other = createProject(u.t, 'other');
    const failure = await rpcFailure(
      unary(u.t.metainfo, u.t.metainfo.beginSegment, { header: other.header, streamId: u.streamId, position: undefined, maxOrderLimit: 0 }),
    );
    expect(failure.code).toBe(status.NOT_FOUND);
    expect(failure.reason).toBe(Reason.UPLOAD_NOT_FOUND);
  });

  it('hides expired objects from listings and reads', async () => {
    const u = await setup();
    const begun = await unary(u.t.metainfo, u.t.metainfo.beginObject, {
      header: u.header,
      bucket: 'bucket',
      encryptedObjectKey: bytes('short-lived'),
      expiresAt: new Date(Date.now() + 60_000),
      encryptionParameters: undefined,
    });
    const seg = await uploadOneSegment(u, begun.streamId);
    expect(seg.addressedLimits[0].limit!.pieceExpiration!.getTime()).toBeGreaterThan(Date.now());
    await commitObject(u, begun.streamId);
    expect((await listAll(u)).items).toHaveLength(1);

    // Let a minute pass on the satellite's clock: the object has expired.
    u.t.sat.clock.advance(60_001);
    expect((await listAll(u)).items).toEqual([]);
    const get = unary(u.t.metainfo, u.t.metainfo.downloadObject, {
      header: u.header,
      bucket: 'bucket',
      encryptedObjectKey: bytes('short-lived'),
    });
    expect((await rpcFailure(get)).reason).toBe(Reason.OBJECT_NOT_FOUND);
    const ds = unary(u.t.metainfo, u.t.metainfo.downloadSegment, { header: u.header, streamId: begun.streamId, position: undefined });
    expect((await rpcFailure(ds)).reason).toBe(Reason.OBJECT_NOT_FOUND);
  });
});

describe('deletes', () => {
  it('DeleteObject hides the object at once; after the grace its rows go and every stored piece is queued', async () => {
    const u = await setup();
    const seg = await uploadOneSegment(u);
    await commitObject(u);
    const res = await unary(u.t.metainfo, u.t.metainfo.deleteObject, {
      header: u.header,
      bucket: 'bucket',
      encryptedObjectKey: bytes('encrypted-key'),
    });
    expect(res.object?.segmentCount).toBe(1);
    expect((await listAll(u)).items).toEqual([]);
    expect((await rpcFailure(downloadObject(u))).reason).toBe(Reason.OBJECT_NOT_FOUND);
    expect((await downloadSegment(u, u.streamId)).addressedLimits).toHaveLength(8); // a read under way finishes
    expect(u.t.sat.db.pieceDeletions.count()).toBe(0);
    expect(u.t.logs.some((l) => l.includes('its pieces go in 5m'))).toBe(true);

    const logs: string[] = [];
    endGrace(u);
    removeRetired(u.t.sat.db, (l) => logs.push(l), u.t.sat.clock.now());
    for (const table of ['objects', 'segments', 'pieces', 'pending_segments']) {
      expect(u.t.sat.db.sql.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
    const expected = seg.addressedLimits.slice(0, 8).map((al: AddressedOrderLimit) => Buffer.from(al.limit!.pieceId).toString('hex'));
    const queued = u.t.sat.db.pieceDeletions.all().map((r) => Buffer.from(r.pieceId).toString('hex'));
    expect(queued.sort()).toEqual(expected.sort());
    expect(logs).toEqual(['removed 1 replaced or deleted object(s) after their grace; 8 piece(s) queued for deletion']);

    const again = await rpcFailure(
      unary(u.t.metainfo, u.t.metainfo.deleteObject, { header: u.header, bucket: 'bucket', encryptedObjectKey: bytes('encrypted-key') }),
    );
    expect(again).toEqual({ code: status.NOT_FOUND, reason: Reason.OBJECT_NOT_FOUND, details: 'object not found' });
  });

  it('keeps deletions queued, backing off, while their nodes are unreachable', async () => {
    const u = await setup();
    await uploadOneSegment(u);
    await commitObject(u);
    await unary(u.t.metainfo, u.t.metainfo.deleteObject, {
      header: u.header,
      bucket: 'bucket',
      encryptedObjectKey: bytes('encrypted-key'),
    });
    endGrace(u);
    removeRetired(u.t.sat.db, () => {}, u.t.sat.clock.now());
    const before = u.t.sat.clock.now();
    const deletion = u.t.sat.chores.get('piece-deletion');
    expect((await deletion.trigger()).error).toBeUndefined();
    const rows = u.t.sat.db.pieceDeletions.all();
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      expect(row.attempts).toBe(1);
      expect(row.nextAttemptAt).toBeGreaterThan(before);
      expect(row.lastError).toBeTruthy();
    }
    // Not due yet: the next pass leaves them alone.
    await deletion.trigger();
    expect(u.t.sat.db.pieceDeletions.all().map((r) => r.attempts)).toEqual(rows.map(() => 1));
    expect(u.t.logs.some((l) => l.startsWith('piece delete failed on node'))).toBe(true);
    // Once their retry is due on the satellite's clock, they are tried again.
    u.t.sat.clock.advance(Math.max(...rows.map((r) => r.nextAttemptAt)) - u.t.sat.clock.now() + 1);
    await deletion.trigger();
    expect(u.t.sat.db.pieceDeletions.all().map((r) => r.attempts)).toEqual(rows.map(() => 2));
  });
});

describe('cleanup', () => {
  it('removes expired objects, abandoned segment uploads and abandoned uploads, queueing their pieces', async () => {
    const u = await setup();
    const shortLived = await unary(u.t.metainfo, u.t.metainfo.beginObject, {
      header: u.header,
      bucket: 'bucket',
      encryptedObjectKey: bytes('short-lived'),
      expiresAt: new Date(Date.now() + 60_000),
      encryptionParameters: undefined,
    });
    await uploadOneSegment(u, shortLived.streamId);
    await commitObject(u, shortLived.streamId);
    await beginSegment(u); // begun on the pending upload, never committed

    const hour = 3600_000;
    const first = cleanup(u.t.sat.db, () => {}, Date.now() + 2 * hour + 60_000);
    expect(first).toEqual({ expiredObjects: 1, abandonedObjects: 0, abandonedSegments: 1, queuedPieces: 8 + 10 });
    expect(u.t.sat.db.objects.byStream(u.streamId)?.status).toBe('pending');

    const second = cleanup(u.t.sat.db, () => {}, Date.now() + 3 * 24 * hour);
    expect(second).toEqual({ expiredObjects: 0, abandonedObjects: 1, abandonedSegments: 0, queuedPieces: 0 });
    expect(u.t.sat.db.objects.byStream(u.streamId)).toBeUndefined();
    expect(u.t.sat.db.pieceDeletions.count()).toBe(18);
  });
});
