/**
 * `uplink meta get sj://bucket/key [entry]`: the object's user metadata, decrypted here (the satellite only
 * holds it encrypted), printed as Storj prints it: indented JSON with sorted keys, or one entry's value.
 */
import type { Command } from 'commander';
import { CliError, action } from './errors.js';
import { withProject } from './project.js';
import { parseSjUrl } from './sj-url.js';

export function register(meta: Command): void {
  meta
    .command('get')
    .description("print an object's user metadata (decrypted on this machine) as JSON, or the value of one entry")
    .argument('<location>', 'sj://BUCKET/KEY')
    .argument('[entry]', 'print only the value of this metadata entry')
    .action(
      action(async (location: string, entry: string | undefined, _opts: unknown, cmd: Command) => {
        const { bucket, key } = parseSjUrl(location, { requireKey: true });
        const info = await withProject(cmd, (project) => project.stat(bucket, key));
        if (entry !== undefined) {
          if (!Object.hasOwn(info.metadata, entry)) throw new CliError(`entry ${JSON.stringify(entry)} does not exist`);
          process.stdout.write(`${info.metadata[entry]}\n`);
          return;
        }
        process.stdout.write(`${goJson(info.metadata)}\n`);
      }),
    );
}

/** Go's json.MarshalIndent(map, "", "  "): keys sorted, <, > and & escaped; `{}` when empty. */
export function goJson(map: Record<string, string>): string {
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return '{}';
  const escape = (s: string) =>
    JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `{\n${keys.map((k) => `  ${escape(k)}: ${escape(map[k])}`).join(',\n')}\n}`;
}
