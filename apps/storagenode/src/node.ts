/**
 * Wires a storage node together: identity, node.db, piece store, the gRPC server (Piecestore and NodeContact,
 * over TLS with certificates issued from the node's identity), check-in loop, sweeper.
 */
import { join } from 'node:path';
import { loadOrCreateIdentity, nodeIdString, parseNodeUrl, type Identity } from '@dcsim/identity';
import { NodeContactService, PiecestoreService, SERVER_OPTIONS, Transport, bindServer, bulkReceiverServer } from '@dcsim/protocol';
import type { Server } from '@grpc/grpc-js';
import {
  DEFAULT_CAPACITY_BYTES,
  DEFAULT_CHECKIN_INTERVAL_MS,
  DEFAULT_SWEEP_INTERVAL_MS,
  NODE_VERSION,
  advertisedAddress,
  type StorageNodeConfig,
} from './config.js';
import { CheckInLoop } from './contact.js';
import { openNodeDb } from './db.js';
import { formatBytes } from '@dcsim/format';
import { shortNode } from './names.js';
import { Piecestore } from './piecestore.js';
import { UsedSerials } from './serials.js';
import { nodeContactService } from './ping.js';
import { PieceStore } from './store.js';
import { TrustedSatellite } from './trust.js';

export interface StorageNode {
  identity: Identity;
  /** Node ID in base58check, as the satellite and uplinks print it. */
  id: string;
  /** The dialable host:port of the Piecestore service (the real port when listening on :0). */
  address: string;
  store: PieceStore;
  /** Resolves after the first successful check-in: from then on the node accepts order limits. */
  ready: Promise<void>;
  /** Runs the expiry sweep now (it also runs every sweep interval). */
  sweep(): Promise<void>;
  /** Stops serving and checking in, and closes node.db. */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 2_000;

export async function startStorageNode(config: StorageNodeConfig): Promise<StorageNode> {
  const satelliteUrl = parseNodeUrl(config.satelliteUrl);
  const identity = loadOrCreateIdentity(config.dir); // also creates the data dir
  const tag = `node ${shortNode(identity.id)}`;
  const write = config.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => write(`${new Date().toISOString()} ${tag}: ${line}`);

  const satellite = new TrustedSatellite(satelliteUrl.id, satelliteUrl.address);
  const transport = Transport.of(identity);
  const db = openNodeDb(join(config.dir, 'node.db'));
  const serials = new UsedSerials(db);
  // Pieces arrive at hundreds of MiB/s: HTTP/2's 64 KiB default windows would stall them.
  const server = bulkReceiverServer(SERVER_OPTIONS);
  let store: PieceStore;
  let port: number;
  try {
    store = await PieceStore.open(config.dir, db, config.capacityBytes ?? DEFAULT_CAPACITY_BYTES, log);
    server.addService(PiecestoreService, new Piecestore({ identity, satellite, store, serials, log }).service());
    server.addService(NodeContactService, nodeContactService());
    port = await bindServer(server, config.listen, transport.server());
  } catch (err) {
    server.forceShutdown();
    db.close();
    throw err;
  }
  const address = config.externalAddress ?? advertisedAddress(config.listen, port);
  const over = transport.plaintext ? 'PLAINTEXT: benchmark baseline, no TLS' : 'TLS';
  log(`serving pieces at ${address} (${over}; ${formatBytes(store.usedBytes)} of ${formatBytes(store.capacityBytes)} used)`);

  const contact = new CheckInLoop({
    identity,
    transport,
    satellite,
    address,
    freeDisk: () => store.freeDisk(),
    intervalMs: config.checkInIntervalMs ?? DEFAULT_CHECKIN_INTERVAL_MS,
    version: NODE_VERSION,
    log,
  });
  contact.start();

  const sweep = async () => {
    const now = new Date();
    const pieces = await store.deleteExpired(now);
    const serialCount = serials.pruneExpired(now);
    if (pieces > 0) log(`deleted ${pieces} expired piece(s)`);
    if (serialCount > 0) log(`forgot ${serialCount} serial number(s) of expired order limits`);
  };
  const runSweep = () => sweep().catch((err) => log(`expiry sweep failed: ${(err as Error).message}`));
  const sweeper = setInterval(runSweep, config.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  sweeper.unref();
  void runSweep();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      contact.stop();
      clearInterval(sweeper);
      await shutdown(server);
      db.close();
      log('stopped');
    })());

  return { identity, id: nodeIdString(identity.id), address, store, ready: contact.ready, sweep, close };
}

/** Lets running transfers finish for a moment, then cuts them (their temp files are removed). */
function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
