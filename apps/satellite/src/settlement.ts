/**
 * The Orders service: nodes settle the orders uplinks signed (Storj's satellite/orders endpoint.go,
 * SettlementWithWindow). A node streams the orders of one window (the hour their limits were created), then
 * the satellite answers once: ACCEPTED with the bytes newly settled per action, or REJECTED when no order was
 * valid. Each order is checked as Storj does, cheapest first, and a bad one is skipped (counted in `refused`),
 * not fatal to the rest:
 *   1. it names the same node as the stream's first order (a stream is one node's),
 *   2. its limit has not expired (so forgetting settled serials after expiry is safe),
 *   3. the limit is this satellite's, signed by it,
 *   4. the order is signed by the limit's uplink piece key, and its serial is the limit's,
 *   5. the limit was created in the stream's window, and the amount is within the limit.
 * A serial counts once per node: settling it again (a retry, a replay) adds nothing. Settled bytes go to the
 * node's rollup for every action, and to the bucket's for PUT and GET (project and bucket from the limit's sealed
 * metadata); `dead` is what the limit allowed and the order did not use.
 *
 * grpc-js does not show a handler its client's certificate (protocol README), so the node is known from the
 * limits, which the satellite signed: an order can only ever credit the node it was made for.
 */
import { equalBytes } from '@dcsim/common/bytes';
import { nodeIdString } from '@dcsim/common/nodeid';
import { formatBytes } from '@dcsim/common/size';
import type { Identity } from '@dcsim/identity';
import type { Clock } from '@dcsim/process';
import {
  PieceAction,
  SettlementWithWindowResponse_Status as Status,
  pieceActionToJSON,
  toServiceError,
  verifyOrderLimitSignature,
  verifyOrderSignature,
  type OrdersServer,
  type SettlementRequest,
  type SettlementWithWindowResponse,
} from '@dcsim/protocol';
import type { ServerReadableStream } from '@grpc/grpc-js';
import { hourOf, type ByAction } from './db/bandwidth.js';
import type { SatelliteDb } from './db/index.js';
import type { Logger } from './log.js';
import type { OrderSigner } from './orders.js';

/** Orders one stream may carry: a node's busiest hour is far below this. */
export const MAX_ORDERS_PER_SETTLEMENT = 1_000_000;

export interface SettlementDeps {
  db: SatelliteDb;
  identity: Identity;
  orders: OrderSigner;
  clock: Clock;
  log: Logger;
}

export function ordersService(deps: SettlementDeps): OrdersServer {
  return {
    settlementWithWindow: (call, callback) => {
      collect(call).then(
        (requests) => callback(null, settle(deps, requests)),
        (err) => callback(toServiceError(err, deps.log)),
      );
    },
  };
}

async function collect(call: ServerReadableStream<SettlementRequest, SettlementWithWindowResponse>): Promise<SettlementRequest[]> {
  const requests: SettlementRequest[] = [];
  for await (const request of call as AsyncIterable<SettlementRequest>) {
    if (requests.length >= MAX_ORDERS_PER_SETTLEMENT) break;
    requests.push(request);
  }
  return requests;
}

interface ValidOrder {
  nodeId: Uint8Array;
  serial: Uint8Array;
  action: PieceAction;
  amount: number;
  limitBytes: number;
  expiresAt: number;
  location: ReturnType<OrderSigner['openBucketLocation']>;
}

/** Checks and records one stream's orders; returns the answer. */
function settle(deps: SettlementDeps, requests: SettlementRequest[]): SettlementWithWindowResponse {
  const now = deps.clock.now();
  const first = requests.find((r) => r.limit)?.limit;
  const nodeId = first?.storageNodeId;
  const window = hourOf(first?.orderCreation?.getTime() ?? 0);
  const valid: ValidOrder[] = [];
  const seen = new Set<string>();
  let refused = 0;
  for (const request of requests) {
    const order = nodeId && check(deps, request, nodeId, window, now);
    if (!order) {
      refused++;
      continue;
    }
    const key = Buffer.from(order.serial).toString('hex');
    if (seen.has(key)) continue; // the same serial twice in one stream counts once
    seen.add(key);
    valid.push(order);
  }
  if (valid.length === 0) {
    deps.log(`settlement refused: none of ${requests.length} order(s) valid${nodeId ? ` (node ${nodeIdString(nodeId)})` : ''}`);
    return { status: Status.REJECTED, actionSettled: {}, refused };
  }
  const settled = deps.db.transaction(() => record(deps.db, valid, window));
  const total = Object.values(settled).reduce((a, b) => a + b, 0);
  deps.log(
    `settled ${valid.length} order(s) of node ${nodeIdString(nodeId!)} for window ${new Date(window).toISOString()}: ` +
      `${formatBytes(total)} new${refused > 0 ? `, ${refused} refused` : ''}` +
      Object.entries(settled)
        .map(([action, bytes]) => ` ${pieceActionToJSON(Number(action))} ${formatBytes(bytes)}`)
        .join(','),
  );
  return { status: Status.ACCEPTED, actionSettled: settled, refused };
}

/** The order as settlement records it, or undefined if any check fails (see the file's comment). */
function check(deps: SettlementDeps, { limit, order }: SettlementRequest, nodeId: Uint8Array, window: number, now: number) {
  if (!limit || !order) return undefined;
  if (!equalBytes(limit.storageNodeId, nodeId)) return undefined;
  const expiresAt = limit.orderExpiration?.getTime();
  if (expiresAt === undefined || expiresAt < now) return undefined;
  if (!equalBytes(limit.satelliteId, deps.identity.id) || !verifyOrderLimitSignature(deps.identity.publicKey, limit)) return undefined;
  if (!verifyOrderSignature(limit, order) || !equalBytes(order.serialNumber, limit.serialNumber)) return undefined;
  if (hourOf(limit.orderCreation?.getTime() ?? -1) !== window) return undefined;
  if (!Number.isSafeInteger(order.amount) || order.amount <= 0 || order.amount > limit.limit) return undefined;
  return {
    nodeId,
    serial: limit.serialNumber,
    action: limit.action,
    amount: order.amount,
    limitBytes: limit.limit,
    expiresAt,
    location: deps.orders.openBucketLocation(limit),
  } satisfies ValidOrder;
}

/** Adds the orders not settled before to the rollups; returns the bytes newly settled per action. */
function record(db: SatelliteDb, orders: ValidOrder[], window: number): ByAction {
  const settled: ByAction = {};
  for (const o of orders) {
    if (!db.bandwidth.markSettled(o.nodeId, o.serial, o.expiresAt)) continue;
    settled[o.action] = (settled[o.action] ?? 0) + o.amount;
    db.bandwidth.addNodeSettled(o.nodeId, window, o.action, o.amount);
    if (o.location && (o.action === PieceAction.PUT || o.action === PieceAction.GET)) {
      const { projectId, bucket } = o.location;
      db.bandwidth.addBucketBandwidth(projectId, bucket, window, o.action, { settled: o.amount, dead: o.limitBytes - o.amount });
    }
  }
  return settled;
}
