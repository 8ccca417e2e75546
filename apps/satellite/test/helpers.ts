/**
 * Test support: a real satellite in-process (real SQLite file in a temp dir, real gRPC server over TLS on
 * 127.0.0.1:0) with real clients, projects and API keys made by the admin functions, and storage
 * node identities that check in, answer the satellite's ping back and sign piece hashes like real nodes do.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIKey } from '@dcsim/crypto/macaroon';
import { pieceSize, type RedundancyScheme } from '@dcsim/erasure';
import { generateIdentity, type Identity } from '@dcsim/identity';
import { Server } from '@grpc/grpc-js';
import {
  bindServer,
  CHANNEL_OPTIONS,
  ContactClient,
  MetainfoClient,
  NodeContactService,
  rpcErrorInfo,
  Transport,
  unaryHandler,
  signCheckIn,
  signPieceHash,
  unary,
  type AddressedOrderLimit,
  type PieceHash,
  type Reason,
  type RequestHeader,
  type RpcErrorInfo,
  type SegmentPieceUploadResult,
} from '@dcsim/protocol';
import { afterEach } from 'vitest';
import * as admin from '../src/admin.js';
import { makeConfig, type SatelliteConfig } from '../src/config.js';
import { startSatellite, type RunningSatellite } from '../src/index.js';

export interface TestSatellite {
  sat: RunningSatellite;
  dir: string;
  logs: string[];
  metainfo: MetainfoClient;
  contact: ContactClient;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-satellite-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function startTestSatellite(overrides: Partial<SatelliteConfig> = {}): Promise<TestSatellite> {
  const dir = tempDir();
  const logs: string[] = [];
  const config = makeConfig({
    dir,
    listen: '127.0.0.1:0',
    // Long interval: tests run the chores themselves (sat.chores) when they want them.
    deletionIntervalMs: 3600_000,
    log: (line) => logs.push(line),
    ...overrides,
  });
  const sat = await startSatellite(config);
  const uplink = Transport.ephemeral();
  const metainfo = new MetainfoClient(sat.address, uplink.client(sat.identity.id), CHANNEL_OPTIONS);
  const contact = new ContactClient(sat.address, uplink.client(sat.identity.id), CHANNEL_OPTIONS);
  cleanups.push(async () => {
    metainfo.close();
    contact.close();
    await sat.stop();
  });
  return { sat, dir, logs, metainfo, contact };
}

/** A project with an unrestricted API key, made the way `satellite admin` makes them. */
export function createProject(t: TestSatellite, name = 'test') {
  const project = admin.createProject(t.sat.db, name);
  const { apiKey } = admin.createApiKey(t.sat.db, project.projectId, 'root');
  const key = APIKey.parse(apiKey);
  return { projectId: project.projectId, key, header: headerOf(key) };
}

export function headerOf(key: APIKey): RequestHeader {
  return { apiKey: key.rawBytes() };
}

export interface TestNode {
  identity: Identity;
  address: string;
}

/**
 * Node identities that check in as storage nodes do, each answering the satellite's ping back under its own
 * identity; they stop answering once checked in. They have no Piecestore: piece deletions sent to them fail
 * and are retried.
 */
export async function checkInNodes(t: TestSatellite, count: number): Promise<TestNode[]> {
  const nodes: TestNode[] = [];
  for (let i = 0; i < count; i++) {
    const identity = generateIdentity();
    const responder = await startPingResponder(identity);
    const node = { identity, address: responder.address };
    const res = await checkIn(t, node);
    await responder.close();
    if (!res.pingNodeSuccess) throw new Error(`test node was not reachable: ${res.pingErrorMessage}`);
    nodes.push(node);
  }
  return nodes;
}

/** What a storage node serves for the satellite's ping back (NodeContact), under `identity`, on a free port. */
export async function startPingResponder(identity: Identity): Promise<{ address: string; close(): Promise<void> }> {
  const server = new Server();
  server.addService(NodeContactService, { pingNode: unaryHandler(() => ({})) });
  const port = await bindServer(server, '127.0.0.1:0', Transport.of(identity).server());
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  cleanups.push(close);
  return { address: `127.0.0.1:${port}`, close };
}

export function checkIn(t: TestSatellite, node: TestNode, freeDisk = 1 << 30, timestamp = new Date()) {
  const request = signCheckIn(node.identity, {
    nodeId: node.identity.id,
    publicKey: node.identity.publicKey,
    address: node.address,
    freeDisk,
    timestamp,
    version: '1.0.0-test',
    signature: new Uint8Array(0),
  });
  return unary(t.contact, t.contact.checkIn, request);
}

/** What a node hands back after storing a piece: a hash of it, signed with the node's key. */
export function signedHash(signer: Identity, limit: AddressedOrderLimit, size: number, pieceId = limit.limit!.pieceId): PieceHash {
  return signPieceHash(signer, {
    pieceId,
    hash: new Uint8Array(createHash('sha256').update(`piece ${limit.pieceNum}`).digest()),
    pieceSize: size,
    timestamp: new Date(),
    signature: new Uint8Array(0),
  });
}

/** Upload results for the given limits, as if the nodes stored pieces for a segment of `encryptedSize` bytes. */
export function uploadResults(
  nodes: TestNode[],
  limits: AddressedOrderLimit[],
  encryptedSize: number,
  scheme: RedundancyScheme,
): SegmentPieceUploadResult[] {
  const byId = new Map(nodes.map((n) => [Buffer.from(n.identity.id).toString('hex'), n.identity]));
  return limits.map((l) => {
    const nodeId = l.limit!.storageNodeId;
    const identity = byId.get(Buffer.from(nodeId).toString('hex'))!;
    return { pieceNum: l.pieceNum, nodeId, hash: signedHash(identity, l, pieceSize(encryptedSize, scheme)) };
  });
}

/** Status code, reason and server message of a rejected call. */
export async function rpcFailure(promise: Promise<unknown>): Promise<{ code: number; reason: Reason | undefined; details: string }> {
  const { code, reason, message } = await rpcFailureInfo(promise);
  return { code: code!, reason, details: message };
}

/** Everything a rejected call said, facts included. */
export async function rpcFailureInfo(promise: Promise<unknown>): Promise<RpcErrorInfo> {
  try {
    await promise;
  } catch (err) {
    return rpcErrorInfo(err);
  }
  throw new Error('expected the call to fail');
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
