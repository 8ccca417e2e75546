/** `testnet status`: which processes of a testnet run, on which ports, with which node IDs. */
import { existsSync } from 'node:fs';
import { formatDuration } from '@dcsim/common/duration';
import { layout } from './layout.js';
import { pieceCounts } from './piece-counts.js';
import { isAlive, runsInDir } from './processes.js';
import { clientsOf, readState, type ProcessState, type TestnetState } from './state.js';

export interface ProcessStatus {
  name: string;
  pid: number | null;
  alive: boolean;
  address: string;
  id: string;
  /** Storage nodes only: pieces held, pieces in trash, and the bytes of both (from its node.db). */
  pieces?: number;
  trash?: number;
  usedBytes?: number;
}

export interface TestnetStatus {
  dir: string;
  scheme: string;
  portBase: number;
  satelliteUrl: string;
  /** The foreground `testnet start` that will stop the processes on Ctrl-C, if it still runs. */
  ownerPid: number | null;
  envFile: string | null;
  /** How far the testnet's clock is ahead of real time (`testnet time advance`). */
  clockOffsetMs: number;
  processes: ProcessStatus[];
}

/** A pid that is alive and still one of this testnet's programs. */
export const isRunning = (pid: number | null, dir: string): pid is number => pid !== null && isAlive(pid) && runsInDir(pid, dir);

/** Pids of the state's processes that still run, nodes first. */
export function runningPids(state: TestnetState): number[] {
  return [...clientsOf(state), state.satellite].map((p) => p.pid).filter((pid) => isRunning(pid, state.dir)) as number[];
}

function processStatus(p: ProcessState, dir: string): ProcessStatus {
  return {
    name: p.name,
    pid: p.pid,
    alive: isRunning(p.pid, dir),
    address: p.address ?? (p.port ? `127.0.0.1:${p.port}` : '?'),
    id: p.id ?? '?',
  };
}

export function testnetStatus(dir: string): TestnetStatus {
  const state = readState(dir);
  const envFile = layout(dir).envFile;
  return {
    dir,
    scheme: state.scheme,
    portBase: state.portBase,
    satelliteUrl: state.satellite.url ?? '?',
    ownerPid: state.ownerPid !== null && isAlive(state.ownerPid) ? state.ownerPid : null,
    envFile: existsSync(envFile) ? envFile : null,
    clockOffsetMs: state.clockOffsetMs ?? 0,
    processes: [
      ...[state.satellite, ...(state.auth ? [state.auth] : []), ...(state.gateway ? [state.gateway] : [])].map((p) =>
        processStatus(p, dir),
      ),
      ...state.nodes.map((n) => ({ ...processStatus(n, dir), ...pieceCounts(n.dir) })),
    ],
  };
}

export function formatStatus(s: TestnetStatus): string {
  const alive = s.processes.filter((p) => p.alive).length;
  const rows = s.processes.map((p) => [p.name, p.alive ? 'running' : 'stopped', p.alive ? String(p.pid) : '-', p.address, p.id]);
  const header = ['NAME', 'STATE', 'PID', 'ADDRESS', 'NODE ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    `testnet ${s.dir}: ${alive}/${s.processes.length} processes running, redundancy ${s.scheme}`,
    `satellite ${s.satelliteUrl}`,
    ...(s.clockOffsetMs > 0 ? [`clock: ${formatDuration(s.clockOffsetMs)} ahead of real time (testnet time advance)`] : []),
    alive === 0
      ? `nothing runs: testnet start --dir ${s.dir}`
      : s.ownerPid === null
        ? 'detached: testnet stop ends it'
        : `owned by a foreground testnet start (pid ${s.ownerPid}): Ctrl-C there, or testnet stop`,
    '',
    line(header),
    ...rows.map(line),
    '',
    s.envFile ? `access grant and addresses: source ${s.envFile}` : 'no env file yet (the testnet never finished starting)',
  ].join('\n');
}
