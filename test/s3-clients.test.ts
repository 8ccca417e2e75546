/**
 * Ordinary S3 tools against the testnet's hosted gateway (multi-tenant, credentials from its auth service):
 * rclone and s3cmd, the command-line clients from Debian's packages, copy a directory tree up and back
 * byte for byte, list it and delete it. What they write, the uplink reads with the same grant.
 *
 * `.ci/run` installs both; on a machine without them these tests are skipped with a note, except in CI.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestNet } from './harness.js';
import { useTempDir, useTestnet } from './support/fixtures.js';
import { readAll } from './support/streams.js';

const work = useTempDir('dcsim-s3-clients-');
const net = useTestnet({ nodes: 4, gateway: true });
let s3: NonNullable<TestNet['s3']>;
beforeAll(() => {
  s3 = net().s3!;
});

/** The machine's own AWS_* settings (a CA bundle, a profile) are not the testnet's: the clients get only ours. */
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...baseEnv, ...env }, timeout: 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function installed(command: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
}

/** A small tree: nested folders, an empty file, a name with spaces, binary content. */
function makeTree(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>([
    ['a.txt', Buffer.from('alpha\n')],
    ['empty', Buffer.alloc(0)],
    ['nested/deeper/bin.dat', randomBytes(300_000)],
    ['nested/with space.txt', Buffer.from('spaced out\n')],
    ['nested/b.json', Buffer.from('{"b": 2}\n')],
  ]);
  for (const [name, data] of files) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), data);
  }
  return files;
}

function readTree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return out;
}

async function uplinkRead(bucket: string, key: string): Promise<Buffer> {
  return readAll((await net().uplink()).download(bucket, key));
}

/** Whether `command` can run here; in CI a missing client is an error (`.ci/run` installs it), elsewhere a skip. */
async function available(command: string): Promise<boolean> {
  if (await installed(command)) return true;
  if (process.env.CI === 'true') throw new Error(`${command} is not installed; .ci/run should have installed it`);
  console.warn(`skipping the ${command} test: ${command} is not installed (apt-get install ${command})`);
  return false;
}

describe('S3 command-line clients through the gateway', () => {
  it('rclone copies a tree up and back byte for byte, lists and deletes it', { timeout: 180_000 }, async (ctx) => {
    if (!(await available('rclone'))) return ctx.skip();
    const env = {
      RCLONE_CONFIG_DCSIM_TYPE: 's3',
      RCLONE_CONFIG_DCSIM_PROVIDER: 'Other',
      RCLONE_CONFIG_DCSIM_ACCESS_KEY_ID: s3.accessKeyId,
      RCLONE_CONFIG_DCSIM_SECRET_ACCESS_KEY: s3.secretAccessKey,
      RCLONE_CONFIG_DCSIM_ENDPOINT: s3.endpoint,
      RCLONE_CONFIG_DCSIM_REGION: 'us-east-1',
    };
    const up = join(work(), 'rclone-up');
    const down = join(work(), 'rclone-down');
    const files = makeTree(up);
    await run('rclone', ['mkdir', 'dcsim:rclone-bucket'], env);
    await run('rclone', ['copy', up, 'dcsim:rclone-bucket/tree'], env);
    const listed = (await run('rclone', ['lsf', '-R', '--files-only', 'dcsim:rclone-bucket/tree'], env)).trim().split('\n').sort();
    expect(listed).toEqual([...files.keys()].sort());
    await run('rclone', ['copy', 'dcsim:rclone-bucket/tree', down], env);
    expect(readTree(down)).toEqual(files);
    // The uplink reads what rclone wrote, with the same grant.
    expect(await uplinkRead('rclone-bucket', 'tree/nested/deeper/bin.dat')).toEqual(files.get('nested/deeper/bin.dat'));
    await run('rclone', ['purge', 'dcsim:rclone-bucket/tree'], env);
    expect((await run('rclone', ['lsf', '-R', 'dcsim:rclone-bucket'], env)).trim()).toBe('');
  });

  it('s3cmd syncs a tree up and back byte for byte, lists and deletes it', { timeout: 180_000 }, async (ctx) => {
    if (!(await available('s3cmd'))) return ctx.skip();
    const host = new URL(s3.endpoint).host;
    const config = join(work(), 's3cfg');
    writeFileSync(
      config,
      [
        '[default]',
        `access_key = ${s3.accessKeyId}`,
        `secret_key = ${s3.secretAccessKey}`,
        `host_base = ${host}`,
        `host_bucket = ${host}`,
        'use_https = False',
        'bucket_location = us-east-1',
        'signature_v2 = False',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const s3cmd = (...args: string[]) => run('s3cmd', ['-c', config, ...args]);
    const up = join(work(), 's3cmd-up');
    const down = join(work(), 's3cmd-down');
    const files = makeTree(up);
    await s3cmd('mb', 's3://s3cmd-bucket');
    await s3cmd('sync', `${up}/`, 's3://s3cmd-bucket/tree/');
    const listing = await s3cmd('ls', '--recursive', 's3://s3cmd-bucket/tree/');
    for (const name of files.keys()) expect(listing).toContain(`s3://s3cmd-bucket/tree/${name}`);
    mkdirSync(down);
    await s3cmd('sync', 's3://s3cmd-bucket/tree/', `${down}/`);
    expect(readTree(down)).toEqual(files);
    expect(await uplinkRead('s3cmd-bucket', 'tree/a.txt')).toEqual(files.get('a.txt'));
    await s3cmd('del', '--recursive', '--force', 's3://s3cmd-bucket/tree/');
    expect((await s3cmd('ls', '--recursive', 's3://s3cmd-bucket/')).trim()).toBe('');
    await s3cmd('rb', 's3://s3cmd-bucket');
  });
});
