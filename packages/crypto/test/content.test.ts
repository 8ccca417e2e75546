import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  blockRange, CipherSuite, decryptBlocks, decryptObjectMetadata, decryptSegment, DEFAULT_ENCRYPTION, encryptedSize,
  encryptObjectMetadata, encryptSegment, incrementNonce, paddingLength, segmentNonce,
} from '../src/index.js';

const key = new Uint8Array(randomBytes(32));
const params = DEFAULT_ENCRYPTION; // AES-GCM, 7424-byte blocks, 7408 plaintext bytes each
const PLAIN = 7408;

describe('content encryption', () => {
  it.each([0, 1, PLAIN - 4, PLAIN - 3, PLAIN, PLAIN + 1, 3 * PLAIN, 100_000])('round-trips %i bytes', (size) => {
    const plain = new Uint8Array(randomBytes(size));
    const nonce = segmentNonce(0, 3);
    const sealed = encryptSegment(plain, key, nonce, params);
    expect(sealed.length).toBe(encryptedSize(size, params));
    expect(sealed.length % params.blockSize).toBe(0);
    expect(decryptSegment(sealed, key, nonce, params)).toEqual(plain);
  });

  it('pads as Storj does: at least 4 bytes, to whole plaintext blocks', () => {
    expect(paddingLength(PLAIN - 4, PLAIN)).toBe(4);
    expect(paddingLength(PLAIN - 3, PLAIN)).toBe(4 + PLAIN - 1);
    expect(paddingLength(0, PLAIN)).toBe(PLAIN);
  });

  it('seals block b with the starting nonce + b (AES-GCM on the first 12 bytes)', async () => {
    const { createCipheriv } = await import('node:crypto');
    const plain = new Uint8Array(randomBytes(PLAIN * 2));
    const start = segmentNonce(0, 0);
    const sealed = encryptSegment(plain, key, start, params);
    const c = createCipheriv('aes-256-gcm', key, incrementNonce(start, 1).subarray(0, 12));
    const block1 = Buffer.concat([c.update(plain.subarray(PLAIN)), c.final(), c.getAuthTag()]);
    expect(Buffer.from(sealed.subarray(params.blockSize, 2 * params.blockSize))).toEqual(block1);
  });

  it('decrypts just the blocks a range needs', () => {
    const plain = new Uint8Array(randomBytes(50_000));
    const nonce = segmentNonce(2, 7);
    const sealed = encryptSegment(plain, key, nonce, params);
    for (const [offset, length] of [[0, 1], [7407, 2], [10_000, 20_000], [49_999, 1], [0, 50_000]]) {
      const r = blockRange(offset, length, params);
      const blocks = decryptBlocks(sealed.subarray(r.encryptedOffset, r.encryptedOffset + r.encryptedLength), r.firstBlock, key, nonce, params);
      expect(blocks.subarray(r.skip, r.skip + length)).toEqual(plain.subarray(offset, offset + length));
    }
  });

  it('detects a flipped byte and a wrong key, naming the block', () => {
    const nonce = segmentNonce(0, 0);
    const sealed = encryptSegment(new Uint8Array(randomBytes(20_000)), key, nonce, params);
    sealed[params.blockSize + 5] ^= 1;
    expect(() => decryptSegment(sealed, key, nonce, params)).toThrow(/content block 1 failed authentication/);
    expect(() => decryptSegment(encryptSegment(new Uint8Array(10), key, nonce, params), new Uint8Array(32), nonce, params)).toThrow(/failed authentication/);
  });

  it('works with secretbox too', () => {
    const sb = { cipherSuite: CipherSuite.Secretbox, blockSize: 1024 };
    const plain = new Uint8Array(randomBytes(5000));
    expect(decryptSegment(encryptSegment(plain, key, segmentNonce(0, 0), sb), key, segmentNonce(0, 0), sb)).toEqual(plain);
  });
});

describe('nonces', () => {
  it('increment little-endian with carry', () => {
    const n = new Uint8Array(24).fill(0);
    n[0] = 0xff;
    n[1] = 0xff;
    const next = incrementNonce(n, 1);
    expect(Array.from(next.subarray(0, 3))).toEqual([0, 0, 1]);
    expect(Array.from(segmentNonce(1, 0).subarray(0, 8))).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });
});

describe('object metadata', () => {
  it('round-trips user metadata and sizes, and hides them', () => {
    const derived = new Uint8Array(randomBytes(32));
    const meta = { userMetadata: { owner: 'alice-marker', 'content-note': 'x' }, contentType: 'text/plain', segmentSize: 64 << 20, lastSegmentSize: 123, numberOfSegments: 2 };
    const enc = encryptObjectMetadata(meta, derived, params);
    expect(Buffer.from(enc.encryptedMetadata).includes('alice-marker')).toBe(false);
    expect(decryptObjectMetadata(enc, derived)).toEqual(meta);
    expect(() => decryptObjectMetadata(enc, new Uint8Array(32))).toThrow(/authentication failed/);
  });
});
