/** BeginSegment, CommitSegment, MakeInlineSegment, DownloadSegment. */
import { randomBytes } from 'node:crypto';
import { equalBytes } from '@dcsim/common/bytes';
import { derivePieceId, randomPieceId } from '@dcsim/common/pieceid';
import { type CipherSuite } from '@dcsim/crypto/encryption';
import { ActionType } from '@dcsim/crypto/macaroon';
import { MAX_TOTAL, pieceSize, type RedundancyScheme } from '@dcsim/erasure';
import { nodeIdString } from '@dcsim/common/nodeid';
import { shortNodeId } from '@dcsim/common/short';
import {
  Reason,
  RpcError,
  fieldInvalid,
  fieldTooLarge,
  verifyPieceHashSignature,
  type BeginSegmentRequest,
  type BeginSegmentResponse,
  type CommitSegmentRequest,
  type CommitSegmentResponse,
  type DownloadSegmentRequest,
  type DownloadSegmentResponse,
  type MakeInlineSegmentRequest,
  type MakeInlineSegmentResponse,
  type SegmentPieceUploadResult,
} from '@dcsim/protocol';
import type { NodeRow, ObjectRow, PendingSegmentRow, PieceRow } from '../db/index.js';
import { removeSegment } from '../deletes.js';
import { formatBytes } from '@dcsim/common/size';
import { checkEgressLimit, checkUploadLimits } from '../limits/project-limits.js';
import { hourOf } from '../db/bandwidth.js';
import { PieceAction } from '@dcsim/protocol';
import { maxPieceSize, type PiecePlacement } from '../orders.js';
import type { MetainfoEndpoint } from './context.js';
import { optionalDate, schemeMessage, schemeOf, segmentInfos } from './convert.js';
import { pendingObject, readableObjectByStream } from './lookup.js';
import { checkBytes, checkCount, checkPosition, checkSize, MAX_KEY_MATERIAL } from './validate.js';

export const SEGMENT_ID_SIZE = 16;
/** Invalid upload results named in an error or log line; the rest are counted. */
const LISTED_INVALID = 3;
const EMPTY = new Uint8Array(0);

/**
 * Picks n nodes and signs a PUT order limit for each: piece i of the segment goes to node i, under
 * the piece ID derived from a fresh root piece ID. The choice is remembered as a pending segment,
 * named by the segment ID the uplink hands back in CommitSegment.
 */
export function beginSegment(m: MetainfoEndpoint, req: BeginSegmentRequest): BeginSegmentResponse {
  const auth = m.auth.authenticate(req.header);
  const object = pendingObject(m, auth, req.streamId);
  m.auth.check(auth, { op: ActionType.Write, bucket: object.bucket, encryptedPath: object.encryptedKey });
  const { part, index } = checkPosition(req.position);
  const scheme = schemeOf(object);
  const ceiling = maxPieceSizeOf(m, object, scheme);
  checkSize('max_order_limit', 'max order limit', req.maxOrderLimit, ceiling);
  const limit = req.maxOrderLimit > 0 ? req.maxOrderLimit : ceiling;
  const now = m.clock.now();
  checkUploadLimits(m.db, object.projectId, 1, 1, now);

  const nodes = m.overlay.selectNodes(scheme.total, limit);
  const rootPieceId = randomPieceId();
  const segmentId = new Uint8Array(randomBytes(SEGMENT_ID_SIZE));
  m.db.pendingSegments.insert({
    segmentId,
    streamId: object.streamId,
    part,
    index,
    rootPieceId,
    nodeIds: nodes.map((n) => n.id),
    replacedNodeIds: [],
    maxPieceSize: limit,
    createdAt: now,
    expiresAt: now + m.config.orderExpirationMs,
  });
  const placements = nodes.map((node, pieceNum) => ({ pieceNum, node }));
  const location = { projectId: object.projectId, bucket: object.bucket };
  const { addressedLimits, privateKey } = m.orders.putLimits(rootPieceId, placements, limit, optionalDate(object.expiresAt), location);
  return { segmentId, addressedLimits, rootPieceId, redundancyScheme: schemeMessage(scheme), privateKey };
}

/**
 * Stores a segment once enough nodes vouch for their pieces. Each upload result must name the node
 * the piece was ordered from and carry that node's signature over a hash with the derived piece ID
 * and the piece size the segment's size implies. Invalid results are dropped (and logged); fewer
 * than the optimal (success) threshold of valid ones refuse the commit, as in Storj.
 */
export function commitSegment(m: MetainfoEndpoint, req: CommitSegmentRequest): CommitSegmentResponse {
  // A segment has at most MAX_TOTAL pieces, and n once begun: a longer list of results is refused before
  // any work grows with it (each result costs a signature check, and every refusal used to be listed).
  checkCount('upload_results', 'upload results', req.uploadResults.length, MAX_TOTAL);
  checkSegmentId(req.segmentId);
  checkSegmentKey(req);
  const auth = m.auth.authenticate(req.header);
  const pending = m.db.pendingSegments.get(req.segmentId);
  if (!pending) throw segmentUploadNotFound();
  checkCount('upload_results', 'upload results', req.uploadResults.length, pending.nodeIds.length, 'the segment has that many pieces');
  const object = pendingObject(m, auth, pending.streamId);
  m.auth.check(auth, { op: ActionType.Write, bucket: object.bucket, encryptedPath: object.encryptedKey });
  checkSize('plain_size', 'plain size', req.plainSize, m.config.maxSegmentSize);
  checkSize('encrypted_size', 'encrypted size', req.encryptedSize);
  if (req.encryptedSize === 0) throw fieldInvalid('encrypted_size', 'encrypted size of a remote segment must be > 0');

  const scheme = schemeOf(object);
  const expectedPieceSize = pieceSize(req.encryptedSize, scheme);
  if (expectedPieceSize > pending.maxPieceSize) {
    throw fieldInvalid(
      'encrypted_size',
      `a ${req.encryptedSize}-byte segment needs ${expectedPieceSize}-byte pieces, over the order limit of ${pending.maxPieceSize}`,
    );
  }
  // The segment replaces nothing counted yet (a pending object's segments count): it adds its bytes and itself.
  checkUploadLimits(m.db, object.projectId, req.encryptedSize, 1, m.clock.now());
  const { valid, invalid } = verifyUploadResults(m, pending, req.uploadResults, expectedPieceSize);
  if (invalid.length > 0) {
    m.log(`segment commit: dropped ${invalid.length} of ${req.uploadResults.length} piece result(s): ${listInvalid(invalid)}`);
  }
  if (valid.length < scheme.optimal) {
    throw new RpcError(
      Reason.TOO_FEW_VALID_PIECES,
      `number of valid pieces (${valid.length}) is less than the success threshold (${scheme.optimal}); ` +
        `found ${invalid.length} invalid piece(s)${invalid.length > 0 ? `: ${listInvalid(invalid)}` : ''}`,
      { valid: String(valid.length), needed: String(scheme.optimal) },
    );
  }

  const now = m.clock.now();
  m.db.transaction(() => {
    if (!m.db.pendingSegments.get(pending.segmentId)) throw segmentUploadEnded();
    pendingObject(m, auth, pending.streamId);
    removeSegment(m.db, pending.streamId, pending.part, pending.index, now); // a retried upload of this position
    m.db.segments.insert(
      {
        streamId: pending.streamId,
        part: pending.part,
        index: pending.index,
        rootPieceId: pending.rootPieceId,
        encryptedKey: req.encryptedKey,
        encryptedKeyNonce: req.encryptedKeyNonce,
        plainSize: req.plainSize,
        encryptedSize: req.encryptedSize,
        pieceSize: expectedPieceSize,
        inlineData: null,
        createdAt: now,
      },
      valid,
    );
    for (const p of valid) m.db.nodes.recordStoredPiece(p.nodeId, expectedPieceSize);
    queueRefusedPieces(m, pending, valid, invalid, now);
    m.db.pendingSegments.delete(pending.segmentId);
  });
  m.log(
    `segment committed: ${valid.length}/${scheme.total} pieces of ${formatBytes(expectedPieceSize)} ` +
      `(segment ${pending.part}/${pending.index}, ${formatBytes(req.encryptedSize)} encrypted, bucket ${object.bucket}) ` +
      `on nodes ${valid.map((p) => shortNodeId(p.nodeId)).join(', ')}`,
  );
  return {};
}

/** Stores a small segment's encrypted bytes in the satellite's database instead of on nodes. */
export function makeInlineSegment(m: MetainfoEndpoint, req: MakeInlineSegmentRequest): MakeInlineSegmentResponse {
  checkSegmentKey(req);
  const auth = m.auth.authenticate(req.header);
  const object = pendingObject(m, auth, req.streamId);
  m.auth.check(auth, { op: ActionType.Write, bucket: object.bucket, encryptedPath: object.encryptedKey });
  const { part, index } = checkPosition(req.position);
  const size = req.encryptedInlineData.length;
  if (size > m.config.inlineThreshold) {
    const message = `inline segment is ${size} bytes, over the inline threshold of ${m.config.inlineThreshold} bytes`;
    throw fieldTooLarge('encrypted_inline_data', m.config.inlineThreshold, message);
  }
  checkSize('plain_size', 'plain size', req.plainSize, m.config.maxSegmentSize);
  const now = m.clock.now();
  m.db.transaction(() => {
    pendingObject(m, auth, object.streamId);
    removeSegment(m.db, object.streamId, part, index, now);
    m.db.segments.insert(
      {
        streamId: object.streamId,
        part,
        index,
        rootPieceId: null,
        encryptedKey: req.encryptedKey,
        encryptedKeyNonce: req.encryptedKeyNonce,
        plainSize: req.plainSize,
        encryptedSize: size,
        pieceSize: 0,
        inlineData: req.encryptedInlineData,
        createdAt: now,
      },
      [],
    );
  });
  m.log(`inline segment stored: ${size} encrypted bytes in the satellite database (segment ${part}/${index}, bucket ${object.bucket})`);
  return {};
}

/**
 * A segment's info plus GET order limits (or its inline bytes): one per piece on a node that is
 * online, or one per stored piece when fewer than k of them are online. Index -1 names the
 * object's last segment. A read that began before the object was replaced or deleted goes on
 * reading it (a retired object) for the retired grace.
 */
export function downloadSegment(m: MetainfoEndpoint, req: DownloadSegmentRequest): DownloadSegmentResponse {
  const auth = m.auth.authenticate(req.header);
  const now = m.clock.now();
  const object = readableObjectByStream(m, auth, req.streamId, now);
  m.auth.check(auth, { op: ActionType.Read, bucket: object.bucket, encryptedPath: object.encryptedKey });
  const { part, index } = checkPosition(req.position, true);
  const segments = m.db.segments.ofStream(object.streamId);
  const infos = segmentInfos(segments);
  const at = index < 0 ? segments.length - 1 : segments.findIndex((s) => s.part === part && s.index === index);
  if (at < 0) throw new RpcError(Reason.SEGMENT_NOT_FOUND, `segment ${part}/${index} not found`);
  const segment = segments[at];
  const scheme = schemeOf(object);
  const response: DownloadSegmentResponse = {
    segment: infos[at],
    addressedLimits: [],
    rootPieceId: segment.rootPieceId ?? EMPTY,
    redundancyScheme: schemeMessage(scheme),
    encryptedInlineData: segment.inlineData ?? EMPTY,
    privateKey: EMPTY,
  };
  if (segment.rootPieceId === null) return response;

  // Disqualified nodes are never handed out (Storj's participating nodes); offline ones only when too few are online.
  const placements = placementsOf(m, m.db.segments.pieces(segment.streamId, segment.part, segment.index)).filter(
    (p) => !m.overlay.isDisqualified(p.node),
  );
  const online = placements.filter((p) => m.overlay.isOnline(p.node, now));
  const chosen = online.length >= scheme.required ? online : placements;
  // Egress is checked and counted as allocated (every limit handed out), as Storj does.
  const allocation = chosen.length * segment.pieceSize;
  checkEgressLimit(m.db, object.projectId, allocation, now);
  const location = { projectId: object.projectId, bucket: object.bucket };
  const signed = m.orders.getLimits(segment.rootPieceId, chosen, segment.pieceSize, optionalDate(object.expiresAt), location);
  m.db.bandwidth.addBucketBandwidth(object.projectId, object.bucket, hourOf(now), PieceAction.GET, { allocated: allocation });
  return { ...response, ...signed };
}

/** The content key of a segment, encrypted, and its nonce: required, and no larger than a key can be. */
function checkSegmentKey(req: { encryptedKey: Uint8Array; encryptedKeyNonce: Uint8Array }): void {
  checkBytes('encrypted_key', 'encrypted segment key', req.encryptedKey, MAX_KEY_MATERIAL, true);
  checkBytes('encrypted_key_nonce', 'encrypted segment key nonce', req.encryptedKeyNonce, MAX_KEY_MATERIAL);
}

export function checkSegmentId(segmentId: Uint8Array): void {
  if (segmentId.length !== SEGMENT_ID_SIZE) {
    throw fieldInvalid('segment_id', `segment ID must be ${SEGMENT_ID_SIZE} bytes, got ${segmentId.length}`);
  }
}

export function segmentUploadNotFound(): RpcError {
  return new RpcError(Reason.SEGMENT_UPLOAD_NOT_FOUND, 'segment upload not found (unknown segment ID, or it was abandoned)');
}

export function segmentUploadEnded(): RpcError {
  return new RpcError(Reason.SEGMENT_UPLOAD_ENDED, 'segment was committed or abandoned meanwhile');
}

/** Invalid results for a message or log line: the first few named, the rest counted. */
function listInvalid(invalid: InvalidPiece[]): string {
  const named = invalid.slice(0, LISTED_INVALID).map((bad) => `piece ${bad.pieceNum} from node ${bad.node}: ${bad.reason}`);
  const more = invalid.length - named.length;
  return named.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

interface InvalidPiece {
  pieceNum: number;
  node: string;
  reason: string;
}

function verifyUploadResults(
  m: MetainfoEndpoint,
  pending: PendingSegmentRow,
  results: SegmentPieceUploadResult[],
  expectedPieceSize: number,
): { valid: PieceRow[]; invalid: InvalidPiece[] } {
  const valid: PieceRow[] = [];
  const invalid: InvalidPiece[] = [];
  const seen = new Set<number>();
  for (const result of results) {
    const reason = checkUploadResult(m, pending, result, expectedPieceSize, seen);
    if (reason) invalid.push({ pieceNum: result.pieceNum, node: describeNode(result.nodeId), reason });
    else valid.push({ pieceNum: result.pieceNum, nodeId: result.nodeId });
  }
  return { valid, invalid };
}

/** Why one upload result cannot be trusted, or undefined when it can. */
function checkUploadResult(
  m: MetainfoEndpoint,
  pending: PendingSegmentRow,
  { pieceNum, nodeId, hash }: SegmentPieceUploadResult,
  expectedPieceSize: number,
  seen: Set<number>,
): string | undefined {
  if (!Number.isInteger(pieceNum) || pieceNum < 0 || pieceNum >= pending.nodeIds.length) return 'piece number out of range';
  if (seen.has(pieceNum)) return 'duplicate piece number';
  const orderedFrom = pending.nodeIds[pieceNum];
  if (!equalBytes(orderedFrom, nodeId)) return `piece ${pieceNum} was ordered from node ${nodeIdString(orderedFrom)}`;
  if (!hash) return 'no piece hash';
  if (!equalBytes(derivePieceId(pending.rootPieceId, nodeId, pieceNum), hash.pieceId)) {
    return 'piece ID in the hash is not the one derived for this node and piece number';
  }
  const node = m.db.nodes.get(nodeId);
  if (!node) return 'unknown node';
  if (!verifyPieceHashSignature(node.publicKey, hash)) return 'piece hash signature is not valid for this node';
  if (hash.hash.length !== 32) return `piece hash must be 32 bytes (SHA-256), got ${hash.hash.length}`;
  if (hash.pieceSize !== expectedPieceSize) return `piece size ${hash.pieceSize} differs from the expected ${expectedPieceSize}`;
  seen.add(pieceNum);
  return undefined;
}

/** A node may hold a piece whose result was refused (wrong size, say): nothing will reference it, so delete it. */
function queueRefusedPieces(
  m: MetainfoEndpoint,
  pending: PendingSegmentRow,
  valid: PieceRow[],
  invalid: InvalidPiece[],
  now: number,
): void {
  const kept = new Set(valid.map((p) => p.pieceNum));
  for (const { pieceNum } of invalid) {
    if (kept.has(pieceNum) || !Number.isInteger(pieceNum) || pieceNum < 0 || pieceNum >= pending.nodeIds.length) continue;
    const nodeId = pending.nodeIds[pieceNum];
    m.db.pieceDeletions.queue(nodeId, derivePieceId(pending.rootPieceId, nodeId, pieceNum), now);
  }
}

function placementsOf(m: MetainfoEndpoint, pieces: PieceRow[]): PiecePlacement[] {
  const placements: PiecePlacement[] = [];
  for (const p of pieces) {
    const node: NodeRow | undefined = m.db.nodes.get(p.nodeId);
    if (node) placements.push({ pieceNum: p.pieceNum, node });
  }
  return placements;
}

function maxPieceSizeOf(m: MetainfoEndpoint, object: ObjectRow, scheme: RedundancyScheme): number {
  return maxPieceSize(m.config.maxSegmentSize, { cipherSuite: object.cipherSuite as CipherSuite, blockSize: object.blockSize }, scheme);
}

function describeNode(id: Uint8Array): string {
  return id.length === 32 ? nodeIdString(id) : `<${id.length}-byte ID>`;
}
