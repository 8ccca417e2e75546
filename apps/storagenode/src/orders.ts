/**
 * Order-limit verification: the node's whole authorization model (ARCHITECTURE.md invariant 5). An order
 * limit is the satellite's signed permission for this node to do one action on one piece, up to a number of
 * bytes, before a deadline, once. Each check fails with its own message so a client can name the problem.
 */
import {
  OrderLimit,
  PieceAction,
  RpcError,
  failedPrecondition,
  invalidArgument,
  permissionDenied,
  pieceActionToJSON,
  status,
  verifyOrderLimitSignature,
} from '@dcsim/protocol';
import { shortNode } from './names.js';
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
export const PIECE_ID_LENGTH = 32;
const MAX_SERIAL_LENGTH = 64;

export interface OrderContext {
  satellite: TrustedSatellite;
  nodeId: Uint8Array;
  serials: UsedSerials;
  /** The node's clock, read once per request. */
  now: Date;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

/**
 * Checks an order limit for `rpc` and records its serial number; returns the limit or throws an RpcError.
 * The serial is recorded last, so a limit refused for another reason is not used up.
 */
export function verifyOrderLimit(limit: OrderLimit | undefined, rpc: PieceRpc, ctx: OrderContext): OrderLimit {
  const now = ctx.now;
  const satelliteKey = ctx.satellite.publicKey;
  if (!satelliteKey) throw new RpcError(status.UNAVAILABLE, 'node has not checked in with its satellite yet: try again shortly');
  if (!limit) throw invalidArgument(`${rpc}: order limit missing`);

  if (!sameBytes(limit.satelliteId, ctx.satellite.id)) {
    throw permissionDenied(`order limit satellite ID ${shortNode(limit.satelliteId)} is not this node's satellite ${shortNode(ctx.satellite.id)}`);
  }
  if (!verifyOrderLimitSignature(satelliteKey, limit)) {
    throw permissionDenied('order limit signature is not valid for the trusted satellite key');
  }
  if (!sameBytes(limit.storageNodeId, ctx.nodeId)) {
    throw permissionDenied(`order limit storage node ID ${shortNode(limit.storageNodeId)} is not this node (${shortNode(ctx.nodeId)})`);
  }
  if (!ALLOWED_ACTIONS[rpc].includes(limit.action)) {
    throw permissionDenied(`order limit action ${pieceActionToJSON(limit.action)} does not allow ${rpc}`);
  }
  if (limit.pieceId.length !== PIECE_ID_LENGTH) {
    throw invalidArgument(`order limit piece ID must be ${PIECE_ID_LENGTH} bytes, got ${limit.pieceId.length}`);
  }
  if (limit.serialNumber.length === 0 || limit.serialNumber.length > MAX_SERIAL_LENGTH) {
    throw invalidArgument(`order limit serial number must be 1 to ${MAX_SERIAL_LENGTH} bytes, got ${limit.serialNumber.length}`);
  }
  if (!Number.isSafeInteger(limit.limit) || limit.limit < 0) {
    throw invalidArgument(`order limit byte limit ${limit.limit} is not a valid size`);
  }
  if (!limit.orderExpiration) throw invalidArgument('order limit has no order expiration');
  if (limit.orderExpiration.getTime() <= now.getTime()) {
    throw failedPrecondition(`order limit expired at ${limit.orderExpiration.toISOString()}`);
  }
  if (!limit.orderCreation) throw invalidArgument('order limit has no order creation time');
  if (limit.orderCreation.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw failedPrecondition(`order limit creation time ${limit.orderCreation.toISOString()} is in the future`);
  }
  if (rpc === 'Upload' && limit.pieceExpiration && limit.pieceExpiration.getTime() <= now.getTime()) {
    throw failedPrecondition(`order limit piece expiration ${limit.pieceExpiration.toISOString()} is already past`);
  }
  if (!ctx.serials.use(limit.satelliteId, limit.serialNumber, limit.orderExpiration)) {
    throw permissionDenied('order limit serial already used');
  }
  return limit;
}
