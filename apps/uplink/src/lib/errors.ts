/**
 * Errors the uplink library throws, each with a one-line message a CLI can print as-is. They name the
 * bucket and object in the user's terms (the plaintext key), never keys, passphrases or grants.
 */
import { rpcErrorInfo, status, type PeerIdentityError } from '@dcsim/protocol';

/** Base class: `instanceof UplinkError` tells "the library said no" from a bug. */
export class UplinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

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

/** A caveat of the API key forbids the request; `reason` is the satellite's explanation. */
export class AccessDeniedError extends UplinkError {
  constructor(readonly reason: string) {
    super(`access denied: ${reason.replace(/^permission denied:\s*/i, '')}`);
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

/** What a satellite call was about, so a status code can become an error naming it. */
export interface Subject {
  bucket?: string;
  key?: string;
}

/** Maps a failed Metainfo call to one of the errors above by its gRPC status code. */
export function satelliteError(err: unknown, subject: Subject = {}): Error {
  if (err instanceof UplinkError) return err;
  const { code, message } = rpcErrorInfo(err);
  switch (code) {
    case status.NOT_FOUND:
      if (subject.bucket !== undefined && (subject.key === undefined || /^bucket/i.test(message))) {
        return new BucketNotFoundError(subject.bucket);
      }
      if (subject.bucket !== undefined && subject.key !== undefined) return new ObjectNotFoundError(subject.bucket, subject.key);
      return new SatelliteError(code, message);
    case status.ALREADY_EXISTS:
      return subject.bucket !== undefined ? new BucketExistsError(subject.bucket) : new SatelliteError(code, message);
    case status.PERMISSION_DENIED:
      return new AccessDeniedError(message);
    case status.UNAUTHENTICATED:
      return /revoked/i.test(message) ? new RevokedError() : new InvalidAccessError(message);
    case status.FAILED_PRECONDITION:
      if (/not empty/i.test(message) && subject.bucket !== undefined) return new BucketNotEmptyError(subject.bucket);
      return new SatelliteError(code, message);
    case status.RESOURCE_EXHAUSTED:
      return new NotEnoughNodesError(message);
    case status.UNAVAILABLE:
      return new SatelliteUnavailableError(code, `unreachable (${message})`);
    case status.DEADLINE_EXCEEDED:
      return new SatelliteUnavailableError(code, `did not answer in time (${message})`);
    default:
      return new SatelliteError(code, message);
  }
}

/**
 * One piece transfer with one node failed. `bad` means the node answered with data or a hash that
 * failed verification (as opposed to refusing or being unreachable): worth a log line naming it.
 */
export class PieceError extends UplinkError {
  constructor(
    readonly nodeId: string,
    readonly pieceNum: number,
    readonly reason: string,
    readonly bad = false,
  ) {
    super(`piece ${pieceNum} on node ${nodeId}: ${reason}`);
  }
}
