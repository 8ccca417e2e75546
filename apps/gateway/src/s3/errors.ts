/**
 * S3 errors: a code S3 clients know (they switch on it), the HTTP status that goes with it, and a
 * message for people. Messages name buckets and keys, never secrets, grants or signatures.
 */
import { GatewayError } from '../errors.js';

/** The HTTP status of each S3 error code the gateway answers with. */
export const ERROR_STATUS = {
  AccessDenied: 403,
  BandwidthLimitExceeded: 403, // Storj's own codes for project limits (gateway-st)
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  SegmentsLimitExceeded: 403,
  SlowDown: 429,
  StorageLimitExceeded: 403,
  TooManyBuckets: 400,
  XAmzContentSHA256Mismatch: 400,
} as const;

export type S3ErrorCode = keyof typeof ERROR_STATUS;

export class S3Error extends GatewayError {
  readonly status: number;
  constructor(
    readonly code: S3ErrorCode,
    message: string,
    /** Extra elements of the XML error body (e.g. the bucket or key it is about). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}
