/**
 * node.db: the node's SQLite file (WAL, so a crash keeps every committed row). It holds what the node
 * knows about its pieces and which order-limit serial numbers it has already accepted.
 */
import Database from 'better-sqlite3';

export type NodeDb = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS pieces (
  piece_id         BLOB PRIMARY KEY,
  satellite_id     BLOB NOT NULL,
  size             INTEGER NOT NULL,
  hash             BLOB NOT NULL,     -- SHA-256 of the piece
  signed_hash      BLOB NOT NULL,     -- the PieceHash the node signed, protobuf-encoded, sent with downloads
  piece_expiration INTEGER,           -- unix ms; NULL: never expires
  created_at       INTEGER NOT NULL   -- unix ms
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pieces_by_expiration ON pieces (piece_expiration) WHERE piece_expiration IS NOT NULL;

CREATE TABLE IF NOT EXISTS used_serials (
  satellite_id  BLOB NOT NULL,
  serial_number BLOB NOT NULL,
  expires_at    INTEGER NOT NULL,     -- the order limit's expiration: after it the limit is refused anyway
  PRIMARY KEY (satellite_id, serial_number)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS used_serials_by_expiry ON used_serials (expires_at);
`;

export function openNodeDb(file: string): NodeDb {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a process crash loses nothing committed; only a power cut could lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}
