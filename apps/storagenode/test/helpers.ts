/**
 * Test fixtures: a real Contact server standing in for the satellite's check-in API (with a real satellite
 * identity, over TLS, pinging nodes back as the satellite does), real order limits signed by it, and real
 * gRPC Piecestore clients over TLS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNodeUrl } from '@dcsim/common/nodeid';
import { generateIdentity, type Identity } from '@dcsim/identity';
import {
  CHANNEL_OPTIONS,
  CheckInRequest,
  ContactService,
  NodeContactClient,
  Order,
  OrderLimit,
  PieceAction,
  PieceDownloadResponse,
  PieceHash,
  PieceSigner,
  PiecestoreClient,
  SERVER_OPTIONS,
  Transport,
  bindServer,
  generatePieceKey,
  rpcErrorInfo,
  signOrderLimit,
  unary,
  verifyCheckInSignature,
  type Reason,
} from '@dcsim/protocol';
import { Server, type ServiceError } from '@grpc/grpc-js';
import { startStorageNode, type StorageNode } from '../src/index.js';

export interface FakeSatellite {
  identity: Identity;
  url: string;
  checkIns: CheckInRequest[];
  close(): Promise<void>;
}

/**
 * Serves Contact.CheckIn like the satellite: checks the node's signature, pings the node back at its address
 * over TLS expecting its ID, answers with the outcome and a public key.
 */
export async function startContactServer(
  identity = generateIdentity(),
  opts: { answerKey?: Uint8Array; listen?: string } = {},
): Promise<FakeSatellite> {
  const checkIns: CheckInRequest[] = [];
  const transport = Transport.of(identity);
  const server = new Server(SERVER_OPTIONS);
  server.addService(ContactService, {
    checkIn: (call: { request: CheckInRequest }, cb: (err: Partial<ServiceError> | null, res?: object) => void) => {
      if (!verifyCheckInSignature(call.request)) return cb({ code: 16, details: 'bad check-in signature' });
      checkIns.push(call.request);
      void pingBack(transport, call.request).then((pingErrorMessage) =>
        cb(null, { pingNodeSuccess: pingErrorMessage === '', pingErrorMessage, satellitePublicKey: opts.answerKey ?? identity.publicKey }),
      );
    },
  });
  const port = await bindServer(server, opts.listen ?? '127.0.0.1:0', transport.server());
  return {
    identity,
    url: formatNodeUrl({ id: identity.id, address: `127.0.0.1:${port}` }),
    checkIns,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** The satellite's ping back: '' if the node answered at its address with its ID, else why not. */
async function pingBack(transport: Transport, req: CheckInRequest): Promise<string> {
  const credentials = transport.client(req.nodeId);
  const client = new NodeContactClient(req.address, credentials, CHANNEL_OPTIONS);
  try {
    await unary(client, client.pingNode, {}, 5_000);
    return '';
  } catch (err) {
    return credentials.identityFailure?.message ?? rpcErrorInfo(err).message;
  } finally {
    client.close();
  }
}

const tempDirs: string[] = [];

/** Removes every dir tempDir() made; test files call it in afterAll. */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh data dir for a node. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-node-test-'));
  tempDirs.push(dir);
  return dir;
}

export interface TestNode {
  node: StorageNode;
  client: PiecestoreClient;
  logs: string[];
  close(): Promise<void>;
}

export async function startTestNode(
  satellite: FakeSatellite,
  dir = tempDir(),
  extra: {
    capacityBytes?: number;
    sweepIntervalMs?: number;
    checkInIntervalMs?: number;
    waitReady?: boolean;
    externalAddress?: string;
  } = {},
): Promise<TestNode & { dir: string }> {
  const logs: string[] = [];
  const node = await startStorageNode({
    dir,
    listen: '127.0.0.1:0',
    satelliteUrl: satellite.url,
    externalAddress: extra.externalAddress,
    capacityBytes: extra.capacityBytes,
    sweepIntervalMs: extra.sweepIntervalMs,
    checkInIntervalMs: extra.checkInIntervalMs,
    log: (line) => logs.push(line),
  });
  if (extra.waitReady !== false) await node.ready;
  const client = new PiecestoreClient(node.address, Transport.ephemeral().client(node.identity.id), CHANNEL_OPTIONS);
  return {
    node,
    client,
    logs,
    dir,
    close: async () => {
      client.close();
      await node.close();
    },
  };
}

export function orderLimit(
  satellite: Identity,
  nodeId: Uint8Array,
  action: PieceAction,
  overrides: Partial<OrderLimit> = {},
  signer: Identity = satellite,
): OrderLimit {
  const now = Date.now();
  return signOrderLimit(signer, {
    serialNumber: randomBytes(16),
    satelliteId: satellite.id,
    storageNodeId: nodeId,
    pieceId: randomBytes(32),
    limit: 64 * 1024 * 1024,
    action,
    pieceExpiration: undefined,
    orderExpiration: new Date(now + 60 * 60_000),
    orderCreation: new Date(now),
    satelliteSignature: new Uint8Array(0),
    uplinkPublicKey: PIECE_KEY.publicKey,
    ...overrides,
  });
}

/** The piece key of every limit `orderLimit` makes: the test plays the uplink and signs orders with it. */
export const PIECE_KEY = generatePieceKey();
const pieceSigner = new PieceSigner(PIECE_KEY.privateKey);

/** An order for `amount` bytes under `limit`, signed with PIECE_KEY. */
export function order(limit: OrderLimit, amount: number): Order {
  return pieceSigner.order(limit, amount);
}

export const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

export interface UploadOptions {
  chunkSize?: number;
  /** Replace what the uplink claims in `done`. */
  done?: Partial<PieceHash>;
  /** The order sent with each chunk, for the bytes sent so far (default: exactly those, signed with PIECE_KEY); undefined sends none. */
  order?: (limit: OrderLimit, sent: number) => Order | undefined;
}

/** Uploads `data` like an uplink: limit first, chunks, then done with its own hash and size. */
export function upload(client: PiecestoreClient, limit: OrderLimit, data: Uint8Array, opts: UploadOptions = {}): Promise<PieceHash> {
  return new Promise((resolve, reject) => {
    const call = client.upload((err, res) => (err ? reject(err) : resolve(res!.done!)));
    const chunkSize = opts.chunkSize ?? 64 * 1024;
    const orderFor = opts.order ?? order;
    call.write({ limit, chunk: new Uint8Array(0) });
    for (let off = 0; off < data.length; off += chunkSize) {
      const chunk = data.subarray(off, off + chunkSize);
      call.write({ chunk, order: orderFor(limit, off + chunk.length) });
    }
    const done: PieceHash = {
      pieceId: limit.pieceId,
      hash: sha256(data),
      pieceSize: data.length,
      timestamp: new Date(),
      signature: new Uint8Array(0),
      ...opts.done,
    };
    call.write({ chunk: new Uint8Array(0), done });
    call.end();
  });
}

/** Downloads a range; resolves with the piece hash from the first message and the bytes. */
export async function download(
  client: PiecestoreClient,
  limit: OrderLimit,
  offset = 0,
  size = 0,
  /** Default: an order for the range (for the whole limit when size is 0), signed with PIECE_KEY; null: none. */
  withOrder: Order | null | undefined = limit && order(limit, size || limit.limit),
): Promise<{ hash: PieceHash | undefined; data: Buffer; messages: number }> {
  const call = client.download({ limit, offset, size, order: withOrder ?? undefined });
  const parts: Buffer[] = [];
  let hash: PieceHash | undefined;
  let messages = 0;
  for await (const msg of call as AsyncIterable<PieceDownloadResponse>) {
    if (messages === 0) hash = msg.hash;
    else if (msg.hash) throw new Error('piece hash sent again after the first message');
    messages++;
    parts.push(Buffer.from(msg.chunk));
  }
  return { hash, data: Buffer.concat(parts), messages };
}

export function deletePiece(client: PiecestoreClient, limit: OrderLimit) {
  return unary(client, client.delete, { limit });
}

/** The status code and message of a failed call. */
/** Status code, reason and message of a refused call. */
export async function failure(p: Promise<unknown>): Promise<{ code: number; reason: Reason | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    const { code, reason, message } = rpcErrorInfo(err);
    return { code: code!, reason, message };
  }
  throw new Error('expected the call to fail');
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}
