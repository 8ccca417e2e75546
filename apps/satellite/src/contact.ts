/**
 * The Contact service: storage nodes check in on start and then periodically. A check-in is signed
 * by the node, and its node ID must be the hash of the public key it carries, so nobody can register
 * an address under someone else's ID. The answer carries the satellite's public key, which the node
 * checks against the satellite ID it was configured with before trusting any order limit.
 */
import { idMatchesKey, nodeIdString, type Identity } from '@dcsim/identity';
import {
  invalidArgument,
  unaryHandler,
  unauthenticated,
  verifyCheckInSignature,
  type CheckInRequest,
  type CheckInResponse,
  type ContactServer,
} from '@dcsim/protocol';
import type { SatelliteDb } from './db/index.js';
import { formatBytes } from '@dcsim/format';
import type { Logger } from './log.js';

/** A check-in more than this far from the satellite's clock is refused (it may be a replay). */
export const CHECK_IN_CLOCK_SKEW_MS = 10 * 60 * 1000;

export function contactService(db: SatelliteDb, satellite: Identity, log: Logger): ContactServer {
  return {
    checkIn: unaryHandler((req: CheckInRequest) => checkIn(db, satellite, log, req), log),
  };
}

export function checkIn(db: SatelliteDb, satellite: Identity, log: Logger, req: CheckInRequest, now = Date.now()): CheckInResponse {
  if (req.nodeId.length !== 32) throw invalidArgument(`node ID must be 32 bytes, got ${req.nodeId.length}`);
  if (req.publicKey.length !== 32) throw invalidArgument(`public key must be 32 bytes, got ${req.publicKey.length}`);
  if (!verifyCheckInSignature(req)) throw unauthenticated('check-in signature is invalid');
  if (!idMatchesKey(req.nodeId, req.publicKey)) throw unauthenticated('node ID does not match the public key');
  const sentAt = req.timestamp?.getTime();
  if (sentAt === undefined || Number.isNaN(sentAt)) throw invalidArgument('check-in has no timestamp');
  if (Math.abs(now - sentAt) > CHECK_IN_CLOCK_SKEW_MS) {
    throw invalidArgument(`check-in timestamp ${req.timestamp!.toISOString()} is more than 10 minutes from the satellite's clock`);
  }
  checkAddress(req.address);
  if (!Number.isSafeInteger(req.freeDisk) || req.freeDisk < 0) throw invalidArgument(`free disk must be >= 0, got ${req.freeDisk}`);

  const before = db.nodes.checkIn({
    id: req.nodeId,
    publicKey: req.publicKey,
    address: req.address,
    freeDisk: req.freeDisk,
    version: req.version,
    now,
  });
  const id = nodeIdString(req.nodeId);
  if (!before) log(`node joined: ${id} at ${req.address}, ${formatBytes(req.freeDisk)} free`);
  else if (before.address !== req.address) log(`node moved: ${id} now at ${req.address} (was ${before.address})`);
  return { pingNodeSuccess: true, pingErrorMessage: '', satellitePublicKey: satellite.publicKey };
}

function checkAddress(address: string): void {
  const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) throw invalidArgument(`node address must be host:port, got ${JSON.stringify(address)}`);
}
