/**
 * Child processes of the testnet: launched in their own process group with stdout and stderr going straight
 * to a log file (so they keep running after a detached `testnet start` exits), readiness read from the
 * `READY {...}` line they print, and stopped with SIGTERM, then SIGKILL after a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { TestnetError } from './errors.js';

export interface LaunchSpec {
  /** Shown in messages and status: `satellite`, `node-3`. */
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Launched {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Where this run's output starts in the (appended) log file. */
  logOffset: number;
  /** Resolves when the process exits, for whatever reason. */
  exited: Promise<ExitInfo>;
}

export class ProcessExitedError extends TestnetError {
  constructor(
    readonly processName: string,
    readonly exit: ExitInfo,
    readonly logFile: string,
    fromOffset = 0,
  ) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    super(`${processName} ${how} during start-up; last lines of ${logFile}:\n${indent(logTail(logFile, fromOffset))}`);
  }
}

export class ReadyTimeoutError extends TestnetError {
  constructor(processName: string, timeoutMs: number, logFile: string, fromOffset = 0) {
    super(
      `${processName} printed no READY line within ${timeoutMs / 1000} s; ` +
        `last lines of ${logFile}:\n${indent(logTail(logFile, fromOffset))}`,
    );
  }
}

/**
 * Starts a process in its own process group (Ctrl-C in the terminal reaches only the testnet, which then
 * stops its children in order). `attached: false` also unrefs it, so this process can exit and leave it running.
 */
export function launch(spec: LaunchSpec, attached: boolean): Launched {
  const fd = openSync(spec.logFile, 'a');
  writeSync(fd, `--- ${new Date().toISOString()} starting ${spec.name}: ${[spec.command, ...spec.args].join(' ')}\n`);
  const logOffset = statSync(spec.logFile).size;
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', fd, fd], env: spec.env ?? process.env });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: -1, signal: null }));
  });
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  if (!attached) child.unref();
  return { name: spec.name, pid: child.pid, child, logFile: spec.logFile, logOffset, exited };
}

/** Parses the JSON after `READY ` once the process printed it; rejects if it exits or times out first. */
export async function waitForReady<T = Record<string, string>>(proc: Launched, timeoutMs: number): Promise<T> {
  let exit: ExitInfo | undefined;
  void proc.exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  let offset = proc.logOffset;
  let pending = '';
  for (;;) {
    const chunk = readFrom(proc.logFile, offset);
    offset += chunk.length;
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop()!; // a line still being written
    const ready = lines.find((line) => line.startsWith('READY '));
    if (ready) return parseReady<T>(proc.name, ready);
    if (exit) throw new ProcessExitedError(proc.name, exit, proc.logFile, proc.logOffset);
    if (Date.now() > deadline) throw new ReadyTimeoutError(proc.name, timeoutMs, proc.logFile, proc.logOffset);
    await sleep(40);
  }
}

function parseReady<T>(name: string, line: string): T {
  try {
    return JSON.parse(line.slice('READY '.length)) as T;
  } catch {
    throw new Error(`${name} printed a READY line that is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
  }
}

function readFrom(file: string, offset: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    if (buf.length > 0) readSync(fd, buf, 0, buf.length, offset);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** The last lines of a log file (from `fromOffset`: this run only), for error messages. */
export function logTail(file: string, fromOffset = 0, lines = 15): string {
  if (!existsSync(file)) return '(no log file)';
  const text = readFrom(file, Math.max(fromOffset, statSync(file).size - 16_384))
    .toString('utf8')
    .trimEnd();
  return text.split('\n').slice(-lines).join('\n') || '(it printed nothing)';
}

const indent = (text: string) => text.replace(/^/gm, '    ');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True while the process exists and is not a zombie (an exited child nobody has reaped yet). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all we have
  }
}

/**
 * True if `pid` still runs one of this testnet's programs (its command line names the testnet dir).
 * Guards `stop` against a stale state.json whose pids now belong to something else.
 */
export function runsInDir(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg === dir || arg.startsWith(dir + '/'));
  } catch {
    return existsSync('/proc/self') ? false : true;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // the whole process group the child leads
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export type StopOutcome = 'stopped' | 'killed' | 'not running';

/** SIGTERM (the processes stop gracefully and exit 0), then SIGKILL if still alive after `timeoutMs`. */
export async function stopProcess(pid: number, dir: string, timeoutMs = 5000): Promise<StopOutcome> {
  if (!isAlive(pid) || !runsInDir(pid, dir)) return 'not running';
  signal(pid, 'SIGTERM');
  if (await waitUntilGone(pid, timeoutMs)) return 'stopped';
  signal(pid, 'SIGKILL');
  await waitUntilGone(pid, 2000);
  return 'killed';
}

/** True once the process is gone, false if it still runs after `timeoutMs`. */
export async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/** Immediate SIGKILL of each pid's process group, for exit handlers that cannot wait. */
export function killNow(pids: number[]): void {
  for (const pid of pids) signal(pid, 'SIGKILL');
}
