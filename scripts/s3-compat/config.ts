/**
 * The s3-tests configuration for a running testnet, as Storj's gateway CI writes it from its storj.conf
 * (storj/gateway-st testsuite/ceph-s3-tests): the gateway as the endpoint, the testnet's S3 keys as the
 * main user (and, as Storj does, the "tenant" user the suite only lists and empties buckets with). The
 * suite's second user ("alt") gets a project of its own: its API key, a grant from a random passphrase and
 * S3 keys from the auth service, the way a second customer of a satellite would.
 *
 *   tsx scripts/s3-compat/config.ts <testnet dir> <config file>
 *
 * The file holds secrets: it is written 0600, and nothing secret is printed.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { guardProcess } from '@dcsim/process';
import { requestAccess } from '../testnet/access.js';
import type { Runner } from '../testnet/apps.js';
import { readEnvFile } from '../testnet/env-file.js';
import { registerGrant, type S3Keys } from '../testnet/gateway.js';
import { layout } from '../testnet/layout.js';
import { admin } from '../testnet/project.js';
import { readState, type TestnetState } from '../testnet/state.js';

guardProcess('s3-compat-config', 'command');

const ALT_PROJECT = 's3-tests-alt';

class ConfigError extends Error {
  override name = 'ConfigError';
}

async function altUser(state: TestnetState): Promise<S3Keys> {
  const runner = state.runner as Runner;
  const satelliteDir = layout(state.dir).satelliteDir;
  const project = await admin(runner, ['create-project', '--dir', satelliteDir, '--name', ALT_PROJECT]);
  const key = await admin(runner, ['create-api-key', '--dir', satelliteDir, '--project', String(project.projectId), '--name', ALT_PROJECT]);
  const grant = await requestAccess(state.satellite.url!, String(key.apiKey), randomBytes(24).toString('base64url'));
  return registerGrant(state.auth!.url!, grant, `the ${ALT_PROJECT} grant`);
}

function mainUser(dir: string): S3Keys {
  const env = readEnvFile(layout(dir).envFile);
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) throw new ConfigError(`${layout(dir).envFile} holds no S3 keys`);
  return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretKey: env.AWS_SECRET_ACCESS_KEY };
}

/** Names, IDs and e-mails are storj.conf's (the suite compares some of them with what the server answers). */
function configText(endpoint: URL, main: S3Keys, alt: S3Keys): string {
  const user = (section: string, keys: S3Keys, fields: string[]) =>
    [`[${section}]`, ...fields, `access_key = ${keys.accessKeyId}`, `secret_key = ${keys.secretKey}`, ''].join('\n');
  return [
    '# s3-tests configuration for a dcsim testnet, after storj/gateway-st testsuite/ceph-s3-tests/storj.conf',
    '[DEFAULT]',
    `host = ${endpoint.hostname}`,
    `port = ${endpoint.port}`,
    'is_secure = False',
    'ssl_verify = False',
    '',
    '[fixtures]',
    'bucket prefix = yournamehere-{random}-',
    'iam name prefix = s3-tests-',
    'iam path prefix = /s3-tests/',
    '',
    user('s3 main', main, ['display_name = M. Tester', 'user_id = testid', 'email = tester@ceph.com', 'api_name = default']),
    user('s3 alt', alt, [
      'display_name = john.doe',
      'email = john.doe@example.com',
      'user_id = 56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234',
    ]),
    user('s3 tenant', main, [
      'display_name = testx$tenanteduser',
      'user_id = 9876543210abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'email = tenanteduser@example.com',
      'tenant = testx',
    ]),
    // The suite reads these sections unconditionally; the gateway has no IAM, so the keys are never valid.
    user('iam', { accessKeyId: 'ABCDEFGHIJKLMNOPQRST', secretKey: 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn' }, [
      'email = s3@example.com',
      'user_id = 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'display_name = youruseridhere',
    ]),
    user('iam root', { accessKeyId: 'AAAAAAAAAAAAAAAAAAaa', secretKey: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, [
      'user_id = RGW11111111111111111',
      'email = account1@ceph.com',
    ]),
    user('iam alt root', { accessKeyId: 'BBBBBBBBBBBBBBBBBBbb', secretKey: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }, [
      'user_id = RGW22222222222222222',
      'email = account2@ceph.com',
    ]),
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [dir, out] = argv;
  if (!dir || !out) throw new ConfigError('usage: config.ts <testnet dir> <config file>');
  const state = readState(dir);
  if (!state.gateway?.url || !state.auth?.url) throw new ConfigError(`the testnet in ${dir} runs no S3 gateway`);
  const text = configText(new URL(state.gateway.url), mainUser(dir), await altUser(state));
  writeFileSync(out, text, { mode: 0o600 });
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`s3-compat config: ${err.name}: ${err.message}\n`);
  process.exit(1);
});
