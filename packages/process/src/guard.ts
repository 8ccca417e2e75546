/**
 * Every dcsim process installs this guard first thing. An unhandled promise rejection or an uncaught exception is
 * never the way a request fails: it is a bug. The guard writes one line about it to stderr, starting with
 * BUG_MARKER, and then:
 *
 * - uncaught exception: the stack unwound through code that did not expect it, so the process's state is
 *   unknown. Every process exits with code 70 (EX_SOFTWARE, "internal software error").
 * - unhandled rejection: a promise failed and nothing was waiting for it; the code that made it has moved on,
 *   so nothing else is half done. A service (satellite, storage node, gateway, auth service) keeps serving its
 *   other clients. A command (uplink CLI, testnet) exits with code 70: what it printed or wrote is only as good
 *   as every step it took, and it is cheap to run again.
 */
import { writeSync } from 'node:fs';
import { bugLine } from './bug-marker.js';

export type ProcessRole = 'service' | 'command';

/** The exit code of a process that stopped because of its own bug. */
export const BUG_EXIT_CODE = 70;

/**
 * The process's name and role as the guard reports them. Module state on purpose: the events it answers are
 * the process's own, so there is one guard per process. `runProgram` installs it as a command and
 * `runService` turns it into a service once a subcommand turns out to serve.
 */
const guarded: { name: string; role: ProcessRole; installed: boolean } = { name: '', role: 'command', installed: false };

/** Installs the guard, or renames it and changes its role if it is installed already. */
export function guardProcess(name: string, role: ProcessRole): void {
  guarded.name = name;
  guarded.role = role;
  if (guarded.installed) return;
  guarded.installed = true;
  process.on('uncaughtException', (err) => {
    writeLine(bugLine('uncaught exception', guarded.name, err));
    process.exit(BUG_EXIT_CODE);
  });
  process.on('unhandledRejection', (reason) => {
    writeLine(bugLine('unhandled rejection', guarded.name, reason));
    if (guarded.role === 'command') process.exit(BUG_EXIT_CODE);
  });
}

/** One line to stderr, synchronously, so it is out before the process exits. */
export function writeLine(line: string): void {
  try {
    writeSync(2, `${line}\n`);
  } catch {
    // stderr is gone (a closed pipe): nothing left to tell
  }
}
