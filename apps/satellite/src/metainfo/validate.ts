/**
 * Checks of request fields, each throwing INVALID_ARGUMENT with a short message that names the field, and
 * the field's .proto name in the reason's facts (FIELD_MISSING, FIELD_TOO_LARGE, FIELD_INVALID, or
 * BUCKET_NAME_INVALID). Handlers run them before anything else (authentication included): a field a client can make as large
 * as a gRPC message (16 MiB) is refused by its size before any work scales with it, and no message
 * echoes more than a few dozen bytes of what the client sent.
 */
import { bucketNameLengthProblem, bucketNameProblem } from '@dcsim/common/bucket';
import { CipherSuite, DEFAULT_ENCRYPTION, TAG_SIZE, type EncryptionParameters } from '@dcsim/crypto/encryption';
import {
  Reason,
  RpcError,
  fieldInvalid,
  fieldMissing,
  fieldTooLarge,
  type EncryptionParameters as EncryptionParametersMessage,
  type SegmentPosition,
} from '@dcsim/protocol';

/** Longest encrypted object key accepted (path encryption roughly doubles a key's length). */
export const MAX_ENCRYPTED_KEY_LENGTH = 4096;
/** Largest encrypted object metadata accepted (stream info + user metadata, e.g. S3 headers). */
const MAX_METADATA_SIZE = 4096;
const MAX_BLOCK_SIZE = 1 << 24;
/**
 * Largest encrypted key or nonce accepted (segment content keys, metadata keys): an encrypted 32-byte key
 * with its tag is 48 bytes (Storj's `encryptedKeySize`), a nonce 24. Anything far beyond is not a key.
 */
export const MAX_KEY_MATERIAL = 256;

/** CreateBucket's `name`, by Storj's rules (@dcsim/common/bucket). */
export function checkBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem) throw badBucketName('name', problem);
}

/**
 * A bucket named by a request that reads or deletes (`field`: the request's bucket field): only its length is
 * checked (Storj's validateBucketNameLength), since no bucket longer or shorter was ever created.
 */
export function checkBucketLength(name: string, field: 'name' | 'bucket'): void {
  const problem = bucketNameLengthProblem(name);
  if (problem) throw badBucketName(field, problem);
}

function badBucketName(field: string, message: string): RpcError {
  return new RpcError(Reason.BUCKET_NAME_INVALID, message, { field });
}

/** A byte field (`field` as the .proto names it, `what` as messages do) with an upper bound; `required` also refuses an empty one. */
export function checkBytes(field: string, what: string, value: Uint8Array, max: number, required = false): void {
  if (required && value.length === 0) throw fieldMissing(field, `${what} is required`);
  if (value.length > max) throw fieldTooLarge(field, max, `${what} is ${value.length} bytes; at most ${max} are allowed`);
}

/** The length of a list in a request; `why` says where the bound comes from. */
export function checkCount(field: string, what: string, count: number, max: number, why?: string): void {
  if (count > max) throw fieldTooLarge(field, max, `${count} ${what}; at most ${max} are allowed${why ? ` (${why})` : ''}`);
}

export function checkEncryptedKey(key: Uint8Array): void {
  checkBytes('encrypted_object_key', 'encrypted object key', key, MAX_ENCRYPTED_KEY_LENGTH, true);
}

/** The bucket and encrypted object key a request names. */
export function checkObjectName(req: { bucket: string; encryptedObjectKey: Uint8Array }): void {
  checkBucketLength(req.bucket, 'bucket');
  checkEncryptedKey(req.encryptedObjectKey);
}

export function checkMetadataSize(metadata: Uint8Array): void {
  checkBytes('encrypted_metadata', 'encrypted metadata', metadata, MAX_METADATA_SIZE);
}

export function checkPosition(position: SegmentPosition | undefined, allowLast = false): { part: number; index: number } {
  const part = position?.partNumber ?? 0;
  const index = position?.index ?? 0;
  if (!Number.isInteger(part) || part < 0) throw fieldInvalid('position.part_number', `segment part number must be >= 0, got ${part}`);
  if (!Number.isInteger(index) || index < (allowLast ? -1 : 0)) {
    throw fieldInvalid('position.index', `segment index must be >= ${allowLast ? -1 : 0}, got ${index}`);
  }
  return { part, index };
}

/** The object's encryption parameters; an absent or all-zero message means uplink's defaults (AES-GCM, 7,424-byte blocks). */
export function checkEncryption(params: EncryptionParametersMessage | undefined): EncryptionParameters {
  if (!params || (params.cipherSuite === 0 && params.blockSize === 0)) return DEFAULT_ENCRYPTION;
  const { cipherSuite, blockSize } = params;
  if (!Object.values(CipherSuite).includes(cipherSuite) || cipherSuite === CipherSuite.Unspecified) {
    throw fieldInvalid('encryption_parameters.cipher_suite', `unknown cipher suite ${cipherSuite}`);
  }
  const authenticated = cipherSuite === CipherSuite.AESGCM || cipherSuite === CipherSuite.Secretbox;
  const min = authenticated ? TAG_SIZE + 1 : 1;
  if (!Number.isInteger(blockSize) || blockSize < min || blockSize > MAX_BLOCK_SIZE) {
    const message = `encryption block size must be from ${min} to ${MAX_BLOCK_SIZE}, got ${blockSize}`;
    throw fieldInvalid('encryption_parameters.block_size', message);
  }
  return { cipherSuite: cipherSuite as CipherSuite, blockSize };
}

export function checkSize(field: string, what: string, value: number, max?: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw fieldInvalid(field, `${what} must be >= 0, got ${value}`);
  if (max !== undefined && value > max) throw fieldTooLarge(field, max, `${what} is ${value}; at most ${max} is allowed`);
}
