/**
 * How every uplink command fails: one line on stderr naming what went wrong, exit code 1, no stack trace.
 * Unexpected errors still print their message; set DCSIM_DEBUG=1 to see the stack.
 */
import { UplinkError } from '../lib/uplink-error.js';

export class CliError extends UplinkError {}

export function fail(err: unknown): never {
  const message = err instanceof Error ? err.message || err.name : String(err);
  process.stderr.write(`uplink: ${message.split('\n')[0]}\n`);
  if (process.env.DCSIM_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}

/** Wraps a command action so any error it throws ends the process the same way. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      fail(err);
    }
  };
}
