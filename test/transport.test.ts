/**
 * Identity and transport on a real network, as Storj does it: every connection is TLS between identities,
 * each client checks the peer's node ID against the one it expected, and plaintext gets nothing.
 *
 * - a fake satellite (its own identity) at the grant's satellite address: the uplink library and CLI refuse it
 *   with "identity mismatch", and the API key never reaches it;
 * - a process answering at a node's address with its own key: the piece transfers to that node fail as one
 *   lost piece each, uploads and downloads succeed;
 * - check-ins at unreachable addresses, or at an address answering with another identity: the satellite pings
 *   back, refuses them, and never selects them;
 * - plaintext gRPC clients get nothing from the satellite or a node.
 */
import { join } from 'node:path';
import { credentials, Server } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { parseAccess, serializeAccess } from '@dcsim/crypto/grant';
import { formatNodeUrl, nodeIdString, parseNodeId } from '@dcsim/common/nodeid';
import { generateIdentity, type Identity } from '@dcsim/identity';
import {
  bindServer,
  CHANNEL_OPTIONS,
  CheckInRequest,
  ContactClient,
  MetainfoClient,
  MetainfoService,
  PiecestoreClient,
  rpcErrorInfo,
  signCheckIn,
  status,
  Transport,
  unary,
  unaryHandler,
} from '@dcsim/protocol';
import { startStorageNode } from '@dcsim/storagenode';
import { IdentityMismatchError, requestAccess, type PieceEvent, type ProgressEvent } from '@dcsim/uplink';
import { useTempDir, useTestnet } from './support/fixtures.js';
import { freePort } from './support/ports.js';

// One network for the file. Four nodes and n = 4: every segment has a piece on every node, node 0 included.
// New (unvetted) nodes are preferred, as the fake check-ins below would be, were they selectable.
const net = useTestnet({ nodes: 4, scheme: '2/2/3/4', segmentSize: 64 * 1024, newNodeFraction: 1 });
const scratch = useTempDir('dcsim-transport-');

const data = (size: number) => new Uint8Array(Buffer.alloc(size, 'transport'));
const satelliteId = () => parseNodeId(net().satelliteId);

describe("a fake satellite at the grant's satellite address", () => {
  it('is refused by the library and the CLI with "identity mismatch"; the API key never reaches it', async () => {
    const fake = generateIdentity();
    const received: unknown[] = [];
    const server = new Server();
    server.addService(MetainfoService, {
      listBuckets: unaryHandler((req) => (received.push(req), { items: [], more: false })),
      projectInfo: unaryHandler((req) => (received.push(req), { projectSalt: new Uint8Array(32) })),
    });
    const port = await bindServer(server, '127.0.0.1:0', Transport.of(fake).server());
    const address = `127.0.0.1:${port}`;
    const expected = `identity mismatch: expected node ${net().satelliteId}, the peer at ${address} is ${nodeIdString(fake.id)}`;
    try {
      const grant = serializeAccess({ ...parseAccess(net().access), satelliteAddress: `${net().satelliteId}@${address}` });
      const project = await net().uplink(grant);
      const err = await project
        .listBuckets()
        .next()
        .catch((e) => e);
      expect(err).toBeInstanceOf(IdentityMismatchError);
      expect(err.message).toBe(expected);
      expect(err.actual).toEqual(fake.id);

      const access = await requestAccess(`${net().satelliteId}@${address}`, net().apiKey, 'passphrase').catch((e) => e);
      expect(access).toBeInstanceOf(IdentityMismatchError);

      const cli = await net().runUplink(['ls'], { env: { UPLINK_ACCESS: grant } });
      expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 1, stderr: `uplink: ${expected}\n` });
      expect(received).toEqual([]);
    } finally {
      server.forceShutdown();
    }
  });
});

describe('plaintext', () => {
  it('gets nothing from the satellite or a node', async () => {
    const metainfo = new MetainfoClient(net().satelliteAddress, credentials.createInsecure(), CHANNEL_OPTIONS);
    const header = { apiKey: parseAccess(net().access).apiKey.rawBytes() };
    const fromSatellite = await unary(metainfo, metainfo.projectInfo, { header }, 5_000).catch((e) => e);
    metainfo.close();
    expect(rpcErrorInfo(fromSatellite).code).toBe(status.UNAVAILABLE);

    const piecestore = new PiecestoreClient(net().nodes[1].address, credentials.createInsecure(), CHANNEL_OPTIONS);
    const fromNode = await unary(piecestore, piecestore.delete, { limit: undefined }, 5_000).catch((e) => e);
    piecestore.close();
    expect(rpcErrorInfo(fromNode).code).toBe(status.UNAVAILABLE);
  });
});

describe('check-ins', () => {
  it('at unreachable addresses, or answered by another identity, are refused and never selected; uploads keep working', async () => {
    const contact = new ContactClient(net().satelliteAddress, Transport.ephemeral().client(satelliteId()), CHANNEL_OPTIONS);
    const checkIn = (identity: Identity, address: string) =>
      unary(
        contact,
        contact.checkIn,
        signCheckIn(
          identity,
          CheckInRequest.fromPartial({
            nodeId: identity.id,
            publicKey: identity.publicKey,
            address,
            freeDisk: 1 << 30,
            timestamp: new Date(),
            version: '1.0.0',
          }),
        ),
      );
    const fakes: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const fake = generateIdentity();
        const address = `127.0.0.1:${await freePort()}`;
        const res = await checkIn(fake, address);
        expect(res.pingNodeSuccess).toBe(false);
        expect(res.pingErrorMessage).toMatch(new RegExp(`^ping to ${address} failed`));
        fakes.push(nodeIdString(fake.id));
      }
      const claimer = generateIdentity(); // claims node 1's address
      const res = await checkIn(claimer, net().nodes[1].address);
      expect(res.pingNodeSuccess).toBe(false);
      expect(res.pingErrorMessage).toBe(
        `identity mismatch: expected node ${nodeIdString(claimer.id)}, the peer at ${net().nodes[1].address} is ${net().nodes[1].id}`,
      );
      fakes.push(nodeIdString(claimer.id));
    } finally {
      contact.close();
    }

    // n = 4 of the 8 nodes the satellite now knows, new ones first: were the fakes selectable, every segment would get some.
    const project = await net().uplink();
    await project.ensureBucket('checkins');
    for (let i = 0; i < 3; i++) {
      const report = await project.upload('checkins', `o${i}`, data(200 * 1024));
      const used = report.segments.flatMap((s) => s.pieces.map((p) => p.nodeId));
      expect(used.filter((id) => fakes.includes(id))).toEqual([]);
      expect(report.segments.flatMap((s) => s.pieces).every((p) => p.status === 'stored' || p.status === 'cancelled')).toBe(true);
    }
  });
});

describe("a process answering at a node's address with its own key", () => {
  it('gets no piece: each transfer to that node fails as one lost piece, uploads and downloads succeed', async () => {
    const project = await net().uplink();
    await project.ensureBucket('impostor');
    const before = data(200 * 1024);
    await project.upload('impostor', 'before', before);

    const victim = net().nodes[0];
    const victimId = victim.id;
    await victim.stop();
    // A storage node of its own (its own identity) on the port node 0 used, working for no satellite.
    const logs: string[] = [];
    const impostor = await startStorageNode({
      dir: join(scratch(), 'impostor'),
      listen: victim.address,
      satelliteUrl: formatNodeUrl({ id: generateIdentity().id, address: `127.0.0.1:${await freePort()}` }),
      log: (line) => logs.push(line),
    });
    try {
      const expected = `identity mismatch: expected node ${victimId}, the peer at ${victim.address} is ${impostor.id}`;
      const failures = (events: ProgressEvent[]) =>
        events.filter((e): e is PieceEvent => e.type === 'piece' && e.nodeId === victimId && e.status === 'failed').map((e) => e.error);

      const uploadEvents: ProgressEvent[] = [];
      const fresh = await net().uplink(); // no connection to node 0's address from before
      const report = await fresh.upload('impostor', 'after', data(200 * 1024), { onProgress: (e) => uploadEvents.push(e) });
      expect(report.segments).toHaveLength(4);
      // Node 0's piece of each segment failed, or was cancelled when the other three were stored first.
      const victimPieces = report.segments.flatMap((s) => s.pieces.filter((p) => p.nodeId === victimId));
      expect(victimPieces.map((p) => p.status).filter((s) => s !== 'failed' && s !== 'cancelled')).toEqual([]);
      const lost = failures(uploadEvents);

      for (const key of ['before', 'after']) {
        const events: ProgressEvent[] = [];
        const chunks: Uint8Array[] = [];
        for await (const chunk of await project.download('impostor', key, { onProgress: (e) => events.push(e) })) chunks.push(chunk);
        expect(Buffer.concat(chunks).equals(Buffer.from(before))).toBe(true);
        lost.push(...failures(events));
      }
      expect(lost.length).toBeGreaterThan(0);
      for (const error of lost) expect(error).toContain(expected);
      expect(logs.some((l) => /stored piece|sent piece/.test(l))).toBe(false); // nothing reached it
    } finally {
      await impostor.close();
      await victim.start();
    }
  });
});
