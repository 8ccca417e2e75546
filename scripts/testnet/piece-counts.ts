/**
 * A storage node's piece counts for `testnet status`, read from its node.db (read-only; the node writes it in WAL
 * mode, so this works while it runs, and also when it is stopped).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface PieceCounts {
  /** Pieces the node holds and serves. */
  pieces: number;
  /** Pieces garbage collection moved to trash, not yet deleted. */
  trash: number;
  /** Bytes of both: what counts against the node's capacity. */
  usedBytes: number;
}

/** The counts of the node whose data dir is `nodeDir`; undefined before its first start. */
export function pieceCounts(nodeDir: string): PieceCounts | undefined {
  const file = join(nodeDir, 'node.db');
  if (!existsSync(file)) return undefined;
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    return undefined; // being created right now
  }
  try {
    const row = db
      .prepare('SELECT COUNT(*) - COUNT(trashed_at) AS pieces, COUNT(trashed_at) AS trash, COALESCE(SUM(size), 0) AS usedBytes FROM pieces')
      .get() as PieceCounts;
    return { pieces: row.pieces, trash: row.trash, usedBytes: row.usedBytes };
  } catch {
    return undefined; // a node.db its node has not migrated yet (no trash column before garbage collection)
  } finally {
    db.close();
  }
}
