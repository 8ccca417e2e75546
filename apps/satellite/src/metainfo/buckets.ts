/** CreateBucket, GetBucket, DeleteBucket, ListBuckets. */
import { MAX_BUCKET_NAME_LENGTH } from '@dcsim/common/bucket';
import { ActionType } from '@dcsim/crypto/macaroon';
import {
  Reason,
  RpcError,
  fieldTooLarge,
  type Bucket,
  type CreateBucketRequest,
  type CreateBucketResponse,
  type DeleteBucketRequest,
  type DeleteBucketResponse,
  type GetBucketRequest,
  type GetBucketResponse,
  type ListBucketsRequest,
  type ListBucketsResponse,
} from '@dcsim/protocol';
import { removeObject } from '../deletes.js';
import { checkBucketLimit } from '../limits/project-limits.js';
import type { MetainfoEndpoint } from './context.js';
import { bucketMessage } from './convert.js';
import { isVisible, requireBucket } from './lookup.js';
import { checkBucketLength, checkBucketName } from './validate.js';

const MAX_LIST_LIMIT = 1000;

export function createBucket(m: MetainfoEndpoint, req: CreateBucketRequest): CreateBucketResponse {
  checkBucketName(req.name);
  const auth = m.auth.authorize(req.header, { op: ActionType.Write, bucket: req.name });
  if (m.db.buckets.get(auth.project.id, req.name)) {
    throw new RpcError(Reason.BUCKET_ALREADY_EXISTS, `bucket already exists: ${req.name}`, { bucket: req.name });
  }
  checkBucketLimit(m.db, auth.project.id); // after "already exists", as Storj
  const row = m.db.buckets.create(auth.project.id, req.name, m.clock.now());
  if (!row) throw new RpcError(Reason.BUCKET_ALREADY_EXISTS, `bucket already exists: ${req.name}`, { bucket: req.name });
  m.log(`bucket created: ${req.name} (project ${auth.project.name})`);
  return { bucket: bucketMessage(row) };
}

export function getBucket(m: MetainfoEndpoint, req: GetBucketRequest): GetBucketResponse {
  checkBucketLength(req.name, 'name');
  const auth = m.auth.authorize(req.header, { op: ActionType.Read, bucket: req.name });
  return { bucket: bucketMessage(requireBucket(m, auth, req.name)) };
}

/**
 * A bucket with visible objects is deleted only with `delete_all`; then every object goes in the
 * same transaction as the bucket, and their pieces are queued for deletion.
 */
export function deleteBucket(m: MetainfoEndpoint, req: DeleteBucketRequest): DeleteBucketResponse {
  checkBucketLength(req.name, 'name');
  const auth = m.auth.authorize(req.header, { op: ActionType.Delete, bucket: req.name });
  const projectId = auth.project.id;
  const now = m.clock.now();
  const { deletedObjects, queued } = m.db.transaction(() => {
    requireBucket(m, auth, req.name);
    if (!req.deleteAll && m.db.objects.hasVisible(projectId, req.name, now)) {
      throw new RpcError(Reason.BUCKET_NOT_EMPTY, 'bucket not empty', { bucket: req.name });
    }
    let deletedObjects = 0;
    let queued = 0;
    // Pending uploads and expired objects go too: nothing may point at a bucket that is gone.
    for (const streamId of m.db.objects.streamsInBucket(projectId, req.name)) {
      const row = m.db.objects.byStream(streamId);
      if (row && isVisible(row, now)) deletedObjects++;
      queued += removeObject(m.db, streamId, now);
    }
    m.db.buckets.delete(projectId, req.name);
    return { deletedObjects, queued };
  });
  m.log(
    `bucket deleted: ${req.name} (project ${auth.project.name})` +
      (deletedObjects > 0 || queued > 0 ? `, with ${deletedObjects} object(s); ${queued} piece(s) queued for deletion` : ''),
  );
  return { deletedObjects };
}

/**
 * Buckets in name order after the cursor, only those the key's caveats allow. As in Storj this is a
 * read of bucket metadata without a bucket, which caveats always allow; the filter does the rest.
 */
export function listBuckets(m: MetainfoEndpoint, req: ListBucketsRequest): ListBucketsResponse {
  if (req.cursor.length > MAX_BUCKET_NAME_LENGTH) {
    const message = `bucket listing cursor is ${req.cursor.length} characters; bucket names have at most ${MAX_BUCKET_NAME_LENGTH}`;
    throw fieldTooLarge('cursor', MAX_BUCKET_NAME_LENGTH, message);
  }
  const auth = m.auth.authorize(req.header, { op: ActionType.Read });
  const limit = clampLimit(req.limit);
  const allowed = m.auth.allowedBuckets(auth);
  const items: Bucket[] = [];
  let cursor = req.cursor;
  for (;;) {
    const rows = m.db.buckets.list(auth.project.id, cursor, limit + 1);
    for (const row of rows) {
      if (allowed === 'all' || allowed.has(row.name)) items.push(bucketMessage(row));
    }
    if (rows.length <= limit || items.length > limit) break;
    cursor = rows[rows.length - 1].name;
  }
  return { items: items.slice(0, limit), more: items.length > limit };
}

export function clampLimit(limit: number): number {
  return limit > 0 && limit <= MAX_LIST_LIMIT ? limit : MAX_LIST_LIMIT;
}
