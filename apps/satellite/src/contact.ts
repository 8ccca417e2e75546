/**
 * The Contact service: storage nodes check in on start and then periodically, as Storj's
 * (satellite/contact/endpoint.go). A check-in is signed by the node, and its node ID must be the hash of
 * the public key it carries, so nobody can register an address under someone else's ID. Every field is
 * bounded before anything else happens. Then the satellite pings the node back at the address it claims,
 * over TLS expecting the check-in's node ID (pingback.ts): only a node that answers there, with that key,
 * becomes selectable. A failed ping is recorded (the node is not selected until a later ping succeeds) and
 * answered with `pingNodeSuccess: false` and the reason. The answer carries the satellite's public key,
 * which the node checks against the satellite ID it was configured with before trusting any order limit.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { splitHostPort, type HostPort } from '@dcsim/common/hostport';
import { nodeIdString } from '@dcsim/common/nodeid';
import { idMatchesKey, type Identity } from '@dcsim/identity';
import type { Clock } from '@dcsim/process';
import {
  Reason,
  RpcError,
  fieldInvalid,
  fieldMissing,
  unaryHandler,
  verifyCheckInSignature,
  type CheckInRequest,
  type CheckInResponse,
  type ContactServer,
  type Transport,
} from '@dcsim/protocol';
import type { SatelliteDb } from './db/index.js';
import { formatBytes } from '@dcsim/common/size';
import type { Logger } from './log.js';
import { pingBack, PING_TIMEOUT_MS } from './pingback.js';

/** A check-in more than this far from the satellite's clock is refused (it may be a replay). */
const CHECK_IN_CLOCK_SKEW_MS = 10 * 60 * 1000;
/** More free space than any one node offers (1 PiB): a number this big is a mistake or a lie. */
export const MAX_FREE_DISK = 2 ** 50;
/** A DNS name is at most 253 characters; with brackets, a colon and a port, well under this. */
const MAX_ADDRESS_LENGTH = 270;
/** Versions are semver-like: digits, letters, '.', '+', '-'. */
const VERSION = /^[0-9A-Za-z.+-]{1,64}$/;
const HOSTNAME_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export interface ContactDeps {
  db: SatelliteDb;
  identity: Identity;
  /** Dials the node back (TLS, expecting the node's ID). */
  transport: Transport;
  /** Check-in timestamps are judged, and contacts recorded, by the satellite's clock. */
  clock: Clock;
  log: Logger;
  pingTimeoutMs?: number;
}

export function contactService(deps: ContactDeps): ContactServer {
  return {
    checkIn: unaryHandler((req: CheckInRequest) => checkIn(deps, req), deps.log),
  };
}

export async function checkIn(deps: ContactDeps, req: CheckInRequest): Promise<CheckInResponse> {
  const now = deps.clock.now();
  checkCheckIn(req, now);
  const { db, log } = deps;
  const ping = await pingBack(deps.transport, req.nodeId, req.address, deps.pingTimeoutMs ?? PING_TIMEOUT_MS);
  const before = db.nodes.checkIn({
    id: req.nodeId,
    publicKey: req.publicKey,
    address: req.address,
    freeDisk: req.freeDisk,
    version: req.version,
    reachable: ping.ok,
    now,
  });
  const id = nodeIdString(req.nodeId);
  const wasReachable = before !== undefined && before.lastContact > before.lastContactFailure;
  if (!ping.ok) {
    if (wasReachable || !before) log(`node ${id} is not selected: ${ping.reason}`);
  } else if (!before) log(`node joined: ${id} at ${req.address}, ${formatBytes(req.freeDisk)} free`);
  else if (before.address !== req.address) log(`node moved: ${id} now at ${req.address} (was ${before.address})`);
  else if (!wasReachable) log(`node ${id} answers at ${req.address} again`);
  return { pingNodeSuccess: ping.ok, pingErrorMessage: ping.ok ? '' : ping.reason, satellitePublicKey: deps.identity.publicKey };
}

/** Everything that can be checked without contacting the node; throws INVALID_ARGUMENT or UNAUTHENTICATED. */
export function checkCheckIn(req: CheckInRequest, now: number): void {
  if (req.nodeId.length !== 32) throw fieldInvalid('node_id', `node ID must be 32 bytes, got ${req.nodeId.length}`);
  if (req.publicKey.length !== 32) throw fieldInvalid('public_key', `public key must be 32 bytes, got ${req.publicKey.length}`);
  if (!verifyCheckInSignature(req)) throw new RpcError(Reason.CHECK_IN_SIGNATURE_INVALID, 'check-in signature is invalid');
  if (!idMatchesKey(req.nodeId, req.publicKey)) throw new RpcError(Reason.NODE_ID_MISMATCH, 'node ID does not match the public key');
  const sentAt = req.timestamp?.getTime();
  if (sentAt === undefined || Number.isNaN(sentAt)) throw fieldMissing('timestamp', 'check-in has no timestamp');
  if (Math.abs(now - sentAt) > CHECK_IN_CLOCK_SKEW_MS) {
    const message = `check-in timestamp ${req.timestamp!.toISOString()} is more than 10 minutes from the satellite's clock`;
    throw new RpcError(Reason.CLOCK_SKEWED, message);
  }
  checkAddress(req.address);
  if (!VERSION.test(req.version)) {
    const message = `node version must be 1-64 letters, digits, '.', '+' or '-', got ${JSON.stringify(req.version.slice(0, 64))}`;
    throw fieldInvalid('version', message);
  }
  if (!Number.isSafeInteger(req.freeDisk) || req.freeDisk < 0 || req.freeDisk > MAX_FREE_DISK) {
    throw fieldInvalid('free_disk', `free disk must be between 0 and ${MAX_FREE_DISK} bytes, got ${req.freeDisk}`);
  }
}

/** host:port where host is an IPv4 address, a bracketed IPv6 address or a DNS name, and the port not 0. */
function checkAddress(address: string): void {
  const bad = () => fieldInvalid('address', `node address must be host:port, got ${JSON.stringify(address.slice(0, 80))}`);
  if (address.length > MAX_ADDRESS_LENGTH) throw bad();
  let parsed: HostPort;
  try {
    parsed = splitHostPort(address);
  } catch {
    throw bad();
  }
  if (parsed.port === 0 || !(isIPv4(parsed.host) || isIPv6(parsed.host) || isHostname(parsed.host))) throw bad();
}

function isHostname(host: string): boolean {
  return host.length <= 253 && host.split('.').every((label) => HOSTNAME_LABEL.test(label));
}
