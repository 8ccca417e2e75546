/**
 * What every handler of the Metainfo service works with (Storj's metainfo.Endpoint): the satellite's database, API key
 * checks, node selection, order signing, settings, clock and log.
 */
import type { Clock } from '@dcsim/process';
import type { Auth } from '../auth.js';
import type { SatelliteConfig } from '../config.js';
import type { SatelliteDb } from '../db/index.js';
import type { Logger } from '../log.js';
import type { OrderSigner } from '../orders.js';
import type { Overlay } from '../overlay.js';

export interface MetainfoEndpoint {
  db: SatelliteDb;
  auth: Auth;
  overlay: Overlay;
  orders: OrderSigner;
  config: SatelliteConfig;
  /** The satellite's clock: expirations, graces and the online window are judged by it. */
  clock: Clock;
  log: Logger;
}
