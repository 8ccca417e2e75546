/**
 * `testnet stop` and `testnet destroy`. Nodes stop before their satellite, so none of them logs a failed
 * check-in on the way out. A foreground `testnet start` that owns the processes is asked first (SIGTERM): it
 * stops its children itself and exits 0, as with Ctrl-C.
 */
import { readFileSync, rmSync } from 'node:fs';
import { layout } from './layout.js';
import { isAlive, sleep, stopProcess, type StopOutcome } from './processes.js';
import { clientsOf, readState, StateError, tryReadState, updateState, type ProcessState, type TestnetState } from './state.js';
import { isRunning } from './status.js';

export interface Stopped {
  name: string;
  pid: number;
  outcome: StopOutcome;
}

export interface StopReport {
  /** The foreground `testnet start` that was asked to stop its processes itself, if one ran. */
  owner: number | null;
  /** What was still running afterwards and was stopped here. */
  stopped: Stopped[];
}

export async function stopTestnet(dir: string, timeoutMs = 5000): Promise<StopReport> {
  const owner = await stopOwner(readState(dir).ownerPid, timeoutMs);
  const stopped = await stopListed(readState(dir), timeoutMs);
  updateState(dir, (s) => {
    s.ownerPid = null;
    s.satellite.pid = null;
    for (const p of clientsOf(s)) p.pid = null;
  });
  return { owner, stopped };
}

/** Stops every process of `state` that still runs: nodes, gateway and auth service at once, then the satellite. */
export async function stopListed(state: TestnetState, timeoutMs = 5000): Promise<Stopped[]> {
  const stopped: Stopped[] = [];
  const stopOne = async (p: ProcessState) => {
    if (isRunning(p.pid, state.dir)) stopped.push({ name: p.name, pid: p.pid, outcome: await stopProcess(p.pid, state.dir, timeoutMs) });
  };
  await Promise.all(clientsOf(state).map(stopOne));
  await stopOne(state.satellite);
  return stopped;
}

/** Stops whatever still runs, then deletes the whole directory (identities, pieces, database, logs). */
export async function destroyTestnet(dir: string, timeoutMs = 5000): Promise<StopReport> {
  // Only a directory that looks like a testnet is deleted: never `--dir ~` by a slip of the finger.
  if (!tryReadState(dir)) throw new StateError(`${dir} has no state.json: not deleting a directory that is not a testnet`);
  const report = await stopTestnet(dir, timeoutMs);
  rmSync(layout(dir).dir, { recursive: true, force: true });
  return report;
}

/** Asks a foreground owner to stop; returns its pid if there was one. */
async function stopOwner(ownerPid: number | null, timeoutMs: number): Promise<number | null> {
  if (ownerPid === null || ownerPid === process.pid || !isAlive(ownerPid) || !isTestnetCommand(ownerPid)) return null;
  process.kill(ownerPid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs + 3000;
  while (isAlive(ownerPid) && Date.now() < deadline) await sleep(50);
  return ownerPid;
}

function isTestnetCommand(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('testnet');
  } catch {
    return false;
  }
}
