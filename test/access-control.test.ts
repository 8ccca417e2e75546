/**
 * Access control end to end, as a security reviewer would probe it, on one real network: grants made by
 * `uplink share` and `uplink access restrict` (real CLI processes), used through the uplink library against
 * the real satellite. Each caveat refuses exactly what it forbids; a child grant can only narrow its parent;
 * a shared prefix carries only the keys for that prefix; revocation reaches every descendant at once;
 * projects and API keys are separate worlds; hostile keys are refused while the satellite keeps serving.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { CipherSuite } from '@dcsim/crypto/encryption';
import { parseAccess, serializeAccess, type AccessGrant } from '@dcsim/crypto/grant';
import { APIKey, Macaroon, serializeMacaroon } from '@dcsim/crypto/macaroon';
import {
  AccessDeniedError,
  InvalidAccessError,
  ObjectNotFoundError,
  Project,
  RevokedError,
  requestAccess,
  type ListItem,
} from '@dcsim/uplink';
import { ok, useTempDir, useTestnet } from './support/fixtures.js';
import { collect, readAll } from './support/streams.js';

const utf8 = new TextEncoder();
const CONTENT = { 'docs/a.txt': 'alpha', 'docs/b.txt': 'bravo', 'docs/deep/c.txt': 'charlie', 'other/d.txt': 'delta' };

// One network for the whole file: started once, torn down after the last test.
const net = useTestnet({ nodes: 4 });
const configDirs = useTempDir('dcsim-acl-config-');

beforeAll(async () => {
  const owner = await net().uplink();
  for (const bucket of ['acl', 'acl2', 'acl3']) await owner.createBucket(bucket);
  for (const [key, text] of Object.entries(CONTENT)) await owner.upload('acl', key, utf8.encode(text));
  await owner.upload('acl2', 'x.txt', utf8.encode('x-ray'));
}, 120_000);

// Helpers

/** `uplink share <args>` with the owner's grant (or `from`); returns the printed grant. */
async function share(args: string[], from?: string): Promise<string> {
  const run = ok(await net().runUplink(['share', ...args], from ? { env: { UPLINK_ACCESS: from } } : {}));
  return /^Access\s*: (\S+)$/m.exec(run.stdout)![1];
}

/** `uplink access restrict <args>` of `parent`; returns the printed grant. */
async function restrict(parent: string, args: string[]): Promise<string> {
  const run = ok(await net().runUplink(['access', 'restrict', ...args], { env: { UPLINK_ACCESS: parent } }));
  return run.stdout
    .trim()
    .split('\n')
    .at(-1)!
    .replace(/^Access\s*:\s*/, '');
}

/** A project for a grant; a parsed grant is used as is (serializing would let LimitTo drop keys). */
async function open(grant: string | AccessGrant): Promise<Project> {
  return net().uplink(grant);
}

async function text(project: Project, bucket: string, key: string): Promise<string> {
  return (await readAll(project.download(bucket, key))).toString('utf8');
}

async function keys(project: Project, bucket: string, prefix = ''): Promise<string[]> {
  return (await collect(project.list(bucket, { prefix, recursive: true }))).map((item) => item.key).sort();
}

async function bucketNames(project: Project): Promise<string[]> {
  return (await collect(project.listBuckets())).map((b) => b.name).sort();
}

/** The four operations a caveat's disallow flags govern, each on a fresh object under `docs/`. */
async function tryOperations(grant: string, tag: string): Promise<Record<'read' | 'write' | 'list' | 'delete', boolean>> {
  const owner = await net().uplink();
  await owner.upload('acl', `docs/victim-${tag}.txt`, utf8.encode('to delete'));
  const project = await open(grant);
  const attempt = async (fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (err) {
      expect(err).toBeInstanceOf(AccessDeniedError);
      return false;
    }
  };
  return {
    read: await attempt(() => text(project, 'acl', 'docs/a.txt')),
    write: await attempt(() => project.upload('acl', `docs/new-${tag}.txt`, utf8.encode('new'))),
    list: await attempt(() => keys(project, 'acl', 'docs/')),
    delete: await attempt(() => project.delete('acl', `docs/victim-${tag}.txt`)),
  };
}

async function refused(promise: Promise<unknown>, type: new (...args: never[]) => Error, message?: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the operation should have been refused').toBeInstanceOf(type);
  if (message) expect((err as Error).message).toMatch(message);
}

// Tests

describe('caveats through `uplink share`', () => {
  it('each disallow flag refuses exactly its operation, and nothing else', { timeout: 120_000 }, async () => {
    const all = { read: true, write: true, list: true, delete: true };
    for (const op of ['read', 'write', 'list', 'delete'] as const) {
      const flag = { read: 'reads', write: 'writes', list: 'lists', delete: 'deletes' }[op];
      const grant = await share(['--readonly=false', `--disallow-${flag}`, 'sj://acl/docs/']);
      expect(await tryOperations(grant, flag)).toEqual({ ...all, [op]: false });
    }
    expect(await tryOperations(await share(['sj://acl/docs/']), 'readonly')).toEqual({
      read: true,
      list: true,
      write: false,
      delete: false,
    });
    expect(await tryOperations(await share(['--readonly=false', '--writeonly', 'sj://acl/docs/']), 'writeonly')).toEqual({
      read: false,
      list: false,
      write: true,
      delete: true,
    });
  });

  it('allowed paths: any of several prefixes and buckets, nothing outside them', { timeout: 60_000 }, async () => {
    const project = await open(await share(['sj://acl/docs/', 'sj://acl2/']));
    expect(await text(project, 'acl', 'docs/deep/c.txt')).toBe('charlie');
    expect(await text(project, 'acl2', 'x.txt')).toBe('x-ray');
    expect(await keys(project, 'acl', 'docs/')).toContain('docs/b.txt');
    // Outside: another prefix of the same bucket, and a third bucket. The key store lacks their keys too,
    // so ask the satellite with the owner's keys and the shared macaroon: the caveat alone must refuse.
    const owner = parseAccess(net().access);
    const sharedKey = parseAccess(await share(['sj://acl/docs/', 'sj://acl2/'])).apiKey;
    const probe = await open({ ...owner, apiKey: sharedKey });
    await refused(text(probe, 'acl', 'other/d.txt'), AccessDeniedError, /allowed paths/);
    await refused(keys(probe, 'acl3'), AccessDeniedError);
    await refused(probe.upload('acl3', 'new.txt', utf8.encode('no')), AccessDeniedError);
    // Bucket listings show only the allowed buckets.
    expect(await bucketNames(probe)).toEqual(['acl', 'acl2']);
  });

  it('not-before and not-after bound the grant in time', { timeout: 60_000 }, async () => {
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const inHour = new Date(Date.now() + 3_600_000).toISOString();
    const expired = await open(await share(['--not-after', hourAgo, 'sj://acl/docs/']));
    await refused(text(expired, 'acl', 'docs/a.txt'), AccessDeniedError, /expired/);
    const early = await open(await share(['--not-before', inHour, 'sj://acl/docs/']));
    await refused(text(early, 'acl', 'docs/a.txt'), AccessDeniedError, /not valid before/);
    const current = await open(await share(['--not-before', hourAgo, '--not-after', inHour, 'sj://acl/docs/']));
    expect(await text(current, 'acl', 'docs/a.txt')).toBe('alpha');
  });

  it('max object TTL: uploads expire, and expired objects are neither listed nor downloadable', { timeout: 60_000 }, async () => {
    const project = await open(await share(['--readonly=false', '--max-object-ttl', '3s', 'sj://acl/ttl/']));
    const uploadedAt = Date.now();
    await project.upload('acl', 'ttl/short.txt', utf8.encode('short-lived'));
    const info = await project.stat('acl', 'ttl/short.txt');
    expect(info.expires).toBeInstanceOf(Date);
    expect(info.expires!.getTime()).toBeLessThanOrEqual(uploadedAt + 3_000 + 1_000);
    expect(await text(project, 'acl', 'ttl/short.txt')).toBe('short-lived');

    await net().advanceTime('4s'); // past the TTL on the network's clock: no waiting
    expect(await keys(project, 'acl', 'ttl/')).toEqual([]);
    await refused(text(project, 'acl', 'ttl/short.txt'), ObjectNotFoundError);
  });
});

describe('a child grant can only narrow its parent', () => {
  it('refuses every attempt to widen: other bucket, shorter prefix, more operations, later time', { timeout: 120_000 }, async () => {
    // Parent: read-only on acl/docs/.
    const parent = await share(['sj://acl/docs/']);
    const owner = parseAccess(net().access);
    // Each child goes through the satellite with the owner's encryption keys, so only macaroon caveats decide.
    const probe = async (child: string) => open({ ...owner, apiKey: parseAccess(child).apiKey });

    const otherBucket = await probe(await restrict(parent, ['--readonly=true', '--prefix', 'sj://acl2/']));
    await refused(text(otherBucket, 'acl2', 'x.txt'), AccessDeniedError);

    const shorterPrefix = await probe(await restrict(parent, ['--readonly=true', '--prefix', 'sj://acl/']));
    await refused(text(shorterPrefix, 'acl', 'other/d.txt'), AccessDeniedError);
    expect(await text(shorterPrefix, 'acl', 'docs/a.txt')).toBe('alpha'); // the intersection still works

    const moreOps = await probe(await restrict(parent, ['--readonly=false', '--prefix', 'sj://acl/docs/']));
    await refused(moreOps.upload('acl', 'docs/widened.txt', utf8.encode('no')), AccessDeniedError);
    await refused(moreOps.delete('acl', 'docs/a.txt'), AccessDeniedError);

    const expiredParent = await share(['--not-after', new Date(Date.now() - 60_000).toISOString(), 'sj://acl/docs/']);
    const laterTime = await probe(await restrict(expiredParent, ['--not-after', '+24h']));
    await refused(text(laterTime, 'acl', 'docs/a.txt'), AccessDeniedError, /expired/);

    // Hand-made: a caveat that "allows everything" appended to the chain changes nothing.
    const parentKey = parseAccess(parent).apiKey;
    const allowAll = await probe(serializeAccess({ ...owner, apiKey: parentKey.restrict({ nonce: randomBytes(4) }) }));
    await refused(allowAll.upload('acl', 'docs/widened.txt', utf8.encode('no')), AccessDeniedError);
    expect(await text(allowAll, 'acl', 'docs/a.txt')).toBe('alpha');
  });
});

describe('encryption sharing', () => {
  it("a prefix grant carries only that prefix's keys: it reads its subtree and nothing else", { timeout: 60_000 }, async () => {
    const grant = await share(['sj://acl/docs/']);
    const shared = await open(grant);
    const listed = await keys(shared, 'acl', 'docs/');
    expect(listed).toEqual(expect.arrayContaining(['docs/a.txt', 'docs/b.txt', 'docs/deep/c.txt']));
    expect(listed.every((k) => k.startsWith('docs/'))).toBe(true);
    expect(await text(shared, 'acl', 'docs/deep/c.txt')).toBe('charlie');

    // The shared key store with the owner's unrestricted macaroon: the satellite hands over everything,
    // yet nothing outside docs/ decrypts, names or content.
    const sharedStore = parseAccess(grant).encAccess;
    const curious = await open({ ...parseAccess(net().access), encAccess: sharedStore });
    const visible = await keys(curious, 'acl');
    expect(visible.every((k) => k.startsWith('docs/'))).toBe(true);
    expect(visible).toContain('docs/a.txt');
    await expect(text(curious, 'acl', 'other/d.txt')).rejects.toThrow();
    await expect(text(curious, 'acl2', 'x.txt')).rejects.toThrow();
    // Even the raw encrypted listing, with the encrypted keys in hand, yields no plaintext name.
    const encrypted: string[] = [];
    for await (const item of curious.list('acl', { recursive: true, encrypted: true }) as AsyncGenerator<ListItem>)
      encrypted.push(item.key);
    expect(encrypted.length).toBeGreaterThan(visible.length);
    expect(encrypted.join(' ')).not.toMatch(/other|delta/);
  });

  it('sharing a single object gives that object only', { timeout: 60_000 }, async () => {
    const shared = await open(await share(['sj://acl/docs/a.txt']));
    expect(await text(shared, 'acl', 'docs/a.txt')).toBe('alpha');
    await expect(text(shared, 'acl', 'docs/b.txt')).rejects.toThrow();
  });

  it('a grant shared by one uplink works in another process with its own config dir', { timeout: 60_000 }, async () => {
    const grant = await share(['sj://acl/docs/']);
    const configDir = join(configDirs(), 'friend');
    const env = { UPLINK_ACCESS: '' };
    ok(await net().runUplink(['access', 'import', '--config-dir', configDir, 'from-owner', grant], { env }));
    const got = ok(await net().runUplink(['cp', '--config-dir', configDir, '--access', 'from-owner', 'sj://acl/docs/b.txt', '-'], { env }));
    expect(got.stdout).toBe('bravo');
  });
});

describe('revocation', () => {
  it(
    'refuses the revoked grant and every grant derived from it at every endpoint; the parent keeps working',
    { timeout: 120_000 },
    async () => {
      const child = await share(['--readonly=false', 'sj://acl/']);
      const grandchild = await restrict(child, ['--readonly=true', '--prefix', 'sj://acl/docs/']);
      const sibling = await share(['sj://acl/docs/']);
      // Before: both work.
      expect(await text(await open(grandchild), 'acl', 'docs/a.txt')).toBe('alpha');

      // A child may not revoke its parent, nor a sibling.
      await refused((await open(child)).revokeAccess(net().access), AccessDeniedError);
      await refused((await open(sibling)).revokeAccess(child), AccessDeniedError);

      ok(await net().runUplink(['access', 'revoke', child]));
      for (const grant of [child, grandchild]) {
        const project = await open(grant);
        await refused(text(project, 'acl', 'docs/a.txt'), RevokedError);
        await refused(keys(project, 'acl', 'docs/'), RevokedError);
        await refused(project.upload('acl', 'docs/after-revoke.txt', utf8.encode('no')), RevokedError);
        await refused(project.delete('acl', 'docs/a.txt'), RevokedError);
        await refused(project.stat('acl', 'docs/a.txt'), RevokedError);
        await refused(bucketNames(project), RevokedError);
        await refused(project.createBucket('revoked-made'), RevokedError);
      }
      const owner = await net().uplink();
      expect(await text(owner, 'acl', 'docs/a.txt')).toBe('alpha');
      expect(await text(await open(sibling), 'acl', 'docs/b.txt')).toBe('bravo');
    },
  );
});

describe('projects and API keys', () => {
  it('keeps projects apart, gives each key its own project, and stops a deleted key', { timeout: 120_000 }, async () => {
    const other = await net().admin('create-project', ['--name', 'other-team']);
    const otherKey = await net().admin('create-api-key', ['--project', String(other.projectId), '--name', 'ci']);
    const otherGrant = await requestAccess(net().satelliteUrl, String(otherKey.apiKey), 'another passphrase');
    const otherProject = await open(otherGrant);

    // Bucket names are per project: "acl" exists in the first project and can be made again here.
    await otherProject.createBucket('acl');
    expect(await keys(otherProject, 'acl')).toEqual([]);
    await otherProject.upload('acl', 'docs/a.txt', utf8.encode('not alpha'));
    expect(await text(otherProject, 'acl', 'docs/a.txt')).toBe('not alpha');
    expect(await text(await net().uplink(), 'acl', 'docs/a.txt')).toBe('alpha');
    expect(await bucketNames(otherProject)).toEqual(['acl']);

    // The other project's key with the first project's encryption keys still only reaches its own project.
    const crossed = await open({ ...parseAccess(net().access), apiKey: otherGrant.apiKey });
    await refused(text(crossed, 'acl2', 'x.txt'), Error);
    expect(await bucketNames(crossed)).toEqual(['acl']);

    // A second key of the first project works there; deleted, it stops, and its children with it.
    const second = await net().admin('create-api-key', ['--project', net().projectId, '--name', 'second']);
    const secondGrant = await requestAccess(net().satelliteUrl, String(second.apiKey), net().passphrase);
    expect(await text(await open(secondGrant), 'acl', 'docs/a.txt')).toBe('alpha');
    const secondChild = await share(['sj://acl/docs/'], serializeAccess(secondGrant));
    await net().admin('delete-api-key', ['--id', String(second.id)]);
    await refused(text(await open(secondGrant), 'acl', 'docs/a.txt'), InvalidAccessError, /not known to this satellite/);
    await refused(text(await open(secondChild), 'acl', 'docs/a.txt'), InvalidAccessError, /not known to this satellite/);
    expect(await text(await net().uplink(), 'acl', 'docs/a.txt')).toBe('alpha');
  });
});

describe('path encryption opt-out', () => {
  it(
    'a grant with the null path cipher stores readable keys, listed in lexical order; the default stays encrypted',
    { timeout: 60_000 },
    async () => {
      const plainGrant = await requestAccess(net().satelliteUrl, net().apiKey, net().passphrase, { pathCipher: CipherSuite.Null });
      const project = await open(plainGrant);
      await project.createBucket('plain-keys');
      const names = ['zebra.txt', 'apple.txt', 'mango/1.txt', 'Banana.txt', 'mango/0.txt'];
      for (const name of names) await project.upload('plain-keys', name, utf8.encode(name));
      expect(await keys(project, 'plain-keys')).toEqual([...names].sort());

      const listed: string[] = [];
      for await (const item of project.list('plain-keys', { recursive: true }) as AsyncGenerator<ListItem>) listed.push(item.key);
      expect(listed).toEqual([...names].sort()); // the satellite's order is already lexical

      // What the satellite stored: the plain keys for this bucket, ciphertext for the default-encrypted one.
      const db = new BetterSqlite3(join(net().satelliteDir, 'satellite.db'), { readonly: true, fileMustExist: true });
      try {
        const stored = (bucket: string) =>
          (db.prepare('SELECT encrypted_key AS k FROM objects WHERE bucket = ?').all(bucket) as { k: Uint8Array }[]).map((r) =>
            Buffer.from(r.k).toString('utf8'),
          );
        expect(stored('plain-keys').sort()).toEqual([...names].sort());
        expect(stored('acl').some((k) => k.includes('docs') || k.includes('a.txt'))).toBe(false);
      } finally {
        db.close();
      }
    },
  );
});

describe('hostile keys', () => {
  it('refuses truncated, tampered, unknown-field, oversized and foreign keys, and keeps serving', { timeout: 60_000 }, async () => {
    const owner = parseAccess(net().access);
    const withKey = (raw: Uint8Array | APIKey) => open({ ...owner, apiKey: raw instanceof APIKey ? raw : APIKey.fromBytes(raw) });
    const child = parseAccess(await share(['sj://acl/docs/'])).apiKey;
    const raw = child.rawBytes();

    // Tampered: one byte of a caveat flipped (disallow_writes true → false): the tail no longer verifies.
    const tampered = raw.slice();
    const at = Buffer.from(tampered).indexOf(Buffer.from([0x10, 0x01]), 36); // after the 32-byte head
    expect(at).toBeGreaterThan(0);
    tampered[at + 1] = 0;
    await refused(text(await withKey(tampered), 'acl', 'docs/a.txt'), InvalidAccessError, /invalid API key/);

    // Truncated: the uplink refuses to even parse it.
    expect(() => APIKey.fromBytes(raw.slice(0, raw.length - 5))).toThrow(/invalid API key/);

    // A caveat with a field no satellite version knows (field 99): it might restrict something, so refused.
    const unknown = serializeMacaroon(child.macaroon.addFirstPartyCaveat(new Uint8Array([0x98, 0x06, 0x01])));
    await refused(text(await withKey(unknown), 'acl', 'docs/a.txt'), AccessDeniedError, /does not understand/);

    // A chain of 5,000 caveats: refused before the satellite spends an HMAC per caveat.
    let long = child.macaroon;
    for (let i = 0; i < 5_000; i++) long = long.addFirstPartyCaveat(new Uint8Array([0xf2, 0x01, 0x02, i & 0xff, i >> 8]));
    await refused(
      text(await withKey(serializeMacaroon(long)), 'acl', 'docs/a.txt'),
      InvalidAccessError,
      /5001 caveats, more than the 1000/,
    );

    // A key minted by another satellite (another secret, unknown head).
    const foreign = APIKey.generate(randomBytes(32));
    await refused(text(await withKey(foreign), 'acl', 'docs/a.txt'), InvalidAccessError, /not known to this satellite/);
    // Our head, but signed with a guessed secret.
    const forged = serializeMacaroon(Macaroon.newUnrestricted(randomBytes(32), child.head()));
    await refused(text(await withKey(forged), 'acl', 'docs/a.txt'), InvalidAccessError, /invalid API key/);

    // Still serving.
    expect(await text(await net().uplink(), 'acl', 'docs/a.txt')).toBe('alpha');
  });
});
