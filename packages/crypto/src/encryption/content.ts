/**
 * Segment content encryption, laid out as Storj's uplink does (storj/common encryption/transform.go,
 * aesgcm.go, secretbox.go, pad.go; uplink private/storage/streams). The plaintext gets Storj's padding,
 * then each plaintext block (blockSize − 16 bytes) is sealed on its own with nonce = the segment's starting
 * nonce + block number. Blocks are independent, so a ranged read decrypts only the blocks it needs.
 *
 * The null suite is Storj's NoopTransformer: data + padding. Encryption is in encrypter.ts; this file
 * decrypts, whole segments or just the blocks a range needs.
 */
import { BlockCipher } from './blocks.js';
import { CipherSuite, blockSizes, type EncryptionParameters } from './cipher.js';
import { encryptedSize } from './encrypter.js';
import { CryptoError } from '../errors.js';
import { DecryptionError } from './errors.js';
import { readPadding } from './padding.js';

/**
 * Decrypts whole blocks `firstBlock, firstBlock + 1, …` of a segment (`sealed` holds exactly those blocks).
 * The result keeps the padding if the segment's last block is among them.
 */
export function decryptBlocks(
  sealed: Uint8Array,
  firstBlock: number,
  key: Uint8Array,
  startNonce: Uint8Array,
  params: EncryptionParameters,
): Uint8Array {
  checkCount(firstBlock, 'first block');
  const sizes = blockSizes(params);
  if (sealed.length % sizes.encrypted !== 0) {
    throw new DecryptionError(`encrypted data is ${sealed.length} bytes, not a multiple of the block size ${sizes.encrypted}`);
  }
  if (params.cipherSuite === CipherSuite.Null) return sealed.slice();
  const count = sealed.length / sizes.encrypted;
  const out = new Uint8Array(count * sizes.plain);
  const blocks = new BlockCipher(params.cipherSuite, key, startNonce);
  for (let i = 0; i < count; i++) {
    blocks.open(firstBlock + i, sealed.subarray(i * sizes.encrypted, (i + 1) * sizes.encrypted), out.subarray(i * sizes.plain));
  }
  return out;
}

/**
 * Decrypts a whole segment and removes the padding. With `plainSize` (which the satellite records per
 * segment) the padding is cut by size, as uplink's decryptRanger does; without it, it is read from the
 * trailer.
 */
export function decryptSegment(
  sealed: Uint8Array,
  key: Uint8Array,
  startNonce: Uint8Array,
  params: EncryptionParameters,
  plainSize?: number,
): Uint8Array {
  if (plainSize !== undefined && encryptedSize(plainSize, params) !== sealed.length) {
    throw new DecryptionError(
      `encrypted segment is ${sealed.length} bytes, but ${plainSize} plaintext bytes encrypt to ${encryptedSize(plainSize, params)}`,
    );
  }
  const padded = decryptBlocks(sealed, 0, key, startNonce, params);
  const size = plainSize ?? padded.length - readPadding(padded, blockSizes(params).plain);
  return padded.subarray(0, size);
}

/** Which encrypted blocks hold plaintext bytes [offset, offset + length) of a segment: what a ranged read fetches. */
export interface BlockRange {
  firstBlock: number;
  blockCount: number;
  /** Byte range of those blocks within the encrypted segment. */
  encryptedOffset: number;
  encryptedLength: number;
  /** Where the requested bytes start within the decrypted blocks. */
  skip: number;
}

/** Storj's CalcEncompassingBlocks over plaintext blocks; a zero length needs no blocks. */
export function blockRange(offset: number, length: number, params: EncryptionParameters): BlockRange {
  checkCount(offset, 'range offset');
  checkCount(length, 'range length');
  const sizes = blockSizes(params);
  const firstBlock = Math.floor(offset / sizes.plain);
  const blockCount = length === 0 ? 0 : Math.ceil((offset + length) / sizes.plain) - firstBlock;
  return {
    firstBlock,
    blockCount,
    encryptedOffset: firstBlock * sizes.encrypted,
    encryptedLength: blockCount * sizes.encrypted,
    skip: offset - firstBlock * sizes.plain,
  };
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new CryptoError(`${what} must be a non-negative integer, got ${n}`);
}
