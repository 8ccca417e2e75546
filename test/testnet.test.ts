/**
 * The `testnet` CLI as a user runs it: start a 4-node network detached in a temp dir, look at it, stop and
 * restart a node, let a node exit, remove it and add another, stop it all, and check that no process is left
 * behind; and a start-up that fails midway.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccess } from '@dcsim/crypto/grant';
import { assertNoBugReports } from '@dcsim/process';
import { readEnvFile } from '../scripts/testnet/env-file.js';
import { findFreePortBase } from '../scripts/testnet/ports.js';
import { isAlive, runsInDir } from '../scripts/testnet/processes.js';
import { listedPids, readState } from '../scripts/testnet/state.js';
import type { TestnetStatus } from '../scripts/testnet/status.js';
import { startTestnet } from '../scripts/testnet/start.js';
import { stopTestnet } from '../scripts/testnet/stop.js';

const BIN = fileURLToPath(new URL('../scripts/bin/testnet.js', import.meta.url));

/** Every live process whose command line names `dir` (what a leaked satellite or node would look like). */
function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && runsInDir(pid, dir) && isAlive(pid));
}

async function testnet(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
  assertNoBugReports(`testnet ${args[0]}`, run.stderr);
  return run;
}

describe('testnet CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-testnet-cli-'));
  let portBase: number;
  const everyPid = new Set<number>();
  const remember = () => listedPids(readState(dir)).forEach((p) => everyPid.add(p));
  const status = async (): Promise<TestnetStatus> => JSON.parse((await testnet(['status', '--dir', dir, '--json'])).stdout);

  beforeAll(async () => {
    portBase = await findFreePortBase(4);
  });

  afterAll(async () => {
    if (existsSync(join(dir, 'state.json'))) await stopTestnet(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts 4 nodes detached and writes an env file whose grant parses', async () => {
    const r = await testnet(['start', '--nodes', '4', '--dir', dir, '--port-base', String(portBase), '--detach']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nodes checked in: 4/4');
    expect(r.stdout).toContain('redundancy 1/2/2/3');
    remember();

    const env = readEnvFile(join(dir, 'env'));
    const state = readState(dir);
    expect(env.SATELLITE_ADDR).toBe(`${state.satellite.id}@127.0.0.1:${portBase}`);
    const grant = parseAccess(env.UPLINK_ACCESS);
    expect(grant.satelliteAddress).toBe(env.SATELLITE_ADDR);
    expect(state.nodes.map((n) => n.port)).toEqual([0, 1, 2, 3].map((i) => portBase + 100 + i));
    // The S3 gateway and its auth service at their stable ports, with keys for the grant.
    expect(env.AWS_ENDPOINT_URL).toBe(`http://127.0.0.1:${portBase + 2}`);
    expect(state.auth!.port).toBe(portBase + 3);
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^[a-z2-7]{28}$/);
    expect(env.AWS_SECRET_ACCESS_KEY).toMatch(/^[a-z2-7]{53}$/);
  });

  it('status shows every process alive with its node ID', async () => {
    const s = await status();
    expect(s.processes.map((p) => p.name)).toEqual(['satellite', 'auth', 'gateway', 'node-0', 'node-1', 'node-2', 'node-3']);
    for (const p of s.processes) {
      expect(p.alive, p.name).toBe(true);
      expect(isAlive(p.pid!), p.name).toBe(true);
      if (p.name !== 'auth' && p.name !== 'gateway') expect(p.id).toMatch(/^[1-9A-HJ-NP-Za-km-z]{40,}$/);
    }
  });

  it('node stop, then node start, brings the same node back on the same port', async () => {
    const before = readState(dir).nodes[1];
    expect((await testnet(['node', 'stop', '1', '--dir', dir])).code).toBe(0);
    expect(isAlive(before.pid!)).toBe(false);
    expect((await status()).processes.find((p) => p.name === 'node-1')!.alive).toBe(false);

    const r = await testnet(['node', 'start', '1', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const after = readState(dir).nodes[1];
    remember();
    expect(after.pid).not.toBe(before.pid);
    expect(isAlive(after.pid!)).toBe(true);
    expect(after.id).toBe(before.id);
    expect(after.address).toBe(before.address);
  });

  it('time advance moves every clock and runs every chore; satellite run and node run run one now', async () => {
    const advanced = await testnet(['time', 'advance', '25h', '--dir', dir]);
    expect(advanced.stderr).toBe('');
    expect(advanced.code).toBe(0);
    expect(advanced.stdout.split('\n')).toEqual([
      "advanced the testnet's clock by 1d1h: it is 1d1h ahead of real time",
      ...[0, 1, 2, 3].map((i) => `node-${i}: ran check-in, expired-pieces, retain, trash, used-serials, orders-sender`),
      'satellite: ran cleanup, retired-objects, piece-deletion, audit, reverify, repair-checker, repairer, tally, settled-serials',
      '',
    ]);
    expect((await status()).clockOffsetMs).toBe(25 * 3_600_000);
    expect((await testnet(['status', '--dir', dir])).stdout).toContain('clock: 1d1h ahead of real time (testnet time advance)');

    const sat = await testnet(['satellite', 'run', 'piece-deletion', '--dir', dir]);
    expect({ code: sat.code, stderr: sat.stderr }).toEqual({ code: 0, stderr: '' });
    expect(sat.stdout).toMatch(/^satellite: ran piece-deletion in \d+ ms\n$/);
    const node = await testnet(['node', 'run', 'check-in', '2', '--dir', dir]);
    expect({ code: node.code, stderr: node.stderr }).toEqual({ code: 0, stderr: '' });
    expect(node.stdout).toMatch(/^node-2: ran check-in in \d+ ms\n$/);
    const chores = await testnet(['satellite', 'chores', '--dir', dir]);
    expect(chores.stdout).toMatch(/^satellite: 12 chore\(s\)\nCHORE +EVERY +RUNS +LAST RUN +LAST ERROR\ncleanup +1m +\d+ /);

    const repair = await testnet(['satellite', 'repair', '--dir', dir]);
    expect({ code: repair.code, stderr: repair.stderr }).toEqual({ code: 0, stderr: '' });
    expect(repair.stdout).toMatch(
      /^liveness: pinged 4 node\(s\), 4 online, 0 offline\nrepair checker: \d+ remote segment\(s\) checked, 0 queued for repair, 0 lost, 0 left the queue\nrepairer: 0 segment\(s\) repaired, 0 other outcome\(s\)\n$/,
    );

    const unknown = await testnet(['satellite', 'run', 'no-such-chore', '--dir', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^testnet: .*admin\.sock: no chore named "no-such-chore"; /);
    expect(unknown.stderr).toContain(
      'this process has cleanup, retired-objects, piece-deletion, audit, audit-all, reverify, node-liveness, repair-checker, repairer, ' +
        'tally, settled-serials, gc\n',
    );

    const gc = await testnet(['satellite', 'gc', '--dir', dir]);
    expect({ code: gc.code, stderr: gc.stderr }).toEqual({ code: 0, stderr: '' });
    expect(gc.stdout).toMatch(/^satellite: sent the bloom filters\n/);
    for (const i of [0, 1, 2, 3]) expect(gc.stdout).toMatch(new RegExp(`\nnode-${i}: \\d+ piece\\(s\\), 0 in trash, \\d+ bytes: `));
    const restored = await testnet(['node', 'restore-trash', '1', '--dir', dir]);
    expect(restored.stdout).toBe('node-1: restored 0 piece(s) from trash\n');
    for (const node of (await status()).processes.filter((p) => p.name.startsWith('node-'))) {
      expect(node).toMatchObject({ pieces: expect.any(Number), trash: 0, usedBytes: expect.any(Number) });
    }
    const bad = await testnet(['time', 'advance', '8', '--dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^testnet: .*invalid duration "8": use a number and a unit/);
  });

  it("satellite admin runs admin commands on the testnet's project; satellite tally settles every node and tallies", async () => {
    const limits = await testnet(['satellite', 'admin', 'set-limits', '--storage', '4MB', '--dir', dir]);
    expect({ code: limits.code, stderr: limits.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(limits.stdout).limits).toMatchObject({ storageBytes: 4_000_000, buckets: 100 });
    const tally = await testnet(['satellite', 'tally', '--dir', dir]);
    expect({ code: tally.code, stderr: tally.stderr }).toEqual({ code: 0, stderr: '' });
    expect(tally.stdout).toMatch(/^settled the orders of 4 node\(s\); satellite: ran tally in \d+ ms\n$/);
    const usage = await testnet(['satellite', 'admin', 'usage', '--dir', dir]);
    expect(usage.code).toBe(0);
    const numbers = { storageBytes: 0, segments: 0, objects: 0 };
    expect(JSON.parse(usage.stdout)).toMatchObject({ ...numbers, egressBytes: expect.any(Number), ingressBytes: expect.any(Number) });
    const bad = await testnet(['satellite', 'admin', 'set-limits', '--storage', 'lots', '--dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--storage <size>' argument 'lots' is invalid/);
    await testnet(['satellite', 'admin', 'set-limits', '--storage', 'unlimited', '--dir', dir]);
  });

  it('node exit, node remove and node add: a node leaves gracefully, is removed for good, and a new one joins', async () => {
    const exit = await testnet(['node', 'exit', '3', '--dir', dir]);
    expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 0, stderr: '' });
    expect(exit.stdout).toMatch(/^node-3: exited: \d+ piece\(s\) moved, 0 left to repair\n$/);
    expect((await status()).processes.find((p) => p.name === 'node-3')).toMatchObject({ alive: true, exiting: false, exited: true });

    const removed = await testnet(['node', 'remove', '3', '--dir', dir]);
    expect({ code: removed.code, stderr: removed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(readState(dir).nodes[3].dir)).toBe(false);
    expect((await status()).processes.find((p) => p.name === 'node-3')).toMatchObject({ alive: false, removed: true });
    expect((await testnet(['status', '--dir', dir])).stdout).toMatch(/\nnode-3 +removed +- /);
    const again = await testnet(['node', 'start', '3', '--dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('node-3 was removed (testnet node remove): its index is not reused');

    const added = await testnet(['node', 'add', '--dir', dir]);
    expect({ code: added.code, stderr: added.stderr }).toEqual({ code: 0, stderr: '' });
    remember();
    const node4 = readState(dir).nodes[4];
    expect(added.stdout).toBe(`node-4 running: pid ${node4.pid}, 127.0.0.1:${portBase + 104}, id ${node4.id}\n`);
    expect((await status()).processes.find((p) => p.name === 'node-4')).toMatchObject({ alive: true, online: true, exited: false });
  });

  it('refuses a port in use with a message that says what to do', async () => {
    const other = await findFreePortBase(2);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(other + 101, '127.0.0.1', resolve));
    const otherDir = mkdtempSync(join(tmpdir(), 'dcsim-testnet-busy-'));
    try {
      const r = await testnet(['start', '--nodes', '2', '--dir', otherDir, '--port-base', String(other), '--detach']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${other + 101} is already in use (another testnet? try --port-base or testnet stop --dir`);
      expect(existsSync(join(otherDir, 'state.json'))).toBe(false);
    } finally {
      blocker.close();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('stop leaves no process behind', async () => {
    remember();
    const r = await testnet(['stop', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(everyPid.size).toBeGreaterThanOrEqual(6);
    for (const pid of everyPid) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(processesIn(dir)).toEqual([]);
    expect((await status()).processes.every((p) => !p.alive)).toBe(true);
  });
});

describe('testnet start-up failure', () => {
  it('names the node that died, shows its log and stops every other process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcsim-testnet-fail-'));
    try {
      // A real failure: node 1 is given a flag value it refuses, after the satellite and the others started.
      const start = startTestnet({ dir, nodes: 3, portBase: 0, nodeArgs: (i) => (i === 1 ? ['--capacity', 'bogus'] : []) });
      await expect(start).rejects.toThrow(
        /^node-1 exited with code 1 during start-up; last lines of .*node-1\.log:\n.*invalid size "bogus"/s,
      );
      expect(listedPids(readState(dir))).toEqual([]);
      expect(processesIn(dir)).toEqual([]);
    } finally {
      await stopTestnet(dir).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
