/**
 * How services answer what they cannot or will not serve: every refusal reaches the client with its status
 * code and its reason (ErrorInfo in grpc-status-details-bin), malformed requests are INVALID_ARGUMENT
 * (REQUEST_MALFORMED) before any handler runs, and no status message is long enough to break the call.
 */
import { Client, Metadata, Server, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { generateIdentity } from '@dcsim/identity';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorInfo } from '../gen/google/rpc/error_details.js';
import { Status } from '../gen/google/rpc/status.js';
import {
  bindServer,
  CHANNEL_OPTIONS,
  MAX_STATUS_MESSAGE,
  MetainfoClient,
  MetainfoService,
  Reason,
  REASON_CODES,
  RpcError,
  rpcErrorInfo,
  SERVER_OPTIONS,
  status,
  STATUS_DETAILS_TRAILER,
  Transport,
  toServiceError,
  unary,
  unaryHandler,
  type CreateBucketRequest,
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

/**
 * A real server. GetBucket answers with the bucket it was asked about, or refuses a long name; CreateBucket
 * fails with whatever status `answer` holds, trailers included, as a server with other ideas might.
 */
async function startServer(): Promise<{ address: string; calls: GetBucketRequest[]; answer: { status?: StatusObject } }> {
  const calls: GetBucketRequest[] = [];
  const answer: { status?: StatusObject } = {};
  const grpcServer = new Server(SERVER_OPTIONS);
  const getBucket = unaryHandler((req: GetBucketRequest) => {
    calls.push(req);
    if (req.name.length > 100) throw new RpcError(Reason.BUCKET_NAME_INVALID, `no such bucket: ${req.name}`, { field: 'name' });
    return { bucket: { name: req.name, createdAt: new Date(0) } };
  });
  const createBucket = (_call: { request: CreateBucketRequest }, callback: (err: Partial<ServiceError>) => void) => {
    callback(answer.status!);
  };
  grpcServer.addService(MetainfoService, { getBucket, createBucket } as unknown as MetainfoServer);
  const port = await bindServer(grpcServer, '127.0.0.1:0', Transport.of(satellite).server());
  cleanups.push(() => grpcServer.forceShutdown());
  return { address: `127.0.0.1:${port}`, calls, answer };
}

function metainfo(address: string): MetainfoClient {
  const client = new MetainfoClient(address, uplink.client(satellite.id), CHANNEL_OPTIONS);
  cleanups.push(() => client.close());
  return client;
}

function failure(call: Promise<unknown>): Promise<ServiceError> {
  return call.then(
    () => expect.unreachable('the call should fail'),
    (err: ServiceError) => err,
  );
}

function rawCall(address: string, path: string, bytes: Buffer): Promise<ServiceError> {
  const client = new Client(address, uplink.client(satellite.id), CHANNEL_OPTIONS);
  cleanups.push(() => client.close());
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      (err: ServiceError | null) => (err ? resolve(err) : reject(new Error('the call should fail'))),
    );
  });
}

/** A status whose details hold one ErrorInfo with these fields, as raw trailers. */
function statusWithInfo(code: status, details: { code?: status; reason: string; domain?: string }): StatusObject {
  const info = ErrorInfo.encode({ reason: details.reason, domain: details.domain ?? 'dcsim', metadata: {} }).finish();
  const sent = Status.encode({
    code: details.code ?? code,
    message: 'refused',
    details: [{ typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: info }],
  }).finish();
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_TRAILER, Buffer.from(sent));
  return { code, details: 'refused', metadata };
}

describe('reasons', () => {
  it("travel with the reason's status code, the message and the facts", async () => {
    const { address } = await startServer();
    const client = metainfo(address);
    const err = await failure(unary(client, client.getBucket, { header: undefined, name: 'b'.repeat(101) }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(rpcErrorInfo(err)).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: 'BUCKET_NAME_INVALID',
      message: `no such bucket: ${'b'.repeat(101)}`,
      facts: { field: 'name' },
    });
  });

  it('are in a google.rpc.Status any gRPC client can decode', () => {
    const sent = toServiceError(new RpcError(Reason.NOT_ENOUGH_NODES, 'not enough nodes: need 10, have 3', { needed: '10' }));
    const details = Status.decode(sent.metadata!.get(STATUS_DETAILS_TRAILER)[0] as Buffer);
    expect(details.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(details.message).toBe('not enough nodes: need 10, have 3');
    expect(details.details.map((d) => d.typeUrl)).toEqual(['type.googleapis.com/google.rpc.ErrorInfo']);
    expect(ErrorInfo.decode(details.details[0].value)).toEqual({ reason: 'NOT_ENOUGH_NODES', domain: 'dcsim', metadata: { needed: '10' } });
  });

  it('each go with one status code, and an RpcError takes it from its reason', () => {
    for (const [reason, code] of Object.entries(REASON_CODES)) {
      expect(Reason[reason as Reason]).toBe(reason);
      expect(new RpcError(reason as Reason, 'x').code).toBe(code);
    }
  });

  it('are no reason when sent with another code, from another domain, unknown, or undecodable', async () => {
    const { address, answer } = await startServer();
    const client = metainfo(address);
    const call = async (sent: StatusObject) => {
      answer.status = sent;
      return rpcErrorInfo(await failure(unary(client, client.createBucket, { header: undefined, name: 'photos' })));
    };
    // The control: well formed, BUCKET_ALREADY_EXISTS with its own code.
    expect((await call(statusWithInfo(status.ALREADY_EXISTS, { reason: 'BUCKET_ALREADY_EXISTS' }))).reason).toBe('BUCKET_ALREADY_EXISTS');

    const none = { reason: undefined, facts: {} };
    expect(await call(statusWithInfo(status.NOT_FOUND, { reason: 'BUCKET_ALREADY_EXISTS' }))).toMatchObject({
      code: status.NOT_FOUND,
      ...none,
    });
    expect(await call(statusWithInfo(status.NOT_FOUND, { reason: 'BUCKET_NOT_FOUND', code: status.ALREADY_EXISTS }))).toMatchObject(none);
    expect(await call(statusWithInfo(status.NOT_FOUND, { reason: 'BUCKET_NOT_FOUND', domain: 'example.com' }))).toMatchObject(none);
    expect(await call(statusWithInfo(status.NOT_FOUND, { reason: 'BUCKET_GONE_FISHING' }))).toMatchObject(none);
    const garbage = new Metadata();
    garbage.set(STATUS_DETAILS_TRAILER, Buffer.from([0x1a, 0xff, 0x01]));
    expect(await call({ code: status.NOT_FOUND, details: 'refused', metadata: garbage })).toEqual({
      code: status.NOT_FOUND,
      message: 'refused',
      ...none,
    });
  });

  it('are absent from errors no server sent, and from internal errors', () => {
    expect(rpcErrorInfo(new Error('boom'))).toEqual({ code: undefined, reason: undefined, message: 'boom', facts: {} });
    const internal = toServiceError(new Error('a bug'));
    expect(internal).toEqual({ code: status.INTERNAL, details: 'internal server error', message: 'internal server error' });
  });
});

describe('malformed requests', () => {
  it('answer INVALID_ARGUMENT (REQUEST_MALFORMED) naming the method and the problem; the handler never runs', async () => {
    const { address, calls } = await startServer();
    // Field 2 (name) claims 16 bytes and carries 1.
    const truncated = rpcErrorInfo(await rawCall(address, '/dcsim.Metainfo/GetBucket', Buffer.from([0x12, 0x10, 0x61])));
    expect(truncated.code).toBe(status.INVALID_ARGUMENT);
    expect(truncated.reason).toBe(Reason.REQUEST_MALFORMED);
    expect(truncated.message).toMatch(/^cannot decode the dcsim\.Metainfo\/GetBucket request: ./);
    expect(calls).toEqual([]);

    const client = metainfo(address);
    const ok = await unary(client, client.getBucket, { header: undefined, name: 'photos' });
    expect(ok.bucket?.name).toBe('photos');
    expect(calls).toHaveLength(1);
  });
});

describe('status messages', () => {
  it(`are cut at ${MAX_STATUS_MESSAGE} characters, so a long one still reaches the client with its reason`, async () => {
    expect(toServiceError(new RpcError(Reason.FIELD_INVALID, 'x'.repeat(100_000))).details).toHaveLength(MAX_STATUS_MESSAGE);
    expect(toServiceError(new RpcError(Reason.FIELD_INVALID, 'short')).details).toBe('short');

    const { address } = await startServer();
    const client = metainfo(address);
    const failed = await failure(unary(client, client.getBucket, { header: undefined, name: 'b'.repeat(100_000) }, 10_000));
    expect(failed.code).toBe(status.INVALID_ARGUMENT);
    expect(failed.details).toMatch(/^no such bucket: b+…$/);
    expect(rpcErrorInfo(failed).reason).toBe(Reason.BUCKET_NAME_INVALID);
  });
});
