/**
 * The auth service over a real SQLite file: what a registration returns, what a lookup gives back, and
 * what the database holds: a copy of auth.db alone contains neither the grant nor the secret key, in any
 * encoding, so it decrypts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APIKey, CipherSuite, Store, serializeAccess } from '@dcsim/crypto';
import { AuthError, AuthService, DATABASE_FILE, Records } from '../src/index.js';

const SATELLITE = '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S@127.0.0.1:7777';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function open(now?: () => number) {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-auth-'));
  dirs.push(dir);
  const records = new Records(join(dir, DATABASE_FILE));
  return { dir, records, service: new AuthService(records, [SATELLITE], now) };
}

function grant(options: { satellite?: string; notAfter?: Date } = {}): string {
  let apiKey = APIKey.generate(new Uint8Array(randomBytes(32)));
  if (options.notAfter) apiKey = apiKey.restrict({ notAfter: options.notAfter });
  const store = new Store({ defaultKey: new Uint8Array(randomBytes(32)), defaultPathCipher: CipherSuite.AESGCM });
  return serializeAccess({ satelliteAddress: options.satellite ?? SATELLITE, apiKey, encAccess: { store } });
}

describe('auth service', () => {
  it('gives back the grant and secret for the access key ID it handed out', () => {
    const { service } = open();
    const text = grant();
    const creds = service.register(text, true);
    expect(service.lookup(creds.accessKeyId)).toEqual({ accessGrant: text, secretKey: creds.secretKey, public: true });
    // A second registration of the same grant gets new, unrelated credentials.
    const again = service.register(text, false);
    expect(again.accessKeyId).not.toBe(creds.accessKeyId);
    expect(again.secretKey).not.toBe(creds.secretKey);
  });

  it('keeps nothing in auth.db that reveals the grant or the secret key', () => {
    const { dir, records, service } = open();
    const text = grant();
    const creds = service.register(text, false);
    records.sql.pragma('wal_checkpoint(TRUNCATE)');
    records.close();
    const secretBytes = Buffer.from(creds.secretKey); // the text form S3 clients sign with
    const needles = [text, creds.secretKey, creds.accessKeyId, creds.accessKeyId.toUpperCase(), text.slice(10, 60)];
    for (const file of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, file));
      for (const needle of needles) expect(bytes.includes(Buffer.from(needle)), `${file} holds ${needle.slice(0, 12)}…`).toBe(false);
      expect(bytes.includes(Buffer.from(text).toString('base64').slice(8, 48))).toBe(false);
      expect(bytes.includes(secretBytes.subarray(0, 20))).toBe(false);
    }
    // Reopened, the record is still found with the key and only with it.
    const reopened = new Records(join(dir, DATABASE_FILE));
    expect(new AuthService(reopened, [SATELLITE]).lookup(creds.accessKeyId).accessGrant).toBe(text);
    reopened.close();
  });

  it('refuses malformed grants, other satellites and grants about to expire', () => {
    const { service } = open();
    const refused = (fn: () => unknown, message: RegExp) => {
      expect(fn).toThrow(AuthError);
      expect(fn).toThrow(message);
    };
    refused(() => service.register('not a grant', false), /invalid access grant|base58/);
    refused(() => service.register(grant({ satellite: SATELLITE.replace('7777', '7778') }), false), /does not serve/);
    refused(() => service.register(grant({ notAfter: new Date(Date.now() + 30_000) }), false), /expires within a minute/);
    expect(() => service.register(grant({ notAfter: new Date(Date.now() + 3_600_000) }), false)).not.toThrow();
  });

  it('answers unauthorized for unknown, expired and invalidated keys', () => {
    let now = Date.now();
    const { service } = open(() => now);
    const expiring = service.register(grant({ notAfter: new Date(now + 120_000) }), false);
    const invalidated = service.register(grant(), false);
    service.invalidate(invalidated.accessKeyId, 'leaked in a screenshot');
    const unknown = open().service.register(grant(), false).accessKeyId;

    const unauthorized = (id: string, message: RegExp) => {
      const err = (() => {
        try {
          service.lookup(id);
        } catch (e) {
          return e as AuthError;
        }
      })();
      expect(err?.kind).toBe('unauthorized');
      expect(err?.message).toMatch(message);
    };
    unauthorized(unknown, /unknown access key ID/);
    unauthorized(invalidated.accessKeyId, /invalidated: leaked in a screenshot/);
    expect(service.lookup(expiring.accessKeyId).accessGrant).toBeTruthy();
    now += 121_000;
    unauthorized(expiring.accessKeyId, /expired/);
  });
});
