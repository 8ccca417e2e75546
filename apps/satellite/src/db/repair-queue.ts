/**
 * The repair queue (Storj's `repair_queue`): segments the checker found with too few healthy pieces, most
 * urgent (fewest healthy pieces) first. The checker inserts or updates a row for every injured segment it
 * sees in a pass, then removes the rows it did not see again (segments that healed or went away); the
 * repairer takes rows in order and removes each one it repaired. A row goes with its segment (foreign key).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import { plain } from './plain.js';

export const repairQueueMigrations: Migration[] = [
  {
    name: 'repair-queue-1-create',
    sql: `
      CREATE TABLE repair_queue (
        stream_id BLOB NOT NULL,
        part INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        healthy INTEGER NOT NULL,            -- healthy pieces when last checked: fewer is more urgent
        inserted_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,         -- the checker pass that last saw it injured
        attempted_at INTEGER,                -- the last repair attempt that did not heal it
        PRIMARY KEY (stream_id, part, idx),
        FOREIGN KEY (stream_id, part, idx) REFERENCES segments(stream_id, part, idx) ON DELETE CASCADE
      );
      CREATE INDEX repair_queue_urgency ON repair_queue(healthy, inserted_at);
    `,
  },
];

export interface SegmentPosition {
  streamId: Uint8Array;
  part: number;
  index: number;
}

export interface InjuredSegment extends SegmentPosition {
  healthy: number;
  insertedAt: number;
  updatedAt: number;
  attemptedAt: number | null;
}

const COLUMNS = `stream_id AS streamId, part, idx AS "index", healthy, inserted_at AS insertedAt, updated_at AS updatedAt,
  attempted_at AS attemptedAt`;

export class RepairQueue {
  private readonly upsertStmt: Statement<[SegmentPosition & { healthy: number; now: number }]>;
  private readonly cleanStmt: Statement<[number]>;
  private readonly nextStmt: Statement<[number, number], InjuredSegment>;
  private readonly removeStmt: Statement<[SegmentPosition]>;
  private readonly attemptedStmt: Statement<[SegmentPosition & { now: number }]>;
  private readonly allStmt: Statement<[], InjuredSegment>;

  constructor(db: Database) {
    this.upsertStmt = db.prepare(`INSERT INTO repair_queue (stream_id, part, idx, healthy, inserted_at, updated_at)
      VALUES (@streamId, @part, @index, @healthy, @now, @now)
      ON CONFLICT (stream_id, part, idx) DO UPDATE SET healthy = excluded.healthy, updated_at = excluded.updated_at`);
    this.cleanStmt = db.prepare('DELETE FROM repair_queue WHERE updated_at < ?');
    this.nextStmt = db.prepare(`SELECT ${COLUMNS} FROM repair_queue WHERE attempted_at IS NULL OR attempted_at < ?
      ORDER BY healthy, inserted_at LIMIT ?`);
    this.removeStmt = db.prepare('DELETE FROM repair_queue WHERE stream_id = @streamId AND part = @part AND idx = @index');
    this.attemptedStmt = db.prepare(
      'UPDATE repair_queue SET attempted_at = @now WHERE stream_id = @streamId AND part = @part AND idx = @index',
    );
    this.allStmt = db.prepare(`SELECT ${COLUMNS} FROM repair_queue ORDER BY healthy, inserted_at`);
  }

  /** Queues an injured segment, or updates its health if it is queued already (keeping when it was first queued). */
  insert(position: SegmentPosition, healthy: number, now: number): void {
    this.upsertStmt.run({ streamId: position.streamId, part: position.part, index: position.index, healthy, now });
  }

  /** Removes what a checker pass that began at `passStart` did not see injured; returns how many. */
  clean(passStart: number): number {
    return this.cleanStmt.run(passStart).changes;
  }

  /** The most urgent segments, skipping those whose last attempt was at `retryBefore` or later. */
  next(retryBefore: number, limit: number): InjuredSegment[] {
    return this.nextStmt.all(retryBefore, limit).map(plain);
  }

  remove(position: SegmentPosition): void {
    this.removeStmt.run({ streamId: position.streamId, part: position.part, index: position.index });
  }

  /** An attempt that did not heal the segment: it waits for the retry delay before the next one. */
  attempted(position: SegmentPosition, now: number): void {
    this.attemptedStmt.run({ streamId: position.streamId, part: position.part, index: position.index, now });
  }

  all(): InjuredSegment[] {
    return this.allStmt.all().map(plain);
  }
}
