/**
 * node.db: the node's SQLite file, opened as every dcsim database is (@dcsim/sqlite: WAL, migrations). It holds
 * what the node knows about its pieces, which order-limit serial numbers it has already accepted, the orders
 * it has yet to settle with its satellite, and the satellites it gracefully exited.
 *
 * The first migrations keep the `IF NOT EXISTS` of the schema nodes created before there were migrations, so a
 * node.db from then is adopted as it is: its tables are kept and the migrations recorded as applied.
 */
import type { Database } from 'better-sqlite3';
import { openSqlite, type Migration } from '@dcsim/sqlite';

export type NodeDb = Database;

export const NODE_MIGRATIONS: Migration[] = [
  {
    name: 'pieces-1-create',
    sql: `
      CREATE TABLE IF NOT EXISTS pieces (
        piece_id         BLOB PRIMARY KEY,
        satellite_id     BLOB NOT NULL,
        size             INTEGER NOT NULL,
        hash             BLOB NOT NULL,     -- SHA-256 of the piece
        signed_hash      BLOB NOT NULL,     -- the PieceHash the node signed, protobuf-encoded, sent with downloads
        piece_expiration INTEGER,           -- unix ms; NULL: never expires
        created_at       INTEGER NOT NULL   -- unix ms
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS pieces_by_expiration ON pieces (piece_expiration) WHERE piece_expiration IS NOT NULL;`,
  },
  {
    name: 'used-serials-1-create',
    sql: `
      CREATE TABLE IF NOT EXISTS used_serials (
        satellite_id  BLOB NOT NULL,
        serial_number BLOB NOT NULL,
        expires_at    INTEGER NOT NULL,     -- the order limit's expiration: after it the limit is refused anyway
        PRIMARY KEY (satellite_id, serial_number)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS used_serials_by_expiry ON used_serials (expires_at);`,
  },
  {
    // The largest order an uplink signed per transfer (order-store.ts), kept until the satellite settled it.
    name: 'orders-1-create',
    sql: `
      CREATE TABLE orders (
        satellite_id  BLOB NOT NULL,
        serial_number BLOB NOT NULL,
        window_start  INTEGER NOT NULL,    -- unix ms: the hour the order limit was created in (its settlement window)
        action        INTEGER NOT NULL,    -- PieceAction
        amount        INTEGER NOT NULL,    -- bytes the order covers
        order_limit   BLOB NOT NULL,       -- the OrderLimit, protobuf-encoded, as the satellite signed it
        uplink_order  BLOB NOT NULL,       -- the Order, protobuf-encoded, as the uplink signed it
        status        TEXT NOT NULL DEFAULT 'unsent' CHECK (status IN ('unsent', 'accepted', 'rejected')),
        settled_at    INTEGER,             -- unix ms, node clock: when the satellite answered
        PRIMARY KEY (satellite_id, serial_number)
      ) WITHOUT ROWID;
      CREATE INDEX orders_unsent ON orders (satellite_id, window_start) WHERE status = 'unsent';
      CREATE INDEX orders_archived ON orders (settled_at) WHERE status <> 'unsent';`,
  },
  {
    name: 'pieces-2-trash',
    sql: `
      -- Garbage collection moved the piece to trash at this time (unix ms); NULL: a live piece, served.
      ALTER TABLE pieces ADD COLUMN trashed_at INTEGER;
      CREATE INDEX pieces_by_trashed_at ON pieces (trashed_at) WHERE trashed_at IS NOT NULL;
      CREATE INDEX pieces_by_satellite_created ON pieces (satellite_id, created_at);`,
  },
  {
    // Satellites this node gracefully exited (graceful-exit.ts): it serves them no more.
    name: 'exits-1-create',
    sql: `
      CREATE TABLE exits (
        satellite_id       BLOB PRIMARY KEY,
        finished_at        INTEGER NOT NULL,   -- unix ms, as the satellite said
        success            INTEGER NOT NULL,   -- 1: the satellite counted the exit a success
        pieces_transferred INTEGER NOT NULL,
        pieces_failed      INTEGER NOT NULL    -- left to the satellite's repair
      );`,
  },
];

/**
 * synchronous = NORMAL: a process crash loses nothing committed; a power cut could lose the last commits, which a
 * one-machine testnet does not need to survive (the piece file is written before its row, see pieces.ts).
 */
export function openNodeDb(file: string): NodeDb {
  return openSqlite(file, { migrations: NODE_MIGRATIONS, synchronous: 'NORMAL' });
}
