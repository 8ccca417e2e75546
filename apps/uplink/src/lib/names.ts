/** Checks of bucket names and object keys before anything is encrypted or sent. */
import { InvalidArgumentError } from './errors.js';

export function checkBucket(bucket: string): void {
  if (typeof bucket !== 'string' || bucket.length === 0) throw new InvalidArgumentError('bucket name is required');
}

export function checkBucketAndKey(bucket: string, key: string): void {
  checkBucket(bucket);
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError(`object key is required (bucket ${bucket})`);
}
