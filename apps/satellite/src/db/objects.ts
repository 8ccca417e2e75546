/**
 * Objects, as the satellite sees them: an encrypted key, encrypted metadata, and sizes.
 *
 * An upload starts as a `pending` row named by a random stream ID and becomes `committed` when the
 * uplink commits it. Only committed, unexpired objects are listed or found by key. At most one committed
 * object per (project, bucket, encrypted key): a partial unique index enforces it, and committing a
 * new version retires the old one in the same transaction. A `retired` object (replaced or deleted)
 * can still be read by stream ID, by reads that began before, until its `retired_until`.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import { plain } from './plain.js';

export const objectMigrations: Migration[] = [
  {
    name: 'objects-1-create',
    sql: `
      CREATE TABLE objects (
        stream_id BLOB PRIMARY KEY,          -- 16 random bytes; names the upload in later calls
        project_id TEXT NOT NULL,
        bucket TEXT NOT NULL,
        encrypted_key BLOB NOT NULL,         -- the uplink encrypted every path component
        status TEXT NOT NULL CHECK (status IN ('pending', 'committed')),
        created_at INTEGER NOT NULL,
        committed_at INTEGER,
        expires_at INTEGER,                  -- NULL: never
        encrypted_metadata BLOB,             -- StreamMeta with the encrypted stream info and user metadata
        encrypted_metadata_key BLOB,         -- the metadata key, encrypted under a key derived from the path
        encrypted_metadata_nonce BLOB,
        cipher_suite INTEGER NOT NULL,
        block_size INTEGER NOT NULL,
        rs_required INTEGER NOT NULL,
        rs_repair INTEGER NOT NULL,
        rs_optimal INTEGER NOT NULL,
        rs_total INTEGER NOT NULL,
        rs_share_size INTEGER NOT NULL,
        plain_size INTEGER NOT NULL DEFAULT 0,
        encrypted_size INTEGER NOT NULL DEFAULT 0,
        segment_count INTEGER NOT NULL DEFAULT 0,
        FOREIGN KEY (project_id, bucket) REFERENCES buckets(project_id, name)
      );
      -- Listing walks this index in byte order of the encrypted key.
      CREATE UNIQUE INDEX objects_committed_key ON objects(project_id, bucket, encrypted_key) WHERE status = 'committed';
      CREATE INDEX objects_bucket ON objects(project_id, bucket, status);
      CREATE INDEX objects_expires ON objects(expires_at) WHERE expires_at IS NOT NULL;
    `,
  },
  {
    // A third status: replaced or deleted objects stay readable by stream ID for reads in progress, until
    // retired_until; then their rows go and their pieces are queued for deletion. The status is part of a
    // CHECK constraint, so the table is rebuilt (columns as before, plus retired_until).
    name: 'objects-2-retired',
    rebuildsTable: true,
    sql: `
      CREATE TABLE objects_new (
        stream_id BLOB PRIMARY KEY,
        project_id TEXT NOT NULL,
        bucket TEXT NOT NULL,
        encrypted_key BLOB NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'committed', 'retired')),
        created_at INTEGER NOT NULL,
        committed_at INTEGER,
        expires_at INTEGER,
        encrypted_metadata BLOB,
        encrypted_metadata_key BLOB,
        encrypted_metadata_nonce BLOB,
        cipher_suite INTEGER NOT NULL,
        block_size INTEGER NOT NULL,
        rs_required INTEGER NOT NULL,
        rs_repair INTEGER NOT NULL,
        rs_optimal INTEGER NOT NULL,
        rs_total INTEGER NOT NULL,
        rs_share_size INTEGER NOT NULL,
        plain_size INTEGER NOT NULL DEFAULT 0,
        encrypted_size INTEGER NOT NULL DEFAULT 0,
        segment_count INTEGER NOT NULL DEFAULT 0,
        retired_until INTEGER,               -- retired objects: when their rows go and their pieces are deleted
        FOREIGN KEY (project_id, bucket) REFERENCES buckets(project_id, name)
      );
      INSERT INTO objects_new (stream_id, project_id, bucket, encrypted_key, status, created_at, committed_at, expires_at,
          encrypted_metadata, encrypted_metadata_key, encrypted_metadata_nonce, cipher_suite, block_size, rs_required,
          rs_repair, rs_optimal, rs_total, rs_share_size, plain_size, encrypted_size, segment_count)
        SELECT stream_id, project_id, bucket, encrypted_key, status, created_at, committed_at, expires_at,
          encrypted_metadata, encrypted_metadata_key, encrypted_metadata_nonce, cipher_suite, block_size, rs_required,
          rs_repair, rs_optimal, rs_total, rs_share_size, plain_size, encrypted_size, segment_count FROM objects;
      DROP TABLE objects;
      ALTER TABLE objects_new RENAME TO objects;
      CREATE UNIQUE INDEX objects_committed_key ON objects(project_id, bucket, encrypted_key) WHERE status = 'committed';
      CREATE INDEX objects_bucket ON objects(project_id, bucket, status);
      CREATE INDEX objects_expires ON objects(expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX objects_retired ON objects(retired_until) WHERE status = 'retired';
    `,
  },
];

/**
 * pending: being uploaded; committed: the object under its key; retired: replaced or deleted, invisible to
 * lookups and listings, still readable by stream ID (reads in progress) until `retiredUntil`.
 */
export type ObjectStatus = 'pending' | 'committed' | 'retired';

export interface ObjectRow {
  streamId: Uint8Array;
  projectId: string;
  bucket: string;
  encryptedKey: Uint8Array;
  status: ObjectStatus;
  createdAt: number;
  committedAt: number | null;
  expiresAt: number | null;
  encryptedMetadata: Uint8Array | null;
  encryptedMetadataKey: Uint8Array | null;
  encryptedMetadataNonce: Uint8Array | null;
  cipherSuite: number;
  blockSize: number;
  rsRequired: number;
  rsRepair: number;
  rsOptimal: number;
  rsTotal: number;
  rsShareSize: number;
  plainSize: number;
  encryptedSize: number;
  segmentCount: number;
  retiredUntil: number | null;
}

export interface CommitFields {
  streamId: Uint8Array;
  committedAt: number;
  encryptedMetadata: Uint8Array;
  encryptedMetadataKey: Uint8Array;
  encryptedMetadataNonce: Uint8Array;
  plainSize: number;
  encryptedSize: number;
  segmentCount: number;
}

const COLUMNS = `stream_id AS streamId, project_id AS projectId, bucket, encrypted_key AS encryptedKey, status,
  created_at AS createdAt, committed_at AS committedAt, expires_at AS expiresAt,
  encrypted_metadata AS encryptedMetadata, encrypted_metadata_key AS encryptedMetadataKey,
  encrypted_metadata_nonce AS encryptedMetadataNonce, cipher_suite AS cipherSuite, block_size AS blockSize,
  rs_required AS rsRequired, rs_repair AS rsRepair, rs_optimal AS rsOptimal, rs_total AS rsTotal,
  rs_share_size AS rsShareSize, plain_size AS plainSize, encrypted_size AS encryptedSize,
  segment_count AS segmentCount, retired_until AS retiredUntil`;

// Visible = committed and not expired at :now.
const VISIBLE = `status = 'committed' AND (expires_at IS NULL OR expires_at > @now)`;

interface ListParams {
  projectId: string;
  bucket: string;
  from: Uint8Array;
  to: Uint8Array;
  now: number;
  limit: number;
}

export class Objects {
  private readonly insertStmt: Statement<[ObjectRow]>;
  private readonly byStreamStmt: Statement<[Uint8Array], ObjectRow>;
  private readonly committedStmt: Statement<[string, string, Uint8Array], ObjectRow>;
  private readonly commitStmt: Statement<[CommitFields]>;
  private readonly deleteStmt: Statement<[Uint8Array]>;
  private readonly listStmt: Statement<[Omit<ListParams, 'to'>], ObjectRow>;
  private readonly listBoundedStmt: Statement<[ListParams], ObjectRow>;
  private readonly inBucketStmt: Statement<[string, string], Uint8Array>;
  private readonly anyVisibleStmt: Statement<[{ projectId: string; bucket: string; now: number }], number>;
  private readonly expiredStmt: Statement<[number, number], Uint8Array>;
  private readonly stalePendingStmt: Statement<[{ before: number; limit: number }], Uint8Array>;
  private readonly retireStmt: Statement<[number, Uint8Array]>;
  private readonly retiredDueStmt: Statement<[number, number], Uint8Array>;

  constructor(db: Database) {
    this.insertStmt = db.prepare(`INSERT INTO objects (stream_id, project_id, bucket, encrypted_key, status, created_at,
        committed_at, expires_at, encrypted_metadata, encrypted_metadata_key, encrypted_metadata_nonce, cipher_suite,
        block_size, rs_required, rs_repair, rs_optimal, rs_total, rs_share_size, plain_size, encrypted_size, segment_count)
      VALUES (@streamId, @projectId, @bucket, @encryptedKey, @status, @createdAt, @committedAt, @expiresAt,
        @encryptedMetadata, @encryptedMetadataKey, @encryptedMetadataNonce, @cipherSuite, @blockSize, @rsRequired,
        @rsRepair, @rsOptimal, @rsTotal, @rsShareSize, @plainSize, @encryptedSize, @segmentCount)`);
    this.byStreamStmt = db.prepare(`SELECT ${COLUMNS} FROM objects WHERE stream_id = ?`);
    this.committedStmt = db.prepare(
      `SELECT ${COLUMNS} FROM objects WHERE project_id = ? AND bucket = ? AND encrypted_key = ? AND status = 'committed'`,
    );
    this.commitStmt = db.prepare(`UPDATE objects SET status = 'committed', committed_at = @committedAt,
        encrypted_metadata = @encryptedMetadata, encrypted_metadata_key = @encryptedMetadataKey,
        encrypted_metadata_nonce = @encryptedMetadataNonce, plain_size = @plainSize,
        encrypted_size = @encryptedSize, segment_count = @segmentCount
      WHERE stream_id = @streamId AND status = 'pending'`);
    this.deleteStmt = db.prepare('DELETE FROM objects WHERE stream_id = ?');
    const list = `SELECT ${COLUMNS} FROM objects
      WHERE project_id = @projectId AND bucket = @bucket AND encrypted_key >= @from`;
    this.listStmt = db.prepare(`${list} AND ${VISIBLE} ORDER BY encrypted_key LIMIT @limit`);
    this.listBoundedStmt = db.prepare(`${list} AND encrypted_key < @to AND ${VISIBLE} ORDER BY encrypted_key LIMIT @limit`);
    this.inBucketStmt = db
      .prepare<[string, string], Uint8Array>('SELECT stream_id FROM objects WHERE project_id = ? AND bucket = ?')
      .pluck();
    this.anyVisibleStmt = db
      .prepare<[{ projectId: string; bucket: string; now: number }], number>(
        `SELECT 1 FROM objects WHERE project_id = @projectId AND bucket = @bucket AND ${VISIBLE} LIMIT 1`,
      )
      .pluck();
    this.expiredStmt = db.prepare<[number, number], Uint8Array>('SELECT stream_id FROM objects WHERE expires_at <= ? LIMIT ?').pluck();
    this.stalePendingStmt = db
      .prepare<[{ before: number; limit: number }], Uint8Array>(
        `SELECT stream_id FROM objects o WHERE status = 'pending' AND created_at < @before
          AND NOT EXISTS (SELECT 1 FROM segments s WHERE s.stream_id = o.stream_id AND s.created_at >= @before)
          AND NOT EXISTS (SELECT 1 FROM pending_segments p WHERE p.stream_id = o.stream_id AND p.created_at >= @before)
        LIMIT @limit`,
      )
      .pluck();
    this.retireStmt = db.prepare(`UPDATE objects SET status = 'retired', retired_until = ? WHERE stream_id = ? AND status = 'committed'`);
    this.retiredDueStmt = db
      .prepare<[number, number], Uint8Array>(`SELECT stream_id FROM objects WHERE status = 'retired' AND retired_until <= ? LIMIT ?`)
      .pluck();
  }

  insert(row: ObjectRow): void {
    this.insertStmt.run(row);
  }

  byStream(streamId: Uint8Array): ObjectRow | undefined {
    return plain(this.byStreamStmt.get(streamId));
  }

  /** The committed object under this key, expired or not (callers decide what expiry means to them). */
  committed(projectId: string, bucket: string, encryptedKey: Uint8Array): ObjectRow | undefined {
    return plain(this.committedStmt.get(projectId, bucket, encryptedKey));
  }

  /** Marks a pending object committed; false when it was not pending (anymore). */
  markCommitted(fields: CommitFields): boolean {
    return this.commitStmt.run(fields).changes > 0;
  }

  /** Deletes the object row; its segments, pieces and pending segments go with it (ON DELETE CASCADE). */
  delete(streamId: Uint8Array): void {
    this.deleteStmt.run(streamId);
  }

  /** Visible objects with `from <= key < to` (no upper bound when `to` is undefined), in key byte order. */
  list(projectId: string, bucket: string, from: Uint8Array, to: Uint8Array | undefined, now: number, limit: number): ObjectRow[] {
    return to === undefined
      ? this.listStmt.all({ projectId, bucket, from, now, limit }).map(plain)
      : this.listBoundedStmt.all({ projectId, bucket, from, to, now, limit }).map(plain);
  }

  /** Stream IDs of every object in the bucket, pending or committed, expired or not. */
  streamsInBucket(projectId: string, bucket: string): Uint8Array[] {
    return this.inBucketStmt.all(projectId, bucket).map(plain);
  }

  hasVisible(projectId: string, bucket: string, now: number): boolean {
    return this.anyVisibleStmt.get({ projectId, bucket, now }) !== undefined;
  }

  expired(now: number, limit: number): Uint8Array[] {
    return this.expiredStmt.all(now, limit).map(plain);
  }

  /** Takes a committed object out of sight (replaced or deleted); readable by stream ID until `until`. */
  retire(streamId: Uint8Array, until: number): boolean {
    return this.retireStmt.run(until, streamId).changes > 0;
  }

  /** Retired objects whose time is up. */
  retiredDue(now: number, limit: number): Uint8Array[] {
    return this.retiredDueStmt.all(now, limit).map(plain);
  }

  /** Uploads never committed with no activity (object begun, segment begun or committed) since `before`. */
  stalePending(before: number, limit: number): Uint8Array[] {
    return this.stalePendingStmt.all({ before, limit }).map(plain);
  }
}
