/**
 * `testnet status`: which processes of a testnet run, on which ports, with which node IDs, and for each storage
 * node what the satellite thinks of it (online, vetted, audit score, suspended, disqualified, exiting, exited),
 * asked through the satellite's admin socket (its `nodes` report) when it runs. Removed nodes show as removed.
 */
import { existsSync } from 'node:fs';
import { formatDuration } from '@dcsim/common/duration';
import { connectAdmin } from '@dcsim/process/admin';
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
  /** Storage nodes only, while the satellite runs: its view of the node. */
  online?: boolean;
  vetted?: boolean;
  auditScore?: number;
  suspended?: boolean;
  disqualified?: boolean;
  /** Storage nodes only: pieces held, pieces in trash, and the bytes of both (from its node.db). */
  pieces?: number;
  trash?: number;
  usedBytes?: number;
  /** Gracefully exiting (no new pieces; its pieces moving away), or exited (gone from the satellite's view). */
  exiting?: boolean;
  exited?: boolean;
  /** `testnet node remove`: stopped for good, its data deleted. */
  removed?: boolean;
}

/** A node as the satellite's `nodes` report shows it (apps/satellite/src/admin.ts listNodes). */
interface SatelliteNodeView {
  id: string;
  online: boolean;
  vetted: boolean;
  auditScore: number;
  suspended: boolean;
  disqualified: boolean;
  exiting: boolean;
  exited: boolean;
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

export async function testnetStatus(dir: string): Promise<TestnetStatus> {
  const state = readState(dir);
  const envFile = layout(dir).envFile;
  const views = await satelliteView(state);
  const withView = (p: ProcessStatus): ProcessStatus => {
    const v = views.get(p.id);
    if (!v) return p;
    const { online, vetted, auditScore, suspended, disqualified, exiting, exited } = v;
    return { ...p, online, vetted, auditScore, suspended, disqualified, exiting, exited };
  };
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
      ...state.nodes.map((n) => ({
        ...withView({ ...processStatus(n, dir), ...pieceCounts(n.dir) }),
        ...(n.removed ? { removed: true } : {}),
      })),
    ],
  };
}

/** The satellite's view of every node, by node ID; empty when the satellite does not run or does not answer. */
async function satelliteView(state: TestnetState): Promise<Map<string, SatelliteNodeView>> {
  if (!isRunning(state.satellite.pid, state.dir)) return new Map();
  const admin = connectAdmin(state.satellite.dir);
  try {
    const nodes = (await admin.report('nodes')) as SatelliteNodeView[];
    return new Map(nodes.map((n) => [n.id, n]));
  } catch {
    return new Map();
  } finally {
    admin.close();
  }
}

/** A node's standing with the satellite, most decisive first. */
function standing(p: ProcessStatus): string {
  if (p.disqualified) return 'DISQUALIFIED';
  if (p.exited) return 'exited';
  if (p.exiting) return 'exiting';
  if (p.suspended) return 'suspended';
  return p.online === undefined ? '' : 'ok';
}

export function formatStatus(s: TestnetStatus): string {
  const alive = s.processes.filter((p) => p.alive).length;
  const rows = s.processes.map((p) => [
    p.name,
    p.alive ? 'running' : p.removed ? 'removed' : 'stopped',
    p.alive ? String(p.pid) : '-',
    p.address,
    p.id,
    p.online === undefined ? '' : p.online ? 'yes' : 'no',
    p.vetted === undefined ? '' : p.vetted ? 'yes' : 'no',
    p.auditScore === undefined ? '' : p.auditScore.toFixed(3),
    standing(p),
  ]);
  const header = ['NAME', 'STATE', 'PID', 'ADDRESS', 'NODE ID', 'ONLINE', 'VETTED', 'AUDIT', 'STANDING'];
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
