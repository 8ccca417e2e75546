/**
 * Projects, their API keys and revoked macaroon tails.
 *
 * An API key row holds the macaroon's head (its public identifier) and the secret the satellite
 * uses to recompute the tail chain. The satellite never stores whole macaroons: anyone can restrict
 * a key into a child without asking the satellite, and the child is checked against the same row.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import { plain } from './plain.js';

export const projectMigrations: Migration[] = [
  {
    name: 'projects-1-create',
    sql: `
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,                 -- uuid
        name TEXT NOT NULL,
        salt BLOB NOT NULL,                  -- 32 random bytes: input to the root key derivation, not a secret
        created_at INTEGER NOT NULL          -- ms since the epoch, like every *_at column
      );
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,                 -- uuid
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        head BLOB NOT NULL UNIQUE,           -- the macaroon's identifier, sent with every request
        secret BLOB NOT NULL,                -- never leaves the satellite: it verifies the tail chain
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX api_keys_project ON api_keys(project_id);
      CREATE TABLE revocations (
        tail BLOB PRIMARY KEY,               -- a revoked macaroon's tail: it and every child are refused
        created_at INTEGER NOT NULL
      );
    `,
  },
];

export interface ProjectRow {
  id: string;
  name: string;
  salt: Uint8Array;
  createdAt: number;
}

export interface ApiKeyRow {
  id: string;
  projectId: string;
  head: Uint8Array;
  secret: Uint8Array;
  name: string;
  createdAt: number;
}

const PROJECT_COLUMNS = 'id, name, salt, created_at AS createdAt';
const API_KEY_COLUMNS = 'id, project_id AS projectId, head, secret, name, created_at AS createdAt';

export class Projects {
  private readonly insertStmt: Statement<[ProjectRow]>;
  private readonly getStmt: Statement<[string], ProjectRow>;
  private readonly listStmt: Statement<[], ProjectRow>;

  constructor(db: Database) {
    this.insertStmt = db.prepare('INSERT INTO projects (id, name, salt, created_at) VALUES (@id, @name, @salt, @createdAt)');
    this.getStmt = db.prepare(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = ?`);
    this.listStmt = db.prepare(`SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY created_at, id`);
  }

  /** `now`: the admin commands that create projects run in their own process, on real time. */
  create(name: string, now = Date.now()): ProjectRow {
    const row: ProjectRow = { id: randomUUID(), name, salt: new Uint8Array(randomBytes(32)), createdAt: now };
    this.insertStmt.run(row);
    return row;
  }

  get(id: string): ProjectRow | undefined {
    return plain(this.getStmt.get(id));
  }

  list(): ProjectRow[] {
    return this.listStmt.all().map(plain);
  }
}

export class ApiKeys {
  private readonly insertStmt: Statement<[ApiKeyRow]>;
  private readonly byHeadStmt: Statement<[Uint8Array], ApiKeyRow>;
  private readonly byIdStmt: Statement<[string], ApiKeyRow>;
  private readonly ofProjectStmt: Statement<[string], ApiKeyRow>;
  private readonly deleteStmt: Statement<[string]>;
  private readonly cache = new Map<string, ApiKeyRow>();

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      'INSERT INTO api_keys (id, project_id, head, secret, name, created_at) VALUES (@id, @projectId, @head, @secret, @name, @createdAt)',
    );
    this.byHeadStmt = db.prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE head = ?`);
    this.byIdStmt = db.prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = ?`);
    this.ofProjectStmt = db.prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE project_id = ? ORDER BY created_at, id`);
    this.deleteStmt = db.prepare('DELETE FROM api_keys WHERE id = ?');
  }

  create(projectId: string, head: Uint8Array, secret: Uint8Array, name: string, now = Date.now()): ApiKeyRow {
    const row: ApiKeyRow = { id: randomUUID(), projectId, head, secret, name, createdAt: now };
    this.insertStmt.run(row);
    return row;
  }

  /**
   * Every request looks its key up by head, so rows are cached by head. Writes through this object clear
   * the cache; writes by another process (the admin CLI) are seen by the satellite's `data_version` check,
   * which calls `forgetCached`.
   */
  byHead(head: Uint8Array): ApiKeyRow | undefined {
    const id = Buffer.from(head).toString('hex');
    let row = this.cache.get(id);
    if (!row) {
      row = plain(this.byHeadStmt.get(head));
      if (row) this.cache.set(id, row);
    }
    return row;
  }

  forgetCached(): void {
    this.cache.clear();
  }

  byId(id: string): ApiKeyRow | undefined {
    return plain(this.byIdStmt.get(id));
  }

  ofProject(projectId: string): ApiKeyRow[] {
    return this.ofProjectStmt.all(projectId).map(plain);
  }

  /** Deleting the row makes the key and every macaroon derived from it unknown. */
  delete(id: string): boolean {
    this.cache.clear();
    return this.deleteStmt.run(id).changes > 0;
  }
}

export class Revocations {
  private readonly insertStmt: Statement<[Uint8Array, number]>;
  private readonly allStmt: Statement<[], Uint8Array>;

  constructor(db: Database) {
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO revocations (tail, created_at) VALUES (?, ?)');
    this.allStmt = db.prepare<[], Uint8Array>('SELECT tail FROM revocations').pluck();
  }

  add(tail: Uint8Array, now: number): void {
    this.insertStmt.run(tail, now);
  }

  allTails(): Uint8Array[] {
    return this.allStmt.all().map(plain);
  }
}
