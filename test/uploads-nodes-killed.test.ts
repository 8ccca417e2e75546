/**
 * Uploads survive storage nodes killed while they are under way (SIGKILL: connections cut mid-piece, as in a
 * crash). The pieces on those nodes fail, and so do the next segments' pieces the satellite still sends there
 * (it heard from them within its online window): the long tail covers n − optimal of them per segment, and
 * RetryBeginSegmentPieces moves the rest to other nodes. Through the library, the CLI and the S3 gateway at
 * once, and no process but the killed nodes dies.
 */
import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { withTestnet } from './harness.js';
import { CLIENTS, expectServicesRunning, expectStored, gatewayClient, pick, uploadsWithFault } from './support/transfers.js';

const NODES = 10;
// 8 nodes per segment; n − optimal = 3 of its pieces may fail before it needs a retry.
const SCHEME = '2/4/5/8';
const SEGMENT = 64 * 1024;

describe('uploads with storage nodes killed mid-transfer', () => {
  it('succeed through the library, the CLI and S3 with 1, 2 and n − optimal nodes killed', async () => {
    await withTestnet({ nodes: NODES, scheme: SCHEME, segmentSize: SEGMENT, gateway: true }, async (net) => {
      const clients = { net, project: await net.uplink(undefined, { log: () => {} }), s3: gatewayClient(net) };
      for (const client of CLIENTS) await clients.project.createBucket(`killed-${client}`);
      for (const count of [1, 2, 3]) {
        const victims = pick(count, NODES);
        const data = () => randomBytes(8 * SEGMENT + count);
        const transfers = CLIENTS.map((client) => ({ client, bucket: `killed-${client}`, key: `${count} killed`, data: data() }));
        await uploadsWithFault(clients, transfers, () => Promise.all(victims.map((i) => net.nodes[i].kill())).then(() => {}));
        for (const t of transfers) await expectStored(clients.project, t);
        await Promise.all(victims.map((i) => net.nodes[i].start()));
      }
      expectServicesRunning(net);
    });
  });
});
