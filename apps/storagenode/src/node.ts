/**
 * Wires a storage node together: identity, node.db, its pieces, the gRPC server (Piecestore and NodeContact,
 * over TLS with certificates issued from the node's identity), its chores on its clock (check-in, expired
 * pieces, used serials, order settlement, graceful exit when asked), and the admin socket (`<dir>/admin.sock`) that shows and drives them.
 */
import { join } from 'node:path';
import { nodeIdString, parseNodeUrl } from '@dcsim/common/nodeid';
import { shortNodeId } from '@dcsim/common/short';
import { loadOrCreateIdentity, type Identity } from '@dcsim/identity';
import { Chores, Clock } from '@dcsim/process';
import { serveAdmin } from '@dcsim/process/admin';
import { NodeContactService, PiecestoreService, SERVER_OPTIONS, Transport, bindServer, bulkReceiverServer } from '@dcsim/protocol';
import type { Server } from '@grpc/grpc-js';
import {
  DEFAULT_CAPACITY_BYTES,
  DEFAULT_CHECKIN_INTERVAL_MS,
  DEFAULT_SWEEP_INTERVAL_MS,
  DEFAULT_TRASH_RETENTION_MS,
  NODE_VERSION,
  TRASH_CHORE_INTERVAL_MS,
  advertisedAddress,
  type StorageNodeConfig,
} from './config.js';
import { CheckIn } from './contact.js';
import { openNodeDb } from './db.js';
import { GracefulExitWorker, exitOf } from './graceful-exit.js';
import { OrderSender } from './order-sender.js';
import { OrderStore } from './order-store.js';
import { formatBytes } from '@dcsim/common/size';
import { formatDuration } from '@dcsim/common/duration';
import { PiecestoreEndpoint } from './piecestore.js';
import { DEFAULT_RETAIN_TIME_SKEW_MS, Retain } from './retain.js';
import { UsedSerials } from './serials.js';
import { nodeContactService } from './ping.js';
import { Pieces } from './pieces.js';
import { TrustedSatellite } from './trust.js';

export interface StorageNode {
  identity: Identity;
  /** Node ID in base58check, as the satellite and uplinks print it. */
  id: string;
  /** The dialable host:port of the Piecestore service (the real port when listening on :0). */
  address: string;
  pieces: Pieces;
  /** Resolves after the first successful check-in: from then on the node accepts order limits. */
  ready: Promise<void>;
  /** The node's clock: real time plus whatever it was advanced by. */
  clock: Clock;
  /**
   * Its background loops (`check-in`, `expired-pieces`, `retain`, `trash`, `restore-trash`, `used-serials`,
   * `orders-sender`): trigger one, or `advance` the clock.
   */
  chores: Chores;
  /** Stops serving and checking in, and closes node.db. */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 2_000;
/** How often kept orders are settled with the satellite (Storj's Orders.SenderInterval, 1h). */
const ORDERS_SENDER_INTERVAL_MS = 60 * 60 * 1000;

export async function startStorageNode(config: StorageNodeConfig): Promise<StorageNode> {
  const satelliteUrl = parseNodeUrl(config.satelliteUrl);
  const identity = loadOrCreateIdentity(config.dir); // also creates the data dir
  const tag = `node ${shortNodeId(identity.id)}`;
  const write = config.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => write(`${new Date().toISOString()} ${tag}: ${line}`);
  const clock = new Clock(config.clockOffsetMs);

  const satellite = new TrustedSatellite(satelliteUrl.id, satelliteUrl.address);
  const transport = Transport.of(identity);
  const db = openNodeDb(join(config.dir, 'node.db'));
  const serials = new UsedSerials(db);
  const orders = new OrderStore(db);
  // Pieces arrive at hundreds of MiB/s: HTTP/2's 64 KiB default windows would stall them.
  const server = bulkReceiverServer(SERVER_OPTIONS);
  const chores = new Chores(clock, log);
  let pieces: Pieces;
  let retain: Retain;
  let port: number;
  try {
    pieces = await Pieces.open(config.dir, db, config.capacityBytes ?? DEFAULT_CAPACITY_BYTES, log, clock);
    const timeSkewMs = config.retainTimeSkewMs ?? DEFAULT_RETAIN_TIME_SKEW_MS;
    retain = new Retain({ dir: config.dir, nodeId: identity.id, satellite, pieces, clock, timeSkewMs, log });
    const retainQueued = () => void chores.get('retain').trigger();
    const endpoint = new PiecestoreEndpoint({ identity, satellite, pieces, serials, orders, clock, retain, retainQueued, log });
    server.addService(PiecestoreService, endpoint.service());
    server.addService(NodeContactService, nodeContactService());
    port = await bindServer(server, config.listen, transport.server());
  } catch (err) {
    server.forceShutdown();
    db.close();
    throw err;
  }
  const address = config.externalAddress ?? advertisedAddress(config.listen, port);
  const over = transport.plaintext ? 'PLAINTEXT: benchmark baseline, no TLS' : 'TLS';
  log(`serving pieces at ${address} (${over}; ${formatBytes(pieces.usedBytes)} of ${formatBytes(pieces.capacityBytes)} used)`);

  const contact = new CheckIn({
    identity,
    transport,
    satellite,
    address,
    freeDisk: () => pieces.freeDisk(),
    version: NODE_VERSION,
    clock,
    log,
  });
  const sweepIntervalMs = config.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  const checkIn = chores.add('check-in', config.checkInIntervalMs ?? DEFAULT_CHECKIN_INTERVAL_MS, () => contact.run());
  addPieceChores(chores, config, pieces, retain, log);
  chores.add('used-serials', sweepIntervalMs, () => {
    const count = serials.pruneExpired(clock.date());
    if (count > 0) log(`forgot ${count} serial number(s) of expired order limits`);
  });
  const sender = new OrderSender({ orders, transport, satellite, clock, log });
  chores.add('orders-sender', ORDERS_SENDER_INTERVAL_MS, () => sender.run());
  // Runs only when the operator asks (interval 0): one run is a whole graceful exit (graceful-exit.ts).
  satellite.exited = exitOf(db, satellite.id) !== undefined;
  const exit = new GracefulExitWorker({ identity, transport, satellite, pieces, db, clock, log });
  chores.add('graceful-exit', 0, () => exit.run());
  let admin;
  try {
    admin = await serveAdmin(config.dir, { kind: 'storagenode', nodeId: identity.id, address, chores, log });
  } catch (err) {
    server.forceShutdown();
    db.close();
    throw err;
  }
  // Check-ins start at once, retrying quickly until the first one succeeds; then the chore keeps them going.
  contact.start();
  contact.ready.then(
    () => checkIn.start(checkIn.intervalMs),
    () => {},
  );
  for (const chore of ['expired-pieces', 'used-serials', 'retain', 'trash', 'orders-sender']) chores.get(chore).start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await admin.close();
      contact.stop();
      await chores.stopAll();
      sender.close();
      exit.close();
      await shutdown(server);
      db.close();
      log('stopped');
    })());

  return { identity, id: nodeIdString(identity.id), address, pieces, ready: contact.ready, clock, chores, close };
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

/**
 * The chores that look after pieces: expired pieces, applying garbage collection's filters (`retain`), emptying
 * trash after its retention period (`trash`, daily as in Storj) and, on demand only, restoring it (`restore-trash`).
 */
function addPieceChores(chores: Chores, config: StorageNodeConfig, pieces: Pieces, retain: Retain, log: (line: string) => void): void {
  const sweepIntervalMs = config.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  const retentionMs = config.trashRetentionMs ?? DEFAULT_TRASH_RETENTION_MS;
  chores.add('expired-pieces', sweepIntervalMs, async () => {
    const count = await pieces.deleteExpired(chores.clock.date());
    if (count > 0) log(`deleted ${count} expired piece(s)`);
  });
  chores.add('retain', sweepIntervalMs, () => retain.runOnce());
  chores.add('trash', TRASH_CHORE_INTERVAL_MS, async () => {
    const count = await pieces.emptyTrash(new Date(chores.clock.now() - retentionMs));
    if (count > 0) log(`emptied trash: deleted ${count} piece(s) trashed more than ${formatDuration(retentionMs)} ago`);
    return `deleted ${count} piece(s) trashed more than ${formatDuration(retentionMs)} ago`;
  });
  chores.add('restore-trash', 0, async () => {
    const count = await pieces.restoreTrash();
    log(`restored ${count} piece(s) from trash`);
    return `restored ${count} piece(s) from trash`;
  });
}
