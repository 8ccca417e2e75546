/**
 * The `authservice` process over real HTTP: Storj's API and status codes, the bearer token on lookups,
 * hostile bodies refused while it keeps serving, and logs that never carry the grant, the secret or the
 * access key ID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIKey, CipherSuite, Store, serializeAccess } from '@dcsim/crypto';
import { AuthClient, AuthError, accessKeyIdText } from '../src/index.js';

const SATELLITE = '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S@127.0.0.1:7777';
const TOKEN = 'gateway-token';
const dir = mkdtempSync(join(tmpdir(), 'dcsim-authservice-'));
let child: ChildProcess;
let url: string;
let stderr = '';

beforeAll(async () => {
  const bin = new URL('../bin/authservice.js', import.meta.url).pathname;
  child = spawn(
    process.execPath,
    [bin, 'run', '--dir', dir, '--listen', '127.0.0.1:0', '--endpoint', 'http://127.0.0.1:9999', '--allowed-satellite', SATELLITE],
    { env: { ...process.env, AUTHSERVICE_AUTH_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`authservice exited (${code}): ${stderr}`)));
  });
  url = (JSON.parse(line.replace(/^READY /, '')) as { url: string }).url;
}, 60_000);

afterAll(() => {
  child?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function grant(): string {
  const store = new Store({ defaultKey: new Uint8Array(randomBytes(32)), defaultPathCipher: CipherSuite.AESGCM });
  return serializeAccess({ satelliteAddress: SATELLITE, apiKey: APIKey.generate(new Uint8Array(randomBytes(32))), encAccess: { store } });
}

const post = (body: string) => fetch(`${url}/v1/access`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
const get = (id: string, token: string | null = TOKEN) =>
  fetch(`${url}/v1/access/${id}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });

describe('authservice over HTTP', () => {
  it('registers a grant and gives it back to a gateway holding the token', async () => {
    const text = grant();
    const res = await post(JSON.stringify({ access_grant: text, public: false }));
    expect(res.status).toBe(200);
    const creds = (await res.json()) as { access_key_id: string; secret_key: string; endpoint: string };
    expect(creds.endpoint).toBe('http://127.0.0.1:9999');
    expect(creds.access_key_id).toMatch(/^[a-z2-7]{28}$/);

    const found = await get(creds.access_key_id);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({ access_grant: text, secret_key: creds.secret_key, public: false });

    expect((await get(creds.access_key_id, null)).status).toBe(401);
    expect((await get(creds.access_key_id, 'wrong-token')).status).toBe(401);
    // Nothing secret reached the log.
    for (const secret of [text, creds.secret_key, creds.access_key_id, TOKEN]) expect(stderr).not.toContain(secret);
  });

  it('answers bad input with Storj status codes and keeps serving', async () => {
    expect((await post('{not json')).status).toBe(422);
    expect((await post(JSON.stringify({ access_grant: 42 }))).status).toBe(422);
    const bad = await post(JSON.stringify({ access_grant: 'not a grant' }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/grant/);
    expect((await post(JSON.stringify({ access_grant: 'x'.repeat(5000) }))).status).toBe(413);
    expect((await get('tooshort')).status).toBe(400);
    expect((await get('j'.repeat(28))).status).toBe(400); // not an access key ID: wrong version byte
    expect((await get(accessKeyIdText(new Uint8Array(randomBytes(16))))).status).toBe(401); // well formed, unknown
    expect((await fetch(`${url}/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${url}/v1/access`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${url}/v1/health/startup`)).status).toBe(200);
    expect((await fetch(`${url}/v1/health/live`)).status).toBe(200);
  });
});

describe('AuthClient (what a gateway uses)', () => {
  it('looks credentials up, caches them sealed under the access key, and names bad keys', async () => {
    const text = grant();
    const creds = (await (await post(JSON.stringify({ access_grant: text }))).json()) as { access_key_id: string; secret_key: string };
    const client = new AuthClient(url, TOKEN);
    const want = { accessGrant: text, secretKey: creds.secret_key, public: false };
    expect(await client.lookup(creds.access_key_id)).toEqual(want);
    expect(await client.lookup(creds.access_key_id)).toEqual(want); // from the cache
    for (const entry of client.cachedEntries()) {
      const raw = Buffer.concat([entry.encryptedAccessGrant, entry.encryptedSecretKey]);
      expect(raw.includes(Buffer.from(text.slice(0, 40)))).toBe(false);
      expect(raw.includes(Buffer.from(creds.secret_key.slice(0, 20)))).toBe(false);
    }
    await expect(client.lookup(accessKeyIdText(new Uint8Array(randomBytes(16))))).rejects.toThrow(AuthError);
    await expect(client.lookup('short')).rejects.toThrow(/28 characters/);
    await expect(new AuthClient(url, 'wrong').lookup(creds.access_key_id)).rejects.toThrow(/unauthorized/);
  });
});
