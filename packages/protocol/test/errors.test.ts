/**
 * How services answer what they cannot or will not serve: malformed requests are INVALID_ARGUMENT before
 * any handler runs, and no status message is long enough to break the call that carries it.
 */
import { Client, Server, type ServiceError } from '@grpc/grpc-js';
import { generateIdentity } from '@dcsim/identity';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bindServer,
  CHANNEL_OPTIONS,
  invalidArgument,
  MAX_STATUS_MESSAGE,
  MetainfoClient,
  MetainfoService,
  SERVER_OPTIONS,
  status,
  Transport,
  toServiceError,
  unary,
  unaryHandler,
  type GetBucketRequest,
  type MetainfoServer,
} from '../src/index.js';

// One server identity for the file; clients expect it and present a throwaway one, as uplinks do.
const satellite = generateIdentity();
const uplink = Transport.ephemeral();
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

/** A real server for GetBucket: it answers with the bucket it was asked about and counts calls. */
async function startServer(): Promise<{ address: string; calls: GetBucketRequest[] }> {
  const calls: GetBucketRequest[] = [];
  const grpcServer = new Server(SERVER_OPTIONS);
  const getBucket = unaryHandler((req: GetBucketRequest) => {
    calls.push(req);
    if (req.name.length > 100) throw invalidArgument(`no such bucket: ${req.name}`);
    return { bucket: { name: req.name, createdAt: new Date(0) } };
  });
  grpcServer.addService(MetainfoService, { getBucket } as unknown as MetainfoServer);
  const port = await bindServer(grpcServer, '127.0.0.1:0', Transport.of(satellite).server());
  cleanups.push(() => grpcServer.forceShutdown());
  return { address: `127.0.0.1:${port}`, calls };
}

function rawCall(address: string, path: string, bytes: Buffer): Promise<{ code: number; details: string }> {
  const client = new Client(address, uplink.client(satellite.id), CHANNEL_OPTIONS);
  cleanups.push(() => client.close());
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, (err: ServiceError | null) =>
      resolve({ code: err?.code ?? status.OK, details: err?.details ?? '' }),
    );
  });
}

describe('malformed requests', () => {
  it('answer INVALID_ARGUMENT naming the method and the problem; the handler never runs', async () => {
    const { address, calls } = await startServer();
    // Field 2 (name) claims 16 bytes and carries 1.
    const truncated = await rawCall(address, '/dcsim.Metainfo/GetBucket', Buffer.from([0x12, 0x10, 0x61]));
    expect(truncated.code).toBe(status.INVALID_ARGUMENT);
    expect(truncated.details).toMatch(/^cannot decode the dcsim\.Metainfo\/GetBucket request: ./);
    expect(calls).toEqual([]);

    const client = new MetainfoClient(address, uplink.client(satellite.id), CHANNEL_OPTIONS);
    cleanups.push(() => client.close());
    const ok = await unary(client, client.getBucket, { header: undefined, name: 'photos' });
    expect(ok.bucket?.name).toBe('photos');
    expect(calls).toHaveLength(1);
  });
});

describe('status messages', () => {
  it(`are cut at ${MAX_STATUS_MESSAGE} characters, so a long one still reaches the client`, async () => {
    expect(toServiceError(invalidArgument('x'.repeat(100_000))).details).toHaveLength(MAX_STATUS_MESSAGE);
    expect(toServiceError(invalidArgument('short')).details).toBe('short');

    const { address } = await startServer();
    const client = new MetainfoClient(address, uplink.client(satellite.id), CHANNEL_OPTIONS);
    cleanups.push(() => client.close());
    const failed = await unary(client, client.getBucket, { header: undefined, name: 'b'.repeat(100_000) }, 10_000).then(
      () => undefined,
      (err: ServiceError) => err,
    );
    expect(failed?.code).toBe(status.INVALID_ARGUMENT);
    expect(failed?.details).toMatch(/^no such bucket: b+…$/);
  });
});
