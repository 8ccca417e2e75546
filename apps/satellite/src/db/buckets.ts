/** Buckets: names are unique per project (two projects may both have `photos`), kept in the clear as Storj does. */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import { plain } from './plain.js';

export const bucketMigrations: Migration[] = [
  {
    name: 'buckets-1-create',
    sql: `
      CREATE TABLE buckets (
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, name)
      );
    `,
  },
];

export interface BucketRow {
  projectId: string;
  name: string;
  createdAt: number;
}

const COLUMNS = 'project_id AS projectId, name, created_at AS createdAt';

export class Buckets {
  private readonly insertStmt: Statement<[BucketRow]>;
  private readonly getStmt: Statement<[string, string], BucketRow>;
  private readonly listStmt: Statement<[string, string, number], BucketRow>;
  private readonly deleteStmt: Statement<[string, string]>;

  constructor(db: Database) {
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO buckets (project_id, name, created_at) VALUES (@projectId, @name, @createdAt)');
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM buckets WHERE project_id = ? AND name = ?`);
    this.listStmt = db.prepare(`SELECT ${COLUMNS} FROM buckets WHERE project_id = ? AND name > ? ORDER BY name LIMIT ?`);
    this.deleteStmt = db.prepare('DELETE FROM buckets WHERE project_id = ? AND name = ?');
  }

  /** Returns the new bucket, or undefined when the project already has one by that name. */
  create(projectId: string, name: string, now: number): BucketRow | undefined {
    const row: BucketRow = { projectId, name, createdAt: now };
    return this.insertStmt.run(row).changes > 0 ? row : undefined;
  }

  get(projectId: string, name: string): BucketRow | undefined {
    return plain(this.getStmt.get(projectId, name));
  }

  /** Buckets named after `cursor`, in name order. */
  list(projectId: string, cursor: string, limit: number): BucketRow[] {
    return this.listStmt.all(projectId, cursor, limit).map(plain);
  }

  delete(projectId: string, name: string): boolean {
    return this.deleteStmt.run(projectId, name).changes > 0;
  }
}
