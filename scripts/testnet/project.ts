/**
 * The testnet's project and API key, created once through `satellite admin` (which works on the satellite's
 * SQLite file directly, creating it on a first start) and kept in `D/project.json`, so a restarted testnet
 * keeps its buckets and grant.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PROJECT_NAME } from './config.js';
import { appCommand, type Runner } from './apps.js';
import { layout } from './layout.js';
import { TestnetError } from './errors.js';

export interface ProjectRecord {
  projectId: string;
  /** Serialized macaroon (base58check): a secret, hence the 0600 file. */
  apiKey: string;
}

export class ProjectSetupError extends TestnetError {}

export async function ensureProject(dir: string, runner: Runner): Promise<ProjectRecord> {
  const file = layout(dir).projectFile;
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ProjectRecord;
  const satelliteDir = layout(dir).satelliteDir;
  const project = await admin(runner, ['create-project', '--dir', satelliteDir, '--name', PROJECT_NAME]);
  const projectId = String(project.projectId);
  const key = await admin(runner, ['create-api-key', '--dir', satelliteDir, '--project', projectId, '--name', PROJECT_NAME]);
  const record = { projectId, apiKey: String(key.apiKey) };
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  return record;
}

/** Runs `satellite admin <args>` and parses the JSON object it prints. */
export async function admin(runner: Runner, args: string[]): Promise<Record<string, unknown>> {
  const { command, args: argv } = await appCommand('satellite', runner, ['admin', ...args]);
  const what = `satellite admin ${args[0]}`;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(command, argv, { timeout: 60_000 }, (err, out, errOut) => {
      if (err) reject(new ProjectSetupError(`${what} failed (${err.message.split('\n')[0]}):\n${String(errOut).trim().slice(-2000)}`));
      else resolve(String(out));
    });
  });
  try {
    return JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1)) as Record<string, unknown>;
  } catch {
    throw new ProjectSetupError(`${what} printed no JSON object: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
}
