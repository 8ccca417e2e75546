/**
 * The fixed start of the one stderr line a process writes about its own bug. Tests look for it in the output
 * of every process they ran (test/harness.ts): any such line fails the test run.
 */
import { ProcessError } from './errors.js';

export const BUG_MARKER = 'BUG: ';

/** The lines of `output` that report a bug. */
export function bugReports(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith(BUG_MARKER));
}

/** `BUG: <what> in <process> (pid N): <error with its stack on the same line>` */
export function bugLine(what: string, processName: string, error: unknown): string {
  return `${BUG_MARKER}${what} in ${processName} (pid ${process.pid}): ${oneLine(error)}`;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' | ');
}

/** A process under test logged a bug report: the test fails with this, quoting the reports. */
export class BugReportedError extends ProcessError {
  override name = 'BugReportedError';
  constructor(
    readonly reports: string[],
    options?: ErrorOptions,
  ) {
    const what = `a process reported ${reports.length} bug(s); every unhandled rejection or uncaught exception is a bug`;
    super(`${what}:\n${reports.join('\n')}`, options);
  }
}

/** For tests: throws a BugReportedError if `output` (a process's stderr or log, named by `source`) reports a bug. */
export function assertNoBugReports(source: string, output: string): void {
  const reports = bugReports(output);
  if (reports.length > 0) throw new BugReportedError(reports.map((line) => `${source}: ${line}`));
}
