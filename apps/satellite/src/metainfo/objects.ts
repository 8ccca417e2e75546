/** BeginObject, CommitObject, GetObject, DownloadObject, DeleteObject. */
import { randomBytes } from 'node:crypto';
import { ActionType } from '@dcsim/crypto/macaroon';
import { encryptedSize } from '@dcsim/crypto/encryption';
import {
  Reason,
  RpcError,
  fieldInvalid,
  rpcErrorInfo,
  type BeginObjectRequest,
  type BeginObjectResponse,
  type CommitObjectRequest,
  type CommitObjectResponse,
  type DeleteObjectRequest,
  type DeleteObjectResponse,
  type DownloadObjectRequest,
  type DownloadObjectResponse,
  type GetObjectRequest,
  type GetObjectResponse,
} from '@dcsim/protocol';
import type { Authenticated } from '../auth.js';
import type { ObjectRow, SegmentRow } from '../db/index.js';
import { abandonPendingSegment } from '../deletes.js';
import { formatDuration } from '@dcsim/common/duration';
import { shortHex } from '@dcsim/common/short';
import { formatBytes } from '@dcsim/common/size';
import type { MetainfoEndpoint } from './context.js';
import { objectMessage, schemeMessage, segmentInfos } from './convert.js';
import { objectNotFound, pendingObject, requireBucket, STREAM_ID_SIZE, visibleObject } from './lookup.js';
import { checkBytes, checkEncryption, checkMetadataSize, checkObjectName, checkSize, MAX_KEY_MATERIAL } from './validate.js';
import { checkEgressLimit, checkUploadLimits } from '../limits/project-limits.js';

/**
 * Starts an upload: a pending object row under a fresh stream ID. Expiry follows Storj: a time in
 * the past is refused, and so is one beyond the key's max object TTL; without an expiry, a key with
 * a max TTL gets objects that expire after it.
 */
export function beginObject(m: MetainfoEndpoint, req: BeginObjectRequest): BeginObjectResponse {
  checkObjectName(req);
  const encryption = checkEncryption(req.encryptionParameters);
  const auth = m.auth.authorize(req.header, { op: ActionType.Write, bucket: req.bucket, encryptedPath: req.encryptedObjectKey });
  requireBucket(m, auth, req.bucket);

  const now = m.clock.now();
  const plannedBytes = req.plannedEncryptedSize ?? 0;
  const plannedSegments = req.plannedSegments ?? 0;
  checkSize('planned_encrypted_size', 'planned encrypted size', plannedBytes);
  checkSize('planned_segments', 'planned segments', plannedSegments);
  // Refused before any data moves: what the upload plans to add must fit the limits. It has at least one segment,
  // and at least as many as its bytes fill at the satellite's largest segment size.
  const fewestSegments = Math.ceil(plannedBytes / encryptedSize(m.config.maxSegmentSize, encryption));
  checkUploadLimits(m.db, auth.project.id, plannedBytes, Math.max(1, plannedSegments, fewestSegments), now);
  const maxTtl = m.auth.maxObjectTtlMs(auth);
  let expiresAt = req.expiresAt?.getTime();
  if (expiresAt !== undefined) {
    if (Number.isNaN(expiresAt) || expiresAt <= now) throw fieldInvalid('expires_at', 'invalid expiration time, cannot be in the past');
    if (maxTtl !== undefined && expiresAt > now + maxTtl) {
      const message = `invalid expiration time, cannot be longer than ${formatDuration(maxTtl)} (the API key's max object TTL)`;
      throw fieldInvalid('expires_at', message);
    }
  } else if (maxTtl !== undefined) {
    expiresAt = now + maxTtl;
  }

  const scheme = m.config.scheme;
  const streamId = new Uint8Array(randomBytes(STREAM_ID_SIZE));
  m.db.objects.insert({
    streamId,
    projectId: auth.project.id,
    bucket: req.bucket,
    encryptedKey: req.encryptedObjectKey,
    status: 'pending',
    createdAt: now,
    committedAt: null,
    expiresAt: expiresAt ?? null,
    encryptedMetadata: null,
    encryptedMetadataKey: null,
    encryptedMetadataNonce: null,
    cipherSuite: encryption.cipherSuite,
    blockSize: encryption.blockSize,
    rsRequired: scheme.required,
    rsRepair: scheme.repair,
    rsOptimal: scheme.optimal,
    rsTotal: scheme.total,
    rsShareSize: scheme.shareSize,
    plainSize: 0,
    encryptedSize: 0,
    segmentCount: 0,
    retiredUntil: null,
  });
  return {
    streamId,
    redundancyScheme: schemeMessage(scheme),
    maxSegmentSize: m.config.maxSegmentSize,
    maxInlineSize: m.config.inlineThreshold,
  };
}

/**
 * Makes an upload visible. In one transaction: every begun segment must be committed and each part's
 * segments must be numbered 0..n-1 without gaps; an older committed object under the same key is
 * retired (reads already under way finish on it; its pieces go after the retired grace); the object
 * turns committed. A crash leaves either the old object or the new one.
 */
export function commitObject(m: MetainfoEndpoint, req: CommitObjectRequest): CommitObjectResponse {
  checkMetadataSize(req.encryptedMetadata);
  checkBytes('encrypted_metadata_key', 'encrypted metadata key', req.encryptedMetadataKey, MAX_KEY_MATERIAL);
  checkBytes('encrypted_metadata_nonce', 'encrypted metadata key nonce', req.encryptedMetadataNonce, MAX_KEY_MATERIAL);
  const auth = m.auth.authenticate(req.header);
  const pending = pendingObject(m, auth, req.streamId);
  m.auth.check(auth, { op: ActionType.Write, bucket: pending.bucket, encryptedPath: pending.encryptedKey });

  const now = m.clock.now();
  const { row, replaced, queued } = m.db.transaction(() => {
    const current = pendingObject(m, auth, req.streamId); // still pending now that we hold the write lock?
    const segments = m.db.segments.ofStream(current.streamId);
    checkSegmentsComplete(segments);
    const committed = new Set(segments.map((s) => `${s.part}/${s.index}`));
    let queued = 0;
    for (const begun of m.db.pendingSegments.ofStream(current.streamId)) {
      if (!committed.has(`${begun.part}/${begun.index}`)) {
        throw new RpcError(Reason.UPLOAD_INCOMPLETE, `segment ${begun.part}/${begun.index} was begun but never committed`);
      }
      queued += abandonPendingSegment(m.db, begun, now); // an earlier attempt at a committed position
    }
    const old = m.db.objects.committed(current.projectId, current.bucket, current.encryptedKey);
    if (old) {
      checkMayOverwrite(m, auth, current);
      m.db.objects.retire(old.streamId, now + m.config.retiredGraceMs);
    }
    m.db.objects.markCommitted({
      streamId: current.streamId,
      committedAt: now,
      encryptedMetadata: req.encryptedMetadata,
      encryptedMetadataKey: req.encryptedMetadataKey,
      encryptedMetadataNonce: req.encryptedMetadataNonce,
      plainSize: sum(segments, (s) => s.plainSize),
      encryptedSize: sum(segments, (s) => s.encryptedSize),
      segmentCount: segments.length,
    });
    return { row: m.db.objects.byStream(current.streamId)!, replaced: old !== undefined, queued };
  });
  m.log(
    `object committed: bucket ${row.bucket}, encrypted key ${shortHex(row.encryptedKey)}, ` +
      `${row.segmentCount} segment(s), ${formatBytes(row.plainSize)}` +
      (replaced ? `, replacing the previous version (its pieces go in ${formatDuration(m.config.retiredGraceMs)})` : '') +
      (queued > 0 ? `; ${queued} old piece(s) queued for deletion` : ''),
  );
  return { object: objectMessage(row) };
}

export function getObject(m: MetainfoEndpoint, req: GetObjectRequest): GetObjectResponse {
  checkObjectName(req);
  const auth = m.auth.authorize(req.header, { op: ActionType.Read, bucket: req.bucket, encryptedPath: req.encryptedObjectKey });
  requireBucket(m, auth, req.bucket);
  return { object: objectMessage(visibleObject(m, auth, req.bucket, req.encryptedObjectKey, m.clock.now())) };
}

/** The object and the list of its segments; order limits come per segment from DownloadSegment. */
export function downloadObject(m: MetainfoEndpoint, req: DownloadObjectRequest): DownloadObjectResponse {
  checkObjectName(req);
  const auth = m.auth.authorize(req.header, { op: ActionType.Read, bucket: req.bucket, encryptedPath: req.encryptedObjectKey });
  requireBucket(m, auth, req.bucket);
  const now = m.clock.now();
  const row = visibleObject(m, auth, req.bucket, req.encryptedObjectKey, now);
  const segments = m.db.segments.ofStream(row.streamId);
  // Refused here, before any data moves, when reading every piece of the object would cross the egress limit
  // (DownloadSegment checks again, with what it actually allocates).
  const allocation = segments.reduce((sum, s) => sum + s.pieceSize * m.db.segments.pieces(s.streamId, s.part, s.index).length, 0);
  checkEgressLimit(m.db, auth.project.id, allocation, now);
  return { object: objectMessage(row), segments: segmentInfos(segments) };
}

/**
 * Takes the object out of sight at once: it is retired, so reads already under way can finish; after
 * the retired grace its rows go and its pieces are queued for deletion (cleanup.ts).
 */
export function deleteObject(m: MetainfoEndpoint, req: DeleteObjectRequest): DeleteObjectResponse {
  checkObjectName(req);
  const auth = m.auth.authorize(req.header, { op: ActionType.Delete, bucket: req.bucket, encryptedPath: req.encryptedObjectKey });
  requireBucket(m, auth, req.bucket);
  const row = m.db.transaction(() => {
    const row: ObjectRow | undefined = m.db.objects.committed(auth.project.id, req.bucket, req.encryptedObjectKey);
    if (!row) throw objectNotFound();
    m.db.objects.retire(row.streamId, m.clock.now() + m.config.retiredGraceMs);
    return row;
  });
  m.log(
    `object deleted: bucket ${row.bucket}, encrypted key ${shortHex(row.encryptedKey)}; ` +
      `its pieces go in ${formatDuration(m.config.retiredGraceMs)}, once reads under way are done`,
  );
  return { object: objectMessage(row) };
}

/** Replacing an object deletes the old one, so (as in Storj) a key that may not delete may not overwrite. */
function checkMayOverwrite(m: MetainfoEndpoint, auth: Authenticated, object: ObjectRow): void {
  try {
    m.auth.check(auth, { op: ActionType.Delete, bucket: object.bucket, encryptedPath: object.encryptedKey });
  } catch (err) {
    const { reason, facts } = rpcErrorInfo(err);
    if (reason !== Reason.CAVEAT_REFUSED) throw err;
    const message = 'permission denied: an object exists under this key and the API key may not delete, so it may not overwrite';
    throw new RpcError(Reason.CAVEAT_REFUSED, message, facts);
  }
}

/** Each part's segment indexes must run 0, 1, 2, ... (segments arrive sorted by part, index). */
function checkSegmentsComplete(segments: SegmentRow[]): void {
  let part = -1;
  let expected = 0;
  for (const s of segments) {
    if (s.part !== part) {
      part = s.part;
      expected = 0;
    }
    if (s.index !== expected) throw new RpcError(Reason.UPLOAD_INCOMPLETE, `segment ${part}/${expected} is missing`);
    expected++;
  }
}

function sum<T>(items: T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}
