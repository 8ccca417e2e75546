/**
 * How a dcsim executable ends when something it expected went wrong (a bad flag, a port in use, a satellite
 * that does not answer): one plain line `<name>: <message>` on stderr and exit code 1, for every app alike.
 * Its own bugs end it through the guard instead (a `BUG:` line, exit 70).
 */
import { writeLine } from './guard.js';

export const FAILURE_EXIT_CODE = 1;

/** `<name>: <message>` (with DCSIM_DEBUG=1 also the stack), then exit 1. */
export function exitWithError(name: string, err: unknown): never {
  writeLine(`${name}: ${errorMessage(err)}`);
  if (process.env.DCSIM_DEBUG && err instanceof Error && err.stack) writeLine(err.stack);
  process.exit(FAILURE_EXIT_CODE);
}

/** What to tell a person: the message, or the error's name when it has none. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}
