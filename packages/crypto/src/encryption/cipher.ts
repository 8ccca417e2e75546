/**
 * Cipher suites and encryption parameters, numbered as in Storj's protobufs (storj/common storj/encryption.go,
 * pb CipherSuite). The same numbers appear in access grants, object records and StreamMeta.
 */
import { CryptoError } from '../errors.js';

export enum CipherSuite {
  Unspecified = 0,
  /** No encryption: paths stay readable (a per-bucket or per-grant opt-out). */
  Null = 1,
  AESGCM = 2,
  /** XSalsa20-Poly1305 (NaCl secretbox). */
  Secretbox = 3,
  /** No encryption; path components are base64url text that "encrypts" to the bytes it encodes. */
  NullBase64URL = 4,
}

export interface EncryptionParameters {
  cipherSuite: CipherSuite;
  /** Size of one *encrypted* block: plaintext block + 16-byte tag for the authenticated suites. */
  blockSize: number;
}

export const KEY_SIZE = 32;
/** storj.Nonce: 24 bytes (secretbox uses all of them, AES-GCM the first 12). */
export const NONCE_SIZE = 24;
export const AESGCM_NONCE_SIZE = 12;
/** Authentication tag of AES-GCM and of secretbox alike. */
export const TAG_SIZE = 16;
/** uplink's default: 29 × 256, one stripe of a 29-of-n scheme with 256-byte shares. */
const DEFAULT_BLOCK_SIZE = 29 * 256;
export const DEFAULT_ENCRYPTION: EncryptionParameters = Object.freeze({ cipherSuite: CipherSuite.AESGCM, blockSize: DEFAULT_BLOCK_SIZE });

const NAMES: Record<number, string> = {
  [CipherSuite.Unspecified]: 'ENC_UNSPECIFIED',
  [CipherSuite.Null]: 'ENC_NULL',
  [CipherSuite.AESGCM]: 'ENC_AESGCM',
  [CipherSuite.Secretbox]: 'ENC_SECRETBOX',
  [CipherSuite.NullBase64URL]: 'ENC_NULL_BASE64URL',
};

/** The protobuf enum name (`ENC_AESGCM`), as `uplink access inspect` prints it. */
export function cipherSuiteName(suite: CipherSuite): string {
  return NAMES[suite] ?? `ENC_UNKNOWN(${suite})`;
}

/**
 * Plaintext and encrypted block sizes of the content transform (Storj's Transformer In/OutBlockSize).
 * The null suite is Storj's NoopTransformer: 1-byte blocks, so only the 4-byte padding trailer is added.
 */
export function blockSizes(params: EncryptionParameters): { plain: number; encrypted: number } {
  switch (params.cipherSuite) {
    case CipherSuite.AESGCM:
    case CipherSuite.Secretbox:
      if (!Number.isInteger(params.blockSize) || params.blockSize <= TAG_SIZE) {
        throw new CryptoError(`encrypted block size ${params.blockSize} too small`);
      }
      return { plain: params.blockSize - TAG_SIZE, encrypted: params.blockSize };
    case CipherSuite.Null:
      return { plain: 1, encrypted: 1 };
    default:
      throw new CryptoError(`cipher suite ${cipherSuiteName(params.cipherSuite)} cannot encrypt content`);
  }
}

/** Plaintext bytes per block. */
export function plainBlockSize(params: EncryptionParameters): number {
  return blockSizes(params).plain;
}
