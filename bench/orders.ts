/**
 * Settlement throughput: how many orders per second the satellite's Orders service settles (SettlementWithWindow
 * over TLS, signature checks, sealed bucket metadata opened, serials recorded, rollups written). The satellite is a
 * real process (a 2-node testnet); this process plays the nodes: it signs GET limits as the satellite would (with
 * the satellite's identity key, read from its data dir) and orders as an uplink would, then streams them, one
 * stream per node and window as nodes do. Then it settles the same orders again: what a retry costs (every serial
 * already settled). Order making is not timed. `--orders N` (default 20,000), `--streams S` (default 10).
 */
import { randomBytes } from 'node:crypto';
import { loadOrCreateIdentity } from '@dcsim/identity';
import { Clock } from '@dcsim/process';
import {
  CHANNEL_OPTIONS,
  OrdersClient,
  PieceAction,
  PieceSigner,
  Transport,
  type SettlementRequest,
  type SettlementWithWindowResponse,
} from '@dcsim/protocol';
import { parseNodeUrl } from '@dcsim/common/nodeid';
import { OrderSigner } from '../apps/satellite/src/orders.js';
import type { NodeRow } from '../apps/satellite/src/db/index.js';
import { withTestnet } from '../test/harness.js';

const DAY_MS = 24 * 3_600_000;

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

export default async function ordersBench(args: string[]): Promise<void> {
  const total = option(args, '--orders', 20_000);
  const streams = option(args, '--streams', 10);
  await withTestnet({ nodes: 2, scheme: '1/1/2/2' }, async (net) => {
    const signer = new OrderSigner(loadOrCreateIdentity(net.satelliteDir), DAY_MS, new Clock());
    const location = { projectId: net.projectId, bucket: 'bench' };
    const perStream = Math.ceil(total / streams);
    const made = Date.now();
    const batches: SettlementRequest[][] = [];
    for (let s = 0; s < streams; s++) {
      const node = { id: new Uint8Array(randomBytes(32)), address: '127.0.0.1:1', publicKey: new Uint8Array(32) } as NodeRow;
      const batch: SettlementRequest[] = [];
      for (let i = 0; i < perStream; i++) {
        const signed = signer.limits(PieceAction.GET, randomBytes(32), [{ pieceNum: 0, node }], 1 << 20, undefined, location);
        const limit = signed.addressedLimits[0].limit!;
        batch.push({ limit, order: new PieceSigner(signed.privateKey).order(limit, 256 * 1024) });
      }
      batches.push(batch);
    }
    console.log(
      `made ${(perStream * streams).toLocaleString('en')} signed orders in ${streams} streams (${Date.now() - made} ms, not timed)`,
    );

    const satellite = parseNodeUrl(net.satelliteUrl);
    const client = new OrdersClient(satellite.address, Transport.ephemeral().client(satellite.id), CHANNEL_OPTIONS);
    try {
      for (const round of ['first settlement', 'settled again (all duplicates)']) {
        const start = process.hrtime.bigint();
        const answers = await Promise.all(batches.map((batch) => settle(client, batch)));
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const newly = answers.reduce((sum, a) => sum + (a.actionSettled[PieceAction.GET] ?? 0), 0);
        const refused = answers.reduce((sum, a) => sum + a.refused, 0);
        console.log(
          `${round}: ${Math.round((perStream * streams) / seconds).toLocaleString('en')} orders/s ` +
            `(${seconds.toFixed(2)} s; ${(newly / (256 * 1024)).toLocaleString('en')} orders newly counted, ${refused} refused)`,
        );
      }
    } finally {
      client.close();
    }
  });
}

function settle(client: OrdersClient, batch: SettlementRequest[]): Promise<SettlementWithWindowResponse> {
  return new Promise((resolve, reject) => {
    const call = client.settlementWithWindow((err, res) => (err ? reject(err) : resolve(res!)));
    for (const request of batch) call.write(request);
    call.end();
  });
}
