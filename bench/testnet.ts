/**
 * How long `testnet start --detach` takes until every node has checked in, and how much memory the network
 * then holds (VmRSS of the satellite and every node), for 10 and 50 nodes, with both ways of running the apps:
 * `bundle` (the testnet's default: one esbuild bundle per app) and `tsx` (the apps' bin scripts).
 *
 * Run: npm run bench -- testnet            (npm run bench -- testnet --quick: bundle runner only)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runner } from '../scripts/testnet/apps.js';
import { findFreePortBase } from '../scripts/testnet/ports.js';
import { listedPids, readState } from '../scripts/testnet/state.js';
import { stopTestnet } from '../scripts/testnet/stop.js';

const BIN = fileURLToPath(new URL('../scripts/bin/testnet.js', import.meta.url));
/** Wall-clock targets for `start --detach` on a 2-core machine. */
const TARGET_MS: Record<number, number> = { 10: 5_000, 50: 20_000 };

interface Result {
  runner: Runner;
  nodes: number;
  /** The whole `testnet start --detach` command. */
  startMs: number;
  /** What the command reports about itself: "after 4.2 s (prepare 0.3 s, satellite 0.8 s, nodes 2.1 s, grant 1.5 s alongside)". */
  phases: string;
  rssBytes: number;
  processes: number;
  stopMs: number;
}

export default async function testnetBench(args: string[] = []): Promise<void> {
  const runners: Runner[] = args.includes('--quick') ? ['bundle'] : ['bundle', 'tsx'];
  console.log(`testnet: \`testnet start --detach\` until all nodes checked in (wall clock, including the CLI's own start-up),`);
  console.log(`then VmRSS summed over satellite + nodes; ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the start`);
  console.log(row(['runner', 'nodes', 'start', 'target', 'RSS total', 'RSS/process', 'stop', 'inside the command']));
  for (const nodes of [10, 50]) {
    for (const runner of runners) console.log(format(await measure(runner, nodes)));
  }
}

async function measure(runner: Runner, nodes: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-bench-testnet-'));
  try {
    const portBase = await findFreePortBase(nodes);
    const started = performance.now();
    const out = await run([
      BIN,
      'start',
      '--detach',
      '--nodes',
      String(nodes),
      '--dir',
      dir,
      '--port-base',
      String(portBase),
      '--runner',
      runner,
    ]);
    const startMs = performance.now() - started;
    const phases = /is up in .* after (.*)$/m.exec(out)?.[1] ?? '?';
    const pids = listedPids(readState(dir));
    const rssBytes = pids.reduce((sum, pid) => sum + rssOf(pid), 0);
    const stopping = performance.now();
    await stopTestnet(dir);
    return { runner, nodes, startMs, phases, rssBytes, processes: pids.length, stopMs: performance.now() - stopping };
  } finally {
    await stopTestnet(dir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 300_000 }, (err, out, stderr) =>
      err ? reject(new Error(`testnet ${args[1]} failed: ${stderr}`)) : resolve(out),
    );
  });
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const row = (cells: string[]) =>
  cells
    .map((c, i) => c.padEnd([8, 6, 8, 16, 11, 12, 6, 0][i]))
    .join(' ')
    .trimEnd();

function format(r: Result): string {
  const target = TARGET_MS[r.nodes];
  const verdict = target ? `${r.startMs <= target ? 'ok' : 'MISSED'} (< ${target / 1000} s)` : '';
  return row([
    r.runner,
    String(r.nodes),
    secs(r.startMs),
    verdict,
    mib(r.rssBytes),
    mib(r.rssBytes / r.processes),
    secs(r.stopMs),
    r.phases,
  ]);
}
