/**
 * The `authservice` command line:
 *   authservice run --dir D --listen HOST:PORT --endpoint URL --allowed-satellite ID@HOST:PORT ...
 *   authservice invalidate --dir D --access-key-id ID --reason TEXT
 * `run` prints exactly one line to stdout when it serves (`READY {...}`); logs go to stderr. The bearer
 * token gateways use comes from a file (--auth-token-file) or $AUTHSERVICE_AUTH_TOKEN: never the command
 * line, which every user of the machine can read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { AuthError, AuthService, DATABASE_FILE, Records, startAuthService } from './index.js';

const program = new Command('authservice').description('dcsim auth service: S3 credentials for access grants, kept encrypted under the access key');

program
  .command('run')
  .description('serve the auth API (POST /v1/access, GET /v1/access/{id}, /v1/health/*)')
  .requiredOption('--dir <dir>', 'data dir (auth.db)')
  .requiredOption('--listen <host:port>', 'address to serve on; port 0 picks a free one')
  .requiredOption('--endpoint <url>', 'the S3 gateway URL handed out with new credentials')
  .requiredOption('--allowed-satellite <url...>', 'satellite node URL (id@host:port) whose grants are accepted')
  .option('--auth-token-file <file>', 'file holding the bearer token gateways look records up with (default: $AUTHSERVICE_AUTH_TOKEN)')
  .action(async (opts) => {
    const authToken = readToken(opts.authTokenFile);
    if (!authToken) fail('give the lookup token in a file (--auth-token-file) or in $AUTHSERVICE_AUTH_TOKEN');
    const running = await startAuthService({
      dir: opts.dir,
      listen: opts.listen,
      endpoint: opts.endpoint,
      authToken,
      allowedSatellites: opts.allowedSatellite,
    }).catch((err: Error) => fail(`cannot start: ${err.message}`));
    process.stdout.write(`READY ${JSON.stringify({ address: running.address, url: running.url })}\n`);
    const stop = () => void running.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('invalidate')
  .description('make an access key unusable (its record stays, with the reason)')
  .requiredOption('--dir <dir>', 'data dir (auth.db)')
  .requiredOption('--access-key-id <id>', 'the access key ID to invalidate')
  .requiredOption('--reason <text>', 'why, as lookups will report it')
  .action((opts) => {
    const records = new Records(join(opts.dir, DATABASE_FILE));
    try {
      new AuthService(records, []).invalidate(opts.accessKeyId, opts.reason);
      process.stdout.write('invalidated\n');
    } catch (err) {
      if (err instanceof AuthError) fail(err.message);
      throw err;
    } finally {
      records.close();
    }
  });

function readToken(file: string | undefined): string | undefined {
  if (file === undefined) return process.env.AUTHSERVICE_AUTH_TOKEN;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    fail(`cannot read --auth-token-file: ${(err as Error).message}`);
  }
}

function fail(message: string): never {
  process.stderr.write(`authservice: ${message}\n`);
  process.exit(1);
}

await program.parseAsync();
