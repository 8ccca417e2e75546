import { Reason, RpcError, status } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  BucketExistsError,
  BucketNotEmptyError,
  BucketNotFoundError,
  InvalidAccessError,
  NotEnoughNodesError,
  NotEnoughPiecesError,
  ObjectNotFoundError,
  RevokedError,
  NoPathKeyError,
  SatelliteError,
  satelliteError,
  SatelliteUnavailableError,
} from '../src/lib/errors.js';

// What grpc-js hands a client: a ServiceError carrying the code and the server's message in `details`.
const rpc = (code: status, details: string) => Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details });

describe('satelliteError', () => {
  it('maps NOT_FOUND to the bucket or the object the call was about', () => {
    const bucket = satelliteError(rpc(status.NOT_FOUND, 'bucket not found: photos'), { bucket: 'photos', key: 'cat.jpg' });
    expect(bucket).toBeInstanceOf(BucketNotFoundError);
    expect(bucket.message).toBe('bucket not found: photos');
    const object = satelliteError(rpc(status.NOT_FOUND, 'object not found'), { bucket: 'photos', key: 'a/cat.jpg' });
    expect(object).toBeInstanceOf(ObjectNotFoundError);
    expect(object.message).toBe('object not found: sj://photos/a/cat.jpg');
    expect(satelliteError(rpc(status.NOT_FOUND, 'bucket not found: b'), { bucket: 'b' })).toBeInstanceOf(BucketNotFoundError);
  });

  it('keeps the satellite reason of PERMISSION_DENIED', () => {
    const err = satelliteError(rpc(status.PERMISSION_DENIED, 'permission denied: the API key does not allow writes'));
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect((err as AccessDeniedError).reason).toMatch(/does not allow writes/);
    expect(err.message).toBe('access denied: the API key does not allow writes');
  });

  it('tells a revoked key from an invalid one', () => {
    expect(satelliteError(rpc(status.UNAUTHENTICATED, 'API key revoked'))).toBeInstanceOf(RevokedError);
    expect(satelliteError(rpc(status.UNAUTHENTICATED, 'invalid API key'))).toBeInstanceOf(InvalidAccessError);
  });

  it('maps bucket not empty, already exists and not enough nodes', () => {
    expect(satelliteError(rpc(status.FAILED_PRECONDITION, 'bucket not empty'), { bucket: 'b1' }).message).toBe(
      new BucketNotEmptyError('b1').message,
    );
    expect(satelliteError(rpc(status.ALREADY_EXISTS, 'bucket already exists: b1'), { bucket: 'b1' })).toBeInstanceOf(BucketExistsError);
    expect(satelliteError(rpc(status.RESOURCE_EXHAUSTED, 'not enough nodes: 3 online, 10 needed'))).toBeInstanceOf(NotEnoughNodesError);
  });

  it('works on the RpcError servers throw, and keeps other codes as SatelliteError', () => {
    expect(satelliteError(new RpcError(Reason.CAVEAT_REFUSED, 'no'))).toBeInstanceOf(AccessDeniedError);
    const other = satelliteError(rpc(status.INVALID_ARGUMENT, 'encrypted object key is required'));
    expect(other).toBeInstanceOf(SatelliteError);
    expect((other as SatelliteError).code).toBe(status.INVALID_ARGUMENT);
  });

  it('says in one line how many pieces an upload or download got', () => {
    expect(new NotEnoughPiecesError('upload', 5, 8, '3 × node offline').message).toBe(
      'upload failed: only 5 of the 8 pieces needed were stored (3 × node offline)',
    );
    expect(new NotEnoughPiecesError('download', 2, 4).message).toBe('download failed: only 2 good pieces, 4 needed to rebuild the segment');
  });

  it('tells an unreachable or silent satellite (worth retrying) from a refusal', () => {
    const down = satelliteError(rpc(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7777'));
    expect(down).toBeInstanceOf(SatelliteUnavailableError);
    expect(down.message).toBe('satellite: unreachable (No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7777)');
    const silent = satelliteError(rpc(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 30.001s'));
    expect(silent).toBeInstanceOf(SatelliteUnavailableError);
    expect(silent.message).toBe('satellite: did not answer in time (Deadline exceeded after 30.001s)');
    expect(satelliteError(rpc(status.INVALID_ARGUMENT, 'no'))).not.toBeInstanceOf(SatelliteUnavailableError);
  });

  it('names the path a grant has no key for, as a denial of access', () => {
    const err = new NoPathKeyError('photos', 'private/cat.jpg');
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect(err.message).toBe('access denied: this access grant holds no encryption key for sj://photos/private/cat.jpg');
  });
});
