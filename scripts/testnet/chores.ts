/**
 * The chores (background loops) of a running testnet's processes, through each one's admin socket in its data
 * dir: list them, or run one now and wait until it finished (`testnet satellite run piece-deletion`,
 * `testnet node run check-in 3`, `net.satellite.runChore(...)` in tests).
 */
import { formatDuration } from '@dcsim/common/duration';
import { connectAdmin } from '@dcsim/process/admin';
import type { ChoreInfo, ChoreRunInfo } from '@dcsim/protocol';
import { readState, type TestnetState } from './state.js';
import { isRunning } from './status.js';

export class ChoreCommandError extends Error {
  override name = 'ChoreCommandError';
}

/** Which process: the satellite, or node `i`. */
export type ChoreTarget = 'satellite' | number;

export interface RunningProcess {
  name: string;
  dir: string;
}

/** The satellite or node `target` of the testnet in `dir`, if it runs; else a ChoreCommandError saying so. */
export function runningProcess(dir: string, target: ChoreTarget): RunningProcess {
  const state = readState(dir);
  const p = target === 'satellite' ? state.satellite : state.nodes[target];
  if (!p) throw new ChoreCommandError(`no node ${target}: the testnet in ${dir} has nodes 0..${state.nodes.length - 1}`);
  if (!isRunning(p.pid, dir)) throw new ChoreCommandError(`${p.name} is not running`);
  return { name: p.name, dir: p.dir };
}

/** The running processes that have chores: the nodes, and the satellite (absent when stopped). */
export function runningProcesses(state: TestnetState): { nodes: RunningProcess[]; satellite?: RunningProcess } {
  const running = (p: { name: string; pid: number | null; dir: string }) =>
    isRunning(p.pid, state.dir) ? [{ name: p.name, dir: p.dir }] : [];
  return { nodes: state.nodes.flatMap(running), satellite: running(state.satellite)[0] };
}

export async function listChores(dir: string, target: ChoreTarget): Promise<ChoreInfo[]> {
  const admin = connectAdmin(runningProcess(dir, target).dir);
  try {
    return await admin.chores();
  } finally {
    admin.close();
  }
}

/** Runs chore `name` of `target` now and resolves once it finished; a run that failed is a ChoreCommandError. */
export async function runChore(dir: string, target: ChoreTarget, name: string): Promise<ChoreRunInfo> {
  const p = runningProcess(dir, target);
  const admin = connectAdmin(p.dir);
  try {
    const run = await admin.runChore(name);
    if (run.error) throw new ChoreCommandError(`${p.name}: chore ${name} failed: ${run.error}`);
    return run;
  } finally {
    admin.close();
  }
}

/** What `testnet satellite chores` and `testnet node chores <i>` print: one row per chore. */
export function formatChores(name: string, chores: ChoreInfo[]): string {
  const rows = chores.map((c) => [
    c.name,
    c.intervalMs === 0 ? 'on demand' : formatDuration(c.intervalMs),
    String(c.runs),
    c.lastRun ? `${c.lastRun.startedAt!.toISOString()} (${c.lastRun.durationMs} ms)${c.lastRun.error ? ' failed' : ''}` : '-',
    c.lastError || '-',
  ]);
  const header = ['CHORE', 'EVERY', 'RUNS', 'LAST RUN', 'LAST ERROR'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [`${name}: ${chores.length} chore(s)`, line(header), ...rows.map(line)].join('\n');
}

/** The line a chore's run returned (RunChore hands results back as JSON), if it returned one. */
export function resultLine(run: ChoreRunInfo): string | undefined {
  const result: unknown = run.result ? JSON.parse(run.result) : undefined;
  return typeof result === 'string' && result !== '' ? result : undefined;
}
