/**
 * The queue of pieces to delete from nodes. Rows are added in the same transaction that removes the
 * object or segment, so no piece is forgotten if the satellite stops; the deletion loop removes a
 * row once its node confirmed the delete, and backs off while the node is unreachable.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import { plain } from './plain.js';

export const deletionMigrations: Migration[] = [
  {
    name: 'piece-deletions-1-create',
    sql: `
      CREATE TABLE piece_deletions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        node_id BLOB NOT NULL,
        piece_id BLOB NOT NULL,              -- derived piece ID, as the node knows it
        queued_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        UNIQUE (node_id, piece_id)
      );
      CREATE INDEX piece_deletions_due ON piece_deletions(next_attempt_at);
    `,
  },
];

export interface PieceDeletionRow {
  id: number;
  nodeId: Uint8Array;
  pieceId: Uint8Array;
  queuedAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

const COLUMNS = `id, node_id AS nodeId, piece_id AS pieceId, queued_at AS queuedAt, attempts,
  next_attempt_at AS nextAttemptAt, last_error AS lastError`;

export class PieceDeletions {
  private readonly insertStmt: Statement<[Uint8Array, Uint8Array, number, number]>;
  private readonly dueStmt: Statement<[number, number], PieceDeletionRow>;
  private readonly doneStmt: Statement<[number]>;
  private readonly failedStmt: Statement<[number, string, number]>;
  private readonly countStmt: Statement<[], number>;
  private readonly allStmt: Statement<[], PieceDeletionRow>;

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      'INSERT OR IGNORE INTO piece_deletions (node_id, piece_id, queued_at, next_attempt_at) VALUES (?, ?, ?, ?)',
    );
    this.dueStmt = db.prepare(`SELECT ${COLUMNS} FROM piece_deletions WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`);
    this.doneStmt = db.prepare('DELETE FROM piece_deletions WHERE id = ?');
    this.failedStmt = db.prepare('UPDATE piece_deletions SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?');
    this.countStmt = db.prepare<[], number>('SELECT COUNT(*) FROM piece_deletions').pluck();
    this.allStmt = db.prepare(`SELECT ${COLUMNS} FROM piece_deletions ORDER BY id`);
  }

  queue(nodeId: Uint8Array, pieceId: Uint8Array, now: number): void {
    this.insertStmt.run(nodeId, pieceId, now, now);
  }

  due(now: number, limit: number): PieceDeletionRow[] {
    return this.dueStmt.all(now, limit).map(plain);
  }

  done(id: number): void {
    this.doneStmt.run(id);
  }

  failed(id: number, error: string, nextAttemptAt: number): void {
    this.failedStmt.run(nextAttemptAt, error, id);
  }

  count(): number {
    return this.countStmt.get() ?? 0;
  }

  all(): PieceDeletionRow[] {
    return this.allStmt.all().map(plain);
  }
}
