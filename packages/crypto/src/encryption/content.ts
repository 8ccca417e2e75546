/**
 * Segment content encryption, laid out as Storj's uplink does (encryption/transform.go, aesgcm.go, pad.go):
 * the plaintext gets Storj's padding, then each plain block (blockSize − 16 bytes) is sealed on its own with
 * nonce = segment's starting nonce + block number, so any block can be decrypted alone (ranged reads).
 */
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DecryptionError } from './aead.js';
import { AESGCM_NONCE_SIZE, CipherSuite, CryptoError, NONCE_SIZE, TAG_SIZE, cipherSuiteName, plainBlockSize, type EncryptionParameters } from './cipher.js';

const PADDING_TRAILER = 4;

/** Storj's makePadding: zeros, then a big-endian uint32 with the padding length (4 included). */
export function paddingLength(dataLength: number, plainBlock: number): number {
  const r = (dataLength + PADDING_TRAILER) % plainBlock;
  return PADDING_TRAILER + (r > 0 ? plainBlock - r : 0);
}

export function encryptedSize(plainSize: number, params: EncryptionParameters): number {
  const plainBlock = plainBlockSize(params);
  return ((plainSize + paddingLength(plainSize, plainBlock)) / plainBlock) * params.blockSize;
}

/** Writes nonce + amount (little-endian, 24 bytes) into `out` without allocating. */
function nonceAt(start: Uint8Array, amount: number, out: Uint8Array): Uint8Array {
  let carry = amount;
  for (let i = 0; i < NONCE_SIZE; i++) {
    const sum = start[i] + (carry % 256);
    out[i] = sum & 0xff;
    carry = Math.floor(carry / 256) + (sum >> 8);
  }
  return out;
}

function sealBlock(plain: Uint8Array, key: Uint8Array, nonce: Uint8Array, suite: CipherSuite, out: Uint8Array): void {
  if (suite === CipherSuite.AESGCM) {
    const c = createCipheriv('aes-256-gcm', key, nonce.subarray(0, AESGCM_NONCE_SIZE));
    out.set(c.update(plain), 0);
    c.final();
    out.set(c.getAuthTag(), plain.length);
  } else if (suite === CipherSuite.Secretbox) {
    out.set(xsalsa20poly1305(key, nonce).encrypt(plain), 0);
  } else {
    out.set(plain, 0);
  }
}

function openBlock(sealed: Uint8Array, key: Uint8Array, nonce: Uint8Array, suite: CipherSuite, out: Uint8Array, block: number): void {
  try {
    if (suite === CipherSuite.AESGCM) {
      const d = createDecipheriv('aes-256-gcm', key, nonce.subarray(0, AESGCM_NONCE_SIZE));
      d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
      out.set(d.update(sealed.subarray(0, sealed.length - TAG_SIZE)), 0);
      d.final();
    } else if (suite === CipherSuite.Secretbox) {
      out.set(xsalsa20poly1305(key, nonce).decrypt(sealed), 0);
    } else {
      out.set(sealed, 0);
    }
  } catch {
    throw new DecryptionError(`content block ${block} failed authentication: wrong key or corrupted data`);
  }
}

function checkSuite(params: EncryptionParameters): void {
  if (params.cipherSuite === CipherSuite.Unspecified || params.cipherSuite === CipherSuite.NullBase64URL) {
    throw new CryptoError(`cannot encrypt content with ${cipherSuiteName(params.cipherSuite)}`);
  }
  if (params.blockSize <= TAG_SIZE) throw new CryptoError(`block size ${params.blockSize} too small`);
}

/** Pads and encrypts one segment; the result is `encryptedSize(plain.length)` bytes. */
export function encryptSegment(plain: Uint8Array, key: Uint8Array, startNonce: Uint8Array, params: EncryptionParameters): Uint8Array {
  checkSuite(params);
  const plainBlock = plainBlockSize(params);
  const blocks = (plain.length + paddingLength(plain.length, plainBlock)) / plainBlock;
  const out = new Uint8Array(blocks * params.blockSize);
  const nonce = new Uint8Array(NONCE_SIZE);
  const fullBlocks = Math.floor(plain.length / plainBlock);
  for (let b = 0; b < fullBlocks; b++) {
    const src = plain.subarray(b * plainBlock, (b + 1) * plainBlock);
    sealBlock(src, key, nonceAt(startNonce, b, nonce), params.cipherSuite, out.subarray(b * params.blockSize));
  }
  // The tail: the last partial block plus padding, possibly spilling into one more block.
  const tail = new Uint8Array((blocks - fullBlocks) * plainBlock);
  tail.set(plain.subarray(fullBlocks * plainBlock));
  new DataView(tail.buffer).setUint32(tail.length - PADDING_TRAILER, paddingLength(plain.length, plainBlock));
  for (let b = fullBlocks; b < blocks; b++) {
    const src = tail.subarray((b - fullBlocks) * plainBlock, (b - fullBlocks + 1) * plainBlock);
    sealBlock(src, key, nonceAt(startNonce, b, nonce), params.cipherSuite, out.subarray(b * params.blockSize));
  }
  return out;
}

/**
 * Decrypts whole blocks `firstBlock, firstBlock + 1, …` of a segment (`sealed` holds exactly those blocks).
 * The result still carries the padding if the last block of the segment is included.
 */
export function decryptBlocks(sealed: Uint8Array, firstBlock: number, key: Uint8Array, startNonce: Uint8Array, params: EncryptionParameters): Uint8Array {
  checkSuite(params);
  if (sealed.length % params.blockSize !== 0) {
    throw new DecryptionError(`encrypted data is ${sealed.length} bytes, not a multiple of the block size ${params.blockSize}`);
  }
  const plainBlock = plainBlockSize(params);
  const count = sealed.length / params.blockSize;
  const out = new Uint8Array(count * plainBlock);
  const nonce = new Uint8Array(NONCE_SIZE);
  for (let i = 0; i < count; i++) {
    const block = firstBlock + i;
    openBlock(sealed.subarray(i * params.blockSize, (i + 1) * params.blockSize), key, nonceAt(startNonce, block, nonce), params.cipherSuite, out.subarray(i * plainBlock), block);
  }
  return out;
}

/** Decrypts a whole segment and removes the padding. */
export function decryptSegment(sealed: Uint8Array, key: Uint8Array, startNonce: Uint8Array, params: EncryptionParameters): Uint8Array {
  const padded = decryptBlocks(sealed, 0, key, startNonce, params);
  if (padded.length < PADDING_TRAILER) throw new DecryptionError('decrypted segment too short to hold its padding');
  const pad = new DataView(padded.buffer, padded.byteOffset).getUint32(padded.length - PADDING_TRAILER);
  if (pad < PADDING_TRAILER || pad > padded.length) throw new DecryptionError(`invalid padding length ${pad}`);
  return padded.subarray(0, padded.length - pad);
}

/** Which encrypted blocks hold plaintext bytes [offset, offset + length) of a segment: what a ranged read fetches. */
export function blockRange(offset: number, length: number, params: EncryptionParameters) {
  const plainBlock = plainBlockSize(params);
  const firstBlock = Math.floor(offset / plainBlock);
  const lastBlock = length > 0 ? Math.floor((offset + length - 1) / plainBlock) : firstBlock;
  return {
    firstBlock,
    blockCount: lastBlock - firstBlock + 1,
    encryptedOffset: firstBlock * params.blockSize,
    encryptedLength: (lastBlock - firstBlock + 1) * params.blockSize,
    /** Where the requested bytes start within the decrypted blocks. */
    skip: offset - firstBlock * plainBlock,
  };
}
