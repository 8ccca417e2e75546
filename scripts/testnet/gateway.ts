/**
 * The testnet's S3 side: the auth service (data in `D/auth/`), then the gateway in multi-tenant mode
 * resolving keys through it, then the testnet's access grant registered there. The bearer token between
 * the two is made fresh on every start and only passed in their environment.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { splitHostPort } from '@dcsim/common/hostport';
import { appCommand, type Runner } from './apps.js';
import type { TestnetEnv } from './env-file.js';
import { AUTH_NAME, GATEWAY_NAME, layout } from './layout.js';
import { addressOf } from './ports.js';
import { launch, waitForReady, type Launched } from './processes.js';
import type { ServiceState, TestnetState } from './state.js';
import { TestnetError } from './errors.js';

export class GatewayStartError extends TestnetError {}

/** The state entries of a testnet that runs a gateway, at their planned ports. */
export function plannedServices(dir: string, ports: { gateway: number; auth: number }): { gateway: ServiceState; auth: ServiceState } {
  const paths = layout(dir);
  return {
    gateway: { name: GATEWAY_NAME, pid: null, port: ports.gateway, log: paths.logFile(GATEWAY_NAME) },
    auth: { name: AUTH_NAME, pid: null, port: ports.auth, log: paths.logFile(AUTH_NAME) },
  };
}

export interface ServicesOptions {
  attached: boolean;
  timeoutMs: number;
  /** Each launched process, as soon as it runs (the caller stops them should start-up fail). */
  started: (launched: Launched) => void;
}

/** Starts both and returns the AWS_* variables for the env file. */
export async function startGatewayServices(
  state: TestnetState,
  grant: Promise<string>,
  options: ServicesOptions,
): Promise<Partial<TestnetEnv>> {
  const gateway = state.gateway!;
  const auth = state.auth!;
  const runner = state.runner as Runner;
  const env = { ...process.env, GATEWAY_AUTH_TOKEN: randomBytes(24).toString('base64url') };
  const paths = layout(state.dir);
  mkdirSync(paths.authDir, { recursive: true });

  // With OS-chosen ports the gateway's address is not known yet: registrations then carry no endpoint.
  const endpoint = gateway.port ? `http://${addressOf(gateway.port)}` : '';
  // As Storj's: grants for other satellites are refused.
  const authArgs = [
    'auth',
    'run',
    '--dir',
    paths.authDir,
    '--listen',
    addressOf(auth.port),
    '--endpoint',
    endpoint,
    '--allowed-satellite',
    state.satellite.url!,
  ];
  const authCmd = await appCommand('gateway', runner, authArgs);
  const authProc = launch({ name: AUTH_NAME, command: authCmd.command, args: authCmd.args, logFile: auth.log, env }, options.attached);
  auth.pid = authProc.pid;
  options.started(authProc);
  const authReady = waitForReady<{ address: string; url: string }>(authProc, options.timeoutMs).then((ready) => {
    Object.assign(auth, { address: ready.address, url: ready.url, port: splitHostPort(ready.address).port });
    return ready;
  });
  authReady.catch(() => undefined); // awaited below; until then a failure must not count as unhandled

  // With a planned port the gateway starts alongside the auth service; an OS-chosen one must be read first.
  const authUrl = auth.port ? `http://${addressOf(auth.port)}` : (await authReady).url;
  const gwArgs = ['run', '--listen', addressOf(gateway.port), '--auth-url', authUrl, '--pid-file', paths.gatewayPidFile];
  const gwCmd = await appCommand('gateway', runner, gwArgs);
  const gwProc = launch({ name: GATEWAY_NAME, command: gwCmd.command, args: gwCmd.args, logFile: gateway.log, env }, options.attached);
  gateway.pid = gwProc.pid;
  options.started(gwProc);
  const [gwReady] = await Promise.all([waitForReady<{ address: string; endpoint: string }>(gwProc, options.timeoutMs), authReady]);
  Object.assign(gateway, { address: gwReady.address, url: gwReady.endpoint, port: splitHostPort(gwReady.address).port });

  const keys = await registerGrant((await authReady).url, await grant, "the testnet's grant");
  return {
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretKey,
    AWS_ENDPOINT_URL: gwReady.endpoint,
    AWS_DEFAULT_REGION: 'us-east-1',
  };
}

export interface S3Keys {
  accessKeyId: string;
  secretKey: string;
}

/** Registers a grant with the auth service (`POST /v1/access`) and returns the S3 keys it issued for it. */
export async function registerGrant(authUrl: string, grant: string, what: string): Promise<S3Keys> {
  const res = await fetch(`${authUrl}/v1/access`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_grant: grant, public: false }),
  });
  const body = (await res.json()) as { access_key_id?: string; secret_key?: string; error?: string };
  if (res.status !== 200 || !body.access_key_id || !body.secret_key) {
    throw new GatewayStartError(`the auth service refused ${what} (${res.status}: ${body.error ?? 'no reason'})`);
  }
  return { accessKeyId: body.access_key_id, secretKey: body.secret_key };
}
