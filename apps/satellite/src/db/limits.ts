/**
 * Project limits and the usage they are checked against (Storj's console project limits and projectusage).
 * A NULL limit is unlimited, except buckets, whose default is Storj's (`DEFAULT_BUCKET_LIMIT`). Usage is read
 * live from the metabase tables: what the project stores now (committed and pending objects that have not
 * expired; segments' encrypted bytes, before erasure coding, as Storj counts them) and how many buckets it has.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';

export const limitMigrations: Migration[] = [
  {
    name: 'projects-2-limits',
    sql: `
      CREATE TABLE project_limits (
        project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        storage_bytes INTEGER,               -- NULL: unlimited, as every column here
        egress_bytes INTEGER,                -- per calendar month (UTC), allocated GET bandwidth
        segments INTEGER,
        buckets INTEGER,                     -- NULL: the default (100)
        rate INTEGER                         -- Metainfo requests per second (burst the same)
      );
    `,
  },
];

/** Storj's metainfo.ProjectLimits.MaxBuckets default. */
export const DEFAULT_BUCKET_LIMIT = 100;

export interface ProjectLimits {
  storageBytes: number | null;
  egressBytes: number | null;
  segments: number | null;
  buckets: number;
  rate: number | null;
}

export type LimitChanges = Partial<Omit<ProjectLimits, 'buckets'> & { buckets: number | null }>;

export interface StorageUsage {
  storageBytes: number;
  segments: number;
  objects: number;
}

const UNLIMITED: ProjectLimits = { storageBytes: null, egressBytes: null, segments: null, buckets: DEFAULT_BUCKET_LIMIT, rate: null };

export class Limits {
  private readonly getStmt: Statement<[string]>;
  private readonly setStmt: Statement;
  private readonly usageStmt: Statement<[string, number]>;
  private readonly bucketCount: Statement<[string]>;

  constructor(db: Database) {
    this.getStmt = db.prepare(`
      SELECT storage_bytes AS storageBytes, egress_bytes AS egressBytes, segments, buckets, rate
      FROM project_limits WHERE project_id = ?`);
    this.setStmt = db.prepare(`
      INSERT INTO project_limits (project_id, storage_bytes, egress_bytes, segments, buckets, rate)
      VALUES (@projectId, @storageBytes, @egressBytes, @segments, @buckets, @rate)
      ON CONFLICT (project_id) DO UPDATE SET storage_bytes = excluded.storage_bytes, egress_bytes = excluded.egress_bytes,
        segments = excluded.segments, buckets = excluded.buckets, rate = excluded.rate`);
    this.usageStmt = db.prepare(`
      SELECT COALESCE(SUM(s.encrypted_size), 0) AS storageBytes, COUNT(s.stream_id) AS segments,
        COUNT(DISTINCT CASE WHEN o.status = 'committed' THEN o.stream_id END) AS objects
      FROM objects o LEFT JOIN segments s ON s.stream_id = o.stream_id
      WHERE o.project_id = ? AND o.status IN ('committed', 'pending') AND (o.expires_at IS NULL OR o.expires_at > ?)`);
    this.bucketCount = db.prepare('SELECT COUNT(*) FROM buckets WHERE project_id = ?').pluck();
  }

  of(projectId: string): ProjectLimits {
    const row = this.getStmt.get(projectId) as (Omit<ProjectLimits, 'buckets'> & { buckets: number | null }) | undefined;
    if (!row) return { ...UNLIMITED };
    return { ...row, buckets: row.buckets ?? DEFAULT_BUCKET_LIMIT };
  }

  /** Changes the limits named in `changes` (null: unlimited, or the default for buckets); returns them all. */
  set(projectId: string, changes: LimitChanges): ProjectLimits {
    const row = this.getStmt.get(projectId) as Record<string, number | null> | undefined;
    const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    this.setStmt.run({ projectId, storageBytes: null, egressBytes: null, segments: null, buckets: null, rate: null, ...row, ...given });
    return this.of(projectId);
  }

  /** What the project stores at `now`. */
  storageUsage(projectId: string, now: number): StorageUsage {
    return this.usageStmt.get(projectId, now) as StorageUsage;
  }

  buckets(projectId: string): number {
    return this.bucketCount.get(projectId) as number;
  }
}
