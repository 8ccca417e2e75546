/** Checks of request fields, each throwing INVALID_ARGUMENT with a message that names the field. */
import { isIP } from 'node:net';
import { CipherSuite, DEFAULT_ENCRYPTION, TAG_SIZE, type EncryptionParameters } from '@dcsim/crypto';
import { invalidArgument, type EncryptionParameters as EncryptionParametersMessage, type SegmentPosition } from '@dcsim/protocol';

/** Longest encrypted object key accepted (path encryption roughly doubles a key's length). */
export const MAX_ENCRYPTED_KEY_LENGTH = 4096;
/** Largest encrypted object metadata accepted (stream info + user metadata, e.g. S3 headers). */
export const MAX_METADATA_SIZE = 4096;
const MAX_BLOCK_SIZE = 1 << 24;

/** S3/Storj bucket name rules: 3-63 characters, lowercase letters, digits, '-' and '.', labels not empty. */
export function checkBucketName(name: string): void {
  const bad = (why: string) => invalidArgument(`invalid bucket name ${JSON.stringify(name)}: ${why}`);
  if (name.length === 0) throw invalidArgument('bucket name is required');
  if (name.length < 3 || name.length > 63) throw bad('must be 3 to 63 characters long');
  if (!/^[a-z0-9.-]+$/.test(name)) throw bad('may contain only lowercase letters, digits, "-" and "."');
  for (const label of name.split('.')) {
    if (label === '') throw bad('must not have empty labels ("..", or "." at either end)');
    if (label.startsWith('-') || label.endsWith('-')) throw bad('labels must start and end with a letter or digit');
  }
  if (isIP(name)) throw bad('must not look like an IP address');
}

export function checkEncryptedKey(key: Uint8Array): void {
  if (key.length === 0) throw invalidArgument('encrypted object key is required');
  if (key.length > MAX_ENCRYPTED_KEY_LENGTH) {
    throw invalidArgument(`encrypted object key is ${key.length} bytes; at most ${MAX_ENCRYPTED_KEY_LENGTH} are allowed`);
  }
}

export function checkMetadataSize(metadata: Uint8Array): void {
  if (metadata.length > MAX_METADATA_SIZE) {
    throw invalidArgument(`encrypted metadata is ${metadata.length} bytes; at most ${MAX_METADATA_SIZE} are allowed`);
  }
}

export function checkPosition(position: SegmentPosition | undefined, allowLast = false): { part: number; index: number } {
  const part = position?.partNumber ?? 0;
  const index = position?.index ?? 0;
  if (!Number.isInteger(part) || part < 0) throw invalidArgument(`segment part number must be >= 0, got ${part}`);
  if (!Number.isInteger(index) || index < (allowLast ? -1 : 0)) {
    throw invalidArgument(`segment index must be >= ${allowLast ? -1 : 0}, got ${index}`);
  }
  return { part, index };
}

/** The object's encryption parameters; an absent or all-zero message means uplink's defaults (AES-GCM, 7,424-byte blocks). */
export function checkEncryption(params: EncryptionParametersMessage | undefined): EncryptionParameters {
  if (!params || (params.cipherSuite === 0 && params.blockSize === 0)) return DEFAULT_ENCRYPTION;
  const { cipherSuite, blockSize } = params;
  if (!Object.values(CipherSuite).includes(cipherSuite) || cipherSuite === CipherSuite.Unspecified) {
    throw invalidArgument(`unknown cipher suite ${cipherSuite}`);
  }
  const authenticated = cipherSuite === CipherSuite.AESGCM || cipherSuite === CipherSuite.Secretbox;
  const min = authenticated ? TAG_SIZE + 1 : 1;
  if (!Number.isInteger(blockSize) || blockSize < min || blockSize > MAX_BLOCK_SIZE) {
    throw invalidArgument(`encryption block size must be from ${min} to ${MAX_BLOCK_SIZE}, got ${blockSize}`);
  }
  return { cipherSuite: cipherSuite as CipherSuite, blockSize };
}

export function checkSize(what: string, value: number, max?: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw invalidArgument(`${what} must be >= 0, got ${value}`);
  if (max !== undefined && value > max) throw invalidArgument(`${what} is ${value}; at most ${max} is allowed`);
}
