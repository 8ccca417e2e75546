/** `uplink access remove NAME`: forget a saved access (not the default one). Nothing is revoked. */
import type { Command } from 'commander';
import { globalOptions } from './access-source.js';
import { accessFile, configDir, loadAccessConfig, saveAccessConfig } from './config.js';
import { CliError, action } from './errors.js';

export function register(access: Command): void {
  access
    .command('remove')
    .alias('rm')
    .description('remove a saved access from the config (it still works: use `access revoke` to stop it)')
    .argument('<name>', 'name of a saved access')
    .action(
      action((name: string, _opts: unknown, cmd: Command) => {
        const dir = configDir(globalOptions(cmd).configDir);
        const config = loadAccessConfig(dir);
        if (!Object.hasOwn(config.accesses, name)) throw new CliError(`unknown access: ${JSON.stringify(name)}`);
        if (name === config.default)
          throw new CliError(`cannot remove the default access ${JSON.stringify(name)} (switch with \`access use\` first)`);
        delete config.accesses[name];
        saveAccessConfig(dir, config);
        process.stdout.write(`Removed access ${JSON.stringify(name)} from ${JSON.stringify(accessFile(dir))}\n`);
      }),
    );
}
