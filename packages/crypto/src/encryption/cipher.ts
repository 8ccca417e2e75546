/** Cipher suites and encryption parameters, numbered as in Storj's protobufs (storj/common storj/encryption.go). */

export enum CipherSuite {
  Unspecified = 0,
  /** No encryption: paths stay readable (a per-bucket or per-grant opt-out). */
  Null = 1,
  AESGCM = 2,
  Secretbox = 3,
  /** No encryption, but path components are base64url-encoded. */
  NullBase64URL = 4,
}

export interface EncryptionParameters {
  cipherSuite: CipherSuite;
  /** Size of one *encrypted* block: plaintext block + 16-byte tag. */
  blockSize: number;
}

export const KEY_SIZE = 32;
export const NONCE_SIZE = 24;
export const AESGCM_NONCE_SIZE = 12;
export const TAG_SIZE = 16;
/** uplink's default: 29 × 256, so a block is one stripe of a 29-of-n scheme with 256-byte shares. */
export const DEFAULT_BLOCK_SIZE = 29 * 256;

export const DEFAULT_ENCRYPTION: EncryptionParameters = { cipherSuite: CipherSuite.AESGCM, blockSize: DEFAULT_BLOCK_SIZE };

export class CryptoError extends Error {
  override name = 'CryptoError';
}

export function cipherSuiteName(suite: CipherSuite): string {
  return (
    { 0: 'ENC_UNSPECIFIED', 1: 'ENC_NULL', 2: 'ENC_AESGCM', 3: 'ENC_SECRETBOX', 4: 'ENC_NULL_BASE64URL' } as Record<number, string>
  )[suite] ?? `ENC_UNKNOWN(${suite})`;
}

/** Plaintext bytes per block: the encrypted block minus the authentication tag (none for null ciphers). */
export function plainBlockSize(params: EncryptionParameters): number {
  switch (params.cipherSuite) {
    case CipherSuite.AESGCM:
    case CipherSuite.Secretbox:
      return params.blockSize - TAG_SIZE;
    case CipherSuite.Null:
    case CipherSuite.NullBase64URL:
      return params.blockSize;
    default:
      throw new CryptoError(`unsupported cipher suite ${cipherSuiteName(params.cipherSuite)}`);
  }
}
