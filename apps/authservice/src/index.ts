/**
 * The auth service, as a library: `startAuthService(config)` opens the database and serves the HTTP API
 * (http.ts). `authservice run` is this plus the READY line; tests can also call it in-process.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { authHandler } from './http.js';
import { DATABASE_FILE, Records } from './records.js';
import { AuthService } from './service.js';

export { AuthService, AuthError, MIN_REMAINING_VALIDITY_MS, type Credentials, type Registered } from './service.js';
export { Records, DATABASE_FILE, type AuthRecord } from './records.js';
export { accessKeyIdText, parseAccessKeyId, keyHash, CredentialError } from './credentials.js';
export { MAX_BODY_BYTES } from './http.js';
export { AuthClient, AuthUnavailableError, type AuthClientOptions } from './client.js';

export interface AuthServiceConfig {
  /** Data dir: holds auth.db. */
  dir: string;
  /** host:port; port 0 picks a free one. */
  listen: string;
  /** The S3 endpoint returned with new credentials. */
  endpoint: string;
  /** Bearer token gateways use to look records up. */
  authToken: string;
  /** Satellite node URLs whose grants are accepted. */
  allowedSatellites: string[];
  log?: (line: string) => void;
}

export interface RunningAuthService {
  /** `127.0.0.1:PORT` */
  address: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  service: AuthService;
  stop(): Promise<void>;
}

export async function startAuthService(config: AuthServiceConfig): Promise<RunningAuthService> {
  const log = config.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} authservice: ${line}\n`));
  mkdirSync(config.dir, { recursive: true });
  const records = new Records(join(config.dir, DATABASE_FILE));
  const service = new AuthService(records, config.allowedSatellites);
  const health = { ready: false, stopping: false };
  const server = createServer(authHandler(service, { endpoint: config.endpoint, authToken: config.authToken, log, health }));
  const [host, port] = splitHostPort(config.listen);
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (err) {
    records.close();
    throw err;
  }
  const bound = server.address();
  const address = `${host}:${typeof bound === 'object' && bound ? bound.port : port}`;
  health.ready = true;
  log(`serving at http://${address}, accepting grants for ${config.allowedSatellites.length} satellite(s)`);
  return {
    address,
    url: `http://${address}`,
    service,
    stop: async () => {
      health.stopping = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      records.close();
    },
  };
}

function splitHostPort(listen: string): [string, number] {
  const at = listen.lastIndexOf(':');
  const port = Number(listen.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--listen must be host:port, not ${JSON.stringify(listen)}`);
  return [listen.slice(0, at), port];
}
