/** `uplink rm sj://bucket/key [--recursive]`: delete an object, or every object under a prefix. */
import type { Command } from 'commander';
import type { Project } from '../index.js';
import { CliError, action } from './errors.js';
import { withProject } from './project.js';
import { parentPrefix, parseLocation, sjUrl } from './sj-url.js';

export function register(program: Command): void {
  program
    .command('rm')
    .description('delete an object (the satellite then deletes its pieces from the nodes), or with --recursive everything under a prefix')
    .argument('<location>', 'sj://BUCKET/KEY, or sj://BUCKET[/PREFIX] with --recursive')
    .option('-r, --recursive', 'delete every object whose key starts with the given prefix')
    .action(
      action(async (location: string, opts: { recursive?: boolean }, cmd: Command) => {
        const loc = parseLocation(location);
        if (loc.kind !== 'remote') throw new CliError(`remove ${location} skipped: rm only deletes sj:// objects`);
        if (!opts.recursive && !loc.key) throw new CliError(`${location} names no object key (use rb to remove a bucket, or --recursive)`);
        await withProject(cmd, async (project) => {
          if (!opts.recursive) {
            await project.delete(loc.bucket, loc.key);
            process.stdout.write(`removed ${sjUrl(loc.bucket, loc.key)}\n`);
            return;
          }
          await removeRecursive(project, loc.bucket, loc.key);
        });
      }),
    );
}

async function removeRecursive(project: Project, bucket: string, prefix: string): Promise<void> {
  // Collect first: deleting while paging through the listing would be deleting under our own cursor.
  const keys: string[] = [];
  for await (const item of project.list(bucket, { prefix: parentPrefix(prefix), recursive: true })) {
    if (!item.isPrefix && item.key.startsWith(prefix)) keys.push(item.key);
  }
  let failed = 0;
  for (const key of keys) {
    try {
      await project.delete(bucket, key);
      process.stdout.write(`removed ${sjUrl(bucket, key)}\n`);
    } catch (err) {
      failed++;
      process.stderr.write(`remove ${sjUrl(bucket, key)} failed: ${(err as Error).message}\n`);
    }
  }
  if (failed > 0) throw new CliError(`${failed} of ${keys.length} objects under ${sjUrl(bucket, prefix)} could not be removed`);
}
