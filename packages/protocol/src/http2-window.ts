/**
 * HTTP/2 flow control for servers that receive bulk data: storage nodes taking pieces.
 *
 * HTTP/2 lets a sender have only as many bytes in flight as the receiver's window: 64 KiB per stream by
 * default. A node taking a 16 MiB piece then sends a WINDOW_UPDATE every 32 KiB or so, and the uplink waits
 * for each, so both sides spend their CPU on flow control instead of bytes. grpc-js chooses the window for
 * its clients (`grpc-node.flow_control_window`) but offers no option for its servers, so a process that
 * serves bulk uploads calls this once, before creating its gRPC server: every HTTP/2 server created after it
 * announces a larger window. (`npm run bench -- network`: nodes use ~20% less CPU per uploaded byte.)
 */
import http2 from 'node:http2';

/** 8 MiB per stream: half a 4/6/8/10 piece of a 64 MiB segment in flight; the session gets four streams' worth. */
export const SERVER_STREAM_WINDOW = 8 * 1024 * 1024;

let raised = false;

export function raiseServerReceiveWindow(streamWindow = SERVER_STREAM_WINDOW): void {
  if (raised) return;
  raised = true;
  const createServer = http2.createServer;
  const withWindow = (options: http2.ServerOptions = {}, onRequest?: Parameters<typeof http2.createServer>[1]) => {
    const server = createServer({ ...options, settings: { ...options.settings, initialWindowSize: streamWindow } }, onRequest);
    // The connection-level window is not a setting: each session raises its own.
    server.on('session', (session) => session.setLocalWindowSize(streamWindow * 4));
    return server;
  };
  (http2 as { createServer: unknown }).createServer = withWindow;
}
