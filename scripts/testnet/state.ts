/**
 * `state.json`: what a running testnet is made of, written by `start` and `node start/stop`, read by every
 * other sub-command (and by the reaper). Written atomically (temp file + rename) so a reader never sees half.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { layout } from './layout.js';
import { TestnetError } from './errors.js';

export const STATE_VERSION = 1;

export interface ProcessState {
  name: string;
  /** null once stopped. */
  pid: number | null;
  /** The listening port: planned at start, the real one once READY reported it. 0 = not known yet. */
  port: number;
  /** Node ID (base58check), known after the first READY line. */
  id?: string;
  address?: string;
  log: string;
}

export interface NodeState extends ProcessState {
  index: number;
  dir: string;
  /** Extra flags for this node's `storagenode run`, kept for `node start`. */
  args: string[];
  /** `node remove`: stopped for good and its data deleted; its index is never reused. */
  removed?: boolean;
}

export interface SatelliteState extends ProcessState {
  dir: string;
  /** `<id>@127.0.0.1:PORT`, what storage nodes and access grants point at. */
  url?: string;
}

/** The S3 gateway or its auth service (only when the testnet runs them). */
export interface ServiceState extends ProcessState {
  /** `http://127.0.0.1:PORT` once READY. */
  url?: string;
}

export interface TestnetState {
  version: number;
  dir: string;
  portBase: number;
  scheme: string;
  /** How processes are launched: 'bundle' (esbuild bundle) or 'tsx' (the apps' bin scripts). */
  runner: string;
  /** Extra flags `start` passed to the satellite. */
  satelliteArgs: string[];
  /** The foreground `testnet start` that owns the processes (stop asks it first), null when detached. */
  ownerPid: number | null;
  /**
   * How far the testnet's clock is ahead of real time (`testnet time advance`); every process starts that far ahead.
   * Absent in a state.json written before time could advance: 0.
   */
  clockOffsetMs?: number;
  satellite: SatelliteState;
  nodes: NodeState[];
  /** Absent when started with --no-gateway (and in tests that do not ask for one). */
  gateway?: ServiceState;
  auth?: ServiceState;
}

export class StateError extends TestnetError {}

export function readState(dir: string): TestnetState {
  const file = layout(dir).stateFile;
  if (!existsSync(file)) throw new StateError(`no testnet in ${dir} (${file} is missing; start one with: testnet start --dir ${dir})`);
  let state: TestnetState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as TestnetState;
  } catch (err) {
    throw new StateError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (state.version !== STATE_VERSION) throw new StateError(`${file} has version ${state.version}, this testnet writes ${STATE_VERSION}`);
  return state;
}

export function tryReadState(dir: string): TestnetState | undefined {
  return existsSync(layout(dir).stateFile) ? readState(dir) : undefined;
}

export function writeState(state: TestnetState): void {
  const file = layout(state.dir).stateFile;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}

/**
 * Read-modify-write of state.json. Synchronous on purpose: within one process nothing can interleave with
 * it, so a test stopping two nodes at once does not lose an update. Keep `change` quick (no waiting inside).
 */
export function updateState<T>(dir: string, change: (state: TestnetState) => T): T {
  const state = readState(dir);
  const result = change(state);
  writeState(state);
  return result;
}

/** The satellite's clients (gateway, auth service, nodes): stopped before the satellite. */
export function clientsOf(state: TestnetState): ProcessState[] {
  return [...(state.gateway ? [state.gateway] : []), ...(state.auth ? [state.auth] : []), ...state.nodes];
}

/** Every pid the state still lists, the satellite's clients first (they are stopped before it). */
export function listedPids(state: TestnetState): number[] {
  return [...clientsOf(state).map((p) => p.pid), state.satellite.pid].filter((p): p is number => p !== null);
}
