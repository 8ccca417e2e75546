/**
 * Order-limit verification: the node's whole authorization model (ARCHITECTURE.md invariant 5). An order
 * limit is the satellite's signed permission for this node to do one action on one piece, up to a number of
 * bytes, before a deadline, once. Each check fails with its own reason (reasons.ts of @dcsim/protocol), so a
 * client can tell the problems apart, and its own message, so a person can.
 */
import { equalBytes } from '@dcsim/common/bytes';
import { PIECE_ID_SIZE } from '@dcsim/common/pieceid';
import { shortNodeId } from '@dcsim/common/short';
import {
  Order,
  OrderLimit,
  PieceAction,
  Reason,
  RpcError,
  fieldInvalid,
  fieldMissing,
  pieceActionToJSON,
  verifyOrderLimitSignature,
  verifyOrderSignature,
} from '@dcsim/protocol';
import type { UsedSerials } from './serials.js';
import type { TrustedSatellite } from './trust.js';

export type PieceRpc = 'Upload' | 'Download' | 'Delete';

/** Which actions each RPC honours. PUT_REPAIR is an upload by the satellite's repairer. */
export const ALLOWED_ACTIONS: Record<PieceRpc, readonly PieceAction[]> = {
  Upload: [PieceAction.PUT, PieceAction.PUT_REPAIR],
  Download: [PieceAction.GET, PieceAction.GET_AUDIT, PieceAction.GET_REPAIR],
  Delete: [PieceAction.DELETE],
};

/** How far in the future an order's creation time may be, for clocks that disagree a little. */
export const MAX_CLOCK_SKEW_MS = 60_000;
const MAX_SERIAL_LENGTH = 64;

export interface OrderContext {
  satellite: TrustedSatellite;
  nodeId: Uint8Array;
  serials: UsedSerials;
  /** The node's clock, read once per request. */
  now: Date;
}

/**
 * Checks an order limit for `rpc` and records its serial number; returns the limit or throws an RpcError.
 * The serial is recorded last, so a limit refused for another reason is not used up.
 */
export function verifyOrderLimit(limit: OrderLimit | undefined, rpc: PieceRpc, ctx: OrderContext): OrderLimit {
  const now = ctx.now;
  const satelliteKey = ctx.satellite.publicKey;
  if (!satelliteKey) throw new RpcError(Reason.NODE_NOT_READY, 'node has not checked in with its satellite yet: try again shortly');
  if (!limit) throw fieldMissing('limit', `${rpc}: order limit missing`);

  if (!equalBytes(limit.satelliteId, ctx.satellite.id)) {
    const ours = shortNodeId(ctx.satellite.id);
    const message = `order limit satellite ID ${shortNodeId(limit.satelliteId)} is not this node's satellite ${ours}`;
    throw new RpcError(Reason.ORDER_LIMIT_WRONG_SATELLITE, message);
  }
  if (ctx.satellite.exited) {
    throw new RpcError(Reason.NODE_EXITED, `this node gracefully exited satellite ${shortNodeId(ctx.satellite.id)}: it serves it no more`);
  }
  if (!verifyOrderLimitSignature(satelliteKey, limit)) {
    throw new RpcError(Reason.ORDER_LIMIT_SIGNATURE_INVALID, 'order limit signature is not valid for the trusted satellite key');
  }
  if (!equalBytes(limit.storageNodeId, ctx.nodeId)) {
    const message = `order limit storage node ID ${shortNodeId(limit.storageNodeId)} is not this node (${shortNodeId(ctx.nodeId)})`;
    throw new RpcError(Reason.ORDER_LIMIT_WRONG_NODE, message);
  }
  if (!ALLOWED_ACTIONS[rpc].includes(limit.action)) {
    throw new RpcError(Reason.ORDER_LIMIT_WRONG_ACTION, `order limit action ${pieceActionToJSON(limit.action)} does not allow ${rpc}`);
  }
  if (limit.pieceId.length !== PIECE_ID_SIZE) {
    throw fieldInvalid('limit.piece_id', `order limit piece ID must be ${PIECE_ID_SIZE} bytes, got ${limit.pieceId.length}`);
  }
  if (limit.serialNumber.length === 0 || limit.serialNumber.length > MAX_SERIAL_LENGTH) {
    const message = `order limit serial number must be 1 to ${MAX_SERIAL_LENGTH} bytes, got ${limit.serialNumber.length}`;
    throw fieldInvalid('limit.serial_number', message);
  }
  if (!Number.isSafeInteger(limit.limit) || limit.limit < 0) {
    throw fieldInvalid('limit.limit', `order limit byte limit ${limit.limit} is not a valid size`);
  }
  if (ordersRequired(limit) && !limit.uplinkPublicKey?.length) {
    throw fieldMissing('limit.uplink_public_key', `order limit for ${pieceActionToJSON(limit.action)} carries no uplink public key`);
  }
  if (!limit.orderExpiration) throw fieldMissing('limit.order_expiration', 'order limit has no order expiration');
  if (limit.orderExpiration.getTime() <= now.getTime()) {
    throw new RpcError(Reason.ORDER_LIMIT_EXPIRED, `order limit expired at ${limit.orderExpiration.toISOString()}`);
  }
  if (!limit.orderCreation) throw fieldMissing('limit.order_creation', 'order limit has no order creation time');
  if (limit.orderCreation.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new RpcError(Reason.ORDER_LIMIT_NOT_YET_VALID, `order limit creation time ${limit.orderCreation.toISOString()} is in the future`);
  }
  if (rpc === 'Upload' && limit.pieceExpiration && limit.pieceExpiration.getTime() <= now.getTime()) {
    const message = `order limit piece expiration ${limit.pieceExpiration.toISOString()} is already past`;
    throw new RpcError(Reason.ORDER_LIMIT_PIECE_EXPIRED, message);
  }
  if (!ctx.serials.use(limit.satelliteId, limit.serialNumber, limit.orderExpiration)) {
    throw new RpcError(Reason.ORDER_LIMIT_SERIAL_USED, 'order limit serial already used');
  }
  return limit;
}

/**
 * Checks an order sent under `limit` (Storj's VerifyOrder): same serial, no smaller than the largest before it,
 * within the limit, signed by the limit's piece key. Returns it, to become the transfer's largest order.
 */
export function verifyOrder(limit: OrderLimit, order: Order, largest: Order | undefined): Order {
  if (!equalBytes(order.serialNumber, limit.serialNumber)) {
    throw new RpcError(Reason.ORDER_INVALID, 'order serial number differs from the order limit', { field: 'order.serial_number' });
  }
  if (!Number.isSafeInteger(order.amount) || order.amount < (largest?.amount ?? 0)) {
    const message = `order amount ${order.amount} is smaller than the previous order's ${largest?.amount ?? 0}`;
    throw new RpcError(Reason.ORDER_INVALID, message, { field: 'order.amount' });
  }
  if (order.amount > limit.limit) {
    const message = `order amount ${order.amount} exceeds the order limit of ${limit.limit} bytes`;
    throw new RpcError(Reason.ORDER_INVALID, message, { field: 'order.amount' });
  }
  if (!verifyOrderSignature(limit, order)) {
    throw new RpcError(Reason.ORDER_SIGNATURE_INVALID, "order signature is not valid for the order limit's uplink public key");
  }
  return order;
}

/**
 * Uplinks pay for what they move: their PUT and GET limits carry a piece public key and every byte needs an order.
 * Limits for the satellite's own transfers (audit, repair) may come without one; they then move bytes unordered.
 */
export function ordersRequired(limit: OrderLimit): boolean {
  return (limit.uplinkPublicKey?.length ?? 0) > 0 || limit.action === PieceAction.PUT || limit.action === PieceAction.GET;
}

/** Refuses moving `bytes` more when the orders so far do not cover `moved + bytes` (Storj's "not enough allocated"). */
export function checkAllocated(largest: Order | undefined, moved: number, bytes: number): void {
  const allocated = largest?.amount ?? 0;
  if (allocated < moved + bytes) {
    const message = `not enough allocated: orders cover ${allocated} bytes, moving ${moved + bytes}`;
    throw new RpcError(Reason.ORDER_NOT_ENOUGH_ALLOCATED, message, { allocated: String(allocated), moving: String(moved + bytes) });
  }
}
