/**
 * Fixtures for a whole test file, set up in beforeAll and taken down in afterAll (vitest hooks, so not in
 * harness.ts, which the benchmarks load outside vitest):
 *
 *   const net = useTestnet({ nodes: 4, gateway: true });   // one network for the file: net() in the tests
 *   const work = useTempDir('dcsim-cli-');                  // a fresh directory: work() in the tests
 *
 * and `ok(run)`, the check that an uplink CLI run succeeded and said nothing on stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { withTestnet, type TestNet, type TestnetOptions, type UplinkRun } from '../harness.js';

/**
 * One network for every test of the file (each withTestnet costs seconds): started before the first test,
 * stopped after the last, with withTestnet's checks (a process that reported a bug fails the file).
 */
export function useTestnet(options: TestnetOptions): () => TestNet {
  let net: TestNet | undefined;
  let release = () => {};
  let stopped: Promise<void> | undefined;
  beforeAll(async () => {
    await new Promise<void>((ready, fail) => {
      stopped = withTestnet(options, async (n) => {
        net = n;
        ready();
        await new Promise<void>((r) => (release = r));
      });
      stopped.catch(fail); // a start that failed; a failed stop is afterAll's
    });
  });
  afterAll(async () => {
    release();
    await stopped;
  });
  return () => {
    if (!net) throw new Error('the testnet of this file is not running (its start failed, or this runs outside a test)');
    return net;
  };
}

/** A fresh directory under the system's temp dir for the file's tests, removed after the last one. */
export function useTempDir(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error(`the ${prefix} temp dir of this file does not exist outside its tests`);
    return dir;
  };
}

/** Expects an uplink CLI run to have exited 0 with nothing on stderr, and returns it. */
export function ok(run: UplinkRun): UplinkRun {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return run;
}
