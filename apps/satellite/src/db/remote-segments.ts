/**
 * Remote segments as the repair checker and repairer see them: where the pieces are and the redundancy
 * their object was stored with, with no content keys (repair never needs them). `walk` goes through
 * every remote segment of every object that is not retired, in batches, as Storj's segment loop does.
 * `swapPieces` changes a segment's piece list only if it is still the one the repair started from
 * (Storj's UpdateSegmentPieces compare-and-swap).
 */
import type { Database, Statement } from 'better-sqlite3';
import { plain } from './plain.js';
import type { SegmentPosition } from './repair-queue.js';
import type { PieceRow } from './segments.js';

export interface RemoteSegment extends SegmentPosition {
  rootPieceId: Uint8Array;
  encryptedSize: number;
  pieceSize: number;
  expiresAt: number | null;
  rsRequired: number;
  rsRepair: number;
  rsOptimal: number;
  rsTotal: number;
  rsShareSize: number;
}

type Cursor = [Uint8Array, number, number];

const SELECT = `SELECT s.stream_id AS streamId, s.part, s.idx AS "index", s.root_piece_id AS rootPieceId,
    s.encrypted_size AS encryptedSize, s.piece_size AS pieceSize, o.expires_at AS expiresAt, o.rs_required AS rsRequired,
    o.rs_repair AS rsRepair, o.rs_optimal AS rsOptimal, o.rs_total AS rsTotal, o.rs_share_size AS rsShareSize
  FROM segments s JOIN objects o ON o.stream_id = s.stream_id
  WHERE s.root_piece_id IS NOT NULL AND o.status != 'retired'`;
const BATCH = 500;

export class RemoteSegments {
  private readonly batchStmt: Statement<[...Cursor, number], RemoteSegment>;
  private readonly getStmt: Statement<Cursor, RemoteSegment>;
  private readonly piecesStmt: Statement<Cursor, PieceRow>;
  private readonly deletePieceStmt: Statement<[...Cursor, number, Uint8Array]>;
  private readonly insertPieceStmt: Statement<[...Cursor, number, Uint8Array]>;
  private readonly heldByStmt: Statement<[Uint8Array, number], SegmentPosition & { pieceNum: number }>;

  constructor(private readonly db: Database) {
    this.batchStmt = db.prepare(`${SELECT} AND (s.stream_id, s.part, s.idx) > (?, ?, ?) ORDER BY s.stream_id, s.part, s.idx LIMIT ?`);
    this.getStmt = db.prepare(`${SELECT} AND s.stream_id = ? AND s.part = ? AND s.idx = ?`);
    this.piecesStmt = db.prepare(
      'SELECT piece_num AS pieceNum, node_id AS nodeId FROM pieces WHERE stream_id = ? AND part = ? AND idx = ? ORDER BY piece_num',
    );
    this.deletePieceStmt = db.prepare('DELETE FROM pieces WHERE stream_id = ? AND part = ? AND idx = ? AND piece_num = ? AND node_id = ?');
    this.heldByStmt = db.prepare(`SELECT p.stream_id AS streamId, p.part, p.idx AS "index", p.piece_num AS pieceNum
      FROM pieces p JOIN segments s ON s.stream_id = p.stream_id AND s.part = p.part AND s.idx = p.idx
      JOIN objects o ON o.stream_id = s.stream_id
      WHERE p.node_id = ? AND s.root_piece_id IS NOT NULL AND o.status != 'retired' AND (o.expires_at IS NULL OR o.expires_at > ?)
      ORDER BY p.stream_id, p.part, p.idx`);
    this.insertPieceStmt = db.prepare('INSERT INTO pieces (stream_id, part, idx, piece_num, node_id) VALUES (?, ?, ?, ?, ?)');
  }

  /** Every remote segment of objects that are not retired, with its pieces, a batch of rows at a time. */
  *walk(): Generator<{ segment: RemoteSegment; pieces: PieceRow[] }> {
    let cursor: Cursor = [new Uint8Array(0), 0, 0];
    for (;;) {
      const batch = this.batchStmt.all(...cursor, BATCH).map(plain);
      for (const segment of batch) yield { segment, pieces: this.pieces(segment) };
      if (batch.length < BATCH) return;
      const last = batch[batch.length - 1];
      cursor = [last.streamId, last.part, last.index];
    }
  }

  get(position: SegmentPosition): RemoteSegment | undefined {
    return plain(this.getStmt.get(position.streamId, position.part, position.index));
  }

  pieces(position: SegmentPosition): PieceRow[] {
    return this.piecesStmt.all(position.streamId, position.part, position.index).map(plain);
  }

  /** Every piece node `nodeId` holds in a remote segment of an object neither retired nor expired at `now` (graceful exit's work). */
  heldBy(nodeId: Uint8Array, now: number): (SegmentPosition & { pieceNum: number })[] {
    return this.heldByStmt.all(nodeId, now).map(plain);
  }

  /**
   * Replaces `remove` by `add` in the segment's piece list, in one transaction, only if the list is still
   * exactly `expected` (and the segment still has root piece `rootPieceId`). Returns false, changing nothing,
   * when the segment was deleted or its pieces changed meanwhile.
   */
  swapPieces(position: SegmentPosition, rootPieceId: Uint8Array, expected: PieceRow[], remove: PieceRow[], add: PieceRow[]): boolean {
    const at: Cursor = [position.streamId, position.part, position.index];
    return this.db
      .transaction(() => {
        const segment = this.getStmt.get(...at);
        if (!segment || !Buffer.from(segment.rootPieceId).equals(rootPieceId)) return false;
        if (!samePieces(this.piecesStmt.all(...at), expected)) return false;
        for (const p of remove) this.deletePieceStmt.run(...at, p.pieceNum, p.nodeId);
        for (const p of add) this.insertPieceStmt.run(...at, p.pieceNum, p.nodeId);
        return true;
      })
      .immediate();
  }
}

function samePieces(a: PieceRow[], b: PieceRow[]): boolean {
  const key = (p: PieceRow) => `${p.pieceNum}:${Buffer.from(p.nodeId).toString('hex')}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}
