/**
 * Schema migrations, run by the satellite itself on every start (and by the admin commands).
 * Each table group lists its migrations by name; a name is applied once and recorded, so running
 * them again is a no-op and later releases only append new names.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** Unique and never renamed, e.g. `objects-1-create`. */
  name: string;
  sql: string;
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
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.name, Date.now());
    }).immediate();
    done.push(m.name);
  }
  return done;
}
