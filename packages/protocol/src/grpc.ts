/**
 * What every dcsim process shares about gRPC: channel options, a promise wrapper for unary calls,
 * and errors that carry a gRPC status code so clients can tell "not found" from "access denied".
 */
import { Metadata, Server, ServerCredentials, status, type ServerOptions, type ServiceError } from '@grpc/grpc-js';
import { rejectMalformedRequests } from './malformed.js';

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

/** An error a service returns on purpose: its message is shown to the user as-is. */
export class RpcError extends Error implements Partial<ServiceError> {
  override name = 'RpcError';
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
  get details(): string {
    return this.message;
  }
}

export const notFound = (what: string) => new RpcError(status.NOT_FOUND, what);
export const permissionDenied = (why: string) => new RpcError(status.PERMISSION_DENIED, why);
export const unauthenticated = (why: string) => new RpcError(status.UNAUTHENTICATED, why);
export const invalidArgument = (why: string) => new RpcError(status.INVALID_ARGUMENT, why);
export const failedPrecondition = (why: string) => new RpcError(status.FAILED_PRECONDITION, why);
export const alreadyExists = (what: string) => new RpcError(status.ALREADY_EXISTS, what);
export const resourceExhausted = (why: string) => new RpcError(status.RESOURCE_EXHAUSTED, why);

/**
 * Longest status message sent. It travels in an HTTP/2 trailer: one beyond the peer's header size limit
 * breaks the call (the client waits out its deadline) and can stall the next call on the channel too.
 */
export const MAX_STATUS_MESSAGE = 1024;

/** Turns anything a handler threw into a ServiceError; unexpected errors become INTERNAL without internals. */
export function toServiceError(err: unknown, log?: (msg: string) => void): Partial<ServiceError> {
  if (err instanceof RpcError) {
    const message = err.message.length > MAX_STATUS_MESSAGE ? `${err.message.slice(0, MAX_STATUS_MESSAGE - 1)}…` : err.message;
    return { code: err.code, details: message, message };
  }
  log?.(`internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  return { code: status.INTERNAL, details: 'internal server error', message: 'internal server error' };
}

/** The status code and server-side message of a failed call (the part after "N CODE: "). */
export function rpcErrorInfo(err: unknown): { code: status | undefined; message: string } {
  const e = err as Partial<ServiceError> | undefined;
  if (e && typeof e.code === 'number') return { code: e.code, message: e.details || e.message || 'unknown error' };
  return { code: undefined, message: err instanceof Error ? err.message : String(err) };
}

type UnaryMethod<Req, Res> = (
  req: Req,
  metadata: any,
  options: any,
  callback: (err: ServiceError | null, res: Res) => void,
) => unknown;

/** Calls a unary method of a ts-proto client and resolves with its response. */
export function unary<Req, Res>(
  client: object,
  method: UnaryMethod<Req, Res>,
  request: Req,
  deadlineMs = 30_000,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, new Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
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
 * with their code and message; anything else is logged and reported as an internal error.
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
