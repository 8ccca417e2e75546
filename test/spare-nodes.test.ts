/**
 * The testnet's default redundancy leaves spare nodes, as Storj's network does: a node gone for longer than the
 * satellite's online window must not fail uploads with "not enough nodes".
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultScheme, formatScheme } from '../scripts/testnet/config.js';
import { withTestnet } from './harness.js';

describe('default redundancy', () => {
  it('puts n at 80% of the nodes, and still makes a working scheme for the smallest networks', () => {
    const schemes = Object.fromEntries([1, 2, 3, 4, 5, 10, 20, 50].map((nodes) => [nodes, formatScheme(defaultScheme(nodes))]));
    expect(schemes).toEqual({
      1: '1/1/1/1',
      2: '1/1/1/1',
      3: '1/1/2/2',
      4: '1/2/2/3',
      5: '2/2/3/4',
      10: '3/4/6/8',
      20: '6/8/12/16',
      50: '16/20/30/40',
    });
  });

  it('lets uploads succeed once a node has been gone longer than the online window', async () => {
    await withTestnet({}, async (net) => {
      expect(net.scheme).toBe('1/2/2/3');
      await net.nodes[0].stop();
      // A minute and a second later (the satellite's online window is a minute), the running nodes have checked in
      // again and node 0 has not: the satellite counts it offline and selects only among the other three.
      await net.advanceTime('61s');

      const project = await net.uplink();
      await project.createBucket('spares');
      const data = randomBytes(200 * 1024);
      const report = await project.upload('spares', 'after-a-node-left', data);
      expect(report.segments.flatMap((s) => s.pieces.map((p) => p.nodeId))).not.toContain(net.nodes[0].id);

      const chunks: Uint8Array[] = [];
      for await (const chunk of await project.download('spares', 'after-a-node-left')) chunks.push(chunk);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
    });
  });
});
