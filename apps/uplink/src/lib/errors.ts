/**
 * Errors the uplink library throws, each with a one-line message a CLI can print as-is. They name the
 * bucket and object in the user's terms (the plaintext key), never keys, passphrases or grants.
 *
 * A satellite's or node's refusal becomes one of them by its gRPC status code and reason (the reasons of
 * @dcsim/protocol), never by its wording: messages are for people and may change. An error made from an
 * answer keeps it as `cause`; `rpcErrorInfo(err.cause)` gives its code, reason and facts.
 */
import { Reason, rpcErrorInfo, status, type PeerIdentityError, type RpcErrorInfo } from '@dcsim/protocol';
import { UplinkError } from './uplink-error.js';

export { UplinkError };

export class BucketNotFoundError extends UplinkError {
  constructor(readonly bucket: string) {
    super(`bucket not found: ${bucket}`);
  }
}

export class BucketExistsError extends UplinkError {
  constructor(readonly bucket: string) {
    super(`bucket already exists: ${bucket}`);
  }
}

export class BucketNotEmptyError extends UplinkError {
  constructor(readonly bucket: string) {
    super(`bucket ${bucket} is not empty (delete its objects first, or use --force)`);
  }
}

export class ObjectNotFoundError extends UplinkError {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object not found: sj://${bucket}/${key}`);
  }
}

/**
 * A caveat of the API key forbids the request; `reason` is the satellite's explanation, `caveat` the caveat
 * field that refused when the satellite named it (`not_after`, `disallow_writes`, `allowed_paths`...).
 */
export class AccessDeniedError extends UplinkError {
  constructor(
    readonly reason: string,
    readonly caveat?: string,
  ) {
    super(`access denied: ${withoutPrefix(reason, 'permission denied: ')}`);
  }
}

/**
 * The grant holds no encryption key for the path: it was shared for other buckets or prefixes. Nothing was sent;
 * the satellite would refuse the request anyway, since the grant's caveats cover the same paths its keys do.
 */
export class NoPathKeyError extends AccessDeniedError {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`this access grant holds no encryption key for ${key === '' ? `bucket ${bucket}` : `sj://${bucket}/${key}`}`);
  }
}

/** The API key (or one it was derived from) has been revoked. */
export class RevokedError extends UplinkError {
  constructor() {
    super('access revoked: the API key of this access grant (or one it was derived from) has been revoked');
  }
}

/** The API key is malformed or unknown to the satellite. */
export class InvalidAccessError extends UplinkError {
  constructor(readonly reason: string) {
    super(`invalid access: ${reason}`);
  }
}

/** The satellite could not find enough storage nodes for a segment. */
export class NotEnoughNodesError extends UplinkError {
  constructor(readonly reason: string) {
    super(`not enough storage nodes: ${reason}`);
  }
}

/**
 * Too few pieces made it: an upload stored fewer than the optimal threshold, or a download found
 * fewer than k good pieces.
 */
export class NotEnoughPiecesError extends UplinkError {
  constructor(
    readonly action: 'upload' | 'download',
    readonly succeeded: number,
    readonly needed: number,
    readonly detail = '',
  ) {
    super(
      action === 'upload'
        ? `upload failed: only ${succeeded} of the ${needed} pieces needed were stored${detail ? ` (${detail})` : ''}`
        : `download failed: only ${succeeded} good pieces, ${needed} needed to rebuild the segment${detail ? ` (${detail})` : ''}`,
    );
  }
}

/**
 * A project limit refused the request (Storj's ErrStorageLimitExceeded, ErrSegmentsLimitExceeded,
 * ErrBandwidthLimitExceeded, and the bucket count): `limit` names which, `max` and `used` are the satellite's figures.
 */
export class LimitExceededError extends UplinkError {
  constructor(
    readonly limit: 'storage' | 'segments' | 'egress' | 'buckets',
    readonly reason: string,
    readonly max?: number,
    readonly used?: number,
  ) {
    super(`${limit} limit exceeded: ${reason}`);
  }
}

/** The project made more requests per second than its rate limit allows (Storj's ErrTooManyRequests): slow down. */
export class TooManyRequestsError extends UplinkError {
  constructor(readonly reason: string) {
    super(`too many requests: ${reason}`);
  }
}

/** The satellite refused or failed a request for another reason (bad argument, unreachable...). */
export class SatelliteError extends UplinkError {
  constructor(
    readonly code: status | undefined,
    readonly reason: string,
  ) {
    super(`satellite: ${reason}`);
  }
}

/** The satellite could not be reached, or did not answer in time: trying again later may work. */
export class SatelliteUnavailableError extends SatelliteError {}

/**
 * The peer at an address proved another node ID than the one the uplink expected (the satellite named in the
 * grant, or the node an order limit is for), or none at all: an impostor, or a process at a reused address.
 */
export class IdentityMismatchError extends UplinkError {
  readonly expected: Uint8Array;
  readonly actual: Uint8Array | undefined;
  readonly address: string;

  constructor(failure: PeerIdentityError) {
    super(failure.message);
    this.expected = failure.expected;
    this.actual = failure.actual;
    this.address = failure.address;
  }
}

/** Downloaded data failed authentication: it was altered after it was encrypted. */
export class CorruptDataError extends UplinkError {}

/** Bad input to the library itself (an empty bucket name, a range outside the object...). */
export class InvalidArgumentError extends UplinkError {}

/** What a satellite call was about, so a refusal can become an error naming it in the user's terms. */
export interface Subject {
  bucket?: string;
  key?: string;
}

/**
 * Maps a failed Metainfo call to one of the errors above by its status code and reason; the satellite's
 * message is only ever shown, never read. The answer stays reachable as the error's `cause`.
 */
export function satelliteError(err: unknown, subject: Subject = {}): UplinkError {
  if (err instanceof UplinkError) return err;
  const mapped = fromAnswer(rpcErrorInfo(err), subject);
  mapped.cause = err;
  return mapped;
}

function fromAnswer({ code, reason, message, facts }: RpcErrorInfo, subject: Subject): UplinkError {
  const bucket = subject.bucket ?? facts.bucket;
  switch (code) {
    case status.NOT_FOUND:
      if (reason === Reason.BUCKET_NOT_FOUND && bucket !== undefined) return new BucketNotFoundError(bucket);
      if (reason === Reason.OBJECT_NOT_FOUND && bucket !== undefined && subject.key !== undefined) {
        return new ObjectNotFoundError(bucket, subject.key);
      }
      break;
    case status.ALREADY_EXISTS:
      if (reason === Reason.BUCKET_ALREADY_EXISTS && bucket !== undefined) return new BucketExistsError(bucket);
      break;
    case status.FAILED_PRECONDITION:
      if (reason === Reason.BUCKET_NOT_EMPTY && bucket !== undefined) return new BucketNotEmptyError(bucket);
      break;
    case status.PERMISSION_DENIED: // a caveat refused, or RevokeApiKey for a key not derived from this one
      return new AccessDeniedError(message, facts.caveat);
    case status.UNAUTHENTICATED:
      return reason === Reason.API_KEY_REVOKED ? new RevokedError() : new InvalidAccessError(message);
    case status.RESOURCE_EXHAUSTED: {
      if (reason === Reason.NOT_ENOUGH_NODES) return new NotEnoughNodesError(message);
      if (reason === Reason.RATE_LIMITED) return new TooManyRequestsError(message);
      const limit = reason && LIMITS[reason];
      if (limit) return new LimitExceededError(limit, message, numberOr(facts.limit), numberOr(facts.used));
      break;
    }
    case status.UNAVAILABLE: // grpc-js's own codes for a satellite it could not reach or that did not answer
      return new SatelliteUnavailableError(code, `unreachable (${message})`);
    case status.DEADLINE_EXCEEDED:
      return new SatelliteUnavailableError(code, `did not answer in time (${message})`);
  }
  return new SatelliteError(code, message);
}

/** Which limit each limit reason names. */
const LIMITS: Partial<Record<string, LimitExceededError['limit']>> = {
  [Reason.STORAGE_LIMIT_EXCEEDED]: 'storage',
  [Reason.SEGMENTS_LIMIT_EXCEEDED]: 'segments',
  [Reason.BANDWIDTH_LIMIT_EXCEEDED]: 'egress',
  [Reason.BUCKETS_LIMIT_EXCEEDED]: 'buckets',
};

function numberOr(text: string | undefined): number | undefined {
  return text === undefined || text === '' ? undefined : Number(text);
}

/** For display only: "access denied: permission denied: ..." says it twice. */
function withoutPrefix(text: string, prefix: string): string {
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/** One piece transfer with one node failed: from @dcsim/piecestore-client, which does the transfers. */
export { PieceError } from '@dcsim/piecestore-client';
