/** Finding the bucket or object a request names, within the caller's project only. */
import { Reason, RpcError, fieldInvalid } from '@dcsim/protocol';
import type { Authenticated } from '../auth.js';
import type { BucketRow, ObjectRow } from '../db/index.js';
import type { MetainfoEndpoint } from './context.js';

export const STREAM_ID_SIZE = 16;

export function isVisible(row: ObjectRow, now: number): boolean {
  return row.status === 'committed' && (row.expiresAt === null || row.expiresAt > now);
}

export function requireBucket(m: MetainfoEndpoint, auth: Authenticated, name: string): BucketRow {
  const bucket = m.db.buckets.get(auth.project.id, name);
  if (!bucket) throw new RpcError(Reason.BUCKET_NOT_FOUND, `bucket not found: ${name}`, { bucket: name });
  return bucket;
}

/** The upload a stream ID names; another project's stream IDs look exactly like unknown ones. */
export function pendingObject(m: MetainfoEndpoint, auth: Authenticated, streamId: Uint8Array): ObjectRow {
  const row = streamObject(m, auth, streamId);
  if (!row) throw new RpcError(Reason.UPLOAD_NOT_FOUND, 'object upload not found (unknown stream ID, or the upload was abandoned)');
  if (row.status !== 'pending') throw new RpcError(Reason.UPLOAD_ALREADY_COMMITTED, 'object is already committed');
  return row;
}

/**
 * An object a read may go on with, by stream ID: committed and unexpired, or retired (replaced or
 * deleted since the read began) and still within its grace.
 */
export function readableObjectByStream(m: MetainfoEndpoint, auth: Authenticated, streamId: Uint8Array, now: number): ObjectRow {
  const row = streamObject(m, auth, streamId);
  const retiredButReadable = row?.status === 'retired' && row.retiredUntil! > now && (row.expiresAt === null || row.expiresAt > now);
  if (!row || !(isVisible(row, now) || retiredButReadable)) throw objectNotFound();
  return row;
}

/** A committed, unexpired object by bucket and encrypted key. */
export function visibleObject(m: MetainfoEndpoint, auth: Authenticated, bucket: string, encryptedKey: Uint8Array, now: number): ObjectRow {
  const row = m.db.objects.committed(auth.project.id, bucket, encryptedKey);
  if (!row || !isVisible(row, now)) throw objectNotFound();
  return row;
}

export function objectNotFound(): RpcError {
  return new RpcError(Reason.OBJECT_NOT_FOUND, 'object not found');
}

function streamObject(m: MetainfoEndpoint, auth: Authenticated, streamId: Uint8Array): ObjectRow | undefined {
  if (streamId.length !== STREAM_ID_SIZE) {
    throw fieldInvalid('stream_id', `stream ID must be ${STREAM_ID_SIZE} bytes, got ${streamId.length}`);
  }
  const row = m.db.objects.byStream(streamId);
  return row && row.projectId === auth.project.id ? row : undefined;
}
