/**
 * The satellite, as a library: `startSatellite(config)` opens the database, loads (or creates) the
 * identity, serves Metainfo and Contact over gRPC with TLS (certificates issued from its identity, so
 * clients can check they reach the satellite named in their grant) and runs the background loops (piece
 * deletion, cleanup). `satellite run` is this plus the READY line; tests can also call it in-process.
 */
import { join } from 'node:path';
import { Server } from '@grpc/grpc-js';
import { joinHostPort, splitHostPort } from '@dcsim/common/hostport';
import { formatNodeUrl, nodeIdString } from '@dcsim/common/nodeid';
import { loadOrCreateIdentity, type Identity } from '@dcsim/identity';
import { bindServer, ContactService, MetainfoService, SERVER_OPTIONS, Transport } from '@dcsim/protocol';
import { formatScheme } from '@dcsim/erasure';
import { Auth } from './auth.js';
import { cleanup, removeRetired } from './cleanup.js';
import type { SatelliteConfig } from './config.js';
import { contactService } from './contact.js';
import { DATABASE_FILE, openDatabase, type SatelliteDb } from './db/index.js';
import { PieceDeleter } from './deletes.js';
import { stderrLogger } from './log.js';
import { metainfoService } from './metainfo.js';
import { OrderSigner } from './orders.js';
import { Overlay } from './overlay.js';

export { DEFAULTS, makeConfig, ConfigError, type SatelliteConfig } from './config.js';
export { SatelliteAppError } from './errors.js';
export { openDatabase, DATABASE_FILE, type SatelliteDb } from './db/index.js';
export * as admin from './admin.js';
export { Auth } from './auth.js';

/** Cleanup (expired objects, abandoned uploads) runs this many deletion rounds apart. */
const CLEANUP_EVERY = 30;

export interface RunningSatellite {
  identity: Identity;
  /** Node ID, base58check. */
  id: string;
  /** host:port actually bound (the real port when the config said 0). */
  address: string;
  /** `<id>@<address>`, the form access grants carry. */
  url: string;
  db: SatelliteDb;
  /** Runs one pass of the piece-deletion loop now (tests use it instead of waiting). */
  deletePiecesNow(): Promise<{ deleted: number; failed: number }>;
  stop(): Promise<void>;
}

export async function startSatellite(config: SatelliteConfig): Promise<RunningSatellite> {
  const log = config.log ?? stderrLogger();
  const identity = loadOrCreateIdentity(config.dir);
  const transport = Transport.of(identity);
  const db = openDatabase(join(config.dir, DATABASE_FILE));
  const orders = new OrderSigner(identity, config.orderExpirationMs);
  const overlay = new Overlay(db, config);
  const auth = new Auth(db);
  const deleter = new PieceDeleter(db, orders, transport, log);

  const server = new Server(SERVER_OPTIONS);
  server.addService(MetainfoService, metainfoService({ db, auth, overlay, orders, config, log }));
  server.addService(ContactService, contactService({ db, identity, transport, log }));
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
    `satellite ${id} listening on ${address} (${transport.plaintext ? 'PLAINTEXT: benchmark baseline, no TLS' : 'TLS'}); redundancy ${formatScheme(config.scheme)} with ${config.scheme.shareSize}-byte shares, ` +
      `inline threshold ${config.inlineThreshold} B, max segment ${config.maxSegmentSize} B`,
  );

  // Background loop: remove retired objects whose grace is over, send queued piece deletions; now and
  // then clean up expired and abandoned uploads.
  let stopped = false;
  let rounds = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      try {
        if (rounds++ % CLEANUP_EVERY === 0) cleanup(db, log);
        removeRetired(db, log);
        await deleter.runOnce();
      } catch (err) {
        log(`background loop error: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!stopped) timer = setTimeout(tick, config.deletionIntervalMs);
    })();
  };
  timer = setTimeout(tick, config.deletionIntervalMs);

  return {
    identity,
    id,
    address,
    url: formatNodeUrl({ id: identity.id, address }),
    db,
    deletePiecesNow: () => deleter.runOnce(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
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
