/**
 * Starting the S3 gateway (or its auth service) as a real child process for a test, and S3 clients for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { S3Client } from '@aws-sdk/client-s3';
import { appCommand } from '../../scripts/testnet/apps.js';

export interface GatewayProcess {
  /** http://127.0.0.1:PORT (the S3 endpoint, or the auth service's URL) */
  endpoint: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then waits for the exit code. */
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
      return exited;
    },
  };
}

export function s3Client(endpoint: string, accessKeyId: string, secretAccessKey: string): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}
