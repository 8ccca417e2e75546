/** `uplink rb sj://bucket [--force]`: remove a bucket; with --force, the objects in it first. */
import type { Command } from 'commander';
import { action } from './errors.js';
import { withProject } from './project.js';
import { parseBucketUrl } from './sj-url.js';

export function register(program: Command): void {
  program
    .command('rb')
    .description('remove a bucket; it must be empty unless --force is given')
    .argument('<bucket>', 'sj://BUCKET')
    .option('--force', 'delete the objects in the bucket first (the satellite deletes their pieces from the nodes)')
    .action(
      action(async (location: string, opts: { force?: boolean }, cmd: Command) => {
        const bucket = parseBucketUrl(location);
        await withProject(cmd, (project) => project.deleteBucket(bucket, { force: opts.force ?? false }));
        process.stdout.write(`Bucket ${JSON.stringify(bucket)} has been deleted.\n`);
      }),
    );
}
