/**
 * The `gateway` command: the S3 gateway (single-tenant with one access grant and one key pair, or
 * multi-tenant through the auth service) and the auth service itself.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { runProgram, runService } from '@dcsim/process';
import { AuthServiceCredentials } from './auth/client.js';
import { AUTH_DB_FILE, AuthDb } from './auth/db.js';
import { invalidate } from './auth/records.js';
import { createAuthService } from './auth/service.js';
import { staticCredentials, type CredentialStore } from './credentials.js';
import { listen, parseListen } from './listen.js';
import { ProjectPool } from './projects.js';
import { createS3Server } from './s3/server.js';

const log = (line: string) => process.stderr.write(`gateway: ${line}\n`);

const program = new Command('gateway')
  .description('dcsim S3 gateway: S3 requests, SigV4-authenticated, run through the uplink library')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('run')
  .description('serve S3 on HOST:PORT')
  .option('--access <grant>', 'access grant of single-tenant mode (or $GATEWAY_ACCESS)')
  .option('--access-key-id <id>', 'S3 access key ID of single-tenant mode (or $GATEWAY_ACCESS_KEY_ID)')
  .option('--secret-key <secret>', 'S3 secret key of single-tenant mode (or $GATEWAY_SECRET_KEY)')
  .option('--auth-url <url>', 'multi-tenant mode: resolve access keys through this auth service')
  .option('--auth-token <token>', 'bearer token for the auth service (or $GATEWAY_AUTH_TOKEN)')
  .option('--listen <host:port>', 'address to serve on', '127.0.0.1:7777')
  .option('--pid-file <file>', 'write the process ID here while serving')
  .action((opts: RunOptions) =>
    runService(
      'gateway',
      async () => {
        const credentials: CredentialStore = opts.authUrl ? new AuthServiceCredentials(opts.authUrl, authToken(opts)) : singleTenant(opts);
        const projects = new ProjectPool({ log });
        const server = createS3Server({ credentials, projects, log });
        const address = await listen(server, parseListen(opts.listen));
        log(`serving S3 on http://${address}${opts.authUrl ? ` (multi-tenant, auth service ${opts.authUrl})` : ''}`);
        if (opts.pidFile) writeFileSync(opts.pidFile, `${process.pid}\n`);
        const stop = async () => {
          if (opts.pidFile) rmSync(opts.pidFile, { force: true });
          server.close();
          server.closeAllConnections();
          await projects.close();
          credentials.close?.();
        };
        return { ready: { address, endpoint: `http://${address}` }, stop };
      },
      { log },
    ),
  );

interface RunOptions {
  access?: string;
  accessKeyId?: string;
  secretKey?: string;
  authUrl?: string;
  authToken?: string;
  listen: string;
  pidFile?: string;
}

const auth = program
  .command('auth')
  .description('the auth service: S3 credentials for access grants, stored encrypted under the access key');

auth
  .command('run')
  .description('serve the auth service on HOST:PORT')
  .requiredOption('--dir <dir>', 'data directory (auth.db)')
  .option('--listen <host:port>', 'address to serve on', '127.0.0.1:7778')
  .option('--endpoint <url>', 'the S3 endpoint registrations are told to use', '')
  .option('--auth-token <token>', 'bearer token gateways must present (or $GATEWAY_AUTH_TOKEN)')
  .option('--allowed-satellite <id@host:port...>', 'only register grants for these satellites (default: any)')
  .action((opts: { dir: string; listen: string; endpoint: string; authToken?: string; allowedSatellite?: string[] }) =>
    runService(
      'auth service',
      async () => {
        const token = authToken(opts);
        mkdirSync(opts.dir, { recursive: true });
        const db = new AuthDb(join(opts.dir, AUTH_DB_FILE));
        const server = createAuthService({ db, token, endpoint: opts.endpoint, allowedSatellites: opts.allowedSatellite, log });
        const address = await listen(server, parseListen(opts.listen)).catch((err: unknown) => {
          db.close();
          throw err;
        });
        log(`auth service on http://${address}`);
        const stop = async () => {
          server.close();
          server.closeAllConnections();
          db.close();
        };
        return { ready: { address, url: `http://${address}` }, stop };
      },
      { log },
    ),
  );

auth
  .command('invalidate')
  .description("invalidate an access key: the gateway refuses it from then on (revoking the grant itself is the satellite's job)")
  .requiredOption('--dir <dir>', 'data directory (auth.db)')
  .requiredOption('--access-key-id <id>', 'the access key ID')
  .option('--reason <text>', 'why', 'invalidated by an operator')
  .action((opts: { dir: string; accessKeyId: string; reason: string }) => {
    const db = new AuthDb(join(opts.dir, AUTH_DB_FILE));
    try {
      invalidate(db, opts.accessKeyId, opts.reason);
    } finally {
      db.close();
    }
  });

function authToken(opts: { authToken?: string }): string {
  const token = opts.authToken ?? process.env.GATEWAY_AUTH_TOKEN;
  if (!token) throw new UsageError('the auth service needs a bearer token: --auth-token or $GATEWAY_AUTH_TOKEN');
  return token;
}

function singleTenant(opts: { access?: string; accessKeyId?: string; secretKey?: string }): CredentialStore {
  const access = opts.access ?? process.env.GATEWAY_ACCESS;
  const accessKeyId = opts.accessKeyId ?? process.env.GATEWAY_ACCESS_KEY_ID;
  const secretKey = opts.secretKey ?? process.env.GATEWAY_SECRET_KEY;
  if (!access || !accessKeyId || !secretKey) {
    throw new UsageError(
      'single-tenant mode needs --access, --access-key-id and --secret-key ' +
        '(or $GATEWAY_ACCESS, $GATEWAY_ACCESS_KEY_ID, $GATEWAY_SECRET_KEY)',
    );
  }
  return staticCredentials(accessKeyId, secretKey, access);
}

/** A flag or variable the command needs is missing. */
class UsageError extends Error {
  override name = 'UsageError';
}

await runProgram('gateway', program);
