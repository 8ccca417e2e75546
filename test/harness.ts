/**
 * withTestnet: a real network for one test, like Storj's testplanet. It starts a satellite and storage nodes
 * as separate processes in a fresh temp directory on OS-chosen ports (so test files can run in parallel),
 * through the same start/stop/node functions the `testnet` CLI uses, and always tears them down: when the
 * test returns, when it throws, when the worker exits, and (through the reaper) when the worker is killed.
 *
 *   await withTestnet({ nodes: 6 }, async (net) => {
 *     const r = await net.runUplink(['mb', 'sj://demo']);
 *     await net.nodes[2].stop();
 *     await net.advanceTime('8d');                      // every clock 8 days ahead, every chore run: no sleeping
 *     await net.satellite.runChore('piece-deletion');    // one background loop, now (Storj's TriggerWait)
 *   });
 *
 * A process that reports a bug (a `BUG: ` line: an unhandled rejection or uncaught exception, see @dcsim/process)
 * fails the test: the teardown scans the log of every process of the network, and `runUplink` the CLI's stderr.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appCommand, type Runner } from '../scripts/testnet/apps.js';
import { DEFAULT_PASSPHRASE } from '../scripts/testnet/config.js';
import { findFreePortBase } from '../scripts/testnet/ports.js';
import { auditNow, type AuditRound } from '../scripts/testnet/audit.js';
import { corruptAllPieces, corruptNode, killNode, startNode, stopNode, type CorruptedPiece } from '../scripts/testnet/node-commands.js';
import { killNow } from '../scripts/testnet/processes.js';
import { admin } from '../scripts/testnet/project.js';
import { listChores, runChore, type ChoreTarget } from '../scripts/testnet/chores.js';
import { addNode, exitNode, removeNode, type ExitSummary } from '../scripts/testnet/node-membership.js';
import { repairNow } from '../scripts/testnet/repair.js';
import { advanceTime } from '../scripts/testnet/time.js';
import { settleAndTally } from '../scripts/testnet/accounting.js';
import { collectGarbage, type GcReport } from '../scripts/testnet/gc.js';
import { startTestnet } from '../scripts/testnet/start.js';
import { listedPids, readState, tryReadState, type NodeState } from '../scripts/testnet/state.js';
import { isRunning, testnetStatus, type TestnetStatus } from '../scripts/testnet/status.js';
import { stopTestnet } from '../scripts/testnet/stop.js';
import type { AccessGrant } from '@dcsim/crypto/grant';
import { parseDuration } from '@dcsim/common/duration';
import type { ChoreInfo } from '@dcsim/protocol';
import { assertNoBugReports, BugReportedError, bugReports } from '@dcsim/process';
import { Project, type ProjectOptions } from '@dcsim/uplink';

/**
 * A port base whose whole range (satellite, gateway, nodes) is free now, for tests that must know ports
 * before the network starts (e.g. to put proxies in front of nodes). Otherwise leave portBase at 0.
 */
export const freePortBase = (nodes: number) => findFreePortBase(nodes);

export interface TestnetOptions {
  /** Storage nodes (default 4). */
  nodes?: number;
  /** Also run the S3 gateway and its auth service (default false); net.s3 then has the endpoint and keys. */
  gateway?: boolean;
  /** `k/repair/optimal/n`; default from the node count, as the CLI (4 nodes → 1/2/2/3). */
  scheme?: string;
  /** Satellite `--max-segment-size`: small segments make multi-segment objects cheap. */
  segmentSize?: number;
  /** Satellite `--inline-threshold` in bytes. */
  inlineThreshold?: number;
  /** Satellite `--share-size` in bytes. */
  shareSize?: number;
  /** Satellite `--node-online-window`: how soon a stopped node stops being selected. */
  nodeOnlineWindowSeconds?: number;
  /** Satellite `--new-node-fraction`. */
  newNodeFraction?: number;
  /**
   * Let the satellite's `audit`, `reverify`, `repair-checker` and `repairer` chores run on their own (default
   * false: a test runs them, like testplanet's paused loops, so no audit or repair lands in the middle of what it
   * checks).
   */
  backgroundLoops?: boolean;
  /** Storage node `--checkin-interval`. */
  checkinIntervalSeconds?: number;
  /** Anything else, passed as is; node flags may differ per node (e.g. each one's --external-address). */
  satelliteArgs?: string[];
  nodeArgs?: string[] | ((index: number) => string[]);
  /** Satellite at portBase, node i at portBase + 100 + i (see freePortBase); default 0: the OS picks every port. */
  portBase?: number;
  passphrase?: string;
  /** 'bundle' (default, fast) or 'tsx' (the apps' bin scripts). */
  runner?: Runner;
  /** Keep the temp directory after the test (also with DCSIM_KEEP_TESTNET=1), to read its logs. */
  keepDir?: boolean;
  /**
   * An empty directory to run in instead of a fresh temp dir, for tests that need paths before the network
   * starts (a node's data dir is `layout(dir).nodeDir(i)`); removed afterwards like the temp dir.
   */
  dir?: string;
}

export interface TestNode {
  readonly index: number;
  readonly name: string;
  /** Data dir: identity.key, node.db, pieces/. */
  readonly dir: string;
  /** Node ID (base58check). */
  readonly id: string;
  /** `127.0.0.1:PORT`; a restarted node keeps its port. */
  readonly address: string;
  readonly pid: number | null;
  readonly logFile: string;
  isRunning(): boolean;
  /** SIGTERM, SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash: transfers in flight are cut off. */
  kill(): Promise<void>;
  /** Starts it again (same identity, port and pieces) and waits until it checked in. */
  start(): Promise<void>;
  /** Flips bytes in one stored piece (the largest, or the one whose ID starts with `pieceId`). */
  corrupt(pieceId?: string): CorruptedPiece;
  /** Flips every byte of every piece it stores (`testnet node corrupt <i> --all`). */
  corruptAll(): CorruptedPiece[];
  /** Graceful exit (`testnet node exit <i>`): moves every piece away; resolves once the satellite says it is done. */
  exit(): Promise<ExitSummary>;
  /** Gone for good (`testnet node remove <i>`): stopped and its data deleted. */
  remove(): Promise<void>;
  /**
   * Its chores: `check-in`, `expired-pieces`, `retain`, `trash`, `restore-trash`, `used-serials`, `orders-sender`,
   * `graceful-exit` (see Chores below).
   */
  runChore(name: string): Promise<void>;
  chores(): Promise<ChoreInfo[]>;
}

/** A process's chores (background loops), through its admin socket. */
export interface Chores {
  /** Runs chore `name` now and resolves once that run finished; throws if it failed or there is no such chore. */
  runChore(name: string): Promise<void>;
  /** Each chore's interval, runs, last run and last error. */
  chores(): Promise<ChoreInfo[]>;
}

export interface UplinkRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes, for `cp sj://... -`. */
  stdoutBytes: Buffer;
}

export interface UplinkRunOptions {
  /** How to run the CLI (default 'bundle'); net.runUplink runs it as the network's apps. */
  runner?: Runner;
  /** Bytes written to the CLI's stdin (for `cp - sj://...`), at once or as they come. */
  input?: Uint8Array | string | AsyncIterable<Uint8Array>;
  /** Extra environment; UPLINK_ACCESS is set to net.access unless given here. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface TestNet {
  dir: string;
  /** Serialized access grant for the project, derived from `passphrase`. */
  access: string;
  apiKey: string;
  projectId: string;
  passphrase: string;
  /** `<id>@127.0.0.1:PORT` */
  satelliteUrl: string;
  satelliteAddress: string;
  satelliteId: string;
  /** identity.key and satellite.db. */
  satelliteDir: string;
  scheme: string;
  /** Every node, removed ones included (by index); `addNode` appends. */
  nodes: TestNode[];
  /** A new node joins (`testnet node add`): the next index, started and checked in. */
  addNode(): Promise<TestNode>;
  /** An uplink Project opened with `access` (or another grant, serialized or parsed); closed at teardown. */
  uplink(access?: string | AccessGrant, options?: ProjectOptions): Promise<Project>;
  /** With `gateway: true`: the S3 endpoint and the keys the auth service issued for `access`. */
  s3?: { endpoint: string; accessKeyId: string; secretAccessKey: string };
  /** Runs the `uplink` CLI as a child process with UPLINK_ACCESS = net.access. */
  runUplink(args: string[], options?: UplinkRunOptions): Promise<UplinkRun>;
  /**
   * Runs `satellite admin <command> --dir <satellite dir> ...args` and returns the JSON it prints, e.g.
   * `net.admin('create-project', ['--name', 'other'])` → `{ projectId, ... }`.
   */
  admin(command: string, args?: string[]): Promise<Record<string, unknown>>;
  /**
   * Moves the clock of every running process forward by `duration` ('8d', '25h', '90m', or milliseconds) and waits
   * until each has run its chores (nodes first, then the satellite): what became due has happened when it resolves.
   * Throws if a chore failed. Nodes started later start as far ahead.
   */
  advanceTime(duration: string | number): Promise<void>;
  /** Every running node settles its orders now (`orders-sender`), then the satellite tallies (`npx testnet satellite tally`). */
  tally(): Promise<void>;
  /**
   * The satellite's chores (`cleanup`, `retired-objects`, `piece-deletion`, `audit`, `audit-all`, `reverify`,
   * `node-liveness`, `repair-checker`, `repairer`, `tally`, `settled-serials`, `gc`); `audit()`: one audit round
   * over every segment now, with each piece's outcome (`testnet satellite audit`); `repair()`: ping every node,
   * queue every injured segment, repair them all, resolve once done with what was repaired (`testnet satellite
   * repair`); `gc()`: send every running node its bloom filter and resolve once each applied it (`testnet satellite
   * gc`); and `status()`: each node's processes and the satellite's view of it (`testnet status --json`).
   */
  satellite: Chores & {
    audit(): Promise<AuditRound>;
    repair(): Promise<string>;
    gc(): Promise<GcReport>;
    status(): Promise<TestnetStatus>;
  };
}

export async function withTestnet<T>(options: TestnetOptions, test: (net: TestNet) => Promise<T>): Promise<T> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'dcsim-testnet-'));
  const runner = options.runner ?? 'bundle';
  const keepDir = Boolean(options.keepDir || process.env.DCSIM_KEEP_TESTNET);
  const onExit = () => {
    // The worker is exiting with the network still up (the test hung or the run was cut short).
    try {
      killNow(listedPids(readState(dir)));
    } catch {
      // no state: nothing was started
    }
  };
  process.once('exit', onExit);
  const projects: Project[] = [];
  let reaper: { dismiss(): void } | undefined;
  let testError: { err: unknown } | undefined;
  try {
    const started = await startTestnet({
      dir,
      nodes: options.nodes ?? 4,
      scheme: options.scheme,
      portBase: options.portBase ?? 0,
      passphrase: options.passphrase,
      runner,
      attached: true,
      reaper: { removeDir: !keepDir },
      gateway: options.gateway ?? false,
      satelliteArgs: satelliteArgs(options),
      nodeArgs: nodeArgs(options),
    });
    reaper = started.reaper;
    const sat = started.state.satellite;
    const net: TestNet = {
      dir,
      access: started.env.UPLINK_ACCESS,
      apiKey: started.project.apiKey,
      projectId: started.project.projectId,
      passphrase: options.passphrase ?? DEFAULT_PASSPHRASE,
      satelliteUrl: sat.url!,
      satelliteAddress: sat.address!,
      satelliteId: sat.id!,
      satelliteDir: sat.dir,
      scheme: started.state.scheme,
      nodes: started.state.nodes.map((n) => testNode(dir, n)),
      s3: started.env.AWS_ENDPOINT_URL
        ? {
            endpoint: started.env.AWS_ENDPOINT_URL,
            accessKeyId: started.env.AWS_ACCESS_KEY_ID!,
            secretAccessKey: started.env.AWS_SECRET_ACCESS_KEY!,
          }
        : undefined,
      uplink: async (access, projectOptions) => {
        const project = await Project.open(access ?? net.access, projectOptions);
        projects.push(project);
        return project;
      },
      runUplink: (args, runOptions = {}) =>
        runUplink(args, { runner, ...runOptions, env: { UPLINK_ACCESS: net.access, ...runOptions.env } }),
      admin: (command, args = []) => admin(runner, [command, '--dir', sat.dir, ...args]),
      advanceTime: (duration) => advance(dir, duration),
      tally: async () => void (await settleAndTally(dir)),
      addNode: async () => {
        const added = testNode(dir, await addNode(dir, { attached: true }));
        net.nodes.push(added);
        return added;
      },
      satellite: {
        ...choresOf(dir, 'satellite'),
        audit: () => auditNow(dir),
        repair: async () => (await repairNow(dir)).report,
        gc: () => collectGarbage(dir),
        status: () => testnetStatus(dir),
      },
    };
    return await test(net);
  } catch (err) {
    testError = { err };
    throw err;
  } finally {
    await Promise.allSettled(projects.map((p) => p.close()));
    await stopTestnet(dir).catch(() => onExit());
    reaper?.dismiss();
    process.removeListener('exit', onExit);
    const bugs = bugsInLogs(dir);
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
    // Thrown from `finally`, this replaces the test's own outcome; a failure of the test travels along as the cause.
    // eslint-disable-next-line no-unsafe-finally -- on purpose: a bug report outranks the test's own result
    if (bugs.length > 0) throw new BugReportedError(bugs, testError && { cause: testError.err });
  }
}

/** The bug reports in the logs of every process the testnet ran (read after it stopped: shutdown counts too). */
function bugsInLogs(dir: string): string[] {
  const state = tryReadStateQuietly(dir);
  if (!state) return [];
  const processes = [state.satellite, state.auth, state.gateway, ...state.nodes].filter((p) => p !== undefined);
  return processes.flatMap((p) => {
    const log = existsSync(p.log) ? readFileSync(p.log, 'utf8') : '';
    return bugReports(log).map((line) => `${p.name} (${p.log}): ${line}`);
  });
}

function tryReadStateQuietly(dir: string) {
  try {
    return tryReadState(dir);
  } catch {
    return undefined; // half-written by a start that failed: nothing ran long enough to matter
  }
}

function satelliteArgs(o: TestnetOptions): string[] {
  const args: string[] = [];
  if (o.segmentSize !== undefined) args.push('--max-segment-size', String(o.segmentSize));
  if (o.inlineThreshold !== undefined) args.push('--inline-threshold', String(o.inlineThreshold));
  if (o.shareSize !== undefined) args.push('--share-size', String(o.shareSize));
  if (o.nodeOnlineWindowSeconds !== undefined) args.push('--node-online-window', String(o.nodeOnlineWindowSeconds));
  if (o.newNodeFraction !== undefined) args.push('--new-node-fraction', String(o.newNodeFraction));
  if (!o.backgroundLoops)
    args.push('--audit-interval', '0', '--reverify-interval', '0', '--repair-checker-interval', '0', '--repairer-interval', '0');
  return [...args, ...(o.satelliteArgs ?? [])];
}

function nodeArgs(o: TestnetOptions): (index: number) => string[] {
  const common = o.checkinIntervalSeconds !== undefined ? ['--checkin-interval', String(o.checkinIntervalSeconds)] : [];
  return (index) => [...common, ...(typeof o.nodeArgs === 'function' ? o.nodeArgs(index) : (o.nodeArgs ?? []))];
}

/** A node handle whose fields always reflect state.json (pid and address change across stop/start). */
function testNode(dir: string, initial: NodeState): TestNode {
  const index = initial.index;
  const current = () => readState(dir).nodes[index];
  return {
    index,
    name: initial.name,
    dir: initial.dir,
    logFile: initial.log,
    get id() {
      return current().id!;
    },
    get address() {
      return current().address!;
    },
    get pid() {
      return current().pid;
    },
    isRunning: () => isRunning(current().pid, dir),
    stop: async () => {
      await stopNode(dir, index);
    },
    kill: () => killNode(dir, index),
    start: async () => {
      await startNode(dir, index, { attached: true });
    },
    corrupt: (pieceId) => corruptNode(dir, index, pieceId),
    corruptAll: () => corruptAllPieces(dir, index),
    exit: () => exitNode(dir, index),
    remove: async () => {
      await removeNode(dir, index);
    },
    ...choresOf(dir, index),
  };
}

// ---- Time and chores: through each process's admin socket (scripts/testnet/time.ts, chores.ts) ----

function choresOf(dir: string, target: ChoreTarget): Chores {
  return {
    runChore: async (name) => {
      await runChore(dir, target, name);
    },
    chores: () => listChores(dir, target),
  };
}

async function advance(dir: string, duration: string | number): Promise<void> {
  const advanced = await advanceTime(dir, typeof duration === 'number' ? duration : parseDuration(duration));
  if (advanced.failures.length > 0) throw new Error(`chores failed after the clock moved ${duration}:\n${advanced.failures.join('\n')}`);
}

/** Runs the `uplink` CLI as a child process, with or without a network (net.runUplink gives it the network's grant). */
export async function runUplink(args: string[], options: UplinkRunOptions = {}): Promise<UplinkRun> {
  const { command, args: argv } = await appCommand('uplink', options.runner ?? 'bundle', args);
  const child = spawn(command, argv, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => undefined); // the CLI may exit without reading its input
  const input = options.input ?? '';
  if (typeof input === 'string' || input instanceof Uint8Array) child.stdin.end(input);
  else pipeline(Readable.from(input), child.stdin).catch(() => undefined); // a CLI that exits early stops reading
  const timeoutMs = options.timeoutMs ?? 60_000;
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`uplink ${args.join(' ')} did not finish within ${timeoutMs / 1000} s; stderr:\n${Buffer.concat(err).toString()}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  const stdoutBytes = Buffer.concat(out);
  const stderr = Buffer.concat(err).toString('utf8');
  assertNoBugReports(`uplink ${args[0]}`, stderr); // (not every argument: some are grants)
  return { code, stdout: stdoutBytes.toString('utf8'), stderr, stdoutBytes };
}
