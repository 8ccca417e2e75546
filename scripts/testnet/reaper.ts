/**
 * The reaper: a small process that outlives its owner (a foreground `testnet start` or a test worker) and,
 * should the owner die without cleaning up (SIGKILL, a crashed vitest worker), stops every process listed in
 * state.json. A normal shutdown stops the children itself and then ends the reaper.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './apps.js';
import { bundleApp } from './bundle.js';
import { isAlive, sleep } from './processes.js';
import { tryReadState } from './state.js';
import { stopListed } from './stop.js';

const POLL_MS = 500;

export interface Reaper {
  pid: number;
  /** Ends the reaper (its owner has stopped everything). */
  dismiss(): void;
}

export interface ReaperOptions {
  /** Also delete `dir` once the processes are stopped (a test's temp directory). */
  removeDir?: boolean;
  /** Default: this process. */
  ownerPid?: number;
}

/** Starts a reaper watching the owner process for the testnet in `dir`. */
export async function startReaper(dir: string, options: ReaperOptions = {}): Promise<Reaper> {
  const ownerPid = options.ownerPid ?? process.pid;
  const entry = join(REPO_ROOT, 'scripts', 'testnet', 'reaper-main.ts');
  let args: string[];
  try {
    args = [await bundleApp('reaper', entry, REPO_ROOT)];
  } catch {
    args = ['--import', pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href, entry];
  }
  const flags = options.removeDir ? ['--remove-dir'] : [];
  const child = spawn(process.execPath, [...args, String(ownerPid), dir, ...flags], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid!;
  return {
    pid,
    dismiss: () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

/** The reaper's loop: wait for the owner to die, then stop what state.json still lists. */
export async function runReaper(ownerPid: number, dir: string, removeDir: boolean): Promise<void> {
  while (isAlive(ownerPid)) await sleep(POLL_MS);
  const state = tryReadState(dir);
  if (!state) return; // the directory is gone: nothing left to stop
  await stopListed(state);
  if (removeDir) rmSync(dir, { recursive: true, force: true });
}
