/**
 * `testnet start`: on a first start the project and API key (satellite admin, on the database file), then the
 * satellite (nodes need its ID to trust it), then every storage node at once; while the nodes check in, the
 * access grant is derived. Any process that dies during start-up stops all the others: a failed start leaves
 * nothing running.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { splitHostPort } from '@dcsim/common/hostport';
import { loadUplink, requestAccess } from './access.js';
import { appCommand, checkInstalled, type Runner } from './apps.js';
import {
  DEFAULT_DIR,
  DEFAULT_NODES,
  DEFAULT_PASSPHRASE,
  DEFAULT_PORT_BASE,
  defaultScheme,
  formatScheme,
  parseScheme,
  SCHEME_RULE,
} from './config.js';
import { writeEnvFile, type TestnetEnv } from './env-file.js';
import { plannedServices, startGatewayServices } from './gateway.js';
import { layout, nodeName, SATELLITE_NAME } from './layout.js';
import { launch, ProcessExitedError, stopProcess, waitForReady, type Launched } from './processes.js';
import { ensureProject, type ProjectRecord } from './project.js';
import { startReaper, type Reaper, type ReaperOptions } from './reaper.js';
import { addressOf, assertPortsFree, planPorts } from './ports.js';
import { clientsOf, STATE_VERSION, tryReadState, writeState, type NodeState, type TestnetState } from './state.js';
import { runningPids } from './status.js';
import { TestnetError } from './errors.js';

export interface StartOptions {
  /** Default `.testnet` in the current directory. */
  dir?: string;
  /** Each unset option keeps the value of the previous run in `dir`, else its default. */
  nodes?: number;
  /** `k/repair/optimal/n`; default from the node count (config.ts). */
  scheme?: string;
  /** 0: every process gets a free port from the OS. */
  portBase?: number;
  passphrase?: string;
  runner?: Runner;
  /** Also run the S3 gateway and its auth service, and put S3 credentials in the env file (default true). */
  gateway?: boolean;
  /** Extra flags for `satellite run` and `storagenode run` (tests: segment size, online window...). */
  satelliteArgs?: string[];
  /** The same flags for every node, or per node (e.g. each node's own --external-address). */
  nodeArgs?: string[] | ((index: number) => string[]);
  /** false (`--detach`): children are unref'd, so this process can exit and leave them running. */
  attached?: boolean;
  /** The foreground `testnet start` process, which `testnet stop` asks to stop first. */
  ownerPid?: number | null;
  readyTimeoutMs?: number;
  /** Start a reaper that stops the network if this process dies without doing so (foreground, tests). */
  reaper?: boolean | ReaperOptions;
  /** Progress messages ("satellite ready at ..."), once the checks passed. */
  log?: (line: string) => void;
  /** Called each time a node has checked in (progress line). */
  onNodeReady?: (ready: number, total: number) => void;
}

export interface StartedTestnet {
  state: TestnetState;
  project: ProjectRecord;
  env: TestnetEnv;
  envFile: string;
  /** The processes this call started, for a foreground owner to watch. */
  children: Launched[];
  reaper?: Reaper;
  timings: StartTimings;
}

/** Where start-up time went, in milliseconds (printed by the CLI, read by the bench). */
export interface StartTimings {
  /** Bundling the apps, starting the reaper, and on a first start creating the project and API key. */
  prepareMs: number;
  /** Satellite launch to its READY line. */
  satelliteMs: number;
  /** Node launch to the last node's READY line. */
  nodesMs: number;
  /** Access grant (project salt from the satellite, argon2id), alongside the nodes. */
  grantMs: number;
  /** Auth service and gateway up and the grant registered, alongside the nodes; 0 without a gateway. */
  gatewayMs: number;
  totalMs: number;
}

export class AlreadyRunningError extends TestnetError {}

export async function startTestnet(options: StartOptions = {}): Promise<StartedTestnet> {
  const began = performance.now();
  const state = await planTestnet(options);
  const log = options.log ?? (() => undefined);
  log(`starting the satellite and ${state.nodes.length} storage nodes in ${state.dir} (logs in ${layout(state.dir).logsDir}/)...`);
  const { reaper, project } = await prepare(state, options);
  const prepareMs = performance.now() - began;
  const children: Launched[] = [];
  try {
    const booted = await bootNetwork(state, project, options, children);
    writeState(state);
    const envFile = layout(state.dir).envFile;
    writeEnvFile(envFile, booted.env, state.dir);
    const timings = { prepareMs, ...booted.timings, totalMs: performance.now() - began };
    return { state, project, env: booted.env, envFile, children, reaper, timings };
  } catch (err) {
    await Promise.all(children.map((c) => stopProcess(c.pid, state.dir)));
    state.satellite.pid = null;
    for (const p of clientsOf(state)) p.pid = null;
    writeState(state);
    reaper?.dismiss();
    throw err;
  }
}

/** Checks (installed, not running yet, ports free), the directories, and the initial state.json. */
async function planTestnet(options: StartOptions): Promise<TestnetState> {
  const dir = resolve(options.dir ?? DEFAULT_DIR);
  const withGateway = options.gateway ?? true;
  checkInstalled(withGateway ? ['satellite', 'storagenode', 'gateway'] : ['satellite', 'storagenode']);
  const previous = tryReadState(dir);
  const alive = previous ? runningPids(previous) : [];
  if (alive.length > 0)
    throw new AlreadyRunningError(`a testnet is already running in ${dir} (pids ${alive.join(', ')}): testnet stop --dir ${dir}`);

  const nodes = options.nodes ?? previous?.nodes.length ?? DEFAULT_NODES;
  // A restart with the same node count keeps its scheme; otherwise the rule picks one.
  const schemeText = options.scheme ?? (previous?.nodes.length === nodes ? previous.scheme : undefined);
  const scheme = formatScheme(schemeText ? parseScheme(schemeText, nodes) : defaultScheme(nodes));
  const portBase = options.portBase ?? previous?.portBase ?? DEFAULT_PORT_BASE;
  const ports = planPorts(portBase, nodes);
  await assertPortsFree([ports.satellite, ...(withGateway ? [ports.gateway, ports.auth] : []), ...ports.nodes], dir);
  if (!schemeText) options.log?.(`redundancy ${scheme} for ${nodes} nodes (${SCHEME_RULE}; --scheme to choose)`);

  const paths = layout(dir);
  for (const d of [paths.logsDir, paths.satelliteDir, ...ports.nodes.map((_, i) => paths.nodeDir(i))]) mkdirSync(d, { recursive: true });
  // A project.json without the satellite.db it was made in names a project that no longer exists.
  if (!existsSync(join(paths.satelliteDir, 'satellite.db'))) rmSync(paths.projectFile, { force: true });

  const nodeArgs = (index: number) => (typeof options.nodeArgs === 'function' ? options.nodeArgs(index) : (options.nodeArgs ?? []));
  const state: TestnetState = {
    version: STATE_VERSION,
    dir,
    portBase,
    scheme,
    runner: options.runner ?? 'bundle',
    satelliteArgs: options.satelliteArgs ?? [],
    ownerPid: options.ownerPid ?? null,
    // A restart keeps the testnet's time: its data (expirations, check-ins) was written on that clock.
    clockOffsetMs: previous?.clockOffsetMs ?? 0,
    satellite: { name: SATELLITE_NAME, pid: null, port: ports.satellite, dir: paths.satelliteDir, log: paths.logFile(SATELLITE_NAME) },
    nodes: ports.nodes.map((port, index) => {
      const name = nodeName(index);
      return { name, index, pid: null, port, dir: paths.nodeDir(index), log: paths.logFile(name), args: nodeArgs(index) };
    }),
    ...(withGateway ? plannedServices(dir, ports) : {}),
  };
  writeState(state);
  return state;
}

/**
 * Before the first process: builds the bundles, starts the reaper and, on a first start, creates the
 * project and API key. `satellite admin` works on the database file, so running it before
 * the satellite means nobody else touches the file yet, and the nodes later start without competing with it.
 */
async function prepare(state: TestnetState, options: StartOptions): Promise<{ reaper?: Reaper; project: ProjectRecord }> {
  loadUplink().catch(() => undefined); // awaited (and its errors reported) when the grant is made
  const starting = options.reaper ? startReaper(state.dir, options.reaper === true ? {} : options.reaper) : undefined;
  try {
    const runner = state.runner as Runner;
    const [project] = await Promise.all([
      appCommand('satellite', runner, []).then(() => ensureProject(state.dir, runner)),
      appCommand('storagenode', runner, []),
      state.gateway ? appCommand('gateway', runner, []) : undefined,
    ]);
    return { reaper: await starting, project };
  } catch (err) {
    (await starting)?.dismiss();
    throw err;
  }
}

/** Satellite, then all nodes at once; the grant is made while the nodes check in. */
async function bootNetwork(state: TestnetState, project: ProjectRecord, options: StartOptions, children: Launched[]) {
  const timeout = options.readyTimeoutMs ?? 60_000;
  const watch = new ExitWatch();
  const started = async (launching: Promise<Launched>) => {
    const launched = await launching;
    children.push(launched);
    watch.add(launched);
    return launched;
  };

  const satelliteStart = performance.now();
  const satellite = await started(launchSatellite(state, options.attached ?? true));
  const satReady = await watch.race(waitForReady<{ id: string; address: string; url: string }>(satellite, timeout));
  const { port } = splitHostPort(satReady.address);
  Object.assign(state.satellite, { id: satReady.id, address: satReady.address, url: satReady.url, port });
  writeState(state);
  const nodesStart = performance.now();
  const satelliteMs = nodesStart - satelliteStart;
  options.log?.(`satellite ready at ${satReady.url} (${seconds(satelliteMs)}); starting the nodes`);

  // allSettled: should one launch fail, every launched node is in `children` before the caller stops them.
  const launching = await Promise.allSettled(state.nodes.map((node) => started(launchNode(state, node, options.attached ?? true))));
  const failed = launching.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const nodes = launching.map((r) => (r as PromiseFulfilledResult<Launched>).value);
  writeState(state); // every node's pid, for `testnet stop` should this process die now

  let ready = 0;
  const nodesReady = Promise.all(
    state.nodes.map(async (node, i) => {
      const info = await waitForReady<{ id: string; address: string }>(nodes[i], timeout);
      Object.assign(node, { id: info.id, address: info.address, port: splitHostPort(info.address).port });
      options.onNodeReady?.(++ready, state.nodes.length);
    }),
  ).then(() => performance.now() - nodesStart);
  const access = (async () => {
    const grant = await requestAccess(satReady.url, project.apiKey, options.passphrase ?? DEFAULT_PASSPHRASE);
    const env: TestnetEnv = { UPLINK_ACCESS: grant, SATELLITE_ADDR: satReady.url };
    return { env, grantMs: performance.now() - nodesStart };
  })();
  // The auth service and the gateway need only the satellite: they start alongside the nodes, and the
  // grant is registered once it is derived.
  const grant = access.then((a) => a.env.UPLINK_ACCESS);
  // `access` reports its own failure; a gateway start that fails before reading the grant must not leave this unhandled.
  grant.catch(() => undefined);
  const services = state.gateway
    ? startGatewayServices(state, grant, {
        attached: options.attached ?? true,
        timeoutMs: timeout,
        started: (launched) => {
          children.push(launched);
          watch.add(launched);
        },
      }).then((s3) => ({ s3, gatewayMs: performance.now() - nodesStart }))
    : Promise.resolve({ s3: {}, gatewayMs: 0 });
  const [nodesMs, { env, grantMs }, { s3, gatewayMs }] = await watch.race(Promise.all([nodesReady, access, services]));
  Object.assign(env, s3);
  if (state.gateway) options.log?.(`S3 gateway ready at ${state.gateway.url} (auth service ${state.auth?.url})`);
  watch.close();
  return { env, timings: { satelliteMs, nodesMs, grantMs, gatewayMs } };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function launchSatellite(state: TestnetState, attached: boolean): Promise<Launched> {
  const args = ['run', '--dir', state.satellite.dir, '--listen', addressOf(state.satellite.port), '--scheme', state.scheme];
  args.push(...clockArgs(state), ...state.satelliteArgs);
  const { command, args: argv } = await appCommand('satellite', state.runner as Runner, args);
  const launched = launch({ name: SATELLITE_NAME, command, args: argv, logFile: state.satellite.log }, attached);
  state.satellite.pid = launched.pid;
  return launched;
}

export async function launchNode(state: TestnetState, node: NodeState, attached: boolean): Promise<Launched> {
  if (!state.satellite.url) throw new Error(`the satellite's URL is not known yet (${state.dir}/state.json): start the testnet first`);
  const args = ['run', '--dir', node.dir, '--listen', addressOf(node.port), '--satellite', state.satellite.url];
  args.push(...clockArgs(state), ...node.args);
  const { command, args: argv } = await appCommand('storagenode', state.runner as Runner, args);
  const launched = launch({ name: node.name, command, args: argv, logFile: node.log }, attached);
  node.pid = launched.pid;
  return launched;
}

/** After `testnet time advance`, every process starts as far ahead as the testnet's clock is. */
function clockArgs(state: TestnetState): string[] {
  return state.clockOffsetMs ? ['--clock-offset', `${state.clockOffsetMs}ms`] : [];
}

/** Turns the first exit of any watched process into a rejection of whatever start-up step is running. */
class ExitWatch {
  private closed = false;
  private fail!: (err: Error) => void;
  private readonly failed = new Promise<never>((_, reject) => (this.fail = reject));

  constructor() {
    this.failed.catch(() => undefined);
  }

  add(proc: Launched): void {
    void proc.exited.then((exit) => {
      if (!this.closed) this.fail(new ProcessExitedError(proc.name, exit, proc.logFile, proc.logOffset));
    });
  }

  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.failed]);
  }

  close(): void {
    this.closed = true;
  }
}
