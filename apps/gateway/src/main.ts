/**
 * The `gateway` command: the S3 gateway (single-tenant with one access grant and one key pair, or
 * multi-tenant through the auth service) and the auth service itself.
 */
import { Command } from 'commander';
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
  .option('--listen <host:port>', 'address to serve on', '127.0.0.1:7777')
  .action(async (opts: { access?: string; accessKeyId?: string; secretKey?: string; listen: string }) => {
    const credentials = singleTenant(opts);
    const projects = new ProjectPool({ log });
    const server = createS3Server({ credentials, projects, log });
    const address = await listen(server, parseListen(opts.listen));
    process.stdout.write(`READY ${JSON.stringify({ address, endpoint: `http://${address}` })}\n`);
    log(`serving S3 on http://${address}`);
    onSignal(async () => {
      server.close();
      server.closeAllConnections();
      await projects.close();
      credentials.close?.();
    });
  });

function singleTenant(opts: { access?: string; accessKeyId?: string; secretKey?: string }): CredentialStore {
  const access = opts.access ?? process.env.GATEWAY_ACCESS;
  const accessKeyId = opts.accessKeyId ?? process.env.GATEWAY_ACCESS_KEY_ID;
  const secretKey = opts.secretKey ?? process.env.GATEWAY_SECRET_KEY;
  if (!access || !accessKeyId || !secretKey) {
    fail('single-tenant mode needs --access, --access-key-id and --secret-key (or $GATEWAY_ACCESS, $GATEWAY_ACCESS_KEY_ID, $GATEWAY_SECRET_KEY)');
  }
  return staticCredentials(accessKeyId!, secretKey!, access!);
}

function onSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

function fail(message: string): never {
  process.stderr.write(`gateway: ${message}\n`);
  process.exit(2);
}

program.parseAsync(process.argv).catch((err: Error) => fail(err.message));
