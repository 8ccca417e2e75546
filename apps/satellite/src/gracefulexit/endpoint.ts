/**
 * The GracefulExit gRPC service (gracefulexit.proto): authenticates the calling node by its signature on the
 * request (the key it checked in with) and a timestamp near the satellite's clock, then hands the call to
 * GracefulExits (exits.ts).
 */
import { nodeIdString } from '@dcsim/common/nodeid';
import {
  ExitProcessRequest,
  Reason,
  RpcError,
  TransferReport,
  fieldInvalid,
  fieldMissing,
  unaryHandler,
  verifyNodeMessage,
  type GracefulExitServer,
} from '@dcsim/protocol';
import type { Clock } from '@dcsim/process';
import type { NodeRow, SatelliteDb } from '../db/index.js';
import type { Logger } from '../log.js';
import type { GracefulExits } from './exits.js';

/** As for check-ins: a signed request older or newer than this may be a replay. */
const CLOCK_SKEW_MS = 10 * 60 * 1000;

export function gracefulExitService(deps: { db: SatelliteDb; exits: GracefulExits; clock: Clock; log: Logger }): GracefulExitServer {
  return {
    process: unaryHandler((req: ExitProcessRequest) => deps.exits.process(signedBy(deps, req, ExitProcessRequest)), deps.log),
    reportTransfer: unaryHandler((req: TransferReport) => deps.exits.report(signedBy(deps, req, TransferReport), req), deps.log),
  };
}

type Signed = { nodeId: Uint8Array; timestamp?: Date; signature: Uint8Array };

/** The node that signed `request`; throws when it is unknown, the signature is not its own, or the time is off. */
function signedBy<T extends Signed>(
  deps: { db: SatelliteDb; clock: Clock },
  request: T,
  codec: { encode(message: T): { finish(): Uint8Array } },
): NodeRow {
  if (request.nodeId.length !== 32) throw fieldInvalid('node_id', `node ID must be 32 bytes, got ${request.nodeId.length}`);
  const node = deps.db.nodes.get(request.nodeId);
  if (!node) throw new RpcError(Reason.NODE_UNKNOWN, `node ${nodeIdString(request.nodeId)} never checked in with this satellite`);
  if (!verifyNodeMessage(node.publicKey, codec, request)) {
    throw new RpcError(Reason.NODE_SIGNATURE_INVALID, `the request is not signed by node ${nodeIdString(node.id)}`);
  }
  const sentAt = request.timestamp?.getTime();
  if (sentAt === undefined || Number.isNaN(sentAt)) throw fieldMissing('timestamp', 'the request has no timestamp');
  if (Math.abs(deps.clock.now() - sentAt) > CLOCK_SKEW_MS) {
    throw new RpcError(Reason.CLOCK_SKEWED, `request timestamp ${request.timestamp!.toISOString()} is more than 10 minutes off`);
  }
  return node;
}
