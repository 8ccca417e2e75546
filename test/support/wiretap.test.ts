import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { splitHostPort } from '@dcsim/common/hostport';
import { generateIdentity, loadOrCreateIdentity } from '@dcsim/identity';
import {
  bindServer,
  CHANNEL_OPTIONS,
  CheckInRequest,
  ContactClient,
  ContactService,
  rpcErrorInfo,
  status,
  Transport,
  unary,
  unaryHandler,
} from '@dcsim/protocol';
import { startWiretap } from './wiretap.js';

// The wiretap is what the invariant tests trust to see "every message on the wire", so it is checked against
// a real gRPC call over TLS, with a payload larger than one HTTP/2 frame, from a client that checks node IDs.
describe('wiretap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-wiretap-'));
  const server = new Server();
  afterAll(() => {
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('impersonates the target with its stolen key and records whole gRPC messages; the wire itself is ciphertext', async () => {
    const target = loadOrCreateIdentity(dir); // the target's data dir, with its identity.key
    server.addService(ContactService, {
      checkIn: unaryHandler(async (req: CheckInRequest) => ({
        pingNodeSuccess: true,
        pingErrorMessage: `echo:${req.version.length}`,
        satellitePublicKey: new Uint8Array(0),
      })),
    });
    const port = await bindServer(server, '127.0.0.1:0', Transport.of(target).server());
    const tap = await startWiretap({ target: `127.0.0.1:${port}`, identityDir: dir });
    const wire = await startTcpRelay(tap.address); // what anyone on the network between client and wiretap sees
    const client = new ContactClient(wire.address, Transport.ephemeral().client(target.id), CHANNEL_OPTIONS);
    const version = 'A'.repeat(40_000) + 'needle-in-the-middle' + 'B'.repeat(40_000);
    const res = await unary(client, client.checkIn, CheckInRequest.fromPartial({ version }));
    client.close();

    expect(res.pingErrorMessage).toBe('echo:80020');
    const requests = tap.messages.filter((m) => m.direction === 'request');
    expect(requests).toHaveLength(1);
    expect(CheckInRequest.decode(requests[0].body).version).toBe(version);
    expect(tap.messages.some((m) => m.direction === 'response' && m.body.includes('echo:80020'))).toBe(true);
    expect(Buffer.concat(tap.raw).includes('needle-in-the-middle')).toBe(true);
    expect(Buffer.concat(wire.bytes).length).toBeGreaterThan(80_000);
    expect(Buffer.concat(wire.bytes).includes('needle-in-the-middle')).toBe(false);

    // Without the key it would be refused: a client expecting another node ID gets nothing through it.
    const other = new ContactClient(tap.address, Transport.ephemeral().client(generateIdentity().id), CHANNEL_OPTIONS);
    const refused = await unary(other, other.checkIn, CheckInRequest.fromPartial({})).catch((e) => e);
    other.close();
    expect(rpcErrorInfo(refused).code).toBe(status.UNAVAILABLE);
    await Promise.all([tap.close(), wire.close()]);
  });
});

/** A plain TCP relay that keeps every byte it forwards. */
async function startTcpRelay(target: string) {
  const bytes: Buffer[] = [];
  const { host, port } = splitHostPort(target);
  const sockets = new Set<ReturnType<typeof connect>>();
  const relay = createServer((a) => {
    const b = connect(port, host);
    sockets.add(a).add(b);
    a.on('data', (c: Buffer) => (bytes.push(c), b.write(c)));
    b.on('data', (c: Buffer) => (bytes.push(c), a.write(c)));
    for (const s of [a, b]) s.on('close', () => (a.destroy(), b.destroy())).on('error', () => (a.destroy(), b.destroy()));
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(relay.address() as AddressInfo).port}`,
    bytes,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), relay.close(() => resolve()))),
  };
}
