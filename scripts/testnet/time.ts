/**
 * Testnet time: `testnet time advance 8d` moves the clock of every process of the testnet forward and waits until
 * each has run its chores, so what became due (expirations, graces, retries, later trash and settlement windows)
 * has happened when it returns. No sleeping in tests: advance instead.
 *
 * In three steps, so that no process meets another from the past:
 * 1. every running process's clock moves (AdvanceTime on its admin socket), and the offset goes into state.json,
 *    so a node started later starts as far ahead (`--clock-offset`);
 * 2. every node runs its chores (at once): check-ins first, so the satellite sees them online at its new time;
 * 3. the satellite runs its chores, in its order (cleanup, then the deletions it queued).
 */
import { formatDuration } from '@dcsim/common/duration';
import { connectAdmin } from '@dcsim/process/admin';
import type { ChoreRunInfo } from '@dcsim/protocol';
import { runningProcesses, type RunningProcess } from './chores.js';
import { readState, updateState } from './state.js';

export class TimeAdvanceError extends Error {
  override name = 'TimeAdvanceError';
}

export interface ProcessRuns {
  name: string;
  runs: ChoreRunInfo[];
}

export interface TimeAdvanced {
  /** How far the testnet's clock is now ahead of real time. */
  offsetMs: number;
  /** Every chore run, per process, nodes first. */
  processes: ProcessRuns[];
  /** The runs that failed, as `<process>: <chore>: <error>`. */
  failures: string[];
}

export async function advanceTime(dir: string, ms: number): Promise<TimeAdvanced> {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new TimeAdvanceError(`time only moves forward, by whole milliseconds: got ${ms}`);
  const offsetMs = updateState(dir, (s) => (s.clockOffsetMs = (s.clockOffsetMs ?? 0) + ms));
  const { nodes, satellite } = runningProcesses(readState(dir));
  const all = satellite ? [...nodes, satellite] : nodes;
  await Promise.all(all.map((p) => onAdmin(p, (admin) => admin.advanceTime(ms))));
  const processes = await Promise.all(nodes.map(runChores));
  if (satellite) processes.push(await runChores(satellite));
  const failures = processes.flatMap((p) => p.runs.filter((r) => r.error).map((r) => `${p.name}: ${r.chore}: ${r.error}`));
  return { offsetMs, processes, failures };
}

/** What `testnet time advance` prints. */
export function formatAdvanced(ms: number, advanced: TimeAdvanced): string {
  const lines = [
    `advanced the testnet's clock by ${formatDuration(ms)}: it is ${formatDuration(advanced.offsetMs)} ahead of real time`,
    ...advanced.processes.map((p) => `${p.name}: ran ${p.runs.map((r) => r.chore).join(', ') || 'no chores'}`),
  ];
  return [...lines, ...advanced.failures.map((f) => `failed: ${f}`)].join('\n');
}

async function runChores(p: RunningProcess): Promise<ProcessRuns> {
  return { name: p.name, runs: await onAdmin(p, (admin) => admin.runChores()) };
}

async function onAdmin<T>(p: RunningProcess, fn: (admin: ReturnType<typeof connectAdmin>) => Promise<T>): Promise<T> {
  const admin = connectAdmin(p.dir);
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}
