import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { APIKey } from '@dcsim/crypto/macaroon';
import { assertNoBugReports } from '@dcsim/process';
import { parseNodeId } from '@dcsim/common/nodeid';
import { connectAdmin } from '@dcsim/process/admin';
import { CHANNEL_OPTIONS, MetainfoClient, Transport, unary } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const BIN = resolve(import.meta.dirname, '../bin/satellite.js');
const run = promisify(execFile);

async function satellite(...args: string[]): Promise<any> {
  const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
  assertNoBugReports(`satellite ${args[0]} ${args[1]}`, stderr);
  return JSON.parse(stdout);
}

describe('satellite CLI', () => {
  it('admin commands set up a project and key; run serves them, prints READY and stops on SIGTERM', async () => {
    const dir = tempDir();
    const project = await satellite('admin', 'create-project', '--dir', dir, '--name', 'demo');
    expect(project).toMatchObject({ name: 'demo' });
    expect(project.projectId).toMatch(/^[0-9a-f-]{36}$/);
    const created = await satellite('admin', 'create-api-key', '--dir', dir, '--project', project.projectId, '--name', 'cli');
    expect(created).toMatchObject({ projectId: project.projectId, name: 'cli' });

    const child = spawn(process.execPath, [BIN, 'run', '--dir', dir, '--listen', '127.0.0.1:0', '--scheme', '2/3/4/5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const ready = await new Promise<{ id: string; address: string; url: string }>((res, rej) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const line = stdout.split('\n').find((l) => l.startsWith('READY '));
        if (line) res(JSON.parse(line.slice('READY '.length)));
      });
      exited.then((code) => rej(new Error(`satellite exited with ${code}: ${stderr}`)));
    });
    try {
      expect(ready.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(ready.address).not.toBe('127.0.0.1:0');
      expect(ready.url).toBe(`${ready.id}@${ready.address}`);
      expect(existsSync(join(dir, 'identity.key'))).toBe(true);
      expect(existsSync(join(dir, 'satellite.db'))).toBe(true);

      const client = new MetainfoClient(ready.address, Transport.ephemeral().client(parseNodeId(ready.id)), CHANNEL_OPTIONS);
      const info = await unary(client, client.projectInfo, { header: { apiKey: APIKey.parse(created.apiKey).rawBytes() } });
      expect(info.projectSalt).toHaveLength(32);
      client.close();

      // The admin commands work on the database while the satellite runs (WAL mode).
      const projects = await satellite('admin', 'list-projects', '--dir', dir);
      expect(projects).toEqual([
        expect.objectContaining({ projectId: project.projectId, apiKeys: [expect.objectContaining({ name: 'cli' })] }),
      ]);
      expect(JSON.stringify(projects)).not.toContain(created.apiKey);

      // Its admin socket in the data dir says what it is and lists its chores.
      const admin = connectAdmin(dir);
      expect(await admin.status()).toMatchObject({ kind: 'satellite', address: ready.address, clockOffsetMs: 0 });
      expect((await admin.chores()).map((c) => c.name)).toEqual([
        'cleanup',
        'retired-objects',
        'piece-deletion',
        'audit',
        'audit-all',
        'reverify',
        'node-liveness',
        'repair-checker',
        'repairer',
        'tally',
        'settled-serials',
        'gc',
      ]);
      admin.close();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    assertNoBugReports('satellite run', stderr);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/listening on 127\.0\.0\.1:\d+ \(TLS\); redundancy 2\/3\/4\/5/);
    expect(stderr).not.toContain(created.apiKey);
  });

  it('rejects bad flags with a clear message and a non-zero exit', async () => {
    const dir = tempDir();
    const failed = await run(process.execPath, [BIN, 'run', '--dir', dir, '--listen', '127.0.0.1:0', '--scheme', '5/3/4/5']).catch(
      (e) => e,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/repair \(3\) must be at least required \(k\) \(5\)/);
  });
});
