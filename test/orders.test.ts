/**
 * Orders and settlement on a real network: the uplink signs an order for every byte it moves, each node keeps
 * the largest per transfer and settles it with the satellite, which counts each serial once per node and
 * records bandwidth per project, bucket and node. Settled egress covers what was downloaded, counted once even
 * when a node settles the same orders twice; an altered or forged order is refused at settlement; the usage
 * JSON agrees with what was uploaded and downloaded.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseNodeUrl } from '@dcsim/common/nodeid';
import { generateIdentity } from '@dcsim/identity';
import {
  CHANNEL_OPTIONS,
  Order,
  OrderLimit,
  OrdersClient,
  PieceAction,
  PieceSigner,
  SettlementWithWindowResponse_Status as Status,
  Transport,
  generatePieceKey,
  signOrderLimit,
  type SettlementRequest,
  type SettlementWithWindowResponse,
} from '@dcsim/protocol';
import { withTestnet, type TestNet } from './harness.js';
import { readAll } from './support/streams.js';

const SEGMENT = 64 * 1024;

interface Usage {
  storageBytes: number;
  segments: number;
  objects: number;
  egressBytes: number;
  ingressBytes: number;
  buckets: { bucket: string; egressBytes: number; ingressBytes: number }[];
  tally: { storageBytes: number; segments: number; objects: number } | null;
}

interface NodeUsage {
  id: string;
  settled: Record<string, number>;
  atRestBytes: number | null;
}

const usage = async (net: TestNet) => (await net.admin('usage', ['--project', net.projectId])) as unknown as Usage;

/** What every node settled, per action name, and holds at the latest tally. */
const nodeUsage = async (net: TestNet) => ((await net.admin('node-usage')) as unknown as { nodes: NodeUsage[] }).nodes;

/** The orders a node keeps in node.db, with their status. */
function keptOrders(dir: string, status?: string): { limit: OrderLimit; order: Order; status: string }[] {
  const db = new BetterSqlite3(join(dir, 'node.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT order_limit, uplink_order, status FROM orders').all() as {
      order_limit: Buffer;
      uplink_order: Buffer;
      status: string;
    }[];
    return rows
      .filter((r) => status === undefined || r.status === status)
      .map((r) => ({ limit: OrderLimit.decode(r.order_limit), order: Order.decode(r.uplink_order), status: r.status }));
  } finally {
    db.close();
  }
}

/** Marks every order of a node unsent again, as if it had never heard the satellite's answer. */
function forgetSettlement(dir: string): number {
  const db = new BetterSqlite3(join(dir, 'node.db'));
  try {
    return db.prepare("UPDATE orders SET status = 'unsent', settled_at = NULL").run().changes;
  } finally {
    db.close();
  }
}

/** One SettlementWithWindow stream from this test process, as a node would send it. */
function settle(net: TestNet, requests: SettlementRequest[]): Promise<SettlementWithWindowResponse> {
  const satellite = parseNodeUrl(net.satelliteUrl);
  const client = new OrdersClient(satellite.address, Transport.ephemeral().client(satellite.id), CHANNEL_OPTIONS);
  return new Promise((resolve, reject) => {
    const call = client.settlementWithWindow((err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res!);
    });
    for (const r of requests) call.write(r);
    call.end();
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const settledOf = (nodes: NodeUsage[], action: string) => sum(nodes.map((n) => n.settled[action] ?? 0));

describe('orders and settlement', () => {
  it('settles what was moved, once per serial, refuses altered and forged orders, and the usage agrees', async () => {
    await withTestnet({ nodes: 6, scheme: '2/3/4/6', segmentSize: SEGMENT }, async (net) => {
      const project = await net.uplink();
      await project.createBucket('books');
      const data = new Uint8Array(randomBytes(3 * SEGMENT - 1000)); // three remote segments
      const report = await project.upload('books', 'ledger', data);
      const encrypted = sum(report.segments.map((s) => s.encryptedSize));
      const pieceBytes = report.segments.map((s) => s.pieceSize!);
      const stored = report.segments.map((s) => s.pieces.filter((p) => p.status === 'stored').length);

      for (let i = 0; i < 2; i++) expect(await readAll(project.download('books', 'ledger'))).toEqual(Buffer.from(data));
      await net.tally();

      const first = await usage(net);
      expect(first).toMatchObject({ storageBytes: encrypted, segments: 3, objects: 1 });
      expect(first.tally).toMatchObject({ storageBytes: encrypted, segments: 3, objects: 1 });
      // Each download reads at least k = 2 whole pieces of every segment: egress covers them, twice.
      expect(first.egressBytes).toBeGreaterThanOrEqual(2 * 2 * sum(pieceBytes));
      // Uploads pay exactly for the bytes sent: every stored piece, plus whatever cancelled long-tail uploads sent.
      expect(first.ingressBytes).toBeGreaterThanOrEqual(sum(pieceBytes.map((size, i) => size * stored[i])));
      expect(first.buckets).toEqual([{ bucket: 'books', egressBytes: first.egressBytes, ingressBytes: first.ingressBytes }]);
      // The nodes' rollups and the bucket's agree.
      const nodes = await nodeUsage(net);
      expect(settledOf(nodes, 'GET')).toBe(first.egressBytes);
      expect(settledOf(nodes, 'PUT')).toBe(first.ingressBytes);
      expect(sum(nodes.map((n) => n.atRestBytes ?? 0))).toBe(sum(pieceBytes.map((size, i) => size * stored[i])));
      for (const node of net.nodes) expect(keptOrders(node.dir, 'unsent')).toEqual([]);

      // Every node settles the same orders again: nothing more is counted.
      const resent = sum(net.nodes.map((n) => forgetSettlement(n.dir)));
      expect(resent).toBeGreaterThan(0);
      await net.tally();
      expect(await usage(net)).toMatchObject({ egressBytes: first.egressBytes, ingressBytes: first.ingressBytes });
      expect(settledOf(await nodeUsage(net), 'GET')).toBe(first.egressBytes);

      // A third download: its orders wait in the nodes, unsettled. Altered or forged copies are refused.
      expect(await readAll(project.download('books', 'ledger'))).toEqual(Buffer.from(data));
      const pending = net.nodes.flatMap((n) => keptOrders(n.dir, 'unsent').map((o) => ({ ...o, dir: n.dir })));
      expect(pending.length).toBeGreaterThanOrEqual(2 * 3);
      expect(pending.every((o) => o.limit.action === PieceAction.GET)).toBe(true);
      const genuine = pending[0];
      const altered = { limit: genuine.limit, order: { ...genuine.order, amount: genuine.order.amount - 1 } };
      const impostor = generateIdentity();
      const foreignLimit = signOrderLimit(impostor, { ...genuine.limit, satelliteSignature: new Uint8Array(0) });
      const otherKey = generatePieceKey();
      const rekeyed = signOrderLimit(impostor, { ...genuine.limit, uplinkPublicKey: otherKey.publicKey });
      const forgedOrder = new PieceSigner(otherKey.privateKey).order(genuine.limit, genuine.order.amount);
      for (const forged of [
        altered,
        { limit: foreignLimit, order: genuine.order },
        { limit: rekeyed, order: new PieceSigner(otherKey.privateKey).order(rekeyed, rekeyed.limit) },
        { limit: genuine.limit, order: forgedOrder },
        { limit: { ...genuine.limit, limit: genuine.limit.limit * 2 }, order: genuine.order },
      ]) {
        expect(await settle(net, [forged])).toEqual({ status: Status.REJECTED, actionSettled: {}, refused: 1 });
      }
      // An already-settled order sent again beside a forged one: accepted, but nothing new counted.
      const old = keptOrders(genuine.dir, 'accepted')[0];
      expect(await settle(net, [altered, old])).toEqual({ status: Status.ACCEPTED, actionSettled: {}, refused: 1 });
      expect((await usage(net)).egressBytes).toBe(first.egressBytes);

      // The genuine orders, settled by their nodes, count exactly what they say.
      await net.tally();
      const third = await usage(net);
      expect(third.egressBytes - first.egressBytes).toBe(sum(pending.map((o) => o.order.amount)));
      expect(third.egressBytes).toBeGreaterThanOrEqual(3 * 2 * sum(pieceBytes));
    });
  });
});
