/** What a storage node is told at start: where it keeps its data, where it listens, whom it trusts. */
import { readFileSync } from 'node:fs';
import { joinHostPort, splitHostPort } from '@dcsim/common/hostport';

export interface StorageNodeConfig {
  /** Data dir: identity.key, node.db, pieces/, tmp/. Created if missing. */
  dir: string;
  /** host:port for the Piecestore service; port 0 picks a free one. */
  listen: string;
  /**
   * host:port to advertise instead of the listen address, for a node reached through something in front
   * of it (NAT, a proxy; Storj's `contact.external-address`).
   */
  externalAddress?: string;
  /** `<satellite node ID>@host:port`: the one satellite this node works for. */
  satelliteUrl: string;
  /** Most bytes of pieces the node will hold. */
  capacityBytes?: number;
  /** Time between check-ins once the first one succeeded. */
  checkInIntervalMs?: number;
  /** Time between runs of the chores that delete expired pieces and forget the serials of expired order limits. */
  sweepIntervalMs?: number;
  /** How long trashed pieces are kept before the `trash` chore deletes them (default 7 days, Storj's). */
  trashRetentionMs?: number;
  /** Garbage collection trashes only pieces stored this long before a filter's creation date (default 72 h, Storj's). */
  retainTimeSkewMs?: number;
  /** Start with the clock this far ahead of real time (a testnet restarting a node after `time advance`). */
  clockOffsetMs?: number;
  /** Where log lines go (default: stderr). */
  log?: (line: string) => void;
}

export const DEFAULT_CAPACITY_BYTES = 2 * 1024 ** 3;
export const DEFAULT_CHECKIN_INTERVAL_MS = 10_000;
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
/** Storj's `trashExpiryInterval`. */
export const DEFAULT_TRASH_RETENTION_MS = 7 * 24 * 3600_000;
/** Storj's `TrashChoreInterval`. */
export const TRASH_CHORE_INTERVAL_MS = 24 * 3600_000;

/** Sent with every check-in so the satellite can tell node software apart. */
export const NODE_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/**
 * The address the node tells its satellite (and so uplinks): the host it listens on, with the port it
 * really got. A wildcard host is not dialable, so loopback is advertised instead.
 */
export function advertisedAddress(listen: string, boundPort: number): string {
  const { host } = splitHostPort(listen);
  const dialable = host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return joinHostPort(dialable, boundPort);
}
