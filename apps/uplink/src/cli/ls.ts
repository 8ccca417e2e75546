/**
 * `uplink ls [sj://bucket[/prefix]]`: buckets, or the objects under a prefix, as Storj's uplink prints them.
 * The satellite only has encrypted keys; the names shown here were decrypted on this machine. `--encrypted`
 * shows them as the satellite stores them instead (hex).
 */
import type { Command } from 'commander';
import type { ListItem, Project } from '../index.js';
import { CliError, action } from './errors.js';
import { formatTime } from './human-date.js';
import { withProject } from './project.js';
import { parentPrefix, parseSjUrl } from './sj-url.js';
import { TabbedWriter } from './tabbed.js';

interface LsOptions {
  recursive?: boolean;
  encrypted?: boolean;
  expanded?: boolean;
  utc?: boolean;
  output: string;
}

export function register(program: Command): void {
  program
    .command('ls')
    .description('list buckets (no argument), or the objects and prefixes under sj://BUCKET[/PREFIX]')
    .argument('[prefix]', 'sj://BUCKET[/PREFIX]; without it, the buckets of the project')
    .option('-r, --recursive', 'list every object under the prefix instead of stopping at the next "/"')
    .option('--encrypted', 'show object keys as the satellite stores them: encrypted, hex-encoded')
    .option('-x, --expanded', 'also show expiration times and the size of the user metadata')
    .option('--utc', 'show times in UTC instead of local time')
    .option('-o, --output <format>', 'output format: tabbed or json', 'tabbed')
    .action(
      action(async (location: string | undefined, opts: LsOptions, cmd: Command) => {
        if (opts.output !== 'tabbed' && opts.output !== 'json')
          throw new CliError(`unknown output format ${JSON.stringify(opts.output)} (tabbed or json)`);
        await withProject(cmd, (project) => (location === undefined ? listBuckets(project, opts) : listObjects(project, location, opts)));
      }),
    );
}

async function listBuckets(project: Project, opts: LsOptions): Promise<void> {
  const table = new TabbedWriter(['CREATED', 'NAME']);
  for await (const bucket of project.listBuckets()) {
    if (opts.output === 'json') process.stdout.write(`${JSON.stringify({ Name: bucket.name, Created: bucket.created?.toISOString() })}\n`);
    else table.line(formatTime(bucket.created, opts.utc), bucket.name);
  }
  table.done();
}

async function listObjects(project: Project, location: string, opts: LsOptions): Promise<void> {
  const { bucket, key } = parseSjUrl(location);
  // As Storj: list from the last '/' of the argument, keep what starts with the whole argument
  // ("sj://b/ph" lists "photos/" and "phone.txt"), and show keys relative to that '/' unless recursive.
  const parent = parentPrefix(key);
  if (opts.encrypted && key !== parent) {
    throw new CliError('with --encrypted the prefix must be empty or end with "/" (a partial name has no encrypted form)');
  }
  const headers = ['KIND', 'CREATED', 'SIZE', 'KEY', ...(opts.expanded ? ['EXPIRES', 'META'] : [])];
  const table = new TabbedWriter(headers);
  const items = project.list(bucket, {
    prefix: parent,
    recursive: opts.recursive,
    encrypted: opts.encrypted,
    includeMetadata: opts.expanded,
  });
  for await (const item of items) {
    if (!opts.encrypted && !item.key.startsWith(key)) continue;
    const shown = opts.recursive || opts.encrypted ? item.key : item.key.slice(parent.length);
    if (opts.output === 'json') process.stdout.write(`${JSON.stringify(jsonItem(item, shown, opts))}\n`);
    else table.line(...row(item, shown, opts));
  }
  table.done();
}

function row(item: ListItem, key: string, opts: LsOptions): (string | number)[] {
  if (item.isPrefix) return ['PRE', '', '', key, ...(opts.expanded ? ['', ''] : [])];
  const base = ['OBJ', formatTime(item.created, opts.utc), item.size, key];
  return opts.expanded ? [...base, formatTime(item.expires, opts.utc), metadataSize(item)] : base;
}

function jsonItem(item: ListItem, key: string, opts: LsOptions): object {
  if (item.isPrefix) return { kind: 'PRE', key };
  const meta = metadataSize(item);
  return {
    kind: 'OBJ',
    created: formatTime(item.created, opts.utc),
    size: item.size,
    key,
    expires: formatTime(item.expires, opts.utc) || undefined,
    meta: meta || undefined,
  };
}

/** Storj's META column: bytes of the user metadata's keys and values. */
function metadataSize(item: ListItem): number {
  return Object.entries(item.metadata ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}
