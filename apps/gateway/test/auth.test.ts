/**
 * The auth service's pieces without a network: credential formats, sealing, and register/lookup over a
 * real SQLite file, whose bytes must hold neither the grant nor the secret nor the access key.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Store } from '@dcsim/crypto/encryption';
import { serializeAccess, type AccessGrant } from '@dcsim/crypto/grant';
import { APIKey } from '@dcsim/crypto/macaroon';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_DB_FILE, AUTH_MIGRATIONS, AuthDb } from '../src/auth/db.js';
import {
  ACCESS_KEY_VERSION,
  SECRET_KEY_VERSION,
  base32Decode,
  base32Encode,
  newAccessKey,
  newSecretKey,
  parseAccessKeyId,
} from '../src/auth/keys.js';
import { AuthError, invalidate, lookup, register } from '../src/auth/records.js';
import { GRANT_NONCE, SECRET_NONCE, open, seal } from '../src/auth/seal.js';

const SATELLITE = '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S@127.0.0.1:7777';

function grant(notAfter?: Date): string {
  let apiKey = APIKey.generate(new Uint8Array(randomBytes(32)));
  if (notAfter) apiKey = apiKey.restrict({ notAfter });
  const access: AccessGrant = {
    satelliteAddress: SATELLITE,
    apiKey,
    encAccess: { store: new Store({ defaultKey: new Uint8Array(randomBytes(32)) }) },
  };
  return serializeAccess(access);
}

const dirs: string[] = [];
function tempDb(): { db: AuthDb; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-auth-'));
  dirs.push(dir);
  return { db: new AuthDb(join(dir, AUTH_DB_FILE)), dir };
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('credential formats', () => {
  it('encodes base32 as RFC 4648 (no padding, lower case)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('mzxw6ytboi');
    expect(Buffer.from(base32Decode('MZXW6YTBOI')!).toString()).toBe('foobar');
    expect(base32Decode('not base32!')).toBeUndefined();
  });

  it('makes 28-character access key IDs and 53-character secrets behind their version bytes', () => {
    const key = newAccessKey();
    expect(key.id).toMatch(/^[a-z2-7]{28}$/);
    expect(base32Decode(key.id)![0]).toBe(ACCESS_KEY_VERSION);
    expect(parseAccessKeyId(key.id)!.bytes).toEqual(key.bytes);
    const secret = newSecretKey();
    expect(secret).toMatch(/^[a-z2-7]{53}$/);
    expect(base32Decode(secret)![0]).toBe(SECRET_KEY_VERSION);
    expect(parseAccessKeyId(secret)).toBeUndefined();
    expect(parseAccessKeyId('AKIAIOSFODNN7EXAMPLE')).toBeUndefined();
  });

  it('seals with AES-256-GCM: distinct nonces, tampering detected', () => {
    const key = new Uint8Array(randomBytes(32));
    const a = seal(key, GRANT_NONCE, 'same text');
    expect(Buffer.from(a).equals(Buffer.from(seal(key, SECRET_NONCE, 'same text')))).toBe(false);
    expect(open(key, GRANT_NONCE, a)).toBe('same text');
    a[0] ^= 1;
    expect(() => open(key, GRANT_NONCE, a)).toThrow(/does not open/);
  });
});

describe('register and lookup', () => {
  it('stores a grant only the access key opens; the database file holds none of the secrets', () => {
    const { db, dir } = tempDb();
    const text = grant();
    const registered = register(db, text, false);
    expect(lookup(db, registered.accessKeyId)).toEqual({ accessGrant: text, secretKey: registered.secretKey, public: false });
    db.close();
    const bytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
    const key = parseAccessKeyId(registered.accessKeyId)!;
    for (const secret of [text, registered.secretKey, registered.accessKeyId]) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.includes(Buffer.from(secret.slice(10, 40)))).toBe(false);
    }
    expect(bytes.includes(Buffer.from(key.bytes))).toBe(false);
  });

  it('refuses bad grants, expiring grants, unknown, expired and invalidated keys', () => {
    const { db } = tempDb();
    expect(() => register(db, 'not a grant', false)).toThrow(AuthError);
    expect(() => register(db, grant(new Date(Date.now() + 30_000)), false)).toThrow(/within a minute/);
    expect(() => register(db, grant(), false, { allowedSatellites: ['1SomeOtherSatellite@127.0.0.1:1'] })).toThrow(/does not serve/);
    const soon = register(db, grant(new Date(Date.now() + 120_000)), false);
    expect(lookup(db, soon.accessKeyId).secretKey).toBe(soon.secretKey);
    expect(() => lookup(db, soon.accessKeyId, Date.now() + 121_000)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => lookup(db, newAccessKey().id)).toThrow(expect.objectContaining({ status: 404 }));
    const ok = register(db, grant(), true);
    invalidate(db, ok.accessKeyId, 'leaked');
    expect(() => lookup(db, ok.accessKeyId)).toThrow(/invalidated: leaked/);
    db.close();
  });
});

describe('auth.db made before it had migrations', () => {
  it('is adopted as it is: its records stay readable and new ones register', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcsim-auth-'));
    dirs.push(dir);
    const file = join(dir, AUTH_DB_FILE);
    const old = new BetterSqlite3(file);
    old.exec(readFileSync(new URL('./fixtures/auth-db-before-migrations.sql', import.meta.url), 'utf8'));
    const hash = randomBytes(32);
    old
      .prepare(
        `INSERT INTO records (key_hash, created_at, public, satellite_address, macaroon_head, expires_at, encrypted_secret_key,
          encrypted_access_grant, invalidation_reason, invalidated_at) VALUES (?, 1, 0, ?, x'01', NULL, x'02', x'03', NULL, NULL)`,
      )
      .run(hash, SATELLITE);
    old.close();

    const db = new AuthDb(file);
    expect(db.get(hash)).toMatchObject({ createdAt: 1, satelliteAddress: SATELLITE, invalidatedAt: null });
    const registered = register(db, grant(), false);
    expect(lookup(db, registered.accessKeyId).secretKey).toBe(registered.secretKey);
    db.close();
    const check = new BetterSqlite3(file, { readonly: true });
    expect(check.prepare('SELECT name FROM migrations').pluck().all()).toEqual(AUTH_MIGRATIONS.map((m) => m.name));
    check.close();
  });
});
