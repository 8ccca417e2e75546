/**
 * The one way a dcsim process opens its SQLite file (the satellite's satellite.db, a storage node's node.db, the
 * auth service's auth.db), through better-sqlite3:
 *
 * - WAL journal: readers never wait for the writer, and another process (the satellite's admin commands) can
 *   write while the service runs; a crash keeps every committed transaction.
 * - `synchronous`: FULL (default) also survives a power cut; NORMAL may lose the last commits to one, for a
 *   database whose writes can be redone (a node's piece rows are written after the piece file).
 * - Foreign keys enforced (SQLite leaves them off unless asked, per connection).
 * - A busy timeout: a writer in another process is waited for, not an error.
 * - Then the database's named migrations (migrate.ts), once each, in order.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrate, type Migration } from './migrate.js';

export interface OpenOptions {
  migrations: Migration[];
  /** Default FULL. */
  synchronous?: 'FULL' | 'NORMAL';
}

/** How long a statement waits for another connection's write lock before it fails with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

export function openSqlite(file: string, options: OpenOptions): Database {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db, options.migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
