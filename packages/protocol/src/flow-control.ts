/**
 * HTTP/2 flow control for servers that receive bulk data: storage nodes taking pieces.
 *
 * HTTP/2 lets a sender have only as many bytes in flight as the receiver's windows allow: 64 KiB per stream
 * and 64 KiB per connection by default. A node taking 16 MiB pieces on a few streams at once would send a
 * WINDOW_UPDATE every 32 KiB or so, and the uplink wait for each, so both spend their CPU on flow control
 * instead of bytes (`npm run bench -- network`: the nodes and the uplink each use about a quarter more CPU
 * per uploaded byte with the default connection window). The stream window is a SETTING; the connection
 * window is not, each session raises its own.
 */
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { Server, type ServerCredentials, type ServerOptions } from '@grpc/grpc-js';

/** 8 MiB per stream: half a 4/6/8/10 piece of a 64 MiB segment in flight. */
export const BULK_STREAM_WINDOW = 8 * 1024 * 1024;
/** 32 MiB per connection: four streams' worth (pieces of the segments an uplink has in flight to one node). */
export const BULK_CONNECTION_WINDOW = 4 * BULK_STREAM_WINDOW;

/** What grpc-js keeps private: the method that builds the HTTP/2 server of each address a Server binds. */
interface Http2ServerFactory {
  createHttp2Server(credentials: ServerCredentials): Http2Server;
}

/**
 * A gRPC server whose HTTP/2 sessions take bulk data: each session, as it starts, announces the larger stream
 * window and raises its connection window. grpc-js offers no public hook where it makes its HTTP/2 servers,
 * so this one server wraps that method (nothing else in the process changes); the protocol tests check the
 * windows a client is granted, so a grpc-js release that bypasses the wrapper fails them.
 */
export function bulkReceiverServer(options: ServerOptions): Server {
  const server = new Server(options);
  const internals = server as unknown as Http2ServerFactory;
  const create = internals.createHttp2Server.bind(server);
  internals.createHttp2Server = (credentials) => {
    const http2Server = create(credentials);
    http2Server.on('session', (session: ServerHttp2Session) => {
      if (session.destroyed) return; // the connection went away before it started: nothing to raise
      session.settings({ initialWindowSize: BULK_STREAM_WINDOW });
      session.setLocalWindowSize(BULK_CONNECTION_WINDOW);
    });
    return http2Server;
  };
  return server;
}
