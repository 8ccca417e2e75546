/** `uplink access inspect [grant|name]`: what an access grant holds, as Storj's uplink prints it. */
import { inspectAccessJson } from '@dcsim/crypto/grant';
import type { Command } from 'commander';
import { accessText } from './access-source.js';
import { action } from './errors.js';

export function register(access: Command): void {
  access
    .command('inspect')
    .description('show what an access grant holds: satellite, API key (macaroon head, caveats, tail), encryption settings')
    .argument('[access]', 'the access grant or the name of a saved one (default: the current access)')
    .action(
      action((value: string | undefined, _opts: unknown, cmd: Command) => {
        // Byte for byte what Storj prints (Go's JSON: HTML-safe escapes, 64-bit integers).
        process.stdout.write(`${inspectAccessJson(accessText(cmd, value))}\n`);
      }),
    );
}
