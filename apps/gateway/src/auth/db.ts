/**
 * The auth service's SQLite database (`auth.db`), opened as every dcsim database is (@dcsim/sqlite: WAL, every
 * commit synced, migrations). One row per registered grant, found by the SHA-256 of its access key; the grant and
 * the S3 secret are sealed under the access key itself, which the database never holds.
 */
import type { Database } from 'better-sqlite3';
import { openSqlite, type Migration } from '@dcsim/sqlite';

export const AUTH_DB_FILE = 'auth.db';

/** The first keeps the `IF NOT EXISTS` of the schema made before migrations, so an auth.db from then is adopted. */
export const AUTH_MIGRATIONS: Migration[] = [
  {
    name: 'records-1-create',
    sql: `CREATE TABLE IF NOT EXISTS records (
      key_hash BLOB PRIMARY KEY,
      created_at INTEGER NOT NULL,
      public INTEGER NOT NULL,
      satellite_address TEXT NOT NULL,
      macaroon_head BLOB NOT NULL,
      expires_at INTEGER,
      encrypted_secret_key BLOB NOT NULL,
      encrypted_access_grant BLOB NOT NULL,
      invalidation_reason TEXT,
      invalidated_at INTEGER
    ) WITHOUT ROWID`,
  },
];

export interface RecordRow {
  keyHash: Uint8Array;
  createdAt: number;
  public: boolean;
  satelliteAddress: string;
  /** The macaroon head: identifies the API key (for revocation bookkeeping), grants nothing. */
  macaroonHead: Uint8Array;
  expiresAt: number | null;
  encryptedSecretKey: Uint8Array;
  encryptedAccessGrant: Uint8Array;
  invalidationReason: string | null;
  invalidatedAt: number | null;
}

export class AuthDb {
  private readonly sql: Database;

  constructor(file: string) {
    this.sql = openSqlite(file, { migrations: AUTH_MIGRATIONS });
  }

  insert(row: Omit<RecordRow, 'invalidationReason' | 'invalidatedAt'>): void {
    this.sql
      .prepare(
        `INSERT INTO records (key_hash, created_at, public, satellite_address, macaroon_head, expires_at,
           encrypted_secret_key, encrypted_access_grant, invalidation_reason, invalidated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
      )
      .run(
        row.keyHash,
        row.createdAt,
        row.public ? 1 : 0,
        row.satelliteAddress,
        row.macaroonHead,
        row.expiresAt,
        row.encryptedSecretKey,
        row.encryptedAccessGrant,
      );
  }

  get(keyHash: Uint8Array): RecordRow | undefined {
    const r = this.sql.prepare('SELECT * FROM records WHERE key_hash = ?').get(keyHash) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      keyHash: r.key_hash as Uint8Array,
      createdAt: r.created_at as number,
      public: r.public === 1,
      satelliteAddress: r.satellite_address as string,
      macaroonHead: r.macaroon_head as Uint8Array,
      expiresAt: r.expires_at as number | null,
      encryptedSecretKey: r.encrypted_secret_key as Uint8Array,
      encryptedAccessGrant: r.encrypted_access_grant as Uint8Array,
      invalidationReason: r.invalidation_reason as string | null,
      invalidatedAt: r.invalidated_at as number | null,
    };
  }

  /** Returns false when there is no such record. */
  invalidate(keyHash: Uint8Array, reason: string, at = Date.now()): boolean {
    return (
      this.sql.prepare('UPDATE records SET invalidation_reason = ?, invalidated_at = ? WHERE key_hash = ?').run(reason, at, keyHash)
        .changes > 0
    );
  }

  close(): void {
    this.sql.close();
  }
}
