import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertNoBugReports, BUG_EXIT_CODE, BugReportedError, bugReports, ProcessError } from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/faulty.ts', import.meta.url));

/** Runs the fixture as a real process (through tsx, as the apps' bin scripts do). */
function run(role: string, fault: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', FIXTURE, role, fault], (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
    });
  });
}

describe('guardProcess', () => {
  it('logs an unhandled rejection as one BUG line; a service keeps running', async () => {
    const r = await run('service', 'reject');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('still serving\n');
    expect(bugReports(r.stderr)).toEqual([
      expect.stringMatching(/^BUG: unhandled rejection in faulty \(pid \d+\): Error: nobody waited for this promise \| at .*faulty\.ts/),
    ]);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it(`ends a command on an unhandled rejection with exit code ${BUG_EXIT_CODE}`, async () => {
    const r = await run('command', 'reject');
    expect(r.code).toBe(BUG_EXIT_CODE);
    expect(r.stdout).toBe('');
    expect(bugReports(r.stderr)).toEqual([expect.stringMatching(/^BUG: unhandled rejection in faulty .*nobody waited/)]);
  });

  it.each(['service', 'command'])(`ends a %s on an uncaught exception with exit code ${BUG_EXIT_CODE}`, async (role) => {
    const r = await run(role, 'throw');
    expect(r.code).toBe(BUG_EXIT_CODE);
    expect(r.stdout).toBe('');
    expect(bugReports(r.stderr)).toEqual([expect.stringMatching(/^BUG: uncaught exception in faulty .*thrown where nothing catches it/)]);
  });
});

describe('bugReports', () => {
  it('finds the lines that start with the marker, and only those', () => {
    const log = [
      '2026-12-04T00:00:00Z satellite: bucket created: BUG: not a report',
      'BUG: unhandled rejection in x (pid 1): boom',
      '',
    ].join('\n');
    expect(bugReports(log)).toEqual(['BUG: unhandled rejection in x (pid 1): boom']);
  });

  it('fail a test with a BugReportedError, a ProcessError like every error of this package', () => {
    expect(() => assertNoBugReports('node 1', 'BUG: boom')).toThrow(BugReportedError);
    expect(() => assertNoBugReports('node 1', 'BUG: boom')).toThrow(ProcessError);
    expect(() => assertNoBugReports('node 1', 'all well')).not.toThrow();
  });
});
