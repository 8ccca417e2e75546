/**
 * The satellite, as a library: `startSatellite(config)` opens the database, loads (or creates) the
 * identity, serves Metainfo, Contact and Orders (settlement) over gRPC with TLS (certificates issued from its identity, so
 * clients can check they reach the satellite named in their grant) and runs its chores (cleanup, retired
 * objects, piece deletion, audit, audit-all, reverify, node liveness, repair checker, repairer, tally, settled
 * serials) on its clock, which its admin socket (`<dir>/admin.sock`) shows and drives.
 * `satellite run` is this plus the READY line; tests can also call it in-process.
 */
import { join } from 'node:path';
import { Server } from '@grpc/grpc-js';
import { joinHostPort, splitHostPort } from '@dcsim/common/hostport';
import { formatNodeUrl, nodeIdString } from '@dcsim/common/nodeid';
import { loadOrCreateIdentity, type Identity } from '@dcsim/identity';
import { NodeClients } from '@dcsim/piecestore-client';
import {
  bindServer,
  ContactService,
  MetainfoService,
  OrdersService,
  GracefulExitService,
  SERVER_OPTIONS,
  Transport,
  UploadMessageWriter,
} from '@dcsim/protocol';
import { formatScheme } from '@dcsim/erasure';
import { Chores, Clock } from '@dcsim/process';
import { serveAdmin } from '@dcsim/process/admin';
import { listNodes } from './admin.js';
import { Auditor } from './audit/auditor.js';
import { Reporter } from './audit/reporter.js';
import { Reverifier } from './audit/reverifier.js';
import { Verifier } from './audit/verifier.js';
import { Auth } from './auth.js';
import { cleanup, removeRetired } from './cleanup.js';
import type { SatelliteConfig } from './config.js';
import { contactService } from './contact.js';
import { DATABASE_FILE, openDatabase, type SatelliteDb } from './db/index.js';
import { PieceDeleter } from './deletes.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { ordersService } from './settlement.js';
import { tally, TALLY_INTERVAL_MS } from './tally.js';
import { collectGarbage } from './gc.js';
import { stderrLogger } from './log.js';
import { metainfoService } from './metainfo.js';
import { OrderSigner } from './orders.js';
import { Overlay } from './overlay.js';
import { ReputationService } from './reputation/service.js';
import { RepairChecker } from './repair/checker.js';
import { gracefulExitService } from './gracefulexit/endpoint.js';
import { GracefulExits } from './gracefulexit/exits.js';
import { refreshLiveness } from './repair/liveness.js';
import { Repairer } from './repair/repairer.js';

export {
  DEFAULTS,
  AUDIT_DEFAULTS,
  REPUTATION_DEFAULTS,
  REPUTATION_PRODUCTION,
  makeConfig,
  ConfigError,
  type SatelliteConfig,
} from './config.js';
export { SatelliteAppError } from './errors.js';
export { openDatabase, DATABASE_FILE, type SatelliteDb } from './db/index.js';
export * as admin from './admin.js';
export { Auth } from './auth.js';

export interface RunningSatellite {
  identity: Identity;
  /** Node ID, base58check. */
  id: string;
  /** host:port actually bound (the real port when the config said 0). */
  address: string;
  /** `<id>@<address>`, the form access grants carry. */
  url: string;
  db: SatelliteDb;
  /** The satellite's clock: real time plus whatever it was advanced by. */
  clock: Clock;
  /** Its background loops: `chores.get('piece-deletion').trigger()` runs one now; `chores.advance(ms)` moves time. */
  chores: Chores;
  stop(): Promise<void>;
}

export async function startSatellite(config: SatelliteConfig): Promise<RunningSatellite> {
  const log = config.log ?? stderrLogger();
  const clock = new Clock(config.clockOffsetMs);
  const identity = loadOrCreateIdentity(config.dir);
  const transport = Transport.of(identity);
  const db = openDatabase(join(config.dir, DATABASE_FILE));
  const orders = new OrderSigner(identity, config.orderExpirationMs, clock);
  const overlay = new Overlay(db, config, clock);
  const auth = new Auth(db, clock, new RateLimiter(db, clock));
  const deleter = new PieceDeleter(db, orders, transport, log, clock);
  const reputation = new ReputationService(db, config.reputation, log);
  const reporter = new Reporter(db, reputation, log);
  const timeoutMs = config.audit.timeoutMs;
  const auditor = new Auditor({
    db,
    clock,
    config: config.audit,
    transport,
    reporter,
    verifier: new Verifier({ db, overlay, orders, clock, timeoutMs }),
    reverifier: new Reverifier({
      ...{ db, overlay, orders, transport, clock, reputation, reporter, log, timeoutMs },
      retryMs: config.audit.reverifyRetryMs,
      maxReverifyCount: config.audit.maxReverifyCount,
    }),
  });
  const checker = new RepairChecker(db, overlay, config.repairDeclumping, clock, log);
  const nodeClients = new NodeClients(transport);
  const repairer = new Repairer({
    db,
    overlay,
    orders,
    nodes: nodeClients,
    messages: new UploadMessageWriter(16),
    declumping: config.repairDeclumping,
    clock,
    log,
  });

  const server = new Server(SERVER_OPTIONS);
  server.addService(MetainfoService, metainfoService({ db, auth, overlay, orders, config, clock, log }));
  server.addService(ContactService, contactService({ db, identity, transport, clock, log }));
  server.addService(OrdersService, ordersService({ db, identity, orders, clock, log }));
  const exits = new GracefulExits({ db, overlay, orders, satelliteKey: identity.publicKey, clock, log });
  server.addService(GracefulExitService, gracefulExitService({ db, exits, clock, log }));
  let port: number;
  try {
    port = await bindServer(server, config.listen, transport.server());
  } catch (err) {
    db.close();
    throw err;
  }
  const address = joinHostPort(splitHostPort(config.listen).host, port);
  const id = nodeIdString(identity.id);
  log(
    `satellite ${id} listening on ${address} (${transport.plaintext ? 'PLAINTEXT: benchmark baseline, no TLS' : 'TLS'}); ` +
      `redundancy ${formatScheme(config.scheme)} with ${config.scheme.shareSize}-byte shares, ` +
      `inline threshold ${config.inlineThreshold} B, max segment ${config.maxSegmentSize} B`,
  );

  // In this order, so that a catch-up (`chores.advance`) sends the deletions the first two queued.
  const chores = new Chores(clock, log);
  chores.add('cleanup', config.cleanupIntervalMs, () => cleanup(db, log, clock.now()));
  chores.add('retired-objects', config.deletionIntervalMs, () => removeRetired(db, log, clock.now()));
  chores.add('piece-deletion', config.deletionIntervalMs, () => deleter.runOnce());
  chores.add('audit', config.audit.intervalMs, () => auditor.runQueued());
  chores.add('audit-all', 0, () => auditor.runAll());
  chores.add('reverify', config.audit.reverifyIntervalMs, () => auditor.reverify());
  // Repair: ping every node (on demand only: `testnet satellite repair` runs it first), find injured segments, repair them.
  chores.add('node-liveness', 0, () => refreshLiveness(db, overlay, transport, clock, log));
  chores.add('repair-checker', config.repairCheckerIntervalMs, () => checker.run());
  chores.add('repairer', config.repairerIntervalMs, async () => (await repairer.run()).summary);
  // Books: what is stored (tally), and forgetting the settled serials of expired order limits.
  chores.add('tally', TALLY_INTERVAL_MS, () => tally(db, log, clock.now()));
  chores.add('settled-serials', TALLY_INTERVAL_MS, () => {
    const count = db.bandwidth.pruneSettledSerials(clock.now());
    if (count > 0) log(`forgot ${count} settled serial number(s) of expired order limits`);
  });
  // Garbage collection: bloom filters of the pieces each node should keep.
  chores.add('gc', config.gcIntervalMs, () => collectGarbage({ db, identity, transport, clock, log }));
  const reports = { nodes: () => listNodes(db, config.nodeOnlineWindowMs, clock.now()) };
  let admin;
  try {
    admin = await serveAdmin(config.dir, { kind: 'satellite', nodeId: identity.id, address, chores, reports, log });
  } catch (err) {
    server.forceShutdown();
    db.close();
    throw err;
  }
  chores.startAll();

  return {
    identity,
    id,
    address,
    url: formatNodeUrl({ id: identity.id, address }),
    db,
    clock,
    chores,
    async stop() {
      await admin.close();
      await chores.stopAll();
      nodeClients.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 5_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      db.close();
      log('satellite stopped');
    },
  };
}
