/**
 * The uplink's config dir and its saved accesses: `access.json`, `{ "default": name, "accesses": {name: grant} }`,
 * as Storj's uplink keeps them (it spells the keys Default/Accesses; both spellings are read). The grants hold
 * encryption keys, so the file is written with mode 0600 in a directory of mode 0700, and replaced atomically.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError } from './errors.js';

const CONFIG_DIR_NAME = 'dcsim-uplink';
const ACCESS_FILE = 'access.json';

export interface AccessConfig {
  /** Name of the access used when a command is given none. */
  default?: string;
  accesses: Record<string, string>;
}

/** `--config-dir`, else $UPLINK_CONFIG_DIR, else $XDG_CONFIG_HOME/dcsim-uplink, else ~/.config/dcsim-uplink. */
export function configDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  if (env.UPLINK_CONFIG_DIR) return resolve(env.UPLINK_CONFIG_DIR);
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return resolve(base, CONFIG_DIR_NAME);
}

export function accessFile(dir: string): string {
  return join(dir, ACCESS_FILE);
}

/** The saved accesses; none (and no error) when the file does not exist yet. */
export function loadAccessConfig(dir: string): AccessConfig {
  const file = accessFile(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { accesses: {} };
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null) throw new CliError(`${file}: expected a JSON object`);
  const obj = raw as Record<string, unknown>;
  const accesses = obj.accesses ?? obj.Accesses ?? {};
  const defaultName = obj.default ?? obj.Default;
  if (typeof accesses !== 'object' || accesses === null || Object.values(accesses).some((v) => typeof v !== 'string')) {
    throw new CliError(`${file}: "accesses" must map names to access grants`);
  }
  if (defaultName !== undefined && typeof defaultName !== 'string') throw new CliError(`${file}: "default" must be a name`);
  return { default: defaultName || undefined, accesses: { ...(accesses as Record<string, string>) } };
}

export function saveAccessConfig(dir: string, config: AccessConfig): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = accessFile(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  const data = { default: config.default ?? '', accesses: config.accesses };
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask may have taken bits away, never added: make sure anyway
  renameSync(tmp, file);
}
