/**
 * The uplink CLI without a network: location parsing, flags, times, the config dir and its saved accesses,
 * and the permission flags of `share`/`access restrict` as they end up in the macaroon's caveat (read back
 * with `access inspect`). CLI runs are real processes of the bundled CLI, as the end-to-end tests run it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CipherSuite, Store } from '@dcsim/crypto/encryption';
import { serializeAccess } from '@dcsim/crypto/grant';
import { APIKey } from '@dcsim/crypto/macaroon';
import { runUplink } from '../../../test/harness.js';
import { useTempDir } from '../../../test/support/fixtures.js';
import { parseRange, rangeWithin } from '../src/cli/byte-range.js';
import { accessFile, configDir, loadAccessConfig, saveAccessConfig } from '../src/cli/config.js';
import { resolveAccess } from '../src/cli/access-source.js';
import { localPathFor, parseMetadata } from '../src/cli/cp.js';
import { normalizeBooleanFlags } from '../src/cli/flags.js';
import { formatDuration, formatTime, parseDuration, parseHumanDate } from '../src/cli/human-date.js';
import { goJson } from '../src/cli/meta-get.js';
import { permissionFromOptions } from '../src/cli/permissions.js';
import { baseName, parentPrefix, parseBucketUrl, parseLocation, parseSjUrl } from '../src/cli/sj-url.js';
import { formatColumns } from '../src/cli/tabbed.js';

const SATELLITE = '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S@127.0.0.1:7777';

function makeGrant(): string {
  const store = new Store({ defaultKey: new Uint8Array(randomBytes(32)), defaultPathCipher: CipherSuite.AESGCM });
  return serializeAccess({ satelliteAddress: SATELLITE, apiKey: APIKey.generate(new Uint8Array(randomBytes(32))), encAccess: { store } });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const dir = useTempDir('uplink-cli-');
const grant = makeGrant();

/** Runs the CLI with its own config dir and no access in the environment. */
async function uplink(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const { code, stdout, stderr } = await runUplink(['--config-dir', join(dir(), 'config'), ...args], {
    env: { UPLINK_ACCESS: '', ...env },
  });
  return { code, stdout, stderr };
}

function caveatsOf(inspected: string): Record<string, unknown>[] {
  return (JSON.parse(inspected) as { macaroon: { caveats: Record<string, unknown>[] } }).macaroon.caveats;
}

describe('locations', () => {
  it('parses sj:// URLs, local paths and -', () => {
    expect(parseSjUrl('sj://photos/2024/cat.jpg')).toEqual({ bucket: 'photos', key: '2024/cat.jpg' });
    expect(parseSjUrl('sj://photos')).toEqual({ bucket: 'photos', key: '' });
    expect(parseSjUrl('sj://photos/')).toEqual({ bucket: 'photos', key: '' });
    expect(() => parseSjUrl('sj://')).toThrow(/names no bucket/);
    expect(() => parseSjUrl('sj://photos/', { requireKey: true })).toThrow(/names no object key/);
    expect(() => parseSjUrl('/tmp/x')).toThrow(/not an sj:\/\/bucket\/key location/);
    expect(parseBucketUrl('sj://photos')).toBe('photos');
    expect(() => parseBucketUrl('sj://photos/cat.jpg')).toThrow(/names an object key/);
    expect(parseLocation('-')).toEqual({ kind: 'std' });
    expect(parseLocation('./a/b.txt')).toEqual({ kind: 'local', path: './a/b.txt' });
    expect(parseLocation('sj://b/k')).toEqual({ kind: 'remote', bucket: 'b', key: 'k' });
  });

  it('splits keys the way listings and copies need', () => {
    expect(parentPrefix('photos/2024/ca')).toBe('photos/2024/');
    expect(parentPrefix('photos/')).toBe('photos/');
    expect(parentPrefix('cat')).toBe('');
    expect(baseName('a/b/c.txt')).toBe('c.txt');
    expect(baseName('a/b/')).toBe('b');
  });

  it('refuses object keys that would escape a local directory', () => {
    expect(localPathFor('/out', 'a/b.txt')).toBe(join('/out', 'a', 'b.txt'));
    expect(() => localPathFor('/out', '../../etc/passwd')).toThrow(/cannot be a local file name/);
    expect(() => localPathFor('/out', 'a//b')).toThrow(/cannot be a local file name/);
  });
});

describe('flags', () => {
  it('reads byte ranges as Storj does', () => {
    expect(parseRange('bytes=0-99')).toEqual({ offset: 0, length: 100 });
    expect(parseRange('bytes=100-')).toEqual({ offset: 100 });
    expect(parseRange('bytes=-10')).toEqual({ suffix: 10 });
    expect(rangeWithin({ suffix: 10 }, 4)).toEqual({ offset: 0, length: 4 });
    expect(rangeWithin({ offset: 5, length: 100 }, 10)).toEqual({ offset: 5, length: 5 });
    expect(() => parseRange('bytes=5-1')).toThrow(/5 > 1/);
    expect(() => parseRange('bytes=0-1,5-6')).toThrow(/single range/);
    expect(() => parseRange('bytes=x-1')).toThrow(/not a byte offset/);
  });

  it('reads times: relative, RFC 3339, local with rounding up for not-after, none', () => {
    const now = Date.UTC(2030, 0, 2, 12, 0, 0);
    expect(parseHumanDate('+1h', 'down', now)?.getTime()).toBe(now + 3_600_000);
    expect(parseHumanDate('-30m', 'down', now)?.getTime()).toBe(now - 1_800_000);
    expect(parseHumanDate('+2d', 'down', now)?.getTime()).toBe(now + 2 * 86_400_000);
    expect(parseHumanDate('now', 'down', now)?.getTime()).toBe(now);
    expect(parseHumanDate('none')).toBeUndefined();
    expect(parseHumanDate('2030-01-02T15:04:05Z')?.toISOString()).toBe('2030-01-02T15:04:05.000Z');
    expect(parseHumanDate('2030-01-02T15:04:05+02:00')?.toISOString()).toBe('2030-01-02T13:04:05.000Z');
    expect(parseHumanDate('2030-01-02', 'down')?.getTime()).toBe(new Date(2030, 0, 2).getTime());
    expect(parseHumanDate('2030-01-02', 'up')?.getTime()).toBe(new Date(2030, 0, 3).getTime() - 1);
    expect(parseHumanDate('2030-01-02T15:04', 'up')?.getTime()).toBe(new Date(2030, 0, 2, 15, 5).getTime() - 1);
    expect(() => parseHumanDate('tomorrow')).toThrow(/invalid time "tomorrow"/);
    expect(() => parseHumanDate('2030-02-30')).toThrow(/no such date/);
  });

  it('reads and prints durations as Go does', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(() => parseDuration('1 day')).toThrow(/invalid duration/);
    expect(formatDuration(5_400_000)).toBe('1h30m0s');
    expect(formatDuration(1_800_000)).toBe('30m0s');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(500)).toBe('500ms');
    expect(formatTime(new Date(Date.UTC(2030, 0, 2, 3, 4, 5)), true)).toBe('2030-01-02 03:04:05');
  });

  it('rewrites --flag=true/false for the boolean flags only', () => {
    expect(normalizeBooleanFlags(['share', '--readonly=false', '--disallow-lists=true', '--recursive=false', 'sj://b'])).toEqual([
      'share',
      '--no-readonly',
      '--disallow-lists',
      'sj://b',
    ]);
    expect(normalizeBooleanFlags(['access', 'create', '--passphrase=false'])).toEqual(['access', 'create', '--passphrase=false']);
  });

  it('maps permission flags like Storj: read-only by default, explicit disallow flags win', () => {
    expect(permissionFromOptions({})).toMatchObject({ allowDownload: true, allowList: true, allowUpload: false, allowDelete: false });
    expect(permissionFromOptions({ readonly: false })).toMatchObject({
      allowDownload: true,
      allowList: true,
      allowUpload: true,
      allowDelete: true,
    });
    expect(permissionFromOptions({ writeonly: true, readonly: false })).toMatchObject({
      allowDownload: false,
      allowList: false,
      allowUpload: true,
    });
    expect(permissionFromOptions({ disallowWrites: false })).toMatchObject({ allowUpload: true, allowDelete: false });
    expect(permissionFromOptions({ maxObjectTtl: '24h' }).maxObjectTtlMs).toBe(86_400_000);
    expect(() => permissionFromOptions({ maxObjectTtl: '-1h' })).toThrow(/must be positive/);
  });

  it('takes metadata as a flat JSON object of strings', () => {
    expect(parseMetadata('{"color":"blue"}')).toEqual({ color: 'blue' });
    expect(() => parseMetadata('{"n":1}')).toThrow(/JSON object of string values/);
    expect(() => parseMetadata('not json')).toThrow(/JSON object of string values/);
  });
});

describe('output formats', () => {
  it('aligns columns like Go tabwriter (padding 4, last column ragged)', () => {
    expect(
      formatColumns([
        ['KIND', 'SIZE', 'KEY'],
        ['OBJ', '12345', 'a.txt'],
      ]),
    ).toBe('KIND    SIZE     KEY\nOBJ     12345    a.txt\n');
  });

  it('prints metadata as Go json.MarshalIndent does', () => {
    expect(goJson({})).toBe('{}');
    expect(goJson({ b: '2', a: '<&>' })).toBe('{\n  "a": "\\u003c\\u0026\\u003e",\n  "b": "2"\n}');
  });
});

describe('config dir', () => {
  it('is --config-dir, else $UPLINK_CONFIG_DIR, else $XDG_CONFIG_HOME/dcsim-uplink, else ~/.config/dcsim-uplink', () => {
    expect(configDir('/x/y', {})).toBe('/x/y');
    expect(configDir(undefined, { UPLINK_CONFIG_DIR: '/u', XDG_CONFIG_HOME: '/xdg' })).toBe('/u');
    expect(configDir(undefined, { XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/dcsim-uplink');
    expect(configDir(undefined, {})).toMatch(/\.config\/dcsim-uplink$/);
  });

  it('writes access.json with mode 0600 and reads Storj spelling too', () => {
    const d = join(dir(), 'cfg-unit');
    expect(loadAccessConfig(d)).toEqual({ accesses: {} });
    saveAccessConfig(d, { default: 'a', accesses: { a: grant } });
    expect(statSync(accessFile(d)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(accessFile(d), 'utf8'))).toEqual({ default: 'a', accesses: { a: grant } });
    writeFileSync(accessFile(d), JSON.stringify({ Default: 'b', Accesses: { b: grant } }));
    expect(loadAccessConfig(d)).toEqual({ default: 'b', accesses: { b: grant } });
  });

  it('resolves --access as a grant, else a saved name; then UPLINK_ACCESS; then the default', () => {
    const d = join(dir(), 'cfg-resolve');
    const other = makeGrant();
    saveAccessConfig(d, { default: 'main', accesses: { main: grant, other } });
    expect(resolveAccess(other, d, {}).text).toBe(other);
    expect(resolveAccess('other', d, {})).toMatchObject({ text: other, name: 'other' });
    expect(resolveAccess(undefined, d, { UPLINK_ACCESS: other }).text).toBe(other);
    expect(resolveAccess(undefined, d, { UPLINK_ACCESS: 'other' }).name).toBe('other');
    expect(resolveAccess(undefined, d, {})).toMatchObject({ text: grant, name: 'main' });
    expect(() => resolveAccess('nosuch', d, {})).toThrow(/no access named "nosuch"/);
    // A damaged grant is never echoed back.
    const damaged = `${grant.slice(0, -3)}xyz`;
    expect(() => resolveAccess(damaged, d, {})).toThrow(/neither a valid access grant/);
    try {
      resolveAccess(damaged, d, {});
    } catch (err) {
      expect((err as Error).message).not.toContain(damaged.slice(0, 40));
    }
    expect(() => resolveAccess(undefined, join(dir(), 'empty'), {})).toThrow(/no access grant/);
  });
});

describe('uplink access (CLI)', () => {
  it('imports, lists, switches and removes saved accesses', async () => {
    const second = makeGrant();
    const imported = await uplink(['access', 'import', 'main', grant]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toMatch(/^Imported access "main" to ".*access\.json"\n$/);
    expect((await uplink(['access', 'import', 'second', second])).code).toBe(0);

    const again = await uplink(['access', 'import', 'main', second]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('uplink: access "main" already exists: overwrite it with --force, or choose another name\n');

    const file = join(dir(), 'config', 'access.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ default: 'main', accesses: { main: grant, second } });

    const listed = await uplink(['access', 'list']);
    expect(listed.stdout).toBe(
      'CURRENT    NAME      SATELLITE\n*          main      127.0.0.1:7777\n           second    127.0.0.1:7777\n',
    );

    expect((await uplink(['access', 'use', 'second'])).stdout).toBe('Switched default access to "second"\n');
    expect((await uplink(['access', 'list'])).stdout).toContain('*          second');
    // The default is what a command uses when given nothing; a name given with --access wins.
    const [byDefault, bySecond, byName, byGrant] = await Promise.all([
      uplink(['access', 'inspect']),
      uplink(['access', 'inspect', second]),
      uplink(['--access', 'main', 'access', 'inspect']),
      uplink(['access', 'inspect', grant]),
    ]);
    expect(JSON.parse(byDefault.stdout).api_key).toBe(JSON.parse(bySecond.stdout).api_key);
    expect(byName.stdout).toBe(byGrant.stdout);

    const removeCurrent = await uplink(['access', 'remove', 'second']);
    expect(removeCurrent).toMatchObject({ code: 1, stdout: '' });
    expect(removeCurrent.stderr).toMatch(/^uplink: cannot remove the default access "second"/);
    expect((await uplink(['access', 'remove', 'main'])).stdout).toMatch(/^Removed access "main" from /);
    expect((await uplink(['access', 'use', 'main'])).stderr).toBe('uplink: access "main" does not exist (see `uplink access list`)\n');
    expect(loadAccessConfig(join(dir(), 'config'))).toEqual({ default: 'second', accesses: { second } });
  });

  it('access restrict turns the permission flags into one caveat', async () => {
    const restricted = await uplink([
      '--access',
      grant,
      'access',
      'restrict',
      '--readonly=false',
      '--disallow-deletes',
      '--not-after',
      '2030-01-02T15:04:05Z',
      '--max-object-ttl',
      '1h30m',
      '--prefix',
      'sj://photos/2024/',
    ]);
    expect(restricted).toMatchObject({ code: 0, stderr: '' });
    const child = restricted.stdout.trim();
    const caveats = caveatsOf((await uplink(['access', 'inspect', child])).stdout);
    expect(caveats).toHaveLength(1);
    const [caveat] = caveats;
    expect(caveat.disallow_deletes).toBe(true);
    expect(caveat.disallow_writes).toBeUndefined();
    expect(caveat.disallow_reads).toBeUndefined();
    expect(caveat.not_after).toBe('2030-01-02T15:04:05Z');
    expect(caveat.max_object_ttl).toBe(90 * 60 * 1e9);
    const paths = caveat.allowed_paths as { bucket: string; encrypted_path_prefix: string }[];
    expect(paths).toHaveLength(1);
    expect(paths[0].encrypted_path_prefix).toEqual(expect.any(String));

    // No flags: read-only, as Storj's uplink. --writeonly with --no-readonly: uploads only.
    const inspectRestricted = async (flags: string[]) =>
      caveatsOf(
        (await uplink(['access', 'inspect', (await uplink(['--access', grant, 'access', 'restrict', ...flags])).stdout.trim()])).stdout,
      );
    const [readonly, writeonly] = await Promise.all([inspectRestricted([]), inspectRestricted(['--writeonly', '--no-readonly'])]);
    expect(readonly[0]).toMatchObject({ disallow_writes: true, disallow_deletes: true });
    expect(readonly[0].disallow_reads).toBeUndefined();
    expect(writeonly[0]).toMatchObject({ disallow_reads: true, disallow_lists: true });
    expect(writeonly[0].disallow_writes).toBeUndefined();
  });

  it("share prints Storj's restriction summary and the grant", async () => {
    const shared = await uplink(['--access', grant, 'share', 'sj://photos/2024/', 'sj://docs', '--not-before', '2030-01-02T00:00:00Z']);
    expect(shared).toMatchObject({ code: 0, stderr: '' });
    const lines = shared.stdout.split('\n');
    expect(lines.slice(0, 12)).toEqual([
      `Sharing access to satellite ${SATELLITE}`,
      '=========== ACCESS RESTRICTIONS ==========================================================',
      'Download     : Allowed',
      'Upload       : Disallowed',
      'Lists        : Allowed',
      'Deletes      : Disallowed',
      'NotBefore    : 2030-01-02 00:00:00',
      'NotAfter     : No restriction',
      'MaxObjectTTL : Not set',
      'Paths        : sj://photos/2024/',
      '            sj://docs/ (entire bucket)',
      '=========== SERIALIZED ACCESS WITH THE ABOVE RESTRICTIONS TO SHARE WITH OTHERS ===========',
    ]);
    const child = /^Access\s*: (\S+)$/m.exec(shared.stdout)![1];
    const [caveat] = caveatsOf((await uplink(['access', 'inspect', child])).stdout);
    expect(caveat).toMatchObject({ disallow_writes: true, disallow_deletes: true, not_before: '2030-01-02T00:00:00Z' });
    expect(caveat.allowed_paths).toHaveLength(2);

    const none = await uplink(['--access', grant, 'share', 'sj://photos', '--disallow-reads', '--disallow-lists']);
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toBe('uplink: these flags disallow every operation: the grant could do nothing\n');
  });

  it('fails with one line and no stack trace', async () => {
    const noAccess = await uplink(['--config-dir', join(dir(), 'nothing-here'), 'ls']);
    expect(noAccess.code).toBe(1);
    expect(noAccess.stderr).toMatch(/^uplink: no access grant: pass --access <grant\|name>, set UPLINK_ACCESS, or save one/);
    expect(noAccess.stderr.trim().split('\n')).toHaveLength(1);
    const badTime = await uplink(['--access', grant, 'share', 'sj://b', '--not-after', 'soon']);
    expect(badTime.stderr).toMatch(/^uplink: invalid time "soon"/);
    expect(badTime.stderr).not.toMatch(/\n\s+at /);
    const badRange = await uplink(['--access', grant, 'cp', 'sj://b/k', '-', '--range', 'bytes=9-1']);
    expect(badRange.stderr).toBe('uplink: invalid range "bytes=9-1": 9 > 1\n');
  });
});
