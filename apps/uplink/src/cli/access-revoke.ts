/**
 * `uplink access revoke GRANT|NAME`: ask the satellite to revoke a grant, authorized by the current access
 * (which must be the grant it was derived from, or an ancestor). The satellite records the revoked
 * macaroon's tail; from then on that grant, and every grant derived from it, is refused.
 */
import type { Command } from 'commander';
import { globalOptions, resolveAccess } from './access-source.js';
import { configDir } from './config.js';
import { action } from './errors.js';
import { withProject } from './project.js';

export function register(access: Command): void {
  access
    .command('revoke')
    .description('revoke an access grant (and all derived from it) at the satellite, using the current access (--access) as the revoker')
    .argument('<access>', 'the access grant to revoke, or the name of a saved one')
    .action(
      action(async (revokee: string, _opts: unknown, cmd: Command) => {
        // Only an explicit value here: never fall back to UPLINK_ACCESS or the default for the grant to revoke.
        const target = resolveAccess(revokee, configDir(globalOptions(cmd).configDir), {});
        await withProject(cmd, (project) => project.revokeAccess(target.grant));
        // The grant holds keys: name it only by its saved name, never print it.
        process.stdout.write(target.name ? `Revoked access ${JSON.stringify(target.name)}\n` : 'Revoked the access grant\n');
      }),
    );
}
