/**
 * Uploads survive storage nodes that are down. A node stopped a moment ago is still inside the satellite's
 * online window, so it is still chosen: its pieces fail, the long tail covers up to n − optimal of them, and
 * beyond that the failed pieces go to other nodes (RetryBeginSegmentPieces). Through the library, the CLI and
 * the S3 gateway alike, and no process dies. With more nodes down than the scheme can lose, the upload fails
 * with one plain line and leaves nothing visible.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { NotEnoughPiecesError, ObjectNotFoundError } from '@dcsim/uplink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTestnet, type TestNet } from './harness.js';
import {
  CLIENTS,
  expectOneLineError,
  expectServicesRunning,
  expectStored,
  gatewayClient,
  pick,
  upload,
  type Clients,
} from './support/transfers.js';

const NODES = 10;
// 8 nodes per segment; n − optimal = 3 of its pieces may fail before it needs a retry; n − k = 6.
const SCHEME = '2/4/5/8';
const SEGMENT = 64 * 1024;

let net: TestNet;
let clients: Clients;
let release: () => void;
let stopped: Promise<void>;

beforeAll(async () => {
  await new Promise<void>((ready, fail) => {
    stopped = withTestnet({ nodes: NODES, scheme: SCHEME, segmentSize: SEGMENT, gateway: true }, async (n) => {
      net = n;
      clients = { net, project: await n.uplink(undefined, { log: () => {} }), s3: gatewayClient(n) };
      ready();
      await new Promise<void>((r) => (release = r));
    });
    stopped.catch(fail);
  });
});

afterAll(async () => {
  release?.();
  await stopped;
});

describe('uploads with storage nodes down', () => {
  it('succeed through the library, the CLI and S3 with 1, 2, n − optimal and n − optimal + 1 nodes stopped', async () => {
    for (const client of CLIENTS) await clients.project.createBucket(`stopped-${client}`);
    // 4 stopped: up to 4 of a segment's 8 pieces fail, one more than the long tail covers; the two nodes
    // not chosen are then up, and take the failed pieces.
    for (const count of [1, 2, 3, 4]) {
      const down = pick(count, NODES);
      await Promise.all(down.map((i) => net.nodes[i].stop()));
      const data = () => randomBytes(5 * SEGMENT + count);
      const transfers = CLIENTS.map((client) => ({ client, bucket: `stopped-${client}`, key: `${count} down`, data: data() }));
      await Promise.all(transfers.map((t) => upload(clients, t)));
      for (const t of transfers) await expectStored(clients.project, t);
      await Promise.all(down.map((i) => net.nodes[i].start()));
    }
    expectServicesRunning(net);
  });

  it('fail with one plain line and leave nothing visible when more than n − k nodes are down', async () => {
    const { project, s3 } = clients;
    await project.createBucket('too-few');
    await Promise.all(pick(7, NODES).map((i) => net.nodes[i].stop())); // 3 nodes left, 5 pieces needed
    const data = randomBytes(3 * SEGMENT);

    await expect(project.upload('too-few', 'library', data)).rejects.toBeInstanceOf(NotEnoughPiecesError);
    const file = join(net.dir, 'too-few.bin');
    writeFileSync(file, data);
    const cli = await net.runUplink(['cp', '--no-progress', file, 'sj://too-few/cli']);
    expectOneLineError(cli, /^uplink: sj:\/\/too-few\/cli: upload failed: only \d of the 5 pieces needed were stored/);
    await expect(s3.send(new PutObjectCommand({ Bucket: 'too-few', Key: 's3', Body: data }))).rejects.toThrow();

    for (const key of ['library', 'cli', 's3']) await expect(project.stat('too-few', key)).rejects.toBeInstanceOf(ObjectNotFoundError);
    const listed = await net.runUplink(['ls', 'sj://too-few', '--recursive']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim()).toBe('');
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'too-few' }))).KeyCount ?? 0).toBe(0);
    expectServicesRunning(net);
  });
});
