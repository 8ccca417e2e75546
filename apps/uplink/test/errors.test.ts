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

// What grpc-js hands a client for a call that never reached a server: a ServiceError with a code and no reason.
const rpc = (code: status, details: string) => Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details });

describe('satelliteError', () => {
  it('maps BUCKET_NOT_FOUND and OBJECT_NOT_FOUND to the bucket or the object the call was about', () => {
    const answer = new RpcError(Reason.BUCKET_NOT_FOUND, 'bucket not found: photos');
    const bucket = satelliteError(answer, { bucket: 'photos', key: 'cat.jpg' });
    expect(bucket).toBeInstanceOf(BucketNotFoundError);
    expect(bucket.message).toBe('bucket not found: photos');
    const object = satelliteError(new RpcError(Reason.OBJECT_NOT_FOUND, 'object not found'), { bucket: 'photos', key: 'a/cat.jpg' });
    expect(object).toBeInstanceOf(ObjectNotFoundError);
    expect(object.message).toBe('object not found: sj://photos/a/cat.jpg');
    // Without a subject, the bucket comes from the reason's facts.
    const named = satelliteError(new RpcError(Reason.BUCKET_NOT_FOUND, 'bucket not found: b1', { bucket: 'b1' }));
    expect(named).toBeInstanceOf(BucketNotFoundError);
    expect((named as BucketNotFoundError).bucket).toBe('b1');
  });

  it('keeps the answer as the cause', () => {
    const answer = new RpcError(Reason.BUCKET_NOT_FOUND, 'bucket not found: photos');
    expect(satelliteError(answer, { bucket: 'photos' }).cause).toBe(answer);
  });

  it('keeps the satellite reason of PERMISSION_DENIED, and the caveat that refused', () => {
    const message = 'permission denied: the API key does not allow writes';
    const refused = new RpcError(Reason.CAVEAT_REFUSED, message, { caveat: 'disallow_writes' });
    const err = satelliteError(refused);
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect((err as AccessDeniedError).reason).toMatch(/does not allow writes/);
    expect((err as AccessDeniedError).caveat).toBe('disallow_writes');
    expect(err.message).toBe('access denied: the API key does not allow writes');
  });

  it('tells a revoked key from an invalid one', () => {
    expect(satelliteError(new RpcError(Reason.API_KEY_REVOKED, 'API key revoked'))).toBeInstanceOf(RevokedError);
    expect(satelliteError(new RpcError(Reason.API_KEY_INVALID, 'invalid API key'))).toBeInstanceOf(InvalidAccessError);
    expect(satelliteError(new RpcError(Reason.API_KEY_UNKNOWN, 'invalid API key: not known'))).toBeInstanceOf(InvalidAccessError);
  });

  it('maps bucket not empty, already exists and not enough nodes', () => {
    expect(satelliteError(new RpcError(Reason.BUCKET_NOT_EMPTY, 'bucket not empty'), { bucket: 'b1' }).message).toBe(
      new BucketNotEmptyError('b1').message,
    );
    expect(satelliteError(new RpcError(Reason.BUCKET_ALREADY_EXISTS, 'bucket already exists: b1'), { bucket: 'b1' })).toBeInstanceOf(
      BucketExistsError,
    );
    const nodes = satelliteError(new RpcError(Reason.NOT_ENOUGH_NODES, 'not enough nodes: need 10, have 3'));
    expect(nodes).toBeInstanceOf(NotEnoughNodesError);
    expect(nodes.message).toBe('not enough storage nodes: not enough nodes: need 10, have 3');
  });

  it('keeps other reasons, and codes without a reason, as SatelliteError', () => {
    const tooLong = new RpcError(Reason.FIELD_TOO_LARGE, 'encrypted object key is 5000 bytes', { field: 'encrypted_object_key' });
    const other = satelliteError(tooLong);
    expect(other).toBeInstanceOf(SatelliteError);
    expect((other as SatelliteError).code).toBe(status.INVALID_ARGUMENT);
    expect(other.message).toBe('satellite: encrypted object key is 5000 bytes');
    // NOT_FOUND of an upload, not of the object; and NOT_FOUND with no reason at all.
    expect(satelliteError(new RpcError(Reason.UPLOAD_NOT_FOUND, 'object upload not found'), { bucket: 'b', key: 'k' })).not.toBeInstanceOf(
      ObjectNotFoundError,
    );
    expect(satelliteError(rpc(status.NOT_FOUND, 'bucket not found: b'), { bucket: 'b' })).toBeInstanceOf(SatelliteError);
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
