/** The gateway answers the uplink's errors with the S3 codes clients switch on, by the error's type alone. */
import {
  AccessDeniedError,
  BucketExistsError,
  BucketNotEmptyError,
  BucketNotFoundError,
  InvalidAccessError,
  InvalidArgumentError,
  NoPathKeyError,
  NotEnoughNodesError,
  NotEnoughPiecesError,
  ObjectNotFoundError,
  RevokedError,
  SatelliteError,
  SatelliteUnavailableError,
} from '@dcsim/uplink';
import { describe, expect, it } from 'vitest';
import { toS3Error } from '../src/s3/uplink-errors.js';

describe('toS3Error', () => {
  it('maps each uplink error type to its S3 code', () => {
    const cases: [Error, string][] = [
      [new BucketNotFoundError('photos'), 'NoSuchBucket'],
      [new ObjectNotFoundError('photos', 'cat.jpg'), 'NoSuchKey'],
      [new BucketExistsError('photos'), 'BucketAlreadyOwnedByYou'],
      [new BucketNotEmptyError('photos'), 'BucketNotEmpty'],
      [new AccessDeniedError('permission denied: writes are not allowed (disallow_writes)', 'disallow_writes'), 'AccessDenied'],
      [new NoPathKeyError('photos', 'private/cat.jpg'), 'AccessDenied'],
      [new RevokedError(), 'AccessDenied'],
      [new InvalidAccessError('invalid API key'), 'AccessDenied'],
      [new InvalidArgumentError('bucket name is required'), 'InvalidArgument'],
      [new NotEnoughNodesError('not enough nodes: need 10, have 3'), 'ServiceUnavailable'],
      [new NotEnoughPiecesError('download', 2, 4), 'ServiceUnavailable'],
      [new SatelliteUnavailableError(undefined, 'unreachable'), 'ServiceUnavailable'],
    ];
    for (const [err, code] of cases) expect(toS3Error(err)?.code, err.constructor.name).toBe(code);
  });

  it('goes by the type, whatever the message says', () => {
    // An access denial whose explanation happens to read like a missing bucket is still a denial.
    expect(toS3Error(new AccessDeniedError('bucket not found: photos'))?.code).toBe('AccessDenied');
    expect(toS3Error(new SatelliteError(undefined, 'bucket not found: photos'))).toBeUndefined(); // InternalError
    expect(toS3Error(new Error('NoSuchKey'))).toBeUndefined();
  });
});
