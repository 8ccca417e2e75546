/**
 * boto3 (botocore: also the aws CLI) against the testnet's gateway: every error reaches the client with the
 * code S3 would send. botocore takes a response for an S3 error only when the XML root is a plain `<Error>`;
 * with S3's namespace on it, every code read as '' and SDK users' error handling broke.
 *
 * `.ci/run` installs python3-boto3 (Debian's, for /usr/bin/python3); elsewhere the test is skipped without it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { withTestnet } from './harness.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./support/boto3_errors.py', import.meta.url));

function python(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, args, { env: { PATH: process.env.PATH, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${PYTHON} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Whether boto3 imports; in CI its absence is an error (`.ci/run` installs it), elsewhere a skip. */
async function boto3Installed(): Promise<boolean> {
  if (
    await python(['-c', 'import boto3']).then(
      () => true,
      () => false,
    )
  )
    return true;
  if (process.env.CI === 'true') throw new Error(`boto3 is not installed for ${PYTHON}; .ci/run should have installed python3-boto3`);
  console.warn('skipping the boto3 test: apt-get install python3-boto3');
  return false;
}

it('boto3 reads the code and status of each error the gateway answers', { timeout: 180_000 }, async (ctx) => {
  if (!(await boto3Installed())) return ctx.skip();
  await withTestnet({ nodes: 4, gateway: true }, async (net) => {
    const s3 = net.s3!;
    const env = { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey };
    const seen = JSON.parse(await python([SCRIPT, 'boto3-errors'], env)) as Record<string, { code: string; status: number }>;
    expect(seen).toEqual({
      NoSuchKey: { code: 'NoSuchKey', status: 404 },
      NoSuchBucket: { code: 'NoSuchBucket', status: 404 },
      BucketAlreadyOwnedByYou: { code: 'BucketAlreadyOwnedByYou', status: 409 },
      BucketNotEmpty: { code: 'BucketNotEmpty', status: 409 },
      InvalidBucketName: { code: 'InvalidBucketName', status: 400 },
      InvalidRange: { code: 'InvalidRange', status: 416 },
      PreconditionFailed: { code: 'PreconditionFailed', status: 412 },
      BadDigest: { code: 'BadDigest', status: 400 },
      NoSuchUpload: { code: 'NoSuchUpload', status: 404 },
      NotImplemented: { code: 'NotImplemented', status: 501 },
      SignatureDoesNotMatch: { code: 'SignatureDoesNotMatch', status: 403 },
      InvalidAccessKeyId: { code: 'InvalidAccessKeyId', status: 403 },
    });
  });
});
