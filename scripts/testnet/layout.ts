/**
 * Where everything lives inside a testnet directory (default `.testnet/`):
 *
 *   satellite/       the satellite's identity.key and satellite.db
 *   nodes/<i>/       node i's identity.key and pieces/
 *   logs/<name>.log  stdout and stderr of each process (satellite.log, node-3.log)
 *   state.json       pids, ports, addresses and node IDs, for status/stop/node commands
 *   project.json     the project and API key created once by `satellite admin` (0600)
 *   auth/            the gateway's auth service: auth.db (grants sealed under S3 access keys it does not keep)
 *   gateway.pid      the S3 gateway's pid file
 *   env              `source` it: UPLINK_ACCESS, SATELLITE_ADDR, AWS_* for the gateway (0600)
 */
import { join } from 'node:path';

export interface Layout {
  dir: string;
  satelliteDir: string;
  nodesDir: string;
  logsDir: string;
  stateFile: string;
  projectFile: string;
  envFile: string;
  authDir: string;
  gatewayPidFile: string;
  nodeDir(index: number): string;
  logFile(name: string): string;
}

export function layout(dir: string): Layout {
  return {
    dir,
    satelliteDir: join(dir, 'satellite'),
    nodesDir: join(dir, 'nodes'),
    logsDir: join(dir, 'logs'),
    stateFile: join(dir, 'state.json'),
    projectFile: join(dir, 'project.json'),
    envFile: join(dir, 'env'),
    authDir: join(dir, 'auth'),
    gatewayPidFile: join(dir, 'gateway.pid'),
    nodeDir: (index) => join(dir, 'nodes', String(index)),
    logFile: (name) => join(dir, 'logs', `${name}.log`),
  };
}

/** Process names as they appear in logs, status and error messages. */
export const SATELLITE_NAME = 'satellite';
export const GATEWAY_NAME = 'gateway';
export const AUTH_NAME = 'auth';
export const nodeName = (index: number) => `node-${index}`;
