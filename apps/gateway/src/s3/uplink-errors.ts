/** The uplink library's errors as the S3 errors clients expect. */
import {
  AccessDeniedError,
  BucketExistsError,
  BucketNotEmptyError,
  BucketNotFoundError,
  InvalidAccessError,
  InvalidArgumentError,
  LimitExceededError,
  NotEnoughNodesError,
  NotEnoughPiecesError,
  ObjectNotFoundError,
  RevokedError,
  SatelliteUnavailableError,
  TooManyRequestsError,
} from '@dcsim/uplink';
import { S3Error } from './errors.js';

export function toS3Error(err: unknown): S3Error | undefined {
  if (err instanceof S3Error) return err;
  if (err instanceof BucketNotFoundError)
    return new S3Error('NoSuchBucket', 'the specified bucket does not exist', { BucketName: err.bucket });
  if (err instanceof ObjectNotFoundError) return new S3Error('NoSuchKey', 'the specified key does not exist', { Key: err.key });
  if (err instanceof BucketExistsError) {
    return new S3Error('BucketAlreadyOwnedByYou', 'your previous request to create the named bucket succeeded and you already own it', {
      BucketName: err.bucket,
    });
  }
  if (err instanceof BucketNotEmptyError)
    return new S3Error('BucketNotEmpty', 'the bucket you tried to delete is not empty', { BucketName: err.bucket });
  // Also NoPathKeyError: a restricted grant has no encryption key outside the paths it was shared for.
  if (err instanceof AccessDeniedError) return new S3Error('AccessDenied', err.message);
  if (err instanceof RevokedError || err instanceof InvalidAccessError) return new S3Error('AccessDenied', err.message);
  if (err instanceof InvalidArgumentError) return new S3Error('InvalidArgument', err.message);
  if (err instanceof LimitExceededError) return limitError(err);
  if (err instanceof TooManyRequestsError) return new S3Error('SlowDown', 'Please reduce your request rate.');
  if (err instanceof NotEnoughNodesError || err instanceof NotEnoughPiecesError) return new S3Error('ServiceUnavailable', err.message);
  // S3's "try again later", which SDKs retry (Storj's gateway answers a satellite that reset the connection with a 503 too).
  if (err instanceof SatelliteUnavailableError) {
    return new S3Error('ServiceUnavailable', 'the satellite is unreachable; try again later');
  }
  return undefined;
}

/** Storj's gateway (gateway-st ConvertError): each project limit as its own 403 code; buckets as S3's TooManyBuckets. */
function limitError(err: LimitExceededError): S3Error {
  switch (err.limit) {
    case 'storage':
      return new S3Error('StorageLimitExceeded', 'You have reached your project storage limit.');
    case 'segments':
      return new S3Error('SegmentsLimitExceeded', 'You have reached your project segment limit.');
    case 'egress':
      return new S3Error('BandwidthLimitExceeded', 'You have reached your project bandwidth limit.');
    case 'buckets':
      return new S3Error('TooManyBuckets', 'You have attempted to create more buckets than allowed.');
  }
}
