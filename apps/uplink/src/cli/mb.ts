/** `uplink mb sj://bucket`: make a bucket. Bucket names are the one thing the satellite sees in the clear. */
import type { Command } from 'commander';
import { action } from './errors.js';
import { withProject } from './project.js';
import { parseBucketUrl } from './sj-url.js';

export function register(program: Command): void {
  program
    .command('mb')
    .description('make a bucket (its name is stored in the clear on the satellite; object keys inside it are not)')
    .argument('<bucket>', 'sj://BUCKET')
    .action(
      action(async (location: string, _opts: unknown, cmd: Command) => {
        const bucket = parseBucketUrl(location);
        await withProject(cmd, (project) => project.createBucket(bucket));
        process.stdout.write(`Bucket ${JSON.stringify(bucket)} created\n`);
      }),
    );
}
