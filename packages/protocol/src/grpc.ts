/**
 * What every dcsim process shares about gRPC: channel options, a promise wrapper for unary calls and
 * a handler wrapper for services (whose errors are rpc-error.ts's).
 */
import { Metadata, Server, ServerCredentials, status, type CallOptions, type ServerOptions, type ServiceError } from '@grpc/grpc-js';
import { rejectMalformedRequests } from './malformed.js';
import { toServiceError } from './rpc-error.js';

export { status };

/** Pieces stream in chunks well under this; metainfo messages are small. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  // Loopback transfers are bandwidth-bound: large flow-control windows keep the pipe full.
  'grpc.http2.lookahead_bytes': 4 * 1024 * 1024,
} as const;

export const SERVER_OPTIONS: ServerOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  // A request that does not decode answers INVALID_ARGUMENT (grpc-js alone says INTERNAL).
  interceptors: [rejectMalformedRequests],
};

/** A unary method of a ts-proto client, in the overload that takes metadata and call options. */
export type UnaryMethod<Req, Res> = (
  req: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, res: Res) => void,
) => unknown;

/** Calls a unary method of a ts-proto client and resolves with its response. */
export function unary<Req, Res>(client: object, method: UnaryMethod<Req, Res>, request: Req, deadlineMs = 30_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, new Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Binds a server on host:port (port 0 picks a free one) with `credentials` (transport.ts) and resolves with the bound port. */
export function bindServer(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/**
 * Wraps a promise-returning handler as a grpc-js unary handler: thrown RpcErrors reach the client
 * with their code, reason and message; anything else is logged and reported as an internal error.
 */
export function unaryHandler<Req, Res>(fn: (req: Req) => Promise<Res> | Res, log?: (msg: string) => void) {
  return (call: { request: Req }, callback: (err: Partial<ServiceError> | null, res?: Res) => void) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (err) => callback(toServiceError(err, log)),
      );
  };
}

/** The part of a grpc-js writable stream (client or server side) that backpressure needs. */
interface WritableCall {
  destroyed?: boolean;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Resolves when a stream whose `write` returned false can take more data, or when it closed (the peer is
 * gone; the caller learns why from the call itself), or when `ended` settles (a client call's response).
 */
export function drained(call: WritableCall, ended?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    if (call.destroyed) return resolve();
    const done = () => {
      call.off('drain', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('close', done);
    ended?.then(done, done);
  });
}
