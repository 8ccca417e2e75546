/**
 * The permission flags of `share` and `access restrict`, with Storj's meaning (cmd/uplink/access_permissions.go):
 * `--readonly` is ON unless turned off (`--readonly=false` or `--no-readonly`) and implies --disallow-writes and
 * --disallow-deletes; `--writeonly` implies --disallow-reads and --disallow-lists; an explicit `--disallow-x`
 * (or `--disallow-x=false`) overrides what readonly/writeonly imply. The result becomes one caveat of the
 * child macaroon (see @dcsim/crypto restrictAccess).
 */
import { restrictAccess, type AccessGrant, type Permission, type SharePrefix } from '@dcsim/crypto/grant';
import { Option, type Command } from 'commander';
import { CliError } from './errors.js';
import { formatDuration, formatTime, parseDuration, parseHumanDate } from './human-date.js';
import { parseSjUrl } from './sj-url.js';

export interface PermissionOptions {
  readonly?: boolean;
  writeonly?: boolean;
  disallowReads?: boolean;
  disallowWrites?: boolean;
  disallowLists?: boolean;
  disallowDeletes?: boolean;
  notBefore?: string;
  notAfter?: string;
  maxObjectTtl?: string;
}

const TIME_EXAMPLES = "e.g. '+2h', 'now', '2030-01-02T15:04:05Z', '2030-01-02', 'none'";

export function addPermissionOptions(cmd: Command): Command {
  cmd
    .option(
      '--readonly',
      'implies --disallow-writes and --disallow-deletes; ON by default (--readonly=false or --no-readonly to allow writes)',
    )
    .addOption(new Option('--no-readonly').hideHelp())
    .option('--writeonly', 'implies --disallow-reads and --disallow-lists');
  for (const [name, what] of [
    ['reads', 'download objects'],
    ['writes', 'upload objects'],
    ['lists', 'list buckets or objects'],
    ['deletes', 'delete objects or buckets'],
  ]) {
    // `--disallow-x=false` (or --no-disallow-x) explicitly allows what --readonly/--writeonly would forbid.
    cmd.option(`--disallow-${name}`, `the grant cannot ${what} (--disallow-${name}=false overrides --readonly/--writeonly)`);
    cmd.addOption(new Option(`--no-disallow-${name}`).hideHelp());
  }
  return cmd
    .addOption(new Option('--no-writeonly').hideHelp())
    .option('--not-before <time>', `the grant does not work before this time (${TIME_EXAMPLES})`)
    .option('--not-after <time>', `the grant stops working after this time (${TIME_EXAMPLES})`)
    .option('--max-object-ttl <duration>', "objects uploaded with the grant expire after at most this long (e.g. '1h30m', '24h', '720h')");
}

/** What the flags allow, plus the flags' time values resolved (relative to `now`). */
export function permissionFromOptions(opts: PermissionOptions, now = Date.now()): Permission {
  const readonly = opts.readonly ?? true;
  const writeonly = opts.writeonly ?? false;
  const permission: Permission = {
    allowDownload: !(opts.disallowReads ?? writeonly),
    allowUpload: !(opts.disallowWrites ?? readonly),
    allowList: !(opts.disallowLists ?? writeonly),
    allowDelete: !(opts.disallowDeletes ?? readonly),
    notBefore: opts.notBefore !== undefined ? parseHumanDate(opts.notBefore, 'down', now) : undefined,
    notAfter: opts.notAfter !== undefined ? parseHumanDate(opts.notAfter, 'up', now) : undefined,
  };
  if (opts.maxObjectTtl !== undefined) {
    const ttl = parseDuration(opts.maxObjectTtl);
    if (ttl <= 0) throw new CliError(`--max-object-ttl must be positive, got ${JSON.stringify(opts.maxObjectTtl)}`);
    permission.maxObjectTtlMs = Math.round(ttl);
  }
  return permission;
}

/** `sj://bucket[/prefix]` arguments → share prefixes. */
export function sharePrefixes(locations: string[]): SharePrefix[] {
  return locations.map((loc) => {
    const { bucket, key } = parseSjUrl(loc);
    return { bucket, prefix: key };
  });
}

/**
 * The restricted grant. As Storj: if nothing is restricted at all (every operation, no time limits, no
 * prefixes), the grant is returned as it is rather than with an empty caveat.
 */
export function applyPermission(grant: AccessGrant, permission: Permission, prefixes: SharePrefix[]): AccessGrant {
  const p = permission;
  const unrestricted =
    p.allowDownload && p.allowUpload && p.allowList && p.allowDelete && !p.notBefore && !p.notAfter && p.maxObjectTtlMs === undefined;
  if (unrestricted && prefixes.length === 0) return grant;
  if (!p.allowDownload && !p.allowUpload && !p.allowList && !p.allowDelete) {
    throw new CliError('these flags disallow every operation: the grant could do nothing');
  }
  try {
    return restrictAccess(grant, permission, prefixes);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** The restriction lines of `uplink share`, as Storj prints them. */
export function describePermission(permission: Permission, prefixes: SharePrefix[]): string[] {
  const allowed = (on: boolean | undefined) => (on ? 'Allowed' : 'Disallowed');
  const time = (t: Date | undefined) => (t ? formatTime(t, true) : 'No restriction');
  const paths =
    prefixes.length === 0
      ? 'WARNING! The entire project is shared!'
      : prefixes.map((p) => `sj://${p.bucket}/${p.prefix === '' ? ' (entire bucket)' : p.prefix}`).join('\n            ');
  return [
    `Download     : ${allowed(permission.allowDownload)}`,
    `Upload       : ${allowed(permission.allowUpload)}`,
    `Lists        : ${allowed(permission.allowList)}`,
    `Deletes      : ${allowed(permission.allowDelete)}`,
    `NotBefore    : ${time(permission.notBefore)}`,
    `NotAfter     : ${time(permission.notAfter)}`,
    `MaxObjectTTL : ${permission.maxObjectTtlMs === undefined ? 'Not set' : formatDuration(permission.maxObjectTtlMs)}`,
    `Paths        : ${paths}`,
  ];
}
