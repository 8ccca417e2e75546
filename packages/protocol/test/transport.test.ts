import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeIdString } from '@dcsim/common/nodeid';
import { generateIdentity } from '@dcsim/identity';
import {
  bindServer,
  CHANNEL_OPTIONS,
  NodeContactClient,
  NodeContactService,
  PeerIdentityError,
  ProtocolError,
  rpcErrorInfo,
  status,
  Transport,
  unary,
  unaryHandler,
} from '../src/index.js';

// Real gRPC over real TLS on loopback: a NodeContact server under one identity, clients expecting various IDs.
describe('transport', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.forceShutdown()));

  async function serve(transport: Transport | 'plaintext'): Promise<string> {
    const server = new Server();
    servers.push(server);
    server.addService(NodeContactService, { pingNode: unaryHandler(() => ({})) });
    const port = await bindServer(
      server,
      '127.0.0.1:0',
      transport === 'plaintext' ? ServerCredentials.createInsecure() : transport.server(),
    );
    return `127.0.0.1:${port}`;
  }

  const ping = (address: string, creds: ReturnType<Transport['client']> | ReturnType<typeof credentials.createInsecure>) => {
    const client = new NodeContactClient(address, creds, CHANNEL_OPTIONS);
    return unary(client, client.pingNode, {}, 5_000).finally(() => client.close());
  };

  it('connects over TLS 1.3 when the peer proves the expected node ID', async () => {
    const node = generateIdentity();
    const address = await serve(Transport.of(node));
    const creds = Transport.ephemeral().client(node.id);
    await expect(ping(address, creds)).resolves.toEqual({});
    expect(creds.identityFailure).toBeUndefined();
  });

  it('refuses a peer with another identity, naming both IDs', async () => {
    const expected = generateIdentity();
    const impostor = generateIdentity();
    const address = await serve(Transport.of(impostor));
    const creds = Transport.ephemeral().client(expected.id);
    const err = await ping(address, creds).catch((e) => e);
    expect(rpcErrorInfo(err).code).toBe(status.UNAVAILABLE);
    const failure = creds.identityFailure!;
    expect(failure).toBeInstanceOf(PeerIdentityError);
    expect(failure).toBeInstanceOf(ProtocolError); // the package's base class
    expect(failure.message).toBe(
      `identity mismatch: expected node ${nodeIdString(expected.id)}, the peer at ${address} is ${nodeIdString(impostor.id)}`,
    );
    expect(failure.actual).toEqual(impostor.id);
  });

  it('gives a plaintext client nothing, and a TLS client nothing from a plaintext server', async () => {
    const node = generateIdentity();
    const tlsAddress = await serve(Transport.of(node));
    expect(rpcErrorInfo(await ping(tlsAddress, credentials.createInsecure()).catch((e) => e)).code).toBe(status.UNAVAILABLE);

    const plainAddress = await serve('plaintext');
    const creds = Transport.ephemeral().client(node.id);
    expect(rpcErrorInfo(await ping(plainAddress, creds).catch((e) => e)).code).toBe(status.UNAVAILABLE);
    expect(creds.identityFailure).toBeUndefined(); // no identity was offered: unreachable, not an impostor
  });
});
