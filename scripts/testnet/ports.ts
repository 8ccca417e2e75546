/**
 * Stable ports per testnet instance, after storj-sim: everything is an offset from one port base, so two
 * instances with different bases run side by side and a restarted network keeps its addresses.
 *
 *   satellite  base        gateway  base + 2        auth service  base + 3        node i  base + 100 + i
 *
 * Port base 0 means "let the OS pick every port" (tests): the real ports come from the READY lines.
 */
import { createServer } from 'node:net';
import { joinHostPort } from '@dcsim/common/hostport';
import { TestnetConfigError } from './config.js';
import { TestnetError } from './errors.js';

export const HOST = '127.0.0.1';
const NODE_PORT_OFFSET = 100;
const GATEWAY_PORT_OFFSET = 2;
const AUTH_PORT_OFFSET = 3;
const MAX_PORT = 65535;

export interface PortPlan {
  satellite: number;
  gateway: number;
  auth: number;
  nodes: number[];
}

export class PortInUseError extends TestnetError {
  constructor(
    readonly port: number,
    dir: string,
  ) {
    super(`port ${port} is already in use (another testnet? try --port-base or testnet stop --dir <its dir>; this one is ${dir})`);
  }
}

export function parsePortBase(text: string | number, nodes: number): number {
  const base = Number(text);
  const highest = base + NODE_PORT_OFFSET + nodes - 1;
  if (!Number.isInteger(base) || base < 0 || (base > 0 && (base < 1024 || highest > MAX_PORT))) {
    throw new TestnetConfigError(
      `--port-base ${text}: must be 0 (any free ports) or 1024..${MAX_PORT - NODE_PORT_OFFSET - nodes + 1} for ${nodes} nodes`,
    );
  }
  return base;
}

export function planPorts(base: number, nodes: number): PortPlan {
  const at = (offset: number) => (base === 0 ? 0 : base + offset);
  return {
    satellite: at(0),
    gateway: at(GATEWAY_PORT_OFFSET),
    auth: at(AUTH_PORT_OFFSET),
    nodes: Array.from({ length: nodes }, (_, i) => at(NODE_PORT_OFFSET + i)),
  };
}

/** True if nothing listens on HOST:port (we could bind it ourselves). */
function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Fails with a PortInUseError naming the first busy port; port 0 entries are skipped. */
export async function assertPortsFree(ports: number[], dir: string): Promise<void> {
  const wanted = ports.filter((p) => p !== 0);
  const free = await Promise.all(wanted.map(isPortFree));
  const busy = wanted.find((_, i) => !free[i]);
  if (busy !== undefined) throw new PortInUseError(busy, dir);
}

/**
 * A port base whose whole range is free right now, picked at random from 20000..59000 so parallel callers
 * rarely pick the same one. (Still a check-then-use race: tests should prefer port base 0.)
 */
export async function findFreePortBase(nodes: number, attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const base = 20000 + 100 * Math.floor(Math.random() * 390);
    const plan = planPorts(base, nodes);
    const all = [plan.satellite, plan.gateway, plan.auth, ...plan.nodes];
    if ((await Promise.all(all.map(isPortFree))).every(Boolean)) return base;
  }
  throw new Error(`no free port range for ${nodes} nodes after ${attempts} attempts`);
}

export const addressOf = (port: number) => joinHostPort(HOST, port);
