/**
 * `uplink access restrict [--prefix sj://bucket/prefix]... [permission flags]`: a restricted child of the
 * current access, printed (and saved with --import-as). The same flags as `share`, read-only by default.
 */
import { serializeAccess } from '@dcsim/crypto/grant';
import type { Command } from 'commander';
import { addSaveOptions, saveNamedAccess, type SaveOptions } from './access-save.js';
import { openAccess } from './access-source.js';
import { action } from './errors.js';
import { addPermissionOptions, applyPermission, permissionFromOptions, sharePrefixes, type PermissionOptions } from './permissions.js';

interface RestrictOptions extends PermissionOptions, SaveOptions {
  prefix?: string[];
  importAs?: string;
}

export function register(access: Command): void {
  const restrict = access
    .command('restrict')
    .description('print a restricted access grant derived from the current one (read-only unless --readonly=false)')
    .option('--prefix <sj://bucket/prefix>', 'a prefix the grant is limited to (repeatable; none: the whole project)', collect)
    .option('--import-as <name>', 'also save the restricted access under this name');
  addSaveOptions(addPermissionOptions(restrict)).action(
    action((opts: RestrictOptions, cmd: Command) => {
      const restricted = applyPermission(openAccess(cmd).grant, permissionFromOptions(opts), sharePrefixes(opts.prefix ?? []));
      const text = serializeAccess(restricted);
      if (opts.importAs !== undefined) saveNamedAccess(cmd, opts.importAs, text, opts);
      process.stdout.write(`${text}\n`);
    }),
  );
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
