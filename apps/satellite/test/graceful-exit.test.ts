/**
 * The GracefulExit service on a real satellite (real SQLite, gRPC over TLS) with node identities that sign as
 * storage nodes do: requests must be the node's own; a transfer counts only when the receiving node signed the
 * original piece's hash for the piece it was given; the piece is swapped into the segment only then; failed
 * transfers are retried a bounded number of times, then left to repair, and decide whether the exit succeeded.
 */
import { createHash } from 'node:crypto';
import { derivePieceId } from '@dcsim/common/pieceid';
import { pieceSize } from '@dcsim/erasure';
import type { Identity } from '@dcsim/identity';
import {
  CHANNEL_OPTIONS,
  ExitProcessRequest,
  GracefulExitClient,
  PieceAction,
  Reason,
  TransferError,
  TransferReport,
  Transport,
  signNodeMessage,
  signPieceHash,
  unary,
  verifyOrderLimitSignature,
  type PieceHash,
  type TransferPiece,
} from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../src/config.js';
import { MAX_FAILURES_PER_PIECE } from '../src/gracefulexit/exits.js';
import { Overlay } from '../src/overlay.js';
import {
  bytes,
  checkInNodes,
  createProject,
  rpcFailure,
  startTestSatellite,
  uploadResults,
  type TestNode,
  type TestSatellite,
} from './helpers.js';

const SCHEME = { required: 4, repair: 6, optimal: 8, total: 10, shareSize: 256 };
const ENCRYPTED_SIZE = 10_000;
const PIECE_SIZE = pieceSize(ENCRYPTED_SIZE, SCHEME);
const EMPTY = new Uint8Array(0);
const hex = (id: Uint8Array) => Buffer.from(id).toString('hex');

/** A satellite with 12 nodes and one committed segment on 10 of them; `exiting` holds its piece 0. */
async function setUp() {
  const t = await startTestSatellite();
  const { header } = createProject(t);
  const nodes = await checkInNodes(t, 12);
  await unary(t.metainfo, t.metainfo.createBucket, { header, name: 'bucket' });
  const object = await unary(t.metainfo, t.metainfo.beginObject, {
    header,
    bucket: 'bucket',
    encryptedObjectKey: bytes('encrypted-key'),
    encryptionParameters: undefined,
  });
  const position = { partNumber: 0, index: 0 };
  const seg = await unary(t.metainfo, t.metainfo.beginSegment, { header, streamId: object.streamId, position, maxOrderLimit: 4096 });
  await unary(t.metainfo, t.metainfo.commitSegment, {
    header,
    segmentId: seg.segmentId,
    uploadResults: uploadResults(nodes, seg.addressedLimits, ENCRYPTED_SIZE, SCHEME),
    encryptedKey: bytes('encrypted content key'),
    encryptedKeyNonce: bytes('key nonce'),
    plainSize: 9_000,
    encryptedSize: ENCRYPTED_SIZE,
  });
  const segment = { streamId: object.streamId, part: 0, index: 0 };
  const holderOf0 = seg.addressedLimits.find((l) => l.pieceNum === 0)!.limit!.storageNodeId;
  const exiting = nodes.find((n) => hex(n.identity.id) === hex(holderOf0))!;
  const client = new GracefulExitClient(t.sat.address, Transport.of(exiting.identity).client(t.sat.identity.id), CHANNEL_OPTIONS);
  const identityOf = (id: Uint8Array) => nodes.find((n) => hex(n.identity.id) === hex(id))!.identity;
  const overlay = new Overlay(t.sat.db, makeConfig({ dir: t.dir, listen: '127.0.0.1:0' }), t.sat.clock);
  return { t, nodes, exiting, client, segment, rootPieceId: seg.rootPieceId, identityOf, overlay };
}

function processRequest(node: TestNode) {
  return signNodeMessage(node.identity, ExitProcessRequest, { nodeId: node.identity.id, timestamp: new Date(), signature: EMPTY });
}

function hashOf(signer: Identity, pieceId: Uint8Array, content: string, size = PIECE_SIZE): PieceHash {
  const hash = new Uint8Array(createHash('sha256').update(content).digest());
  return signPieceHash(signer, { pieceId, hash, pieceSize: size, timestamp: new Date(), signature: EMPTY });
}

function report(node: TestNode, transfer: TransferPiece, fields: Partial<TransferReport>): TransferReport {
  const base = { nodeId: node.identity.id, timestamp: new Date(), signature: EMPTY, transfer, error: TransferError.TRANSFER_OK };
  return signNodeMessage(node.identity, TransferReport, { errorMessage: '', ...base, ...fields });
}

function piecesOf(t: TestSatellite, segment: { streamId: Uint8Array; part: number; index: number }) {
  return t.sat.db.remoteSegments.pieces(segment).map((p) => `${p.pieceNum}@${hex(p.nodeId)}`);
}

describe('GracefulExit', () => {
  it('accepts only the exiting node’s own signed requests', async () => {
    const { t, nodes, exiting, client } = await setUp();
    const other = nodes.find((n) => n !== exiting)!;
    const forged = { ...processRequest(other), nodeId: exiting.identity.id };
    expect(await rpcFailure(unary(client, client.process, forged))).toMatchObject({ reason: Reason.NODE_SIGNATURE_INVALID });
    const stranger = { ...processRequest(exiting), nodeId: new Uint8Array(32).fill(9) };
    expect(await rpcFailure(unary(client, client.process, stranger))).toMatchObject({ reason: Reason.NODE_UNKNOWN });
    const early = report(exiting, { streamId: EMPTY, part: 0, index: 0, pieceNum: 0, originalPieceId: EMPTY, privateKey: EMPTY }, {});
    expect(await rpcFailure(unary(client, client.reportTransfer, early))).toMatchObject({ reason: Reason.NODE_NOT_EXITING });
    expect(t.sat.db.nodes.get(exiting.identity.id)!.exitInitiatedAt).toBeNull();
  });

  it('moves a piece only on the receiving node’s signed hash of the same bytes, then completes the exit', async () => {
    const { t, exiting, client, segment, rootPieceId, identityOf, overlay } = await setUp();
    const before = piecesOf(t, segment);
    const first = await unary(client, client.process, processRequest(exiting));
    expect(first.completed).toBeUndefined();
    expect(first.transfers).toHaveLength(1);
    const transfer = first.transfers[0];
    const limit = transfer.addressedOrderLimit!.limit!;
    const receiver = identityOf(limit.storageNodeId);
    // A PUT_REPAIR limit, signed by the satellite, for the same piece number on a node that holds none of the segment.
    expect(transfer).toMatchObject({ pieceNum: 0, part: 0, index: 0 });
    expect(hex(transfer.originalPieceId)).toBe(hex(derivePieceId(rootPieceId, exiting.identity.id, 0)));
    expect(limit.action).toBe(PieceAction.PUT_REPAIR);
    expect(verifyOrderLimitSignature(t.sat.identity.publicKey, limit)).toBe(true);
    expect(hex(limit.pieceId)).toBe(hex(derivePieceId(rootPieceId, receiver.id, 0)));
    expect(before.some((p) => p.endsWith(hex(receiver.id)))).toBe(false);
    // Exiting: never selected for new pieces.
    expect(overlay.selectNodes(11, 0).some((n) => hex(n.id) === hex(exiting.identity.id))).toBe(false);

    const original = hashOf(exiting.identity, transfer.originalPieceId, 'the piece');
    const refused = [
      // signed by the exiting node itself, not the receiver
      { originalPieceHash: original, replacementPieceHash: hashOf(exiting.identity, limit.pieceId, 'the piece') },
      // the receiver stored other bytes
      { originalPieceHash: original, replacementPieceHash: hashOf(receiver, limit.pieceId, 'other bytes') },
    ];
    for (const fields of refused) {
      expect(await unary(client, client.reportTransfer, report(exiting, transfer, fields))).toEqual({
        deleteOriginal: false,
        moved: false,
      });
      expect(piecesOf(t, segment)).toEqual(before);
    }
    expect(t.logs.filter((l) => l.includes('transfer refused'))).toHaveLength(2);

    const good = { originalPieceHash: original, replacementPieceHash: hashOf(receiver, limit.pieceId, 'the piece') };
    expect(await unary(client, client.reportTransfer, report(exiting, transfer, good))).toEqual({ deleteOriginal: true, moved: true });
    const after = piecesOf(t, segment);
    expect(after).toContain(`0@${hex(receiver.id)}`);
    expect(after.some((p) => p.endsWith(hex(exiting.identity.id)))).toBe(false);
    expect(after).toHaveLength(before.length);
    // The same report again (an answer lost on the way) finds the piece moved: the copy may go, nothing counts twice.
    expect(await unary(client, client.reportTransfer, report(exiting, transfer, good))).toEqual({ deleteOriginal: true, moved: false });
    expect(piecesOf(t, segment)).toEqual(after);

    const done = await unary(client, client.process, processRequest(exiting));
    expect(done).toMatchObject({ transfers: [], completed: { success: true, piecesTransferred: 1, piecesFailed: 0 } });
    expect(t.logs.some((l) => l.includes('node completed graceful exit') && l.includes('1 piece(s) transferred'))).toBe(true);
    const node = t.sat.db.nodes.get(exiting.identity.id)!;
    expect(overlay.isExited(node)).toBe(true);
    expect(overlay.isHealthy(node)).toBe(false);
  });

  it('leaves a piece to repair after repeated failures, and counts the exit failed when too many pieces failed', async () => {
    const { t, exiting, client, segment } = await setUp();
    const before = piecesOf(t, segment);
    for (let attempt = 1; attempt <= MAX_FAILURES_PER_PIECE; attempt++) {
      const { transfers } = await unary(client, client.process, processRequest(exiting));
      expect(transfers).toHaveLength(1);
      const failed = { error: TransferError.TRANSFER_NODE_UNAVAILABLE, errorMessage: 'connection refused' };
      expect(await unary(client, client.reportTransfer, report(exiting, transfers[0], failed))).toEqual({
        deleteOriginal: false,
        moved: false,
      });
    }
    const done = await unary(client, client.process, processRequest(exiting));
    expect(done.completed).toMatchObject({ success: false, piecesTransferred: 0, piecesFailed: 1 });
    // The piece stays in the segment; the exited node no longer counts, so the checker sees it missing.
    expect(piecesOf(t, segment)).toEqual(before);
    expect(t.logs.some((l) => l.includes('left to repair'))).toBe(true);
  });
});
