/** runProgram and runService in a real process: the READY line, signals, exit codes, option errors. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bugReports } from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/service.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the fixture; `signal` is sent once it printed READY, or (`started`) once it said it started. */
function run(args: string[], signal?: { name: NodeJS.Signals; when: 'ready' | 'started' }): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (signal?.when === 'ready' && stdout.includes('\n')) child.kill(signal.name);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (signal?.when === 'started' && stderr.includes('\n')) child.kill(signal.name);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('runService', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints one READY line, then stops on %s and exits 0', async (signal) => {
    const r = await run(['run', '--size', '4MiB'], { name: signal, when: 'ready' });
    expect(r.stdout).toBe(`READY {"size":${4 * 1024 * 1024}}\n`);
    expect(r.stderr).toBe(`fixture: ${signal}: stopping\nfixture stopped\n`);
    expect(r.code).toBe(0);
  });

  it('a start that fails is one line naming the process, and exit 1', async () => {
    const r = await run(['run', '--fail-start']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('fixture: port 1234 is in use\n');
  });

  it('a signal before the service is ready stops it without a READY line', async () => {
    const r = await run(['run', '--never-ready'], { name: 'SIGTERM', when: 'started' });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('fixture waits for something that never comes\nfixture: SIGTERM: stopping\nfixture stopped\n');
    expect(r.code).toBe(0);
  });
});

describe('runProgram', () => {
  it('reports a value an option parser refused as one line, exit 1', async () => {
    const r = await run(['run', '--size', '12 parsecs']);
    expect(r.code).toBe(1);
    const why = 'invalid size "12 parsecs": use bytes or e.g. 500MiB, 2GiB, 4MB';
    expect(r.stderr).toBe(`fixture: option '--size <size>' argument '12 parsecs' is invalid. ${why}\n`);
    expect(bugReports(r.stderr)).toEqual([]);
  });

  it('reports an unknown option the same way', async () => {
    const r = await run(['run', '--colour']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`fixture: unknown option '--colour'\n`);
  });
});
