/**
 * The testnet's defaults and its redundancy rule: everything a newcomer gets from `npm run testnet` without flags.
 */
import { TestnetError } from './errors.js';

export const DEFAULT_DIR = '.testnet';
export const DEFAULT_NODES = 10;
/** Satellite at 17000, gateway at 17002, node i at 17100 + i: far from common dev-server ports. */
export const DEFAULT_PORT_BASE = 17000;
/** Only for a local testnet: anyone who reads this file can decrypt what you upload with it. */
export const DEFAULT_PASSPHRASE = 'dcsim testnet passphrase';
export const PROJECT_NAME = 'testnet';

export class TestnetConfigError extends TestnetError {}

/** Storj's four redundancy numbers: any `required` pieces rebuild a segment; uploads store `optimal` of `total`. */
export interface Scheme {
  required: number;
  repair: number;
  optimal: number;
  total: number;
}

export const SCHEME_RULE = 'n = 80% of the nodes (rounded down), then k = 40%, repair = 50%, optimal = 75% of n (rounded; at least 1)';

/**
 * The scheme used when --scheme is not given: 10 nodes → 3/4/6/8, 4 → 1/2/2/3, 50 → 16/20/30/40.
 *
 * As on Storj's network, a segment uses far fewer nodes than there are: with n = all nodes, one node down
 * longer than the online window fails every upload ("not enough nodes"), and repair would have nowhere to
 * put pieces. So n leaves a fifth of the nodes spare. Of n, optimal is 75% (Storj's 29/35/80/110 stops at
 * 73%), so an upload rides out a quarter of its nodes failing mid-transfer; a read needs k = 40%, so a
 * stored segment survives losing nearly half its pieces; repair sits between.
 */
export function defaultScheme(nodes: number): Scheme {
  const total = Math.max(1, Math.floor(nodes * 0.8));
  const part = (fraction: number) => Math.max(1, Math.round(total * fraction));
  const required = part(0.4);
  const repair = Math.max(required, part(0.5));
  const optimal = Math.max(repair, part(0.75));
  return { required, repair, optimal, total: Math.max(optimal, total) };
}

export function formatScheme(s: Scheme): string {
  return `${s.required}/${s.repair}/${s.optimal}/${s.total}`;
}

/** Parses `k/r/o/n` and checks it can work on `nodes` nodes. */
export function parseScheme(text: string, nodes: number): Scheme {
  const parts = text.split('/').map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new TestnetConfigError(`--scheme ${JSON.stringify(text)} must be four positive integers k/repair/optimal/n, e.g. 4/6/8/10`);
  }
  const [required, repair, optimal, total] = parts;
  if (!(required <= repair && repair <= optimal && optimal <= total)) {
    throw new TestnetConfigError(`--scheme ${text}: need k <= repair <= optimal <= n`);
  }
  if (total > nodes) {
    throw new TestnetConfigError(
      `--scheme ${text}: n = ${total} pieces per segment needs at least ${total} nodes, the testnet has ${nodes}`,
    );
  }
  return { required, repair, optimal, total };
}

export function parseNodeCount(text: string | number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new TestnetConfigError(`--nodes ${text}: must be an integer from 1 to 500`);
  return n;
}
