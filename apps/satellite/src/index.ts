/**
 * The satellite, as a library: `startSatellite(config)` opens the database, loads (or creates) the
 * identity, serves Metainfo and Contact over gRPC with TLS (certificates issued from its identity, so
 * clients can check they reach the satellite named in their grant) and runs its chores (cleanup, retired
 * objects, piece deletion) on its clock, which its admin socket (`<dir>/admin.sock`) shows and drives.
 * `satellite run` is this plus the READY line; tests can also call it in-process.
 */
import { join } from 'node:path';
import { Server } from '@grpc/grpc-js';
import { joinHostPort, splitHostPort } from '@dcsim/common/hostport';
import { formatNodeUrl, nodeIdString } from '@dcsim/common/nodeid';
import { loadOrCreateIdentity, type Identity } from '@dcsim/identity';
import { bindServer, ContactService, MetainfoService, SERVER_OPTIONS, Transport } from '@dcsim/protocol';
import { formatScheme } from '@dcsim/erasure';
import { Chores, Clock } from '@dcsim/process';
import { serveAdmin } from '@dcsim/process/admin';
import { Auth } from './auth.js';
import { cleanup, removeRetired } from './cleanup.js';
import type { SatelliteConfig } from './config.js';
import { contactService } from './contact.js';
import { DATABASE_FILE, openDatabase, type SatelliteDb } from './db/index.js';
import { PieceDeleter } from './deletes.js';
import { collectGarbage } from './gc.js';
import { stderrLogger } from './log.js';
import { metainfoService } from './metainfo.js';
import { OrderSigner } from './orders.js';
import { Overlay } from './overlay.js';

export { DEFAULTS, makeConfig, ConfigError, type SatelliteConfig } from './config.js';
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
  const auth = new Auth(db, clock);
  const deleter = new PieceDeleter(db, orders, transport, log, clock);

  const server = new Server(SERVER_OPTIONS);
  server.addService(MetainfoService, metainfoService({ db, auth, overlay, orders, config, clock, log }));
  server.addService(ContactService, contactService({ db, identity, transport, clock, log }));
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
  chores.add('gc', config.gcIntervalMs, () => collectGarbage({ db, identity, transport, clock, log }));
  let admin;
  try {
    admin = await serveAdmin(config.dir, { kind: 'satellite', nodeId: identity.id, address, chores, log });
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
