/**
 * The auth database: one SQLite file (`auth.db`). A row is what Storj's auth service keeps per registered
 * grant; the primary key is the hash of the access key, and the grant and secret are sealed under the
 * access key itself (sealed.ts), so a copy of this file alone decrypts nothing.
 */
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import type { Sealed } from './sealed.js';

export const DATABASE_FILE = 'auth.db';

export interface AuthRecord extends Sealed {
  keyHash: Uint8Array;
  createdAt: number;
  public: boolean;
  satelliteAddress: string;
  /** The API key's head: which root key the grant descends from, for invalidating by key. */
  macaroonHead: Uint8Array;
  /** The earliest not_after of the grant's caveats (ms); after it the record is useless. */
  expiresAt: number | null;
  invalidationReason: string | null;
  invalidatedAt: number | null;
}

interface Row {
  key_hash: Buffer;
  created_at: number;
  public: number;
  satellite_address: string;
  macaroon_head: Buffer;
  expires_at: number | null;
  encrypted_secret_key: Buffer;
  encrypted_access_grant: Buffer;
  invalidation_reason: string | null;
  invalidated_at: number | null;
}

export class Records {
  readonly sql: Database;
  private readonly insertStmt: Statement<[Row]>;
  private readonly getStmt: Statement<[Uint8Array], Row>;
  private readonly invalidateStmt: Statement<[string, number, Uint8Array]>;

  constructor(file: string) {
    this.sql = new BetterSqlite3(file);
    this.sql.pragma('journal_mode = WAL');
    this.sql.pragma('synchronous = FULL'); // a key handed to a client must survive a crash
    this.sql.pragma('busy_timeout = 5000');
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS records (
        key_hash BLOB PRIMARY KEY,             -- SHA-256 of the access key, never the key
        created_at INTEGER NOT NULL,
        public INTEGER NOT NULL,
        satellite_address TEXT NOT NULL,
        macaroon_head BLOB NOT NULL,
        expires_at INTEGER,                    -- NULL: the grant has no not_after
        encrypted_secret_key BLOB NOT NULL,    -- AES-GCM under the access key
        encrypted_access_grant BLOB NOT NULL,  -- AES-GCM under the access key
        invalidation_reason TEXT,
        invalidated_at INTEGER
      ) STRICT;
      CREATE INDEX IF NOT EXISTS records_by_head ON records (macaroon_head);
    `);
    this.insertStmt = this.sql.prepare(`
      INSERT INTO records VALUES (@key_hash, @created_at, @public, @satellite_address, @macaroon_head, @expires_at,
        @encrypted_secret_key, @encrypted_access_grant, @invalidation_reason, @invalidated_at)`);
    this.getStmt = this.sql.prepare('SELECT * FROM records WHERE key_hash = ?');
    this.invalidateStmt = this.sql.prepare(
      'UPDATE records SET invalidation_reason = ?, invalidated_at = ? WHERE key_hash = ? AND invalidated_at IS NULL',
    );
  }

  put(r: AuthRecord): void {
    this.insertStmt.run({
      key_hash: Buffer.from(r.keyHash),
      created_at: r.createdAt,
      public: r.public ? 1 : 0,
      satellite_address: r.satelliteAddress,
      macaroon_head: Buffer.from(r.macaroonHead),
      expires_at: r.expiresAt,
      encrypted_secret_key: Buffer.from(r.encryptedSecretKey),
      encrypted_access_grant: Buffer.from(r.encryptedAccessGrant),
      invalidation_reason: r.invalidationReason,
      invalidated_at: r.invalidatedAt,
    });
  }

  get(keyHash: Uint8Array): AuthRecord | undefined {
    const row = this.getStmt.get(keyHash);
    if (!row) return undefined;
    return {
      keyHash: new Uint8Array(row.key_hash),
      createdAt: row.created_at,
      public: row.public === 1,
      satelliteAddress: row.satellite_address,
      macaroonHead: new Uint8Array(row.macaroon_head),
      expiresAt: row.expires_at,
      encryptedSecretKey: new Uint8Array(row.encrypted_secret_key),
      encryptedAccessGrant: new Uint8Array(row.encrypted_access_grant),
      invalidationReason: row.invalidation_reason,
      invalidatedAt: row.invalidated_at,
    };
  }

  /** Marks a record unusable (kept, so the reason can be reported); false if there was none to invalidate. */
  invalidate(keyHash: Uint8Array, reason: string, now = Date.now()): boolean {
    return this.invalidateStmt.run(reason, now, keyHash).changes > 0;
  }

  close(): void {
    this.sql.close();
  }
}
