/**
 * Tallies (Storj's satellite/accounting): snapshots of what is stored, taken by the `tally` chore (tally.ts).
 * - bucket_storage_tallies: per bucket, at each tally: encrypted bytes, segments, objects (committed) and pending
 *   objects, of objects that have not expired.
 * - storagenode_storage_tallies: per node, at each tally: the bytes of the pieces it should hold (at rest), and
 *   byte-hours since the previous tally (Storj's node tally: bytes × hours elapsed).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import { plain } from './plain.js';

export const tallyMigrations: Migration[] = [
  {
    name: 'accounting-1-tallies',
    sql: `
      CREATE TABLE bucket_storage_tallies (
        interval_start INTEGER NOT NULL,     -- ms since the epoch: when the tally ran
        project_id TEXT NOT NULL,
        bucket_name TEXT NOT NULL,
        total_bytes INTEGER NOT NULL,
        total_segments INTEGER NOT NULL,
        object_count INTEGER NOT NULL,
        pending_object_count INTEGER NOT NULL,
        PRIMARY KEY (project_id, bucket_name, interval_start)
      ) WITHOUT ROWID;
      CREATE TABLE storagenode_storage_tallies (
        node_id BLOB NOT NULL,
        interval_end INTEGER NOT NULL,       -- when the tally ran
        at_rest_bytes INTEGER NOT NULL,      -- piece bytes the node should hold
        byte_hours REAL NOT NULL,            -- at_rest_bytes × hours since the previous tally
        PRIMARY KEY (node_id, interval_end)
      ) WITHOUT ROWID;
    `,
  },
];

export interface BucketTally {
  projectId: string;
  bucket: string;
  totalBytes: number;
  totalSegments: number;
  objectCount: number;
  pendingObjectCount: number;
}

export interface NodeTally {
  nodeId: Uint8Array;
  atRestBytes: number;
  byteHours: number;
}

export class Tallies {
  private readonly collectBuckets: Statement<[number]>;
  private readonly collectNodes: Statement<[number]>;
  private readonly insertBucket: Statement;
  private readonly insertNode: Statement;
  private readonly lastNodeTally: Statement<[]>;
  private readonly latestOfProject: Statement<[string]>;
  private readonly nodeLatest: Statement<[]>;
  private readonly previouslyNonEmpty: Statement<[]>;

  constructor(db: Database) {
    // Storj's CollectBucketTallies: every non-expired object, pending ones included in the object count.
    this.collectBuckets = db.prepare(`
      SELECT o.project_id AS projectId, o.bucket,
        COALESCE(SUM(s.size), 0) AS totalBytes, COALESCE(SUM(s.count), 0) AS totalSegments,
        SUM(o.status = 'committed') AS objectCount, SUM(o.status = 'pending') AS pendingObjectCount
      FROM objects o LEFT JOIN (
        SELECT stream_id, SUM(encrypted_size) AS size, COUNT(*) AS count FROM segments GROUP BY stream_id
      ) s ON s.stream_id = o.stream_id
      WHERE o.status IN ('committed', 'pending') AND (o.expires_at IS NULL OR o.expires_at > ?)
      GROUP BY o.project_id, o.bucket`);
    // Storj's node tally: every piece of every remote, unexpired segment counts its piece size for its node.
    this.collectNodes = db.prepare(`
      SELECT p.node_id AS nodeId, SUM(s.piece_size) AS atRestBytes
      FROM pieces p JOIN segments s ON s.stream_id = p.stream_id AND s.part = p.part AND s.idx = p.idx
      JOIN objects o ON o.stream_id = s.stream_id
      WHERE o.expires_at IS NULL OR o.expires_at > ?
      GROUP BY p.node_id`);
    this.insertBucket = db.prepare(`
      INSERT OR REPLACE INTO bucket_storage_tallies
        (interval_start, project_id, bucket_name, total_bytes, total_segments, object_count, pending_object_count)
      VALUES (@at, @projectId, @bucket, @totalBytes, @totalSegments, @objectCount, @pendingObjectCount)`);
    this.insertNode = db.prepare(`
      INSERT OR REPLACE INTO storagenode_storage_tallies (node_id, interval_end, at_rest_bytes, byte_hours)
      VALUES (@nodeId, @at, @atRestBytes, @byteHours)`);
    this.lastNodeTally = db.prepare('SELECT MAX(interval_end) FROM storagenode_storage_tallies').pluck();
    this.latestOfProject = db.prepare(`
      SELECT bucket_name AS bucket, total_bytes AS totalBytes, total_segments AS totalSegments, object_count AS objectCount,
        pending_object_count AS pendingObjectCount, interval_start AS at
      FROM bucket_storage_tallies t WHERE project_id = ? AND interval_start = (
        SELECT MAX(interval_start) FROM bucket_storage_tallies WHERE project_id = t.project_id AND bucket_name = t.bucket_name)
      ORDER BY bucket_name`);
    this.previouslyNonEmpty = db.prepare(`
      SELECT project_id AS projectId, bucket_name AS bucket FROM bucket_storage_tallies t
      WHERE interval_start = (
        SELECT MAX(interval_start) FROM bucket_storage_tallies WHERE project_id = t.project_id AND bucket_name = t.bucket_name)
        AND (total_bytes > 0 OR object_count > 0 OR pending_object_count > 0)`);
    this.nodeLatest = db.prepare(`
      SELECT node_id AS nodeId, at_rest_bytes AS atRestBytes, byte_hours AS byteHours FROM storagenode_storage_tallies t
      WHERE interval_end = (SELECT MAX(interval_end) FROM storagenode_storage_tallies)`);
  }

  /** What every bucket with objects stores at `now`. */
  collectBucketTallies(now: number): BucketTally[] {
    return this.collectBuckets.all(now) as BucketTally[];
  }

  /** Buckets whose latest tally was not empty (Storj's GetPreviouslyNonEmptyTallyBucketsInRange). */
  previouslyNonEmptyBuckets(): { projectId: string; bucket: string }[] {
    return this.previouslyNonEmpty.all() as { projectId: string; bucket: string }[];
  }

  /** Piece bytes per node at `now`. */
  collectNodeBytes(now: number): { nodeId: Uint8Array; atRestBytes: number }[] {
    return (this.collectNodes.all(now) as { nodeId: Uint8Array; atRestBytes: number }[]).map(plain);
  }

  /** When the previous node tally ran, if one did. */
  lastNodeTallyAt(): number | null {
    return (this.lastNodeTally.get() as number | null) ?? null;
  }

  saveBucketTallies(at: number, tallies: BucketTally[]): void {
    for (const t of tallies) this.insertBucket.run({ at, ...t });
  }

  saveNodeTallies(at: number, tallies: NodeTally[]): void {
    for (const t of tallies) this.insertNode.run({ at, ...t });
  }

  /** The latest tally of each bucket of a project. */
  latestBucketTallies(projectId: string): (Omit<BucketTally, 'projectId'> & { at: number })[] {
    return this.latestOfProject.all(projectId) as (Omit<BucketTally, 'projectId'> & { at: number })[];
  }

  /** The latest node tally, per node. */
  latestNodeTallies(): NodeTally[] {
    return (this.nodeLatest.all() as NodeTally[]).map(plain);
  }
}
