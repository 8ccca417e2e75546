/**
 * `runProgram`: the one way a dcsim executable runs its command line (commander parses it; the app's
 * `main.ts` only declares commands and options).
 *
 *   const program = new Command('satellite');
 *   program.command('run')...action((opts) => runService('satellite', () => start(opts)));
 *   program.command('admin')...action(...);
 *   await runProgram('satellite', program);
 *
 * It guards the process as a command (a subcommand that serves becomes a service through `runService`), makes
 * commander's own complaints (unknown option, missing argument, a value an option parser refused) read like every
 * other error, `<name>: <message>` with exit code 1, and ends the process the same way when an action throws.
 */
import type { Command } from 'commander';
import { exitWithError } from './exit.js';
import { guardProcess } from './guard.js';

/** `args`: the command line after the program's own path (`process.argv.slice(2)`), possibly rewritten first. */
export async function runProgram(name: string, program: Command, args: string[] = process.argv.slice(2)): Promise<void> {
  guardProcess(name, 'command');
  const output = { outputError: (text: string, write: (text: string) => void) => write(`${name}: ${text.replace(/^error: /, '')}`) };
  for (const command of everyCommand(program)) command.configureOutput(output);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    exitWithError(name, err);
  }
}

/** Commander copies settings to subcommands when they are made; these are set after, so on each of them. */
function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}
