/** `uplink access list`: the saved accesses, the default one marked `*`, as Storj's uplink prints them. */
import type { Command } from 'commander';
import { globalOptions, tryParseAccess } from './access-source.js';
import { configDir, loadAccessConfig } from './config.js';
import { action } from './errors.js';
import { TabbedWriter } from './tabbed.js';

export function register(access: Command): void {
  access
    .command('list')
    .alias('ls')
    .description('list the saved accesses (* marks the default)')
    .option('-v, --verbose', 'also print the satellite ID and each grant (secret: it holds encryption keys)')
    .action(
      action((opts: { verbose?: boolean }, cmd: Command) => {
        const config = loadAccessConfig(configDir(globalOptions(cmd).configDir));
        const headers = ['CURRENT', 'NAME', 'SATELLITE', ...(opts.verbose ? ['VALUE'] : [])];
        const table = new TabbedWriter(headers);
        for (const name of Object.keys(config.accesses).sort()) {
          const grant = config.accesses[name];
          let satellite = tryParseAccess(grant).grant?.satelliteAddress ?? '<access parse error>';
          if (!opts.verbose && satellite.includes('@')) satellite = satellite.slice(satellite.indexOf('@') + 1);
          table.line(name === config.default ? '*' : ' ', name, satellite, ...(opts.verbose ? [grant] : []));
        }
        table.done();
      }),
    );
}
