/** `uplink access use NAME`: make a saved access the default. */
import type { Command } from 'commander';
import { globalOptions } from './access-source.js';
import { configDir, loadAccessConfig, saveAccessConfig } from './config.js';
import { CliError, action } from './errors.js';

export function register(access: Command): void {
  access
    .command('use')
    .description('make a saved access the default for commands given no --access')
    .argument('<name>', 'name of a saved access')
    .action(
      action((name: string, _opts: unknown, cmd: Command) => {
        const dir = configDir(globalOptions(cmd).configDir);
        const config = loadAccessConfig(dir);
        if (!Object.hasOwn(config.accesses, name)) {
          throw new CliError(`access ${JSON.stringify(name)} does not exist (see \`uplink access list\`)`);
        }
        config.default = name;
        saveAccessConfig(dir, config);
        process.stdout.write(`Switched default access to ${JSON.stringify(name)}\n`);
      }),
    );
}
