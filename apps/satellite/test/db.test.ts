import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openDatabase } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { tempDir } from './helpers.js';

const TABLES = ['api_keys', 'buckets', 'migrations', 'nodes', 'objects', 'pending_segments', 'piece_deletions', 'pieces', 'projects', 'revocations', 'segments'];

function tables(file: string): string[] {
  const sql = new BetterSqlite3(file, { readonly: true });
  try {
    return sql.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
  } finally {
    sql.close();
  }
}

describe('satellite database', () => {
  it('creates every table in WAL mode on first open', () => {
    const file = join(tempDir(), 'satellite.db');
    const db = openDatabase(file);
    expect(db.sql.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sql.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    expect(tables(file)).toEqual(TABLES);
  });

  it('runs migrations once: reopening and re-running change nothing and keep the data', () => {
    const file = join(tempDir(), 'satellite.db');
    const first = openDatabase(file);
    const project = first.projects.create('kept');
    expect(migrate(first.sql, MIGRATIONS)).toEqual([]);
    first.close();

    const second = openDatabase(file);
    expect(second.projects.list().map((p) => p.id)).toEqual([project.id]);
    expect(second.sql.prepare('SELECT COUNT(*) AS n FROM migrations').get()).toEqual({ n: MIGRATIONS.length });
    second.close();
    expect(tables(file)).toEqual(TABLES);
  });

  it('applies only migrations it has not seen, in order', () => {
    const file = join(tempDir(), 'satellite.db');
    const sql = new BetterSqlite3(file);
    expect(migrate(sql, MIGRATIONS.slice(0, 2))).toEqual(MIGRATIONS.slice(0, 2).map((m) => m.name));
    expect(migrate(sql, MIGRATIONS)).toEqual(MIGRATIONS.slice(2).map((m) => m.name));
    sql.close();
  });

  it('keeps bucket names unique per project, not globally', () => {
    const db = openDatabase(join(tempDir(), 'satellite.db'));
    const a = db.projects.create('a');
    const b = db.projects.create('b');
    expect(db.buckets.create(a.id, 'photos')).toBeDefined();
    expect(db.buckets.create(b.id, 'photos')).toBeDefined();
    expect(db.buckets.create(a.id, 'photos')).toBeUndefined();
    db.close();
  });
});
