/**
 * `uplink share sj://bucket/prefix ...`: a restricted grant for others, printed as Storj prints it. The child
 * macaroon gains a caveat (operations, time window, max object TTL, the *encrypted* prefixes), and the child's
 * key store holds only the keys derived at the shared prefixes: it can decrypt that subtree and nothing else.
 * Nothing is sent anywhere: restricting a macaroon needs no satellite.
 */
import { serializeAccess } from '@dcsim/crypto/grant';
import type { Command } from 'commander';
import { openAccess } from './access-source.js';
import { CliError, action } from './errors.js';
import {
  addPermissionOptions,
  applyPermission,
  describePermission,
  permissionFromOptions,
  sharePrefixes,
  type PermissionOptions,
} from './permissions.js';

export function register(program: Command): void {
  const share = program
    .command('share')
    .description('make a restricted access grant to share: read-only by default, limited to the given prefixes')
    .argument('<prefixes...>', 'sj://BUCKET[/PREFIX] the grant may use (at least one)');
  addPermissionOptions(share).action(
    action((locations: string[], opts: PermissionOptions, cmd: Command) => {
      const prefixes = sharePrefixes(locations);
      if (prefixes.length === 0)
        throw new CliError('give at least one prefix to share (use `access restrict` to restrict without prefixes)');
      const access = openAccess(cmd);
      const permission = permissionFromOptions(opts);
      const shared = applyPermission(access.grant, permission, prefixes);
      const lines = [
        `Sharing access to satellite ${shared.satelliteAddress}`,
        '=========== ACCESS RESTRICTIONS ==========================================================',
        ...describePermission(permission, prefixes),
        '=========== SERIALIZED ACCESS WITH THE ABOVE RESTRICTIONS TO SHARE WITH OTHERS ===========',
        `Access       : ${serializeAccess(shared)}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }),
  );
}
