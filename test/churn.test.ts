/**
 * Churn (issue 14): for a bounded time, nodes leave (removed for good, some after a graceful exit) and new ones
 * join at random, while objects are uploaded and read, with the satellite's background loops on (audits, the
 * repair checker every 2 s, the repairer every second). Between two removals the satellite learns who is gone
 * (`node-liveness`) and a checker and repairer run completes (the test triggers one; the background runs go on
 * alongside and race it, as they race the uploads and downloads): so never more than n − k nodes vanish between
 * checker runs. Then no object may be lost: each one downloads byte for byte at the end. The loop is bounded by a
 * step count and a deadline; nothing about time is asserted.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withTestnet, type TestNet, type TestNode } from './harness.js';
import { readAll } from './support/streams.js';

const SEGMENT = 32 * 1024;
const BUCKET = 'churn';
const MAX_STEPS = 12;
const CHURN_MS = 45_000;

const live = (net: TestNet) => net.nodes.filter((n) => n.isRunning());

describe('churn', () => {
  it('loses no object while nodes leave and join at random during uploads and downloads', async () => {
    const options = {
      nodes: 8,
      scheme: '2/4/5/6',
      segmentSize: SEGMENT,
      backgroundLoops: true,
      satelliteArgs: ['--repair-checker-interval', '2', '--repairer-interval', '1'],
    };
    await withTestnet(options, async (net) => {
      const project = await net.uplink();
      await project.ensureBucket(BUCKET);
      const objects = new Map<string, Buffer>();
      const upload = async () => {
        const key = `object-${objects.size}`;
        const data = randomBytes(randomInt(1, 3 * SEGMENT));
        await project.upload(BUCKET, key, data);
        objects.set(key, data);
      };
      const readOne = async () => {
        const keys = [...objects.keys()];
        const key = keys[randomInt(keys.length)];
        expect((await readAll(project.download(BUCKET, key))).equals(objects.get(key)!), key).toBe(true);
      };
      for (let i = 0; i < 4; i++) await upload();

      const log: string[] = [];
      const end = performance.now() + CHURN_MS;
      for (let step = 0; step < MAX_STEPS && performance.now() < end; step++) {
        // Uploads and reads go on while one node leaves and another joins.
        const traffic = (async () => {
          await upload();
          await readOne();
          await upload();
        })();
        const candidates = live(net);
        const leaving: TestNode = candidates[randomInt(candidates.length)];
        if (randomInt(3) === 0) {
          const exit = await leaving.exit();
          log.push(`${leaving.name} exited (${exit.piecesTransferred} moved, ${exit.piecesFailed} left to repair) and was removed`);
        } else log.push(`${leaving.name} removed`);
        await leaving.remove();
        const joined = await net.addNode();
        log.push(`${joined.name} joined`);
        await traffic;
        // The satellite learns the node is gone, and a whole checker and repairer pass runs before the next removal.
        await net.satellite.repair();
        await readOne();
      }

      expect(log.length).toBeGreaterThan(0);
      expect(live(net).length).toBe(8);
      const history = log.join('; ');
      for (const [key, data] of objects) {
        expect((await readAll(project.download(BUCKET, key))).equals(data), `${key} after ${history}`).toBe(true);
      }
    });
  });
});
