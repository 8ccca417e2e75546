import { Server } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { bindServer, CHANNEL_OPTIONS, CheckInRequest, ContactClient, ContactService, insecure, unary, unaryHandler } from '@dcsim/protocol';
import { startWireCapture } from './wire-capture.js';

// The capture proxy is what the invariant tests trust to see "every message on the wire", so it is
// checked against a real gRPC call with a payload larger than one HTTP/2 frame.
describe('wire capture proxy', () => {
  const server = new Server();
  afterAll(() => server.forceShutdown());

  it('records whole gRPC request and response messages', async () => {
    server.addService(ContactService, {
      checkIn: unaryHandler(async (req: CheckInRequest) => ({ pingNodeSuccess: true, pingErrorMessage: `echo:${req.version.length}`, satellitePublicKey: new Uint8Array(0) })),
    });
    const port = await bindServer(server, '127.0.0.1:0');
    const capture = await startWireCapture(`127.0.0.1:${port}`);
    const client = new ContactClient(capture.address, insecure(), CHANNEL_OPTIONS);
    const version = 'A'.repeat(40_000) + 'needle-in-the-middle' + 'B'.repeat(40_000);
    const res = await unary(client, client.checkIn, CheckInRequest.fromPartial({ version }));
    client.close();
    await capture.close();

    expect(res.pingErrorMessage).toBe('echo:80020');
    const requests = capture.messages.filter((m) => m.direction === 'request');
    expect(requests).toHaveLength(1);
    expect(CheckInRequest.decode(requests[0].body).version).toBe(version);
    expect(capture.messages.some((m) => m.direction === 'response' && m.body.includes('echo:80020'))).toBe(true);
  });
});
