/**
 * Which access grant a command uses, as Storj's uplink decides: `--access` (a value that parses as a grant
 * is a grant, anything else is the name of a saved access), else $UPLINK_ACCESS (same rule), else the
 * default access saved in the config dir. Grants are secrets: no message here ever repeats one.
 */
import { parseAccess, type AccessGrant } from '@dcsim/crypto/grant';
import type { Command } from 'commander';
import { accessFile, configDir, loadAccessConfig } from './config.js';
import { CliError } from './errors.js';

/** The options every command has (defined on the program). */
export interface GlobalOptions {
  access?: string;
  configDir?: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export interface ResolvedAccess {
  grant: AccessGrant;
  /** The serialized grant. */
  text: string;
  /** The saved name it was found under, if it came from the config. */
  name?: string;
}

/** Parses a grant, or says why not (without the grant). */
export function tryParseAccess(text: string): { grant?: AccessGrant; error?: string } {
  try {
    return { grant: parseAccess(text.trim()) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/**
 * Resolves `value` (a grant or a saved name; undefined: $UPLINK_ACCESS, then the saved default) using the
 * config in `dir`.
 */
export function resolveAccess(value: string | undefined, dir: string, env: NodeJS.ProcessEnv = process.env): ResolvedAccess {
  let from = '--access';
  if (value === undefined && env.UPLINK_ACCESS) {
    value = env.UPLINK_ACCESS;
    from = 'UPLINK_ACCESS';
  }
  if (value !== undefined) {
    const parsed = tryParseAccess(value);
    if (parsed.grant) return { grant: parsed.grant, text: value.trim() };
    return savedAccess(value, dir, from, parsed.error);
  }
  const config = loadAccessConfig(dir);
  if (!config.default) {
    throw new CliError(
      'no access grant: pass --access <grant|name>, set UPLINK_ACCESS, or save one with `uplink access import NAME GRANT` ' +
        '(the testnet writes a grant to .testnet/env)',
    );
  }
  return savedAccess(config.default, dir, `the default access in ${accessFile(dir)}`);
}

function savedAccess(name: string, dir: string, from: string, parseError?: string): ResolvedAccess {
  const config = loadAccessConfig(dir);
  const text = Object.hasOwn(config.accesses, name) ? config.accesses[name] : undefined;
  if (text === undefined) {
    // A short word was surely meant as a name; a long one was probably a damaged grant: do not echo it.
    if (/^[\w.@:-]{1,64}$/.test(name) && !(parseError && name.length > 40)) {
      throw new CliError(`no access named ${JSON.stringify(name)} in ${accessFile(dir)} (see \`uplink access list\`)`);
    }
    throw new CliError(`${from} is neither a valid access grant (${parseError ?? 'unparsable'}) nor the name of a saved access`);
  }
  const parsed = tryParseAccess(text);
  if (!parsed.grant) throw new CliError(`saved access ${JSON.stringify(name)} in ${accessFile(dir)} is damaged: ${parsed.error}`);
  return { grant: parsed.grant, text, name };
}

/** The access a command runs with: `explicit` (an argument) if given, else the global choice. */
export function openAccess(cmd: Command, explicit?: string): ResolvedAccess {
  const opts = globalOptions(cmd);
  return resolveAccess(explicit ?? opts.access, configDir(opts.configDir));
}

/** The serialized grant a command runs with (for commands that only read the grant). */
export function accessText(cmd: Command, explicit?: string): string {
  return openAccess(cmd, explicit).text;
}
