/** What a storage node is told at start: where it keeps its data, where it listens, whom it trusts. */
import { readFileSync } from 'node:fs';
import { joinHostPort, splitHostPort } from '@dcsim/common/hostport';
import { StorageNodeError } from './errors.js';

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
  /** Time between sweeps that delete expired pieces and prune old serial numbers. */
  sweepIntervalMs?: number;
  /** Where log lines go (default: stderr). */
  log?: (line: string) => void;
}

export const DEFAULT_CAPACITY_BYTES = 2 * 1024 ** 3;
export const DEFAULT_CHECKIN_INTERVAL_MS = 10_000;
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/** Sent with every check-in so the satellite can tell node software apart. */
export const NODE_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

export class NodeConfigError extends StorageNodeError {}

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** Parses `--capacity`: plain bytes, or a number with a unit (`500MiB`, `2GB`, `1g`). */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new NodeConfigError(`invalid size ${JSON.stringify(text)}: use bytes or e.g. 500MiB, 2GiB`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new NodeConfigError(`invalid size ${JSON.stringify(text)}: must be positive`);
  return bytes;
}

/**
 * The address the node tells its satellite (and so uplinks): the host it listens on, with the port it
 * really got. A wildcard host is not dialable, so loopback is advertised instead.
 */
export function advertisedAddress(listen: string, boundPort: number): string {
  const { host } = splitHostPort(listen);
  const dialable = host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return joinHostPort(dialable, boundPort);
}
