/**
 * Fault tolerance as a standing property: for a while, storage nodes are killed (SIGKILL, mid-transfer) and
 * started again at random while uploads and downloads run concurrently, through the library and the S3
 * gateway. Never more than n − optimal nodes are down at once, which the network is built to survive: every
 * transfer succeeds, every object reads back byte for byte afterwards, and the satellite and gateway live on.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { withTestnet } from './harness.js';
import { readAll } from './support/streams.js';
import { expectServicesRunning, gatewayClient } from './support/transfers.js';

const NODES = 10;
// 8 nodes per segment: n − optimal = 3 may fail without a retry; any 2 pieces rebuild a segment.
const SCHEME = '2/4/5/8';
const MAX_DOWN = 3;
const SEGMENT = 64 * 1024;
const CHAOS_MS = 20_000;

const random = (n: number) => Math.floor(Math.random() * n);

/** Up to four segments and a bit, sometimes small enough to go inline. */
const randomObject = () => randomBytes(random(5) === 0 ? random(4000) : random(4 * SEGMENT) + 1);

describe('faults', () => {
  it('random node kills and restarts during concurrent uploads and downloads lose nothing', async () => {
    await withTestnet({ nodes: NODES, scheme: SCHEME, segmentSize: SEGMENT, gateway: true }, async (net) => {
      const project = await net.uplink(undefined, { log: () => {} });
      const s3 = gatewayClient(net);
      await project.createBucket('faults');
      const stored = new Map<string, Buffer>();
      const deadline = Date.now() + CHAOS_MS;
      const down = new Set<number>();
      let kills = 0;

      const chaos = async () => {
        while (Date.now() < deadline) {
          await sleep(300 + random(700));
          const up = [...Array(NODES).keys()].filter((i) => !down.has(i));
          if (down.size < MAX_DOWN && (down.size === 0 || random(2) === 0)) {
            const victim = up[random(up.length)];
            down.add(victim);
            await net.nodes[victim].kill();
            kills++;
          } else {
            const back = [...down][random(down.size)];
            await net.nodes[back].start(); // counts as down until it has checked in again
            down.delete(back);
          }
        }
        await Promise.all([...down].map((i) => net.nodes[i].start()));
        down.clear();
      };

      // Each worker uploads new objects and reads back earlier ones (whole or a range), until the deadline.
      const worker = async (name: string, put: (key: string, data: Buffer) => Promise<void>, get: (key: string) => Promise<Buffer>) => {
        for (let i = 0; Date.now() < deadline; i++) {
          const key = `${name}/${i}`;
          const data = randomObject();
          await put(key, data);
          stored.set(key, data);
          const keys = [...stored.keys()];
          const earlier = keys[random(keys.length)];
          expect((await get(earlier)).equals(stored.get(earlier)!)).toBe(true);
          const ranged = stored.get(key)!;
          if (ranged.length > 2) {
            const offset = random(ranged.length - 1);
            const range = await readAll(project.download('faults', key, { offset, length: ranged.length - offset }));
            expect(range.equals(ranged.subarray(offset))).toBe(true);
          }
        }
      };
      const library = (name: string) =>
        worker(
          name,
          async (key, data) => void (await project.upload('faults', key, data)),
          (key) => readAll(project.download('faults', key)),
        );
      const viaS3 = worker(
        's3',
        async (key, data) => void (await s3.send(new PutObjectCommand({ Bucket: 'faults', Key: key, Body: data }))),
        async (key) => {
          const got = await s3.send(new GetObjectCommand({ Bucket: 'faults', Key: key }));
          return Buffer.from(await got.Body!.transformToByteArray());
        },
      );
      await Promise.all([chaos(), library('a'), library('b'), viaS3]);

      expect(kills).toBeGreaterThan(3);
      expect(stored.size).toBeGreaterThan(10);
      for (const [key, data] of stored) expect((await readAll(project.download('faults', key))).equals(data)).toBe(true);
      expectServicesRunning(net);
    });
  });
});
