import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, MigrationError, migrate, openSqlite, type Migration } from '../src/index.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-sqlite-'));
  dirs.push(dir);
  return join(dir, 'test.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NOTES: Migration[] = [
  { name: 'notes-1-create', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)' },
  { name: 'notes-2-author', sql: "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'nobody'" },
];

const names = (db: BetterSqlite3.Database) => db.prepare<[], string>('SELECT name FROM migrations ORDER BY rowid').pluck().all();

describe('openSqlite', () => {
  it('opens in WAL mode with foreign keys, a busy timeout and the chosen durability', () => {
    const full = openSqlite(tempFile(), { migrations: [] });
    expect(full.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(full.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(full.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(full.pragma('synchronous', { simple: true })).toBe(2); // FULL
    full.close();
    const normal = openSqlite(tempFile(), { migrations: [], synchronous: 'NORMAL' });
    expect(normal.pragma('synchronous', { simple: true })).toBe(1);
    normal.close();
  });

  it('applies each migration once, in order, and only the new ones on a later open', () => {
    const file = tempFile();
    const first = openSqlite(file, { migrations: NOTES.slice(0, 1) });
    first.prepare("INSERT INTO notes (text) VALUES ('kept')").run();
    expect(names(first)).toEqual(['notes-1-create']);
    first.close();

    const second = openSqlite(file, { migrations: NOTES });
    expect(names(second)).toEqual(['notes-1-create', 'notes-2-author']);
    expect(second.prepare('SELECT text, author FROM notes').all()).toEqual([{ text: 'kept', author: 'nobody' }]);
    expect(migrate(second, NOTES)).toEqual([]);
    second.close();
  });

  it('a migration that fails is named, keeps nothing of itself, and leaves the ones before it applied', () => {
    const file = tempFile();
    const broken: Migration = { name: 'notes-3-broken', sql: "INSERT INTO notes (text) VALUES ('half'); INSERT INTO nowhere VALUES (1)" };
    expect(() => openSqlite(file, { migrations: [...NOTES, broken] })).toThrow(MigrationError);
    const failing = () => openSqlite(file, { migrations: [...NOTES, broken] });
    expect(failing).toThrow(/^migration notes-3-broken of .*test\.db failed: no such table: nowhere$/);
    const db = new BetterSqlite3(file);
    expect(names(db)).toEqual(['notes-1-create', 'notes-2-author']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM notes').get()).toEqual({ n: 0 });
    db.close();
  });

  it('adopts a database made before it had migrations through a first migration written with IF NOT EXISTS', () => {
    const file = tempFile();
    const old = new BetterSqlite3(file);
    old.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL); INSERT INTO notes (text) VALUES ('from before');");
    old.close();
    const adopting: Migration[] = [
      { name: 'notes-1-create', sql: 'CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)' },
      NOTES[1],
    ];
    const db = openSqlite(file, { migrations: adopting });
    expect(names(db)).toEqual(['notes-1-create', 'notes-2-author']);
    expect(db.prepare('SELECT text, author FROM notes').all()).toEqual([{ text: 'from before', author: 'nobody' }]);
    db.close();
  });
});
