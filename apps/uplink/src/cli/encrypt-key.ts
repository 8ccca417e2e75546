/**
 * `uplink encrypt-key sj://bucket/key`: the object key exactly as the satellite stores it (lowercase hex).
 * A teaching command: this is all the satellite ever learns about the name of your object.
 */
import { encryptPath } from '@dcsim/crypto/encryption';
import type { Command } from 'commander';
import { openAccess } from './access-source.js';
import { action } from './errors.js';
import { parseSjUrl } from './sj-url.js';

export function register(program: Command): void {
  program
    .command('encrypt-key')
    .description('print an object key as the satellite stores it: encrypted per path component, hex-encoded')
    .argument('<location>', 'sj://bucket/key')
    .action(
      action((location: string, _opts: unknown, cmd: Command) => {
        const { grant } = openAccess(cmd);
        const { bucket, key } = parseSjUrl(location, { requireKey: true });
        process.stdout.write(`${Buffer.from(encryptPath(bucket, key, undefined, grant.encAccess.store)).toString('hex')}\n`);
      }),
    );
}
