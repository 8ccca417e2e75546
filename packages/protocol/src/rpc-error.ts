/**
 * Errors that cross gRPC. A server throws `new RpcError(reason, message, facts)`; the client reads
 * `rpcErrorInfo(err)`: the status code, the reason (reasons.ts), the message and the facts.
 *
 * On the wire, next to grpc-status (the code) and grpc-message (the message, for people), the trailer
 * `grpc-status-details-bin` holds a google.rpc.Status repeating both, with one google.rpc.ErrorInfo detail:
 * the reason, the domain "dcsim" and the facts as its metadata. That is gRPC's own "richer error model", so
 * any gRPC client decodes it (grpcurl, Go's status.FromError(err).Details()); one message keeps the reason
 * with the code it belongs to, and ErrorInfo's metadata map carries facts (the field, the caveat) without a
 * header name per fact. (Storj's DRPC instead widens the code itself: rpcstatus.BucketNotFound is 10019;
 * gRPC's codes end at 16.)
 */
import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { ErrorInfo } from '../gen/google/rpc/error_details.js';
import { Status } from '../gen/google/rpc/status.js';
import { REASON_CODES, REASON_DOMAIN, Reason, isReason, type ReasonFacts } from './reasons.js';

/** The trailer that carries a google.rpc.Status (binary, as every `-bin` header). */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';

/**
 * Longest status message sent. It travels in an HTTP/2 trailer (twice: grpc-message and inside the
 * Status): one beyond the peer's header size limit breaks the call (the client waits out its deadline)
 * and can stall the next call on the channel too.
 */
export const MAX_STATUS_MESSAGE = 1024;

/**
 * An error a service returns on purpose: its status code is the reason's (REASON_CODES), its message is
 * shown to people as-is, and its reason and facts are what programs decide on.
 */
export class RpcError extends Error implements Partial<ServiceError> {
  override name = 'RpcError';
  readonly code: status;

  constructor(
    readonly reason: Reason,
    message: string,
    readonly facts: ReasonFacts = {},
  ) {
    super(message);
    this.code = REASON_CODES[reason];
  }

  get details(): string {
    return this.message;
  }
}

/** What a failed call says, as plain data. */
export interface RpcErrorInfo {
  /** undefined: the error is not a gRPC failure at all. */
  code: status | undefined;
  /** undefined: no dcsim reason came with it (the call never reached a server, a server bug, a reason this client does not know). */
  reason: Reason | undefined;
  /** The server's message (the part after "N CODE: "), for people. */
  message: string;
  /** The reason's facts; empty without a reason. */
  facts: ReasonFacts;
}

/** The status an RpcError is sent as: code, message (cut to MAX_STATUS_MESSAGE) and the status-details trailer. */
export function rpcStatus(err: RpcError): StatusObject {
  const message = err.message.length > MAX_STATUS_MESSAGE ? `${err.message.slice(0, MAX_STATUS_MESSAGE - 1)}…` : err.message;
  const info = ErrorInfo.encode({ reason: err.reason, domain: REASON_DOMAIN, metadata: { ...err.facts } }).finish();
  const details = Status.encode({ code: err.code, message, details: [{ typeUrl: ERROR_INFO_TYPE, value: info }] }).finish();
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_TRAILER, Buffer.from(details));
  return { code: err.code, details: message, metadata };
}

/** Turns anything a handler threw into a ServiceError; unexpected errors become INTERNAL without internals. */
export function toServiceError(err: unknown, log?: (msg: string) => void): Partial<ServiceError> {
  if (err instanceof RpcError) {
    const sent = rpcStatus(err);
    return { ...sent, message: sent.details };
  }
  log?.(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return { code: status.INTERNAL, details: 'internal server error', message: 'internal server error' };
}

/** The code, reason, message and facts of a failed call (or of an RpcError thrown in this process). */
export function rpcErrorInfo(err: unknown): RpcErrorInfo {
  if (err instanceof RpcError) return { code: err.code, reason: err.reason, message: err.message, facts: err.facts };
  const e = err as Partial<ServiceError> | undefined;
  if (e && typeof e.code === 'number') {
    return { code: e.code, message: e.details || e.message || 'unknown error', ...reasonOf(e.code, e.metadata) };
  }
  return { code: undefined, reason: undefined, message: err instanceof Error ? err.message : String(err), facts: {} };
}

/**
 * The dcsim reason in a call's status details, if there is one and it goes with `code`: a reason of another
 * domain, one this client does not know, or one sent with another code than its own is no reason at all.
 */
function reasonOf(code: status, trailers: unknown): { reason: Reason | undefined; facts: ReasonFacts } {
  const none = { reason: undefined, facts: {} };
  const raw = trailers instanceof Metadata ? trailers.get(STATUS_DETAILS_TRAILER)[0] : undefined;
  if (!(raw instanceof Uint8Array)) return none;
  try {
    const sent = Status.decode(raw);
    if (sent.code !== code) return none;
    for (const detail of sent.details) {
      if (detail.typeUrl !== ERROR_INFO_TYPE) continue;
      const info = ErrorInfo.decode(detail.value);
      if (info.domain === REASON_DOMAIN && isReason(info.reason) && REASON_CODES[info.reason] === code) {
        return { reason: info.reason, facts: info.metadata };
      }
    }
  } catch {
    // Details that do not decode are no reason; the code and message still stand.
  }
  return none;
}

/** A required request field is empty (FIELD_MISSING); `field` as the .proto names it. */
export function fieldMissing(field: string, message: string): RpcError {
  return new RpcError(Reason.FIELD_MISSING, message, { field });
}

/** A request field is larger than `max` allows (FIELD_TOO_LARGE): bytes, items or a number, as the message says. */
export function fieldTooLarge(field: string, max: number, message: string): RpcError {
  return new RpcError(Reason.FIELD_TOO_LARGE, message, { field, max: String(max) });
}

/** A request field's value is not acceptable (FIELD_INVALID). */
export function fieldInvalid(field: string, message: string): RpcError {
  return new RpcError(Reason.FIELD_INVALID, message, { field });
}
