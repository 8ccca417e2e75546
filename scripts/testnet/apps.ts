/**
 * How the testnet runs the apps. Two runners start the same `apps/<app>/src/main.ts`:
 *
 * - `bundle` (default): esbuild (installed with tsx) bundles the app and the workspace packages into one
 *   JavaScript file under node_modules/.cache, rebuilt on every start. Node then starts it in about a
 *   quarter of the time and memory tsx needs, which is what makes 50 nodes on 2 cores start in seconds.
 * - `tsx`: the apps' own bin scripts (`apps/<app>/bin/<app>.js`), exactly what `npx satellite` runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleApp, BundlerMissingError } from './bundle.js';
import { TestnetError } from './errors.js';

export type AppName = 'satellite' | 'storagenode' | 'uplink' | 'gateway';
export type Runner = 'bundle' | 'tsx';
export const RUNNERS: Runner[] = ['bundle', 'tsx'];

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const binPath = (app: AppName) => join(REPO_ROOT, 'apps', app, 'bin', `${app}.js`);
export const mainPath = (app: AppName) => join(REPO_ROOT, 'apps', app, 'src', 'main.ts');

export class MissingDependencyError extends TestnetError {}

/** Packages the processes cannot start without; checked up front so the user gets one clear message. */
const REQUIRED_PACKAGES = ['tsx', '@grpc/grpc-js', 'better-sqlite3', 'commander'];

export function checkInstalled(apps: AppName[]): void {
  const missing = REQUIRED_PACKAGES.filter((p) => !existsSync(join(REPO_ROOT, 'node_modules', p, 'package.json')));
  if (missing.length > 0) {
    throw new MissingDependencyError(
      `dependencies are not installed (missing ${missing.join(', ')} in ${join(REPO_ROOT, 'node_modules')}): ` +
        `run \`npm install\` in ${REPO_ROOT}`,
    );
  }
  for (const app of apps) {
    if (!existsSync(mainPath(app))) throw new MissingDependencyError(`${app} is not there yet: ${mainPath(app)} is missing`);
  }
}

export function parseRunner(text: string): Runner {
  if (!RUNNERS.includes(text as Runner)) throw new MissingDependencyError(`--runner ${text}: must be one of ${RUNNERS.join(', ')}`);
  return text as Runner;
}

export interface Command {
  command: string;
  args: string[];
}

/**
 * V8 flags for every process the testnet starts. A testnet runs a dozen or more Node processes on a few
 * cores, and by default each one's garbage collector starts helper threads per core: on 2 cores they
 * mostly wait on each other. Collecting on the main thread, the machine spent ~15% less CPU per uploaded
 * byte on a 10-node testnet (2 cores; uploads 40–50 MiB/s instead of 34–42), and these heaps are small.
 */
const NODE_FLAGS = ['--single-threaded-gc'];

/**
 * The command line that runs `app` with `args` under `runner`. Without esbuild the app's bin script runs
 * instead (slower, same code); code that does not build is a BundleError naming the file and line.
 */
export async function appCommand(app: AppName, runner: Runner, args: string[], warn = defaultWarn): Promise<Command> {
  if (runner === 'bundle') {
    try {
      const script = await bundleApp(app, mainPath(app), REPO_ROOT);
      return { command: process.execPath, args: ['--enable-source-maps', ...NODE_FLAGS, script, ...args] };
    } catch (err) {
      if (!(err instanceof BundlerMissingError)) throw err;
      warn(`running ${app} through tsx instead of a bundle: ${err.message}`);
    }
  }
  return { command: process.execPath, args: [...NODE_FLAGS, binPath(app), ...args] };
}

/** Warnings already printed: a process that starts many apps (a testnet, a test file's testnets) says each once. */
const warned = new Set<string>();
function defaultWarn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`testnet: ${message}\n`);
}
