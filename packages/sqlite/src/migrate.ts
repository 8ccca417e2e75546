/**
 * Schema migrations. Each database lists its migrations by name; a name is applied once and recorded in the
 * `migrations` table, so running them again is a no-op and later releases only append new names.
 *
 * A database made before it had migrations is adopted by a first migration written with `IF NOT EXISTS`:
 * on such a file it changes nothing and is recorded as applied, and every later migration runs as usual.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** Unique and never renamed, e.g. `objects-1-create`. */
  name: string;
  sql: string;
  /**
   * It rebuilds a table other tables point at (SQLite's way to change a column's constraints: create the
   * new table, copy, drop the old, rename). That runs with foreign key enforcement off, so dropping the old
   * table does not cascade into the rows pointing at it; the keys are checked before the change commits.
   */
  rebuildsTable?: boolean;
}

/** A migration that did not apply; nothing of it was kept. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Applies the migrations not applied yet, in order, each in its own transaction; returns their names. */
export function migrate(db: Database, migrations: Migration[]): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS migrations (
    name TEXT PRIMARY KEY,
    applied_at INTEGER NOT NULL
  )`);
  const applied = new Set(db.prepare<[], string>('SELECT name FROM migrations').pluck().all());
  const record = db.prepare<[string, number]>('INSERT INTO migrations (name, applied_at) VALUES (?, ?)');
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.name)) continue;
    // The pragma has no effect inside a transaction: it is set around it.
    const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
    if (m.rebuildsTable && enforced) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (m.rebuildsTable) checkForeignKeys(db, m.name);
        record.run(m.name, Date.now());
      }).immediate();
    } catch (err) {
      if (err instanceof MigrationError) throw err;
      throw new MigrationError(`migration ${m.name} of ${db.name} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      if (m.rebuildsTable && enforced) db.pragma('foreign_keys = ON');
    }
    done.push(m.name);
  }
  return done;
}

function checkForeignKeys(db: Database, migration: string): void {
  const broken = db.pragma('foreign_key_check') as { table: string }[];
  if (broken.length > 0) {
    throw new MigrationError(`migration ${migration} broke ${broken.length} foreign key(s), first in table ${broken[0].table}`);
  }
}
