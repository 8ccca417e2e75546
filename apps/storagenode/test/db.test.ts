/** node.db through @dcsim/sqlite: a fresh file gets the schema, and a file made before migrations is adopted. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_MIGRATIONS, openNodeDb } from '../src/db.js';
import { UsedSerials } from '../src/serials.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const BEFORE_MIGRATIONS = readFileSync(new URL('./fixtures/node-db-before-migrations.sql', import.meta.url), 'utf8');
const migrationNames = (db: BetterSqlite3.Database) => db.prepare<[], string>('SELECT name FROM migrations ORDER BY rowid').pluck().all();

describe('node.db', () => {
  it('gets its tables on first open, in WAL mode', () => {
    const db = openNodeDb(join(tempDir(), 'node.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(migrationNames(db)).toEqual(NODE_MIGRATIONS.map((m) => m.name));
    expect(db.prepare('SELECT COUNT(*) AS n FROM pieces').get()).toEqual({ n: 0 });
    db.close();
  });

  it('adopts a node.db made before migrations: its pieces and used serials stay and keep working', () => {
    const file = join(tempDir(), 'node.db');
    const old = new BetterSqlite3(file);
    old.exec(BEFORE_MIGRATIONS);
    const pieceId = randomBytes(32);
    const satellite = randomBytes(32);
    const serial = randomBytes(16);
    old
      .prepare(
        `INSERT INTO pieces (piece_id, satellite_id, size, hash, signed_hash, piece_expiration, created_at)
        VALUES (?, ?, 10, ?, ?, NULL, 1)`,
      )
      .run(pieceId, satellite, randomBytes(32), randomBytes(8));
    old
      .prepare('INSERT INTO used_serials (satellite_id, serial_number, expires_at) VALUES (?, ?, ?)')
      .run(satellite, serial, Date.now() + 3_600_000);
    old.close();

    const db = openNodeDb(file);
    expect(migrationNames(db)).toEqual(['pieces-1-create', 'used-serials-1-create', 'orders-1-create', 'pieces-2-trash', 'exits-1-create']);
    expect(db.prepare('SELECT size FROM pieces WHERE piece_id = ?').get(pieceId)).toEqual({ size: 10 });
    const serials = new UsedSerials(db);
    expect(serials.use(satellite, serial, new Date(Date.now() + 3_600_000))).toBe(false); // still remembered as used
    expect(serials.use(satellite, randomBytes(16), new Date(Date.now() + 3_600_000))).toBe(true);
    db.close();
  });
});
