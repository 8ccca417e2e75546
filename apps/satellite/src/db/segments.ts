/**
 * Segments of objects, the pieces that hold them, and segments whose upload has begun.
 *
 * A remote segment has a random root piece ID; piece i sits on one node, and its piece ID is derived
 * from the root, the node ID and i, so only (piece number → node) needs storing. An inline segment
 * keeps its (encrypted) bytes here instead. A pending segment remembers which node got which piece
 * number in BeginSegment (and RetryBeginSegmentPieces), so CommitSegment can check what the uplink
 * reports against it.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import { plain } from './plain.js';

export const segmentMigrations: Migration[] = [
  {
    name: 'segments-1-create',
    sql: `
      CREATE TABLE segments (
        stream_id BLOB NOT NULL REFERENCES objects(stream_id) ON DELETE CASCADE,
        part INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        root_piece_id BLOB,                  -- NULL for inline segments
        encrypted_key BLOB NOT NULL,         -- the segment's content key, encrypted by the uplink
        encrypted_key_nonce BLOB NOT NULL,
        plain_size INTEGER NOT NULL,
        encrypted_size INTEGER NOT NULL,
        piece_size INTEGER NOT NULL,         -- 0 for inline segments
        inline_data BLOB,                    -- encrypted bytes of an inline segment
        created_at INTEGER NOT NULL,
        PRIMARY KEY (stream_id, part, idx)
      );
      CREATE TABLE pieces (
        stream_id BLOB NOT NULL,
        part INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        piece_num INTEGER NOT NULL,
        node_id BLOB NOT NULL,
        PRIMARY KEY (stream_id, part, idx, piece_num),
        FOREIGN KEY (stream_id, part, idx) REFERENCES segments(stream_id, part, idx) ON DELETE CASCADE
      );
      CREATE INDEX pieces_node ON pieces(node_id);
      CREATE TABLE pending_segments (
        segment_id BLOB PRIMARY KEY,         -- 16 random bytes handed to the uplink
        stream_id BLOB NOT NULL REFERENCES objects(stream_id) ON DELETE CASCADE,
        part INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        root_piece_id BLOB NOT NULL,
        node_ids BLOB NOT NULL,              -- 32-byte node IDs back to back: piece number i went to node i
        max_piece_size INTEGER NOT NULL,     -- the byte limit of the PUT order limits
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL          -- when its order limits expire
      );
      CREATE INDEX pending_segments_stream ON pending_segments(stream_id);
      CREATE INDEX pending_segments_expires ON pending_segments(expires_at);
    `,
  },
  {
    name: 'segments-2-replaced-nodes',
    sql: `
      -- Nodes whose piece upload failed and whose piece number went to another node (RetryBeginSegmentPieces):
      -- 32-byte node IDs back to back, never chosen again for this segment.
      ALTER TABLE pending_segments ADD COLUMN replaced_node_ids BLOB NOT NULL DEFAULT x'';
    `,
  },
];

export interface SegmentRow {
  streamId: Uint8Array;
  part: number;
  index: number;
  rootPieceId: Uint8Array | null;
  encryptedKey: Uint8Array;
  encryptedKeyNonce: Uint8Array;
  plainSize: number;
  encryptedSize: number;
  pieceSize: number;
  inlineData: Uint8Array | null;
  createdAt: number;
}

export interface PieceRow {
  pieceNum: number;
  nodeId: Uint8Array;
}

/** A piece of a stream with its segment's root piece ID: enough to derive the piece ID its node knows. */
export interface PieceOfStream extends PieceRow {
  rootPieceId: Uint8Array;
}

export interface PendingSegmentRow {
  segmentId: Uint8Array;
  streamId: Uint8Array;
  part: number;
  index: number;
  rootPieceId: Uint8Array;
  /** nodeIds[i] holds piece number i. */
  nodeIds: Uint8Array[];
  /** Nodes replaced after a failed piece upload (RetryBeginSegmentPieces). */
  replacedNodeIds: Uint8Array[];
  maxPieceSize: number;
  createdAt: number;
  expiresAt: number;
}

interface NodesUpdate {
  segmentId: Uint8Array;
  nodeIds: Uint8Array;
  replacedNodeIds: Uint8Array;
  expiresAt: number;
}

interface PendingSql extends Omit<PendingSegmentRow, 'nodeIds' | 'replacedNodeIds'> {
  nodeIds: Uint8Array;
  replacedNodeIds: Uint8Array;
}

const NODE_ID_SIZE = 32;

const SEGMENT_COLUMNS = `stream_id AS streamId, part, idx AS "index", root_piece_id AS rootPieceId,
  encrypted_key AS encryptedKey, encrypted_key_nonce AS encryptedKeyNonce, plain_size AS plainSize,
  encrypted_size AS encryptedSize, piece_size AS pieceSize, inline_data AS inlineData, created_at AS createdAt`;
const PENDING_COLUMNS = `segment_id AS segmentId, stream_id AS streamId, part, idx AS "index",
  root_piece_id AS rootPieceId, node_ids AS nodeIds, replaced_node_ids AS replacedNodeIds, max_piece_size AS maxPieceSize,
  created_at AS createdAt, expires_at AS expiresAt`;

type Position = [Uint8Array, number, number];

export class Segments {
  private readonly insertStmt: Statement<[SegmentRow]>;
  private readonly insertPieceStmt: Statement<[Uint8Array, number, number, number, Uint8Array]>;
  private readonly getStmt: Statement<Position, SegmentRow>;
  private readonly lastStmt: Statement<[Uint8Array], SegmentRow>;
  private readonly ofStreamStmt: Statement<[Uint8Array], SegmentRow>;
  private readonly piecesStmt: Statement<Position, PieceRow>;
  private readonly piecesOfStreamStmt: Statement<[Uint8Array], PieceOfStream>;
  private readonly deleteStmt: Statement<Position>;
  private readonly removePieceStmt: Statement<[...Position, number, Uint8Array]>;
  private readonly allPiecesStmt: Statement<[], PieceOfStream>;
  private readonly piecesPerNodeStmt: Statement<[], { nodeId: Uint8Array; count: number }>;

  constructor(db: Database) {
    this.allPiecesStmt = db.prepare(`SELECT s.root_piece_id AS rootPieceId, p.piece_num AS pieceNum, p.node_id AS nodeId
      FROM pieces p JOIN segments s ON s.stream_id = p.stream_id AND s.part = p.part AND s.idx = p.idx`);
    this.piecesPerNodeStmt = db.prepare('SELECT node_id AS nodeId, COUNT(*) AS count FROM pieces GROUP BY node_id');
    this.insertStmt = db.prepare(`INSERT INTO segments (stream_id, part, idx, root_piece_id, encrypted_key,
        encrypted_key_nonce, plain_size, encrypted_size, piece_size, inline_data, created_at)
      VALUES (@streamId, @part, @index, @rootPieceId, @encryptedKey, @encryptedKeyNonce, @plainSize, @encryptedSize,
        @pieceSize, @inlineData, @createdAt)`);
    this.insertPieceStmt = db.prepare('INSERT INTO pieces (stream_id, part, idx, piece_num, node_id) VALUES (?, ?, ?, ?, ?)');
    this.getStmt = db.prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE stream_id = ? AND part = ? AND idx = ?`);
    this.lastStmt = db.prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE stream_id = ? ORDER BY part DESC, idx DESC LIMIT 1`);
    this.ofStreamStmt = db.prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE stream_id = ? ORDER BY part, idx`);
    this.piecesStmt = db.prepare(
      'SELECT piece_num AS pieceNum, node_id AS nodeId FROM pieces WHERE stream_id = ? AND part = ? AND idx = ? ORDER BY piece_num',
    );
    this.piecesOfStreamStmt = db.prepare(`SELECT s.root_piece_id AS rootPieceId, p.piece_num AS pieceNum, p.node_id AS nodeId
      FROM pieces p JOIN segments s ON s.stream_id = p.stream_id AND s.part = p.part AND s.idx = p.idx
      WHERE p.stream_id = ?`);
    this.deleteStmt = db.prepare('DELETE FROM segments WHERE stream_id = ? AND part = ? AND idx = ?');
    this.removePieceStmt = db.prepare('DELETE FROM pieces WHERE stream_id = ? AND part = ? AND idx = ? AND piece_num = ? AND node_id = ?');
  }

  insert(segment: SegmentRow, pieces: PieceRow[]): void {
    this.insertStmt.run(segment);
    for (const p of pieces) this.insertPieceStmt.run(segment.streamId, segment.part, segment.index, p.pieceNum, p.nodeId);
  }

  get(streamId: Uint8Array, part: number, index: number): SegmentRow | undefined {
    return plain(this.getStmt.get(streamId, part, index));
  }

  last(streamId: Uint8Array): SegmentRow | undefined {
    return plain(this.lastStmt.get(streamId));
  }

  /** In (part, index) order: the order their bytes appear in the object. */
  ofStream(streamId: Uint8Array): SegmentRow[] {
    return this.ofStreamStmt.all(streamId).map(plain);
  }

  pieces(streamId: Uint8Array, part: number, index: number): PieceRow[] {
    return this.piecesStmt.all(streamId, part, index).map(plain);
  }

  /** Every stored piece of the object, with its segment's root piece ID. */
  piecesOfStream(streamId: Uint8Array): PieceOfStream[] {
    return this.piecesOfStreamStmt.all(streamId).map(plain);
  }

  /**
   * Drops one piece from a segment, only if that piece number is still on that node (Storj's Pieces.Update
   * removes by number and node); returns whether it did.
   */
  removePiece(streamId: Uint8Array, part: number, index: number, pieceNum: number, nodeId: Uint8Array): boolean {
    return this.removePieceStmt.run(streamId, part, index, pieceNum, nodeId).changes > 0;
  }

  /** Every piece of every committed segment, one at a time (garbage collection reads them all). */
  allPieces(): IterableIterator<PieceOfStream> {
    return this.allPiecesStmt.iterate();
  }

  /** How many pieces of committed segments each node holds. */
  piecesPerNode(): { nodeId: Uint8Array; count: number }[] {
    return this.piecesPerNodeStmt.all();
  }

  /** Deletes one segment and its pieces (ON DELETE CASCADE). */
  delete(streamId: Uint8Array, part: number, index: number): void {
    this.deleteStmt.run(streamId, part, index);
  }
}

export class PendingSegments {
  private readonly insertStmt: Statement<[PendingSql]>;
  private readonly getStmt: Statement<[Uint8Array], PendingSql>;
  private readonly ofStreamStmt: Statement<[Uint8Array], PendingSql>;
  private readonly expiredStmt: Statement<[number, number], PendingSql>;
  private readonly deleteStmt: Statement<[Uint8Array]>;
  private readonly setNodesStmt: Statement<[NodesUpdate]>;
  private readonly allStmt: Statement<[], PendingSql>;

  constructor(db: Database) {
    this.allStmt = db.prepare(`SELECT ${PENDING_COLUMNS} FROM pending_segments`);
    this.insertStmt = db.prepare(`INSERT INTO pending_segments (segment_id, stream_id, part, idx, root_piece_id, node_ids,
        replaced_node_ids, max_piece_size, created_at, expires_at)
      VALUES (@segmentId, @streamId, @part, @index, @rootPieceId, @nodeIds, @replacedNodeIds, @maxPieceSize, @createdAt, @expiresAt)`);
    this.setNodesStmt = db.prepare(
      `UPDATE pending_segments SET node_ids = @nodeIds, replaced_node_ids = @replacedNodeIds, expires_at = @expiresAt
        WHERE segment_id = @segmentId`,
    );
    this.getStmt = db.prepare(`SELECT ${PENDING_COLUMNS} FROM pending_segments WHERE segment_id = ?`);
    this.ofStreamStmt = db.prepare(`SELECT ${PENDING_COLUMNS} FROM pending_segments WHERE stream_id = ?`);
    this.expiredStmt = db.prepare(`SELECT ${PENDING_COLUMNS} FROM pending_segments WHERE expires_at <= ? LIMIT ?`);
    this.deleteStmt = db.prepare('DELETE FROM pending_segments WHERE segment_id = ?');
  }

  insert(row: PendingSegmentRow): void {
    this.insertStmt.run({ ...row, nodeIds: joinIds(row.nodeIds), replacedNodeIds: joinIds(row.replacedNodeIds) });
  }

  /**
   * Records new nodes for some piece numbers (`nodeIds` is the whole new list), the nodes they replaced, and
   * when the newest order limits expire.
   */
  setNodes(segmentId: Uint8Array, nodeIds: Uint8Array[], replacedNodeIds: Uint8Array[], expiresAt: number): void {
    this.setNodesStmt.run({ segmentId, nodeIds: joinIds(nodeIds), replacedNodeIds: joinIds(replacedNodeIds), expiresAt });
  }

  get(segmentId: Uint8Array): PendingSegmentRow | undefined {
    const row = this.getStmt.get(segmentId);
    return row && plain(fromSql(row));
  }

  ofStream(streamId: Uint8Array): PendingSegmentRow[] {
    return this.ofStreamStmt.all(streamId).map(fromSql).map(plain);
  }

  /** Every segment upload under way (garbage collection keeps their pieces). */
  all(): PendingSegmentRow[] {
    return this.allStmt.all().map(fromSql).map(plain);
  }

  /** Pending segments whose order limits have expired: the uplink can no longer finish them. */
  expired(now: number, limit: number): PendingSegmentRow[] {
    return this.expiredStmt.all(now, limit).map(fromSql).map(plain);
  }

  delete(segmentId: Uint8Array): void {
    this.deleteStmt.run(segmentId);
  }
}

function joinIds(ids: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(ids.length * NODE_ID_SIZE);
  ids.forEach((id, i) => out.set(id, i * NODE_ID_SIZE));
  return out;
}

function fromSql(row: PendingSql): PendingSegmentRow {
  return { ...row, nodeIds: splitIds(row.nodeIds), replacedNodeIds: splitIds(row.replacedNodeIds) };
}

function splitIds(joined: Uint8Array): Uint8Array[] {
  const ids: Uint8Array[] = [];
  for (let at = 0; at < joined.length; at += NODE_ID_SIZE) ids.push(new Uint8Array(joined.subarray(at, at + NODE_ID_SIZE)));
  return ids;
}
