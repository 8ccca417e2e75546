/**
 * What audits keep: each node's reputation scores (Storj's `reputations` table) and the reverification queue
 * (Storj's `reverification_audits`): a node that timed out on an audit is *contained* until the satellite has
 * fetched that whole piece from it again (audit/reverify.ts). Plus the query audits walk: every remote segment
 * whose object has not expired.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import type { RedundancyScheme } from '@dcsim/erasure';
import { plain } from './plain.js';

export const auditMigrations: Migration[] = [
  {
    name: 'audit-1-create',
    sql: `
      CREATE TABLE reputations (
        node_id BLOB PRIMARY KEY,
        audit_alpha REAL NOT NULL,           -- audit score = alpha / (alpha + beta)
        audit_beta REAL NOT NULL,
        unknown_alpha REAL NOT NULL,         -- unknown-audit score, the same way
        unknown_beta REAL NOT NULL,
        online_history TEXT NOT NULL,        -- JSON [{start, online, total}]: audits per window, online or not
        total_audit_count INTEGER NOT NULL,
        audit_success_count INTEGER NOT NULL,
        created_at INTEGER NOT NULL,         -- first audit
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE reverifications (
        node_id BLOB NOT NULL,
        stream_id BLOB NOT NULL,
        part INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        piece_num INTEGER NOT NULL,
        inserted_at INTEGER NOT NULL,
        last_attempt INTEGER,                -- NULL: not tried yet
        reverify_count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (node_id, stream_id, part, idx),
        FOREIGN KEY (stream_id, part, idx) REFERENCES segments(stream_id, part, idx) ON DELETE CASCADE
      );
      CREATE INDEX reverifications_segment ON reverifications(stream_id, part, idx);
    `,
  },
];

export interface ReputationRow {
  nodeId: Uint8Array;
  auditAlpha: number;
  auditBeta: number;
  unknownAlpha: number;
  unknownBeta: number;
  /** JSON text of the online windows. */
  onlineHistory: string;
  totalAuditCount: number;
  auditSuccessCount: number;
  createdAt: number;
  updatedAt: number;
}

/** One pending reverification: which piece of which segment the node must still prove it has. */
export interface ReverificationRow {
  nodeId: Uint8Array;
  streamId: Uint8Array;
  part: number;
  index: number;
  pieceNum: number;
  insertedAt: number;
  lastAttempt: number | null;
  /** Attempts so far, including the one `attempt` just marked. */
  reverifyCount: number;
}

/** A remote segment as audits need it. */
export interface AuditableSegment {
  streamId: Uint8Array;
  part: number;
  index: number;
  rootPieceId: Uint8Array;
  encryptedSize: number;
  pieceSize: number;
  /** Its object's redundancy. */
  scheme: RedundancyScheme;
}

interface SegmentSql extends Omit<AuditableSegment, 'scheme'> {
  required: number;
  repair: number;
  optimal: number;
  total: number;
  shareSize: number;
}

const SEGMENT_QUERY = `SELECT s.stream_id AS streamId, s.part, s.idx AS "index", s.root_piece_id AS rootPieceId,
    s.encrypted_size AS encryptedSize, s.piece_size AS pieceSize, o.rs_required AS required, o.rs_repair AS repair,
    o.rs_optimal AS optimal, o.rs_total AS total, o.rs_share_size AS shareSize
  FROM segments s JOIN objects o ON o.stream_id = s.stream_id
  WHERE s.root_piece_id IS NOT NULL AND (o.expires_at IS NULL OR o.expires_at > @now)`;

const REPUTATION_COLUMNS = `node_id AS nodeId, audit_alpha AS auditAlpha, audit_beta AS auditBeta, unknown_alpha AS unknownAlpha,
  unknown_beta AS unknownBeta, online_history AS onlineHistory, total_audit_count AS totalAuditCount,
  audit_success_count AS auditSuccessCount, created_at AS createdAt, updated_at AS updatedAt`;
const REVERIFY_COLUMNS = `node_id AS nodeId, stream_id AS streamId, part, idx AS "index", piece_num AS pieceNum,
  inserted_at AS insertedAt, last_attempt AS lastAttempt, reverify_count AS reverifyCount`;

export class Reputations {
  private readonly getStmt: Statement<[Uint8Array], ReputationRow>;
  private readonly allStmt: Statement<[], ReputationRow>;
  private readonly upsertStmt: Statement<[ReputationRow]>;

  constructor(db: Database) {
    this.getStmt = db.prepare(`SELECT ${REPUTATION_COLUMNS} FROM reputations WHERE node_id = ?`);
    this.allStmt = db.prepare(`SELECT ${REPUTATION_COLUMNS} FROM reputations`);
    this.upsertStmt = db.prepare(`INSERT INTO reputations (node_id, audit_alpha, audit_beta, unknown_alpha, unknown_beta,
        online_history, total_audit_count, audit_success_count, created_at, updated_at)
      VALUES (@nodeId, @auditAlpha, @auditBeta, @unknownAlpha, @unknownBeta, @onlineHistory, @totalAuditCount,
        @auditSuccessCount, @createdAt, @updatedAt)
      ON CONFLICT (node_id) DO UPDATE SET audit_alpha = excluded.audit_alpha, audit_beta = excluded.audit_beta,
        unknown_alpha = excluded.unknown_alpha, unknown_beta = excluded.unknown_beta, online_history = excluded.online_history,
        total_audit_count = excluded.total_audit_count, audit_success_count = excluded.audit_success_count,
        updated_at = excluded.updated_at`);
  }

  get(nodeId: Uint8Array): ReputationRow | undefined {
    return plain(this.getStmt.get(nodeId));
  }

  all(): ReputationRow[] {
    return this.allStmt.all().map(plain);
  }

  put(row: ReputationRow): void {
    this.upsertStmt.run(row);
  }
}

export class Reverifications {
  private readonly insertStmt: Statement<[Omit<ReverificationRow, 'lastAttempt' | 'reverifyCount'>]>;
  private readonly dueStmt: Statement<[number, number], ReverificationRow>;
  private readonly attemptStmt: Statement<[number, Uint8Array, Uint8Array, number, number]>;
  private readonly deleteStmt: Statement<[Uint8Array, Uint8Array, number, number]>;
  private readonly ofNodeStmt: Statement<[Uint8Array], { n: number }>;
  private readonly allStmt: Statement<[], ReverificationRow>;

  constructor(db: Database) {
    this.insertStmt = db.prepare(`INSERT INTO reverifications (node_id, stream_id, part, idx, piece_num, inserted_at)
      VALUES (@nodeId, @streamId, @part, @index, @pieceNum, @insertedAt) ON CONFLICT DO NOTHING`);
    this.dueStmt = db.prepare(`SELECT ${REVERIFY_COLUMNS} FROM reverifications
      WHERE COALESCE(last_attempt, inserted_at) <= ? ORDER BY inserted_at LIMIT ?`);
    this.attemptStmt = db.prepare(`UPDATE reverifications SET last_attempt = ?, reverify_count = reverify_count + 1
      WHERE node_id = ? AND stream_id = ? AND part = ? AND idx = ?`);
    this.deleteStmt = db.prepare('DELETE FROM reverifications WHERE node_id = ? AND stream_id = ? AND part = ? AND idx = ?');
    this.ofNodeStmt = db.prepare('SELECT COUNT(*) AS n FROM reverifications WHERE node_id = ?');
    this.allStmt = db.prepare(`SELECT ${REVERIFY_COLUMNS} FROM reverifications ORDER BY inserted_at`);
  }

  /** Queues a reverification; one per node and segment (a second is ignored, as Storj's ON CONFLICT DO NOTHING). */
  insert(row: Omit<ReverificationRow, 'lastAttempt' | 'reverifyCount'>): void {
    this.insertStmt.run(row);
  }

  /** Up to `limit` jobs last tried (or queued) at least `retryMs` before `now`, oldest first. */
  due(now: number, retryMs: number, limit: number): ReverificationRow[] {
    return this.dueStmt.all(now - retryMs, limit).map(plain);
  }

  /** Marks a job as attempted now (Storj's GetNextJob does this as it hands the job out); returns it so. */
  attempt(row: ReverificationRow, now: number): ReverificationRow {
    this.attemptStmt.run(now, row.nodeId, row.streamId, row.part, row.index);
    return { ...row, lastAttempt: now, reverifyCount: row.reverifyCount + 1 };
  }

  delete(row: { nodeId: Uint8Array; streamId: Uint8Array; part: number; index: number }): void {
    this.deleteStmt.run(row.nodeId, row.streamId, row.part, row.index);
  }

  /** Whether the node is contained: it has a reverification pending. */
  contains(nodeId: Uint8Array): boolean {
    return this.ofNodeStmt.get(nodeId)!.n > 0;
  }

  all(): ReverificationRow[] {
    return this.allStmt.all().map(plain);
  }
}

/** The segments audits look at: remote ones (inline segments have no pieces) of objects that have not expired. */
export class AuditableSegments {
  private readonly allStmt: Statement<[{ now: number }], SegmentSql>;
  private readonly getStmt: Statement<[{ now: number; streamId: Uint8Array; part: number; index: number }], SegmentSql>;

  constructor(db: Database) {
    this.allStmt = db.prepare(`${SEGMENT_QUERY} ORDER BY s.stream_id, s.part, s.idx`);
    this.getStmt = db.prepare(`${SEGMENT_QUERY} AND s.stream_id = @streamId AND s.part = @part AND s.idx = @index`);
  }

  /** Every auditable segment, in (stream, position) order. */
  all(now: number): AuditableSegment[] {
    return this.allStmt.all({ now }).map((row) => fromSql(plain(row)));
  }

  get(streamId: Uint8Array, part: number, index: number, now: number): AuditableSegment | undefined {
    const row = this.getStmt.get({ now, streamId, part, index });
    return row && fromSql(plain(row));
  }
}

function fromSql({ required, repair, optimal, total, shareSize, ...rest }: SegmentSql): AuditableSegment {
  return { ...rest, scheme: { required, repair, optimal, total, shareSize } };
}
