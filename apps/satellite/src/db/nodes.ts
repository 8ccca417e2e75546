/**
 * The node registry: every storage node that ever checked in, with where to reach it, its public
 * key (to check its signatures on piece hashes), the free space it reported and when it was last
 * reached. As Storj's `last_contact_success` / `last_contact_failure`: a check-in counts as contact only
 * if the satellite's ping back to the node's address succeeded; a node whose last ping failed is not
 * selected, and neither is a node gracefully exiting (gracefulexit/). `pieces_stored` counts pieces committed on
 * the node. What audits made of the node (vetted, unknown-audit suspended, disqualified) sits here too, as in
 * Storj's overlay, so selection excludes it in the same query; the scores behind those states are in
 * `reputations` (reputations.ts). So does its graceful exit: when it began and ended, pieces moved and failed.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '@dcsim/sqlite';
import { plain } from './plain.js';

export const nodeMigrations: Migration[] = [
  {
    name: 'nodes-1-create',
    sql: `
      CREATE TABLE nodes (
        id BLOB PRIMARY KEY,                 -- 32 bytes, derived from the public key
        public_key BLOB NOT NULL,            -- Ed25519, checks the node's piece hash signatures
        address TEXT NOT NULL,               -- host:port of its piecestore
        free_disk INTEGER NOT NULL,          -- as reported at check-in, less what was committed since
        version TEXT NOT NULL DEFAULT '',
        pieces_stored INTEGER NOT NULL DEFAULT 0,
        vetted_at INTEGER,                   -- NULL while the node is new
        last_contact INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX nodes_last_contact ON nodes(last_contact);
    `,
  },
  {
    // last_contact is now the last check-in whose ping back succeeded; this is the last one whose ping failed.
    name: 'nodes-2-contact-failure',
    sql: 'ALTER TABLE nodes ADD COLUMN last_contact_failure INTEGER NOT NULL DEFAULT 0;',
  },
  {
    // Set by the reputation service from audit outcomes. vetted_at now means "passed enough audits".
    name: 'nodes-3-reputation',
    sql: `
      ALTER TABLE nodes ADD COLUMN disqualified_at INTEGER;          -- for good: never selected, its pieces unhealthy
      ALTER TABLE nodes ADD COLUMN disqualification_reason TEXT;     -- 'audit failure', ...
      ALTER TABLE nodes ADD COLUMN unknown_audit_suspended_at INTEGER; -- not selected for new pieces while set
    `,
  },
  {
    // Graceful exit (gracefulexit/): exiting while initiated and not finished; exited once finished.
    name: 'nodes-4-exit',
    sql: `
      ALTER TABLE nodes ADD COLUMN exit_initiated_at INTEGER;          -- asked to leave: never selected again
      ALTER TABLE nodes ADD COLUMN exit_finished_at INTEGER;           -- gone: its pieces no longer count
      ALTER TABLE nodes ADD COLUMN exit_success INTEGER;               -- 1: few enough pieces failed to move
      ALTER TABLE nodes ADD COLUMN exit_pieces_transferred INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE nodes ADD COLUMN exit_pieces_failed INTEGER NOT NULL DEFAULT 0; -- left to repair
    `,
  },
];

export interface NodeRow {
  id: Uint8Array;
  publicKey: Uint8Array;
  address: string;
  freeDisk: number;
  version: string;
  piecesStored: number;
  vettedAt: number | null;
  /** When audits disqualified it (null: never); then why. */
  disqualifiedAt: number | null;
  disqualificationReason: string | null;
  /** When too many unknown audits suspended it (null: not suspended). */
  unknownAuditSuspendedAt: number | null;
  /** When it asked to exit gracefully (null: never), and when the exit finished (null: not yet). */
  exitInitiatedAt: number | null;
  exitFinishedAt: number | null;
  /** Whether the finished exit succeeded (1) or failed (0); null before it finished. */
  exitSuccess: number | null;
  exitPiecesTransferred: number;
  exitPiecesFailed: number;
  /** Last check-in whose ping back succeeded (0: none yet). */
  lastContact: number;
  /** Last check-in whose ping back failed (0: none). */
  lastContactFailure: number;
  createdAt: number;
}

export interface CheckInFields {
  id: Uint8Array;
  publicKey: Uint8Array;
  address: string;
  freeDisk: number;
  version: string;
  /** Whether the satellite's ping back to `address` succeeded. */
  reachable: boolean;
  now: number;
}

const COLUMNS = `id, public_key AS publicKey, address, free_disk AS freeDisk, version, pieces_stored AS piecesStored,
  vetted_at AS vettedAt, disqualified_at AS disqualifiedAt, disqualification_reason AS disqualificationReason,
  unknown_audit_suspended_at AS unknownAuditSuspendedAt, exit_initiated_at AS exitInitiatedAt, exit_finished_at AS exitFinishedAt,
  exit_success AS exitSuccess, exit_pieces_transferred AS exitPiecesTransferred, exit_pieces_failed AS exitPiecesFailed,
  last_contact AS lastContact, last_contact_failure AS lastContactFailure,
  created_at AS createdAt`;

export class Nodes {
  private readonly upsertStmt: Statement<[Omit<CheckInFields, 'reachable'> & { success: number; failure: number }]>;
  private readonly getStmt: Statement<[Uint8Array], NodeRow>;
  private readonly allStmt: Statement<[], NodeRow>;
  private readonly candidatesStmt: Statement<[number, number], NodeRow>;
  private readonly storedStmt: Statement<[number, Uint8Array]>;
  private readonly statesStmt: Statement<[NodeStates & { id: Uint8Array }]>;
  private readonly pingedStmt: Statement<[{ id: Uint8Array; success: number; failure: number }]>;
  private readonly exitStartStmt: Statement<[number, Uint8Array]>;
  private readonly exitCountStmt: Statement<[number, number, Uint8Array]>;
  private readonly exitFinishStmt: Statement<[number, number, Uint8Array]>;

  constructor(db: Database) {
    this.upsertStmt =
      db.prepare(`INSERT INTO nodes (id, public_key, address, free_disk, version, last_contact, last_contact_failure, created_at)
      VALUES (@id, @publicKey, @address, @freeDisk, @version, @success, @failure, @now)
      ON CONFLICT (id) DO UPDATE SET address = excluded.address, free_disk = excluded.free_disk, version = excluded.version,
        last_contact = MAX(last_contact, excluded.last_contact),
        last_contact_failure = MAX(last_contact_failure, excluded.last_contact_failure)`);
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM nodes WHERE id = ?`);
    this.allStmt = db.prepare(`SELECT ${COLUMNS} FROM nodes ORDER BY created_at, id`);
    this.candidatesStmt = db.prepare(
      `SELECT ${COLUMNS} FROM nodes WHERE last_contact >= ? AND last_contact > last_contact_failure AND free_disk >= ?
        AND disqualified_at IS NULL AND unknown_audit_suspended_at IS NULL AND exit_initiated_at IS NULL`,
    );
    this.storedStmt = db.prepare('UPDATE nodes SET pieces_stored = pieces_stored + 1, free_disk = MAX(0, free_disk - ?) WHERE id = ?');
    this.statesStmt = db.prepare(`UPDATE nodes SET vetted_at = @vettedAt, disqualified_at = @disqualifiedAt,
      disqualification_reason = @disqualificationReason, unknown_audit_suspended_at = @unknownAuditSuspendedAt WHERE id = @id`);
    this.pingedStmt = db.prepare(`UPDATE nodes SET last_contact = MAX(last_contact, @success),
      last_contact_failure = MAX(last_contact_failure, @failure) WHERE id = @id`);
    this.exitStartStmt = db.prepare('UPDATE nodes SET exit_initiated_at = ? WHERE id = ? AND exit_initiated_at IS NULL');
    this.exitCountStmt = db.prepare(
      'UPDATE nodes SET exit_pieces_transferred = exit_pieces_transferred + ?, exit_pieces_failed = exit_pieces_failed + ? WHERE id = ?',
    );
    this.exitFinishStmt = db.prepare('UPDATE nodes SET exit_finished_at = ?, exit_success = ? WHERE id = ? AND exit_finished_at IS NULL');
  }

  /** Records a check-in; returns the node as it was before (undefined for a first check-in). */
  checkIn(fields: CheckInFields): NodeRow | undefined {
    const before = this.get(fields.id);
    const { reachable, ...rest } = fields;
    this.upsertStmt.run({ ...rest, success: reachable ? fields.now : 0, failure: reachable ? 0 : fields.now });
    return before;
  }

  /** Records a ping the satellite made on its own (the liveness refresh before a repair), as a check-in's ping back is. */
  recordPing(id: Uint8Array, reachable: boolean, now: number): void {
    this.pingedStmt.run({ id, success: reachable ? now : 0, failure: reachable ? 0 : now });
  }

  get(id: Uint8Array): NodeRow | undefined {
    return plain(this.getStmt.get(id));
  }

  all(): NodeRow[] {
    return this.allStmt.all().map(plain);
  }

  /**
   * Nodes reached since `since`, not failing a ping since, with at least `minFreeDisk` bytes free, neither
   * disqualified nor suspended.
   */
  candidates(since: number, minFreeDisk: number): NodeRow[] {
    return this.candidatesStmt.all(since, minFreeDisk).map(plain);
  }

  /** Counts a committed piece against the node (and its free space until the next check-in says otherwise). */
  recordStoredPiece(id: Uint8Array, pieceSize: number): void {
    this.storedStmt.run(pieceSize, id);
  }

  /** Marks the node exiting (graceful exit): it gets no new pieces from now on. */
  startExit(id: Uint8Array, now: number): void {
    this.exitStartStmt.run(now, id);
  }

  /** Counts pieces an exit moved, or gave up on (left to repair). */
  countExitPieces(id: Uint8Array, transferred: number, failed: number): void {
    this.exitCountStmt.run(transferred, failed, id);
  }

  /** Marks the node exited: its remaining pieces no longer count anywhere. */
  finishExit(id: Uint8Array, now: number, success: boolean): void {
    this.exitFinishStmt.run(now, success ? 1 : 0, id);
  }

  /** Records what audits made of the node (reputation service). */
  setStates(id: Uint8Array, states: NodeStates): void {
    this.statesStmt.run({ id, ...states });
  }
}

/** The states audits lead to, as the reputation service decides them. */
export interface NodeStates {
  vettedAt: number | null;
  disqualifiedAt: number | null;
  disqualificationReason: string | null;
  unknownAuditSuspendedAt: number | null;
}
