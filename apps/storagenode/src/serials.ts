/**
 * Used serial numbers: each order limit carries a random serial and a node accepts it once, so a copy of a
 * limit (a replay) cannot buy a second upload, download or delete. Stored in node.db so a restart does not
 * forget them; a serial is kept until its limit expires, after which the limit is refused anyway.
 */
import type { Statement } from 'better-sqlite3';
import type { NodeDb } from './db.js';

export class UsedSerials {
  private readonly insert: Statement<[Uint8Array, Uint8Array, number]>;
  private readonly prune: Statement<[number]>;

  constructor(db: NodeDb) {
    // INSERT OR IGNORE checks and records in one statement: two requests with the same serial cannot both win.
    this.insert = db.prepare('INSERT OR IGNORE INTO used_serials (satellite_id, serial_number, expires_at) VALUES (?, ?, ?)');
    this.prune = db.prepare('DELETE FROM used_serials WHERE expires_at < ?');
  }

  /** Records the serial; false if it was already used. */
  use(satelliteId: Uint8Array, serial: Uint8Array, expiresAt: Date): boolean {
    return this.insert.run(satelliteId, serial, expiresAt.getTime()).changes === 1;
  }

  /** Forgets serials of limits that expired before `now`; returns how many. */
  pruneExpired(now: Date): number {
    return this.prune.run(now.getTime()).changes;
  }
}
