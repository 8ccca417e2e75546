import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openDatabase } from '../src/db/index.js';
import { migrate } from '@dcsim/sqlite';
import { tempDir } from './helpers.js';

const TABLES = [
  'api_keys',
  'bucket_bandwidth_rollups',
  'bucket_storage_tallies',
  'buckets',
  'migrations',
  'nodes',
  'objects',
  'pending_segments',
  'piece_deletions',
  'pieces',
  'project_limits',
  'projects',
  'repair_queue',
  'reputations',
  'reverifications',
  'revocations',
  'segments',
  'settled_serials',
  'storagenode_bandwidth_rollups',
  'storagenode_storage_tallies',
];

function tables(file: string): string[] {
  const sql = new BetterSqlite3(file, { readonly: true });
  try {
    return sql
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
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

  it('adds the retired status to a database with objects, keeping their segments, pieces and foreign keys', () => {
    const file = join(tempDir(), 'satellite.db');
    const sql = new BetterSqlite3(file);
    sql.pragma('foreign_keys = ON');
    migrate(
      sql,
      MIGRATIONS.filter((m) => m.name !== 'objects-2-retired'),
    );
    const stream = Buffer.alloc(16, 7);
    sql.exec(`INSERT INTO projects (id, name, salt, created_at) VALUES ('p', 'p', x'00', 1);
      INSERT INTO buckets (project_id, name, created_at) VALUES ('p', 'b', 1);`);
    sql
      .prepare(
        `INSERT INTO objects (stream_id, project_id, bucket, encrypted_key, status, created_at, cipher_suite, block_size,
          rs_required, rs_repair, rs_optimal, rs_total, rs_share_size)
        VALUES (?, 'p', 'b', x'01', 'committed', 1, 1, 256, 2, 3, 4, 5, 256)`,
      )
      .run(stream);
    sql
      .prepare(
        `INSERT INTO segments (stream_id, part, idx, root_piece_id, encrypted_key, encrypted_key_nonce, plain_size, encrypted_size,
        piece_size, created_at) VALUES (?, 0, 0, x'02', x'03', x'04', 10, 26, 13, 1)`,
      )
      .run(stream);
    sql.prepare("INSERT INTO pieces (stream_id, part, idx, piece_num, node_id) VALUES (?, 0, 0, 0, x'05')").run(stream);

    expect(migrate(sql, MIGRATIONS)).toEqual(['objects-2-retired']);
    expect(sql.pragma('foreign_keys', { simple: true })).toBe(1);
    const count = (table: string) => (sql.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('objects'), count('segments'), count('pieces')]).toEqual([1, 1, 1]);
    sql.prepare(`UPDATE objects SET status = 'retired', retired_until = 5 WHERE stream_id = ?`).run(stream);
    sql.prepare('DELETE FROM objects WHERE stream_id = ?').run(stream); // segments and pieces still follow their object
    expect([count('objects'), count('segments'), count('pieces')]).toEqual([0, 0, 0]);
    sql.close();
  });

  it('keeps bucket names unique per project, not globally', () => {
    const db = openDatabase(join(tempDir(), 'satellite.db'));
    const a = db.projects.create('a');
    const b = db.projects.create('b');
    expect(db.buckets.create(a.id, 'photos', Date.now())).toBeDefined();
    expect(db.buckets.create(b.id, 'photos', Date.now())).toBeDefined();
    expect(db.buckets.create(a.id, 'photos', Date.now())).toBeUndefined();
    db.close();
  });
});
