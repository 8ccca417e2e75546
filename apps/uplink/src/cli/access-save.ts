/**
 * Saving a grant under a name (`access import`, `access create --import-as`, `access restrict --import-as`),
 * as Storj's uplink does: an existing name is kept unless --force; the first saved access, or any with --use,
 * becomes the default.
 */
import type { Command } from 'commander';
import { globalOptions } from './access-source.js';
import { accessFile, configDir, loadAccessConfig, saveAccessConfig } from './config.js';
import { CliError } from './errors.js';

export interface SaveOptions {
  force?: boolean;
  use?: boolean;
}

/** Adds --force and --use to a command that can save the grant it makes. */
export function addSaveOptions(cmd: Command): Command {
  return cmd.option('-f, --force', 'overwrite a saved access of the same name').option('--use', 'make the saved access the default');
}

export function checkAccessName(name: string): void {
  if (!/^[\w.@:-]{1,64}$/.test(name)) {
    throw new CliError(`invalid access name ${JSON.stringify(name)}: use 1-64 letters, digits, '_', '-', '.', '@' or ':'`);
  }
}

/** Saves `grant` as `name` in the config dir of `cmd` and says so on stdout. */
export function saveNamedAccess(cmd: Command, name: string, grant: string, opts: SaveOptions): void {
  checkAccessName(name);
  const dir = configDir(globalOptions(cmd).configDir);
  const config = loadAccessConfig(dir);
  if (Object.hasOwn(config.accesses, name) && !opts.force) {
    throw new CliError(`access ${JSON.stringify(name)} already exists: overwrite it with --force, or choose another name`);
  }
  config.accesses[name] = grant;
  if (opts.use || !config.default) config.default = name;
  saveAccessConfig(dir, config);
  process.stdout.write(`Imported access ${JSON.stringify(name)} to ${JSON.stringify(accessFile(dir))}\n`);
}
