/**
 * Starting the S3 gateway (or its auth service) as a real child process for a test, and S3 clients for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { S3Client } from '@aws-sdk/client-s3';
import { assertNoBugReports } from '@dcsim/process';
import { appCommand } from '../../scripts/testnet/apps.js';

export interface GatewayProcess {
  /** http://127.0.0.1:PORT (the S3 endpoint, or the auth service's URL) */
  endpoint: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then waits for the exit code; throws if the process reported a bug on stderr. */
  stop(): Promise<number | null>;
}

/** Runs `gateway <args>` (`run ...` or `auth run ...`) and waits for its READY line. Secrets go in `env`, not in argv. */
export async function startGatewayProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const { command, args: argv } = await appCommand('gateway', 'bundle', args);
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  const stderr = () => Buffer.concat(err).toString('utf8');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`gateway did not start within 60 s; stderr:\n${stderr()}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        clearTimeout(timer);
        const ready = JSON.parse(line.slice(6)) as { endpoint?: string; url?: string };
        resolve((ready.endpoint ?? ready.url)!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with code ${code} before it was ready; stderr:\n${stderr()}`));
    });
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    endpoint,
    child,
    stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      assertNoBugReports(`gateway ${args[0]}`, stderr());
      return code;
    },
  };
}

export function s3Client(endpoint: string, accessKeyId: string, secretAccessKey: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
}

/**
 * A PUT the way SigV4 streaming clients send it (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): aws-chunked, each chunk
 * signed with the previous chunk's signature. `tamper` flips a byte of the data after signing. The AWS SDK
 * for JavaScript never sends this form, so the test builds it from the gateway's signing primitives (which
 * the unit tests check against AWS's published examples).
 */
export async function signedChunkedPut(
  endpoint: string,
  credentials: { accessKeyId: string; secret: string },
  path: string,
  data: Buffer,
  chunkSize: number,
  tamper = false,
): Promise<{ status: number; body: string }> {
  const { canonicalRequest } = await import('../../apps/gateway/src/s3/sigv4/canonical.js');
  const { chunkStringToSign } = await import('../../apps/gateway/src/s3/sigv4/chunked.js');
  const { hmac, sha256Hex } = await import('../../apps/gateway/src/s3/sigv4/hashing.js');
  const { scopeString, sign, signingKey, stringToSign } = await import('../../apps/gateway/src/s3/sigv4/signing-key.js');
  const url = new URL(endpoint);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const scope = { date: amzDate.slice(0, 8), region: 'us-east-1', service: 's3' };
  const key = signingKey(credentials.secret, scope);
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunkSize) pieces.push(data.subarray(at, at + chunkSize));
  pieces.push(Buffer.alloc(0));
  const headerLength = (p: Buffer) => `${p.length.toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`.length + p.length + 2;
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(data.length),
    'content-length': String(pieces.reduce((n, p) => n + headerLength(p), 0)),
  };
  const signed = Object.keys(headers).sort();
  const canonical = canonicalRequest({ method: 'PUT', path, query: '', headers }, signed, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  let previous = sign(key, stringToSign(amzDate, scope, sha256Hex(canonical)));
  const credential = `${credentials.accessKeyId}/${scopeString(scope)}`;
  const authorization = `AWS4-HMAC-SHA256 Credential=${credential},SignedHeaders=${signed.join(';')},Signature=${previous}`;
  const body = pieces.map((p, i) => {
    const signing = { signingKey: key, amzDate, scope: scopeString(scope), seedSignature: '' };
    previous = hmac(key, chunkStringToSign(signing, previous, sha256Hex(p))).toString('hex');
    const sent = tamper && i === 1 ? Buffer.from(p.map((b, j) => (j === 0 ? b ^ 1 : b))) : p;
    return Buffer.concat([Buffer.from(`${p.length.toString(16)};chunk-signature=${previous}\r\n`), sent, Buffer.from('\r\n')]);
  });
  const res = await fetch(`${endpoint}${path}`, { method: 'PUT', headers: { ...headers, authorization }, body: Buffer.concat(body) });
  return { status: res.status, body: await res.text() };
}
