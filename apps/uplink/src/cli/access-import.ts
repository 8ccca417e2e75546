/** `uplink access import NAME GRANT|FILE`: save a grant under a name in the config dir. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { tryParseAccess } from './access-source.js';
import { addSaveOptions, saveNamedAccess, type SaveOptions } from './access-save.js';
import { CliError, action } from './errors.js';

export function register(access: Command): void {
  addSaveOptions(
    access
      .command('import')
      .description('save an access grant under a name (the first one saved becomes the default); the file is mode 0600')
      .argument('<name>', 'name to save the access as')
      .argument('<access>', 'the serialized access grant, or a file holding one'),
  ).action(
    action((name: string, value: string, opts: SaveOptions, cmd: Command) => {
      saveNamedAccess(cmd, name, grantFrom(value), opts);
    }),
  );
}

/** The grant itself, or the grant in the file of that name (as Storj's uplink accepts both). */
function grantFrom(value: string): string {
  const direct = tryParseAccess(value);
  if (direct.grant) return value.trim();
  let text: string;
  try {
    text = readFileSync(value, 'utf8').trim();
  } catch {
    throw new CliError(`the access is neither a valid access grant (${direct.error}) nor a readable file`);
  }
  const fromFile = tryParseAccess(text);
  if (!fromFile.grant) throw new CliError(`${value} does not hold a valid access grant: ${fromFile.error}`);
  return text;
}
