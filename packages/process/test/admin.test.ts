/** The admin socket, served and called for real over a Unix domain socket in a temp dir. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Reason, rpcErrorInfo } from '@dcsim/protocol';
import { Chores, Clock } from '../src/index.js';
import { AdminCallError, AdminSocketError, adminSocketPath, connectAdmin, serveAdmin, type AdminSocket } from '../src/admin/index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-admin-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(dir: string, chores: Chores, log: string[] = [], reports?: Record<string, () => unknown>): Promise<AdminSocket> {
  const nodeId = new Uint8Array(32).fill(7);
  const target = { kind: 'storagenode' as const, nodeId, address: '127.0.0.1:7777', chores, reports, log: (l: string) => log.push(l) };
  const socket = await serveAdmin(dir, target);
  cleanups.push(() => socket.close());
  return socket;
}

function connect(dir: string) {
  const admin = connectAdmin(dir);
  cleanups.push(() => admin.close());
  return admin;
}

describe('admin socket', () => {
  it('is <data dir>/admin.sock with mode 0600, and goes when closed', async () => {
    const dir = tempDir();
    const socket = await serve(dir, new Chores(new Clock(), () => {}));
    expect(socket.path).toBe(join(dir, 'admin.sock'));
    expect(statSync(socket.path).isSocket()).toBe(true);
    expect(statSync(socket.path).mode & 0o777).toBe(0o600);
    await socket.close();
    expect(existsSync(socket.path)).toBe(false);
  });

  it('tells what the process is', async () => {
    const dir = tempDir();
    await serve(dir, new Chores(new Clock(90_000), () => {}));
    const status = await connect(dir).status();
    expect(status).toMatchObject({ kind: 'storagenode', address: '127.0.0.1:7777', clockOffsetMs: 90_000, pid: process.pid });
    expect(Buffer.from(status.nodeId)).toEqual(Buffer.alloc(32, 7));
    expect(status.uptimeMs).toBeGreaterThanOrEqual(0);
  });

  it('answers a run with what its function returned, as JSON; nothing when it returned nothing', async () => {
    const dir = tempDir();
    const chores = new Chores(new Clock(), () => {});
    chores.add('repairer', 0, async () => 'repairer: 2 segment(s) repaired');
    chores.add('piece-deletion', 0, async () => undefined);
    await serve(dir, chores);
    const admin = connect(dir);
    expect(JSON.parse((await admin.runChore('repairer')).result)).toBe('repairer: 2 segment(s) repaired');
    expect((await admin.runChore('piece-deletion')).result).toBe('');
  });

  it('lists chores, runs one and answers once the run finished, and names the chores when asked for another', async () => {
    const dir = tempDir();
    const chores = new Chores(new Clock(), () => {});
    const events: string[] = [];
    chores.add('check-in', 10_000, async () => {
      events.push('run began');
      await new Promise((r) => setImmediate(r));
      events.push('run ended');
    });
    chores.add('broken', 0, () => {
      throw new Error('disk full');
    });
    await serve(dir, chores);
    const admin = connect(dir);

    const listed = (await admin.chores()).map((c) => [c.name, c.intervalMs, c.runs, c.lastRun]);
    expect(listed).toEqual([
      ['check-in', 10_000, 0, undefined],
      ['broken', 0, 0, undefined],
    ]);
    const run = await admin.runChore('check-in');
    events.push('answered');
    expect(events).toEqual(['run began', 'run ended', 'answered']);
    expect(run).toMatchObject({ chore: 'check-in', error: '' });
    expect(run.startedAt).toBeInstanceOf(Date);

    expect(await admin.runChore('broken')).toMatchObject({ chore: 'broken', error: 'disk full' });
    expect((await admin.chores()).find((c) => c.name === 'broken')).toMatchObject({ runs: 1, lastError: 'disk full' });

    const unknown = await admin.runChore('checkin').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(AdminCallError);
    expect((unknown as Error).message).toBe(`${adminSocketPath(dir)}: no chore named "checkin"; this process has check-in, broken`);
  });

  it("hands back a run's result as JSON, and a named report", async () => {
    const dir = tempDir();
    const chores = new Chores(new Clock(), () => {});
    chores.add('audit-all', 0, () => ({ segments: 2 }));
    await serve(dir, chores, [], { nodes: () => [{ id: 'n1', online: true }] });
    const admin = connect(dir);
    expect(JSON.parse((await admin.runChore('audit-all')).result)).toEqual({ segments: 2 });
    expect(await admin.report('nodes')).toEqual([{ id: 'n1', online: true }]);
    const unknown = await admin.report('pieces').catch((e: unknown) => e);
    expect((unknown as Error).message).toBe(`${adminSocketPath(dir)}: no report named "pieces"; this process has nodes`);
    expect(rpcErrorInfo((unknown as Error).cause).reason).toBe(Reason.REPORT_NOT_FOUND);
  });

  it('moves the clock forward only, and runs every chore in order', async () => {
    const dir = tempDir();
    const clock = new Clock();
    const chores = new Chores(clock, () => {});
    const seen: string[] = [];
    chores.add('first', 1000, () => seen.push(`first at +${clock.offsetMs}`));
    chores.add('second', 1000, () => seen.push(`second at +${clock.offsetMs}`));
    const log: string[] = [];
    await serve(dir, chores, log);
    const admin = connect(dir);

    expect(await admin.advanceTime(8 * 86_400_000)).toBe(8 * 86_400_000);
    expect(clock.offsetMs).toBe(8 * 86_400_000);
    expect(log).toEqual(['clock advanced by 8d: now 8d ahead of real time']);
    expect(seen).toEqual([]); // chores see the new time when they run next
    expect((await admin.runChores()).map((r) => r.chore)).toEqual(['first', 'second']);
    expect(seen).toEqual(['first at +691200000', 'second at +691200000']);
    await expect(admin.advanceTime(-1)).rejects.toThrow(/time only moves forward, by whole milliseconds: got -1/);
    expect(clock.offsetMs).toBe(8 * 86_400_000);
  });

  it('replaces a stale socket, and refuses one another process still serves', async () => {
    const dir = tempDir();
    // What a killed process leaves: a process that listens on the path, then dies by SIGKILL.
    const path = JSON.stringify(adminSocketPath(dir));
    const listenAndDie = `require('node:net').createServer().listen(${path}, () => process.kill(process.pid, 'SIGKILL'))`;
    const killed = spawnSync(process.execPath, ['-e', listenAndDie]);
    expect(killed.signal).toBe('SIGKILL');
    expect(statSync(adminSocketPath(dir)).isSocket()).toBe(true);

    await serve(dir, new Chores(new Clock(), () => {}));
    expect(await connect(dir).status()).toMatchObject({ kind: 'storagenode' });
    const second = serve(dir, new Chores(new Clock(), () => {}));
    await expect(second).rejects.toThrow(`another process serves ${adminSocketPath(dir)}: is this data dir already in use?`);
  });

  it('refuses a path too long for a Unix socket, and a file that is not a socket', async () => {
    const deep = join(tempDir(), 'x'.repeat(60), 'y'.repeat(40));
    const chores = new Chores(new Clock(), () => {});
    await expect(
      serveAdmin(deep, { kind: 'satellite', nodeId: new Uint8Array(32), address: 'x:1', chores, log: () => {} }),
    ).rejects.toThrow(AdminSocketError);
    const dir = tempDir();
    writeFileSync(adminSocketPath(dir), randomBytes(4));
    await expect(serve(dir, new Chores(new Clock(), () => {}))).rejects.toThrow(/admin\.sock exists and is not a socket: move it away/);
  });

  it('says the process is not running when there is no socket', async () => {
    const dir = tempDir();
    await expect(connect(dir).status()).rejects.toThrow(`no admin socket at ${adminSocketPath(dir)}: the process is not running`);
  });
});
