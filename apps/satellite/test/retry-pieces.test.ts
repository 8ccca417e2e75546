/**
 * RetryBeginSegmentPieces: failed pieces of a begun segment move to nodes the segment has not used, with
 * new signed PUT limits; CommitSegment then accepts the new nodes' pieces (and only theirs) for those
 * piece numbers, and the replaced nodes' pieces are queued for deletion.
 */
import { derivePieceId } from '@dcsim/common/pieceid';
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
import {
  bytes,
  checkInNodes,
  createProject,
  rpcFailure,
  rpcFailureInfo,
  startTestSatellite,
  uploadResults,
  type TestNode,
  type TestSatellite,
} from './helpers.js';

const SCHEME = { required: 4, repair: 6, optimal: 8, total: 10, shareSize: 256 };
const ENCRYPTED_SIZE = 10_000;

interface Begun {
  t: TestSatellite;
  header: RequestHeader;
  nodes: TestNode[];
  segmentId: Uint8Array;
  rootPieceId: Uint8Array;
  limits: AddressedOrderLimit[];
}

/** A satellite with `nodeCount` nodes and one begun segment (on 10 of them). */
async function begin(nodeCount: number): Promise<Begun> {
  const t = await startTestSatellite();
  const { header } = createProject(t);
  const nodes = await checkInNodes(t, nodeCount);
  await unary(t.metainfo, t.metainfo.createBucket, { header, name: 'bucket' });
  const object = await unary(t.metainfo, t.metainfo.beginObject, {
    header,
    bucket: 'bucket',
    encryptedObjectKey: bytes('encrypted-key'),
    encryptionParameters: undefined,
  });
  const seg = await unary(t.metainfo, t.metainfo.beginSegment, {
    header,
    streamId: object.streamId,
    position: { partNumber: 0, index: 0 },
    maxOrderLimit: 4096,
  });
  return { t, header, nodes, segmentId: seg.segmentId, rootPieceId: seg.rootPieceId, limits: seg.addressedLimits };
}

const retry = (b: Begun, retryPieceNumbers: number[], header = b.header, segmentId = b.segmentId) =>
  unary(b.t.metainfo, b.t.metainfo.retryBeginSegmentPieces, { header, segmentId, retryPieceNumbers });

const commit = (b: Begun, limits: AddressedOrderLimit[]) =>
  unary(b.t.metainfo, b.t.metainfo.commitSegment, {
    header: b.header,
    segmentId: b.segmentId,
    uploadResults: uploadResults(b.nodes, limits, ENCRYPTED_SIZE, SCHEME),
    encryptedKey: bytes('encrypted content key'),
    encryptedKeyNonce: bytes('key nonce'),
    plainSize: 9_000,
    encryptedSize: ENCRYPTED_SIZE,
  });

const hex = (id: Uint8Array) => Buffer.from(id).toString('hex');

describe('RetryBeginSegmentPieces', () => {
  it('moves failed pieces to unused nodes with new signed limits, and commits the new nodes’ pieces', async () => {
    const b = await begin(13);
    const res = await retry(b, [1, 4]);
    expect(Buffer.from(res.segmentId)).toEqual(Buffer.from(b.segmentId));
    expect(res.addressedLimits.map((l) => l.pieceNum)).toEqual([1, 4]);
    const firstNodes = new Set(b.limits.map((l) => hex(l.limit!.storageNodeId)));
    for (const al of res.addressedLimits) {
      const limit = al.limit!;
      expect(firstNodes.has(hex(limit.storageNodeId))).toBe(false);
      expect(verifyOrderLimitSignature(b.t.sat.identity.publicKey, limit)).toBe(true);
      expect(limit.action).toBe(PieceAction.PUT);
      expect(limit.limit).toBe(4096);
      expect(hex(limit.pieceId)).toBe(hex(derivePieceId(b.rootPieceId, limit.storageNodeId, al.pieceNum)));
    }
    // The replaced nodes may hold a piece after all: queued for deletion.
    const queued = b.t.sat.db.pieceDeletions
      .all()
      .map((r) => hex(r.pieceId))
      .sort();
    expect(queued).toEqual([b.limits[1], b.limits[4]].map((l) => hex(l.limit!.pieceId)).sort());

    // A piece from a replaced node no longer counts; the new nodes' pieces do.
    const original = b.limits.filter((l) => l.pieceNum !== 1 && l.pieceNum !== 4);
    const withOld = await rpcFailure(commit(b, [...original.slice(0, 6), b.limits[1], b.limits[4]]));
    expect(withOld.code).toBe(status.INVALID_ARGUMENT);
    expect(withOld.reason).toBe(Reason.TOO_FEW_VALID_PIECES);
    expect(withOld.details).toMatch(/number of valid pieces \(6\) is less than the success threshold \(8\)/);
    await commit(b, [...original.slice(0, 6), ...res.addressedLimits]);
    const stored = b.t.sat.db.sql.prepare('SELECT piece_num AS pieceNum, node_id AS nodeId FROM pieces ORDER BY piece_num').all() as {
      pieceNum: number;
      nodeId: Uint8Array;
    }[];
    expect(stored.map((p) => p.pieceNum)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const al of res.addressedLimits) expect(hex(stored[al.pieceNum].nodeId)).toBe(hex(al.limit!.storageNodeId));
  });

  it('replaces as many pieces as there are unused nodes, never a replaced node again, then says there are none', async () => {
    const b = await begin(11);
    const first = await retry(b, [2, 7]);
    expect(first.addressedLimits.map((l) => l.pieceNum)).toEqual([2]); // one spare node
    const failure = await rpcFailureInfo(retry(b, [2, 7]));
    expect(failure).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      reason: Reason.NOT_ENOUGH_NODES,
      message: 'none left to retry on (11 used by this segment)',
      facts: { needed: '2', available: '0' },
    });
  });

  it('refuses bad piece numbers, unknown segments and other projects', async () => {
    const b = await begin(12);
    const bad = async (numbers: number[]) => {
      const failure = await rpcFailureInfo(retry(b, numbers));
      expect(failure.facts).toEqual({ field: 'retry_piece_numbers' });
      return failure.message;
    };
    expect(await bad([])).toBe('piece numbers to retry cannot be empty');
    expect(await bad([10])).toBe('piece number 10 must be within [0, 9]');
    expect(await bad([-1])).toBe('piece number -1 must be within [0, 9]');
    expect(await bad([3, 3])).toBe('piece number 3 is duplicated');
    expect((await rpcFailure(retry(b, [1], b.header, new Uint8Array(16)))).reason).toBe(Reason.SEGMENT_UPLOAD_NOT_FOUND);
    expect((await rpcFailureInfo(retry(b, [1], b.header, new Uint8Array(3)))).facts).toEqual({ field: 'segment_id' });
    const other = createProject(b.t, 'other');
    expect((await rpcFailure(retry(b, [1], other.header))).reason).toBe(Reason.UPLOAD_NOT_FOUND);
    expect(b.t.sat.db.pieceDeletions.count()).toBe(0);
  });
});
