/**
 * Bandwidth, as settlement records it (Storj's satellitedb orders.go): rollups per bucket and per node, by hour
 * (the settlement window) and by action (PUT, GET, GET_AUDIT, GET_REPAIR, PUT_REPAIR kept apart), and the serials
 * already settled, so that an order settled twice is counted once.
 *
 * - bucket_bandwidth_rollups: `allocated` grows when GET limits are handed out (the egress limit is checked against
 *   it, as in Storj); `settled` and `dead` (ordered but not used) when a node settles PUT and GET orders.
 * - storagenode_bandwidth_rollups: what each node settled, every action.
 * - settled_serials: (node, serial) pairs settled, kept until the order limit expires (after that, settlement
 *   refuses the order anyway, so forgetting the serial cannot let it count twice).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import { PieceAction } from '@dcsim/protocol';

export const bandwidthMigrations: Migration[] = [
  {
    name: 'orders-1-bandwidth-rollups',
    sql: `
      CREATE TABLE bucket_bandwidth_rollups (
        project_id TEXT NOT NULL,
        bucket_name TEXT NOT NULL,
        interval_start INTEGER NOT NULL,     -- ms since the epoch, a whole hour
        action INTEGER NOT NULL,             -- PieceAction
        allocated INTEGER NOT NULL DEFAULT 0,
        settled INTEGER NOT NULL DEFAULT 0,
        dead INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (project_id, bucket_name, interval_start, action)
      ) WITHOUT ROWID;
      CREATE TABLE storagenode_bandwidth_rollups (
        node_id BLOB NOT NULL,
        interval_start INTEGER NOT NULL,
        action INTEGER NOT NULL,
        settled INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (node_id, interval_start, action)
      ) WITHOUT ROWID;
      CREATE TABLE settled_serials (
        node_id BLOB NOT NULL,
        serial_number BLOB NOT NULL,
        expires_at INTEGER NOT NULL,         -- the order limit's expiration
        PRIMARY KEY (node_id, serial_number)
      ) WITHOUT ROWID;
      CREATE INDEX settled_serials_by_expiry ON settled_serials (expires_at);
    `,
  },
];

export const HOUR_MS = 60 * 60 * 1000;

export function hourOf(ms: number): number {
  return ms - (ms % HOUR_MS);
}

/** Bytes by action (PieceAction number). */
export type ByAction = Record<number, number>;

export interface BucketBandwidth {
  bucket: string;
  action: number;
  allocated: number;
  settled: number;
  dead: number;
}

export class Bandwidth {
  private readonly settleSerial: Statement<[Uint8Array, Uint8Array, number]>;
  private readonly addNode: Statement<[Uint8Array, number, number, number]>;
  private readonly addBucket: Statement;
  private readonly pruneSerials: Statement<[number]>;
  private readonly ofProject: Statement<[string, number, number]>;
  private readonly ofNode: Statement<[Uint8Array]>;
  private readonly egress: Statement;

  constructor(db: Database) {
    this.settleSerial = db.prepare('INSERT OR IGNORE INTO settled_serials (node_id, serial_number, expires_at) VALUES (?, ?, ?)');
    this.addNode = db.prepare(`
      INSERT INTO storagenode_bandwidth_rollups (node_id, interval_start, action, settled) VALUES (?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET settled = settled + excluded.settled`);
    this.addBucket = db.prepare(`
      INSERT INTO bucket_bandwidth_rollups (project_id, bucket_name, interval_start, action, allocated, settled, dead)
      VALUES (@projectId, @bucket, @intervalStart, @action, @allocated, @settled, @dead)
      ON CONFLICT DO UPDATE SET allocated = allocated + excluded.allocated, settled = settled + excluded.settled,
        dead = dead + excluded.dead`);
    this.pruneSerials = db.prepare('DELETE FROM settled_serials WHERE expires_at < ?');
    this.ofProject = db.prepare(`
      SELECT bucket_name AS bucket, action, SUM(allocated) AS allocated, SUM(settled) AS settled, SUM(dead) AS dead
      FROM bucket_bandwidth_rollups WHERE project_id = ? AND interval_start >= ? AND interval_start < ?
      GROUP BY bucket_name, action ORDER BY bucket_name, action`);
    this.ofNode = db.prepare(`
      SELECT action, SUM(settled) AS settled FROM storagenode_bandwidth_rollups WHERE node_id = ? GROUP BY action`);
    // Storj's GetProjectBandwidth: settled for days older than two, allocated minus dead for the newer ones.
    this.egress = db.prepare(`
      SELECT COALESCE(SUM(CASE WHEN interval_start < @recent THEN settled ELSE MAX(allocated - dead, settled) END), 0)
      FROM bucket_bandwidth_rollups WHERE project_id = @projectId AND action = ${PieceAction.GET} AND interval_start >= @since`);
  }

  /** Records a serial as settled by a node; false if that node settled it before. */
  markSettled(nodeId: Uint8Array, serial: Uint8Array, expiresAt: number): boolean {
    return this.settleSerial.run(nodeId, serial, expiresAt).changes === 1;
  }

  addNodeSettled(nodeId: Uint8Array, intervalStart: number, action: number, bytes: number): void {
    this.addNode.run(nodeId, intervalStart, action, bytes);
  }

  addBucketBandwidth(
    projectId: string,
    bucket: string,
    intervalStart: number,
    action: number,
    amounts: { allocated?: number; settled?: number; dead?: number },
  ): void {
    const { allocated = 0, settled = 0, dead = 0 } = amounts;
    this.addBucket.run({ projectId, bucket, intervalStart, action, allocated, settled, dead });
  }

  /** Forgets serials whose order limits expired before `now`; returns how many. */
  pruneSettledSerials(now: number): number {
    return this.pruneSerials.run(now).changes;
  }

  /** A project's bandwidth per bucket and action, over [since, until). */
  projectBandwidth(projectId: string, since: number, until: number): BucketBandwidth[] {
    return this.ofProject.all(projectId, since, until) as BucketBandwidth[];
  }

  /** What a node settled, per action, over all time. */
  nodeSettled(nodeId: Uint8Array): ByAction {
    const rows = this.ofNode.all(nodeId) as { action: number; settled: number }[];
    return Object.fromEntries(rows.map((r) => [r.action, r.settled]));
  }

  /** A project's egress since `since`, as the egress limit counts it (Storj's rule: allocated for the last two days). */
  projectEgress(projectId: string, since: number, now: number): number {
    return this.egress.pluck().get({ projectId, since, recent: now - 2 * 24 * HOUR_MS }) as number;
  }
}
