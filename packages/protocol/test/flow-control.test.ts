import http2 from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { connect as tcpConnect } from 'node:net';
import { ServerCredentials, type Server } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity, issueTlsChain } from '@dcsim/identity';
import {
  BULK_CONNECTION_WINDOW,
  BULK_STREAM_WINDOW,
  bindServer,
  bulkReceiverServer,
  NodeContactService,
  Transport,
  unaryHandler,
} from '../src/index.js';

// What a client is granted by a bulk receiver (a storage node's server): the windows must be there, over TLS
// and in the plaintext benchmark baseline alike, or pieces stall on flow control.
describe('bulkReceiverServer', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.forceShutdown()));

  async function windowsGranted(tls: boolean): Promise<{ stream: number | undefined; connection: number | undefined }> {
    const server = bulkReceiverServer({});
    servers.push(server);
    server.addService(NodeContactService, { pingNode: unaryHandler(() => ({})) });
    const credentials = tls ? Transport.of(generateIdentity()).server() : ServerCredentials.createInsecure();
    const port = await bindServer(server, '127.0.0.1:0', credentials);
    const chain = issueTlsChain(generateIdentity());
    const session = http2.connect(`${tls ? 'https' : 'http'}://127.0.0.1:${port}`, {
      createConnection: () =>
        tls
          ? tlsConnect({ host: '127.0.0.1', port, key: chain.key, cert: chain.cert, rejectUnauthorized: false, ALPNProtocols: ['h2'] })
          : tcpConnect(port, '127.0.0.1'),
    });
    try {
      await new Promise<void>((resolve, reject) => session.once('remoteSettings', () => resolve()).once('error', reject));
      // All sent before the ack is read.
      await new Promise<void>((resolve, reject) => session.ping((err) => (err ? reject(err) : resolve())));
      return { stream: session.remoteSettings.initialWindowSize, connection: session.state.remoteWindowSize };
    } finally {
      session.destroy();
    }
  }

  it('grants an 8 MiB stream window and a 32 MiB connection window, over TLS and in plaintext', async () => {
    const want = { stream: BULK_STREAM_WINDOW, connection: BULK_CONNECTION_WINDOW };
    expect(await windowsGranted(true)).toEqual(want);
    expect(await windowsGranted(false)).toEqual(want);
  });
});
