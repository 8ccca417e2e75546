/**
 * A request that cannot be decoded is the client's mistake: it answers INVALID_ARGUMENT naming the
 * problem, not INTERNAL.
 *
 * ts-proto's decoders throw on what they cannot represent: an int64 beyond Number.MAX_SAFE_INTEGER
 * (2^53-1; int64 fields are plain numbers here), a truncated message, a bad wire type. grpc-js turns a
 * request deserializer that throws into INTERNAL "Error deserializing request", with no way to choose
 * the code. So the service definitions dcsim serves (exported by this package in place of the
 * generated ones) decode into a MalformedRequest instead of throwing, and `rejectMalformedRequests`,
 * a server interceptor every dcsim server has (SERVER_OPTIONS), answers that with INVALID_ARGUMENT
 * before any handler, unary or streaming, sees the message.
 */
import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import { Reason } from './reasons.js';
import { RpcError, rpcStatus } from './rpc-error.js';

/** Longest decoder error quoted in the answer. */
const MAX_REASON = 200;

/** What a request deserializer returns for bytes it cannot decode. */
export class MalformedRequest {
  readonly reason: string;
  constructor(path: string, err: unknown) {
    const why = err instanceof Error ? err.message : String(err);
    this.reason = `cannot decode the ${path.replace(/^\//, '')} request: ${explain(why)}`;
  }
}

function explain(why: string): string {
  if (/larger than Number\.MAX_SAFE_INTEGER/.test(why)) {
    return 'an integer field is above 2^53-1 (9007199254740991), the largest this server accepts';
  }
  if (/smaller than Number\.MIN_SAFE_INTEGER/.test(why)) return 'an integer field is below -(2^53-1), the smallest this server accepts';
  return why.length > MAX_REASON ? `${why.slice(0, MAX_REASON)}…` : why;
}

interface MethodDefinition {
  readonly path: string;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
}

/**
 * The service definition with request deserializers that never throw. Its handlers still only ever see
 * decoded requests, as long as the server runs `rejectMalformedRequests` (SERVER_OPTIONS does).
 */
export function reportingMalformedRequests<T extends { readonly [method: string]: MethodDefinition }>(definition: T): T {
  const wrapped: Record<string, MethodDefinition> = {};
  for (const [name, method] of Object.entries(definition)) {
    wrapped[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (err) {
          return new MalformedRequest(method.path, err);
        }
      },
    };
  }
  return wrapped as unknown as T;
}

/** Ends a call whose request did not decode with INVALID_ARGUMENT (REQUEST_MALFORMED); every other message passes through. */
export const rejectMalformedRequests: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMessage: (message, pass) => {
          if (message instanceof MalformedRequest) call.sendStatus(rpcStatus(new RpcError(Reason.REQUEST_MALFORMED, message.reason)));
          else pass(message);
        },
      }),
  });
