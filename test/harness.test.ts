/** withTestnet itself: what it hands a test, and that it cleans up whatever the test does. */
import { appendFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAccess } from '@dcsim/crypto/grant';
import { BugReportedError } from '@dcsim/process';
import { isAlive } from '../scripts/testnet/processes.js';
import { listedPids, readState } from '../scripts/testnet/state.js';
import { withTestnet } from './harness.js';

describe('withTestnet', () => {
  it('tears the network down when the test throws', async () => {
    let dir = '';
    let pids: number[] = [];
    const boom = new Error('the test failed');
    await expect(
      withTestnet({ nodes: 2 }, async (net) => {
        dir = net.dir;
        pids = listedPids(readState(net.dir));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('gives a working grant and node handles that stop, start and corrupt', async () => {
    await withTestnet({ nodes: 3 }, async (net) => {
      expect(parseAccess(net.access).satelliteAddress).toBe(net.satelliteUrl);
      expect(net.nodes.map((n) => n.isRunning())).toEqual([true, true, true]);

      // The grant works against the satellite, through the library and through the CLI.
      const project = await net.uplink();
      await project.createBucket('harness');
      const buckets = [];
      for await (const b of project.listBuckets()) buckets.push(b.name);
      expect(buckets).toEqual(['harness']);
      const inspect = await net.runUplink(['access', 'inspect']);
      expect(inspect.code, inspect.stderr).toBe(0);
      expect(inspect.stdout).toContain(net.satelliteUrl);

      const node = net.nodes[1];
      const { id, address, pid } = node;
      await node.stop();
      expect(node.isRunning()).toBe(false);
      expect(isAlive(pid!)).toBe(false);
      await node.start();
      expect(node.isRunning()).toBe(true);
      expect([node.id, node.address]).toEqual([id, address]);
      expect(() => node.corrupt()).toThrow(/stores no pieces/);
    });
  });

  it('fails the test when a process of the network reported a bug, also when the test failed too', async () => {
    const planted = 'BUG: unhandled rejection in storagenode (pid 1): Error: planted by the test';
    const passing = withTestnet({ nodes: 1 }, async (net) => {
      appendFileSync(net.nodes[0].logFile, `${planted}\n`);
    });
    await expect(passing).rejects.toThrow(BugReportedError);
    await expect(passing).rejects.toThrow(
      /node-0 \(.*\.log\): BUG: unhandled rejection in storagenode \(pid 1\): Error: planted by the test/,
    );

    const boom = new Error('the test failed as well');
    const failing = withTestnet({ nodes: 1 }, async (net) => {
      appendFileSync(net.nodes[0].logFile, `${planted}\n`);
      throw boom;
    });
    const err = await failing.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BugReportedError);
    expect((err as Error).cause).toBe(boom);
  });

  it('fails a CLI run whose stderr reports a bug', async () => {
    await withTestnet({ nodes: 1 }, async (net) => {
      // A preloaded module writes the marker into the CLI's real stderr, as the process guard would
      // (NODE_OPTIONS splits at spaces: the data URL spells them %20).
      const plant = `--import=data:text/javascript,process.stderr.write('BUG:%20planted%20in%20the%20CLI%5Cn')`;
      await expect(net.runUplink(['ls'], { env: { NODE_OPTIONS: plant } })).rejects.toThrow(
        /^a process reported 1 bug.*\nuplink ls: BUG: planted in the CLI$/s,
      );
      expect((await net.runUplink(['ls'])).code).toBe(0);
    });
  });
});
