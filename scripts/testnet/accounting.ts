/**
 * The testnet's shortcuts for the satellite's books:
 * - `testnet satellite admin <command> [args...]` runs `satellite admin <command>` on the testnet's satellite
 *   (its --dir), with the testnet's project as --project for the commands that take one, unless given;
 * - `testnet satellite tally` makes every running node settle its orders now (its `orders-sender` chore), then runs
 *   the satellite's `tally` chore: afterwards `satellite admin usage` shows everything moved so far.
 */
import { spawn } from 'node:child_process';
import { appCommand, parseRunner } from './apps.js';
import { runChore, runningProcesses, ChoreCommandError } from './chores.js';
import { ensureProject } from './project.js';
import { readState } from './state.js';

/** The admin commands that act on one project: the testnet's, unless --project is given. */
const PROJECT_COMMANDS = new Set(['create-api-key', 'set-limits', 'usage']);

/** Runs `satellite admin` with the testnet's satellite dir (and project); its output is the command's; resolves to its exit code. */
export async function satelliteAdmin(dir: string, command: string, args: string[]): Promise<number> {
  const state = readState(dir);
  const runner = parseRunner(state.runner);
  const extra = ['--dir', state.satellite.dir];
  if (PROJECT_COMMANDS.has(command) && !args.includes('--project')) extra.push('--project', (await ensureProject(dir, runner)).projectId);
  const { command: exe, args: argv } = await appCommand('satellite', runner, ['admin', command, ...extra, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(exe, argv, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

export interface TallyReport {
  /** Nodes whose orders were settled. */
  settled: string[];
  tallyMs: number;
}

/** Every running node's `orders-sender`, then the satellite's `tally`. */
export async function settleAndTally(dir: string): Promise<TallyReport> {
  const running = runningProcesses(readState(dir));
  if (!running.satellite) throw new ChoreCommandError('the satellite is not running');
  const settled: string[] = [];
  for (let i = 0; i < readState(dir).nodes.length; i++) {
    const node = readState(dir).nodes[i];
    if (!running.nodes.some((n) => n.name === node.name)) continue;
    await runChore(dir, i, 'orders-sender');
    settled.push(node.name);
  }
  const run = await runChore(dir, 'satellite', 'tally');
  return { settled, tallyMs: run.durationMs };
}
