/**
 * No status message is long enough to break the call that carries it.
 */
import { Server, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bindServer,
  CHANNEL_OPTIONS,
  insecure,
  invalidArgument,
  MAX_STATUS_MESSAGE,
  MetainfoClient,
  MetainfoService,
  SERVER_OPTIONS,
  status,
  toServiceError,
  unary,
  unaryHandler,
  type GetBucketRequest,
  type MetainfoServer,
} from '../src/index.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

/** A real server for GetBucket: it answers with the bucket it was asked about and counts calls. */
async function startServer(): Promise<{ address: string; calls: GetBucketRequest[] }> {
  const calls: GetBucketRequest[] = [];
  const server = new Server(SERVER_OPTIONS);
  const getBucket = unaryHandler((req: GetBucketRequest) => {
    calls.push(req);
    if (req.name.length > 100) throw invalidArgument(`no such bucket: ${req.name}`);
    return { bucket: { name: req.name, createdAt: new Date(0) } };
  });
  server.addService(MetainfoService, { getBucket } as unknown as MetainfoServer);
  const port = await bindServer(server, '127.0.0.1:0');
  cleanups.push(() => server.forceShutdown());
  return { address: `127.0.0.1:${port}`, calls };
}


describe('status messages', () => {
  it(`are cut at ${MAX_STATUS_MESSAGE} characters, so a long one still reaches the client`, async () => {
    expect(toServiceError(invalidArgument('x'.repeat(100_000))).details).toHaveLength(MAX_STATUS_MESSAGE);
    expect(toServiceError(invalidArgument('short')).details).toBe('short');

    const { address } = await startServer();
    const client = new MetainfoClient(address, insecure(), CHANNEL_OPTIONS);
    cleanups.push(() => client.close());
    const failed = await unary(client, client.getBucket, { header: undefined, name: 'b'.repeat(100_000) }, 10_000).then(
      () => undefined,
      (err: ServiceError) => err,
    );
    expect(failed?.code).toBe(status.INVALID_ARGUMENT);
    expect(failed?.details).toMatch(/^no such bucket: b+…$/);
  });
});
