import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addToNonce,
  blockRange,
  CipherSuite,
  decryptBlocks,
  decryptSegment,
  DecryptionError,
  DEFAULT_ENCRYPTION,
  encryptedSize,
  encryptSegment,
  SegmentEncrypter,
  paddingLength,
  segmentNonce,
  type EncryptionParameters,
} from '../src/encryption/index.js';

const key = new Uint8Array(randomBytes(32));
const params = DEFAULT_ENCRYPTION; // AES-GCM, 7424-byte blocks of 7408 plaintext bytes
const PLAIN = 7408;
const rand = (n: number) => new Uint8Array(randomBytes(n));
/** Byte equality without vitest's per-element deep compare (slow on large arrays). */
const expectBytes = (got: Uint8Array, want: Uint8Array) => expect(Buffer.compare(got, want) === 0 && got.length === want.length).toBe(true);
/** nonce + amount, as a new array (Storj's Nonce.Increment). */
const incrementNonce = (nonce: Uint8Array, amount: number | bigint) => addToNonce(nonce, amount, new Uint8Array(nonce.length));

/** Plaintext bytes [offset, offset + length) from exactly the blocks blockRange() names, as a ranged read does. */
function decryptRange(sealedBlocks: Uint8Array, offset: number, length: number, nonce: Uint8Array): Uint8Array {
  const range = blockRange(offset, length, params);
  expect(sealedBlocks.length).toBe(range.encryptedLength);
  return decryptBlocks(sealedBlocks, range.firstBlock, key, nonce, params).subarray(range.skip, range.skip + length);
}

describe('content encryption', () => {
  it.each([0, 1, PLAIN - 4, PLAIN - 3, PLAIN, PLAIN + 1, 2 * PLAIN - 4, 3 * PLAIN, 100_000])('round-trips %i bytes', (size) => {
    const plain = rand(size);
    const nonce = segmentNonce(0, 3);
    const sealed = encryptSegment(plain, key, nonce, params);
    expect(sealed.length).toBe(encryptedSize(size, params));
    expect(sealed.length % params.blockSize).toBe(0);
    expectBytes(decryptSegment(sealed, key, nonce, params), plain);
    expectBytes(decryptSegment(sealed, key, nonce, params, size), plain);
  });

  it('pads as Storj does: zeros + big-endian uint32 length, at least 4 bytes, to whole plaintext blocks', () => {
    expect(paddingLength(PLAIN - 4, PLAIN)).toBe(4);
    expect(paddingLength(PLAIN - 3, PLAIN)).toBe(4 + PLAIN - 1);
    expect(paddingLength(0, PLAIN)).toBe(PLAIN);
    expect(encryptedSize(PLAIN - 4, params)).toBe(7424);
    expect(encryptedSize(PLAIN - 3, params)).toBe(2 * 7424);
    const padded = decryptBlocks(encryptSegment(rand(10), key, segmentNonce(0, 0), params), 0, key, segmentNonce(0, 0), params);
    expect(Array.from(padded.subarray(10, PLAIN - 4)).every((b) => b === 0)).toBe(true);
    expect(new DataView(padded.buffer).getUint32(PLAIN - 4)).toBe(PLAIN - 10);
  });

  it('seals block b alone with the starting nonce + b (AES-GCM on its first 12 bytes, no AAD)', () => {
    const plain = rand(PLAIN * 2);
    const start = segmentNonce(0, 0);
    const sealed = encryptSegment(plain, key, start, params);
    const c = createCipheriv('aes-256-gcm', key, incrementNonce(start, 1).subarray(0, 12));
    const block1 = Buffer.concat([c.update(plain.subarray(PLAIN)), c.final(), c.getAuthTag()]);
    expect(Buffer.from(sealed.subarray(params.blockSize, 2 * params.blockSize))).toEqual(block1);
  });

  it('decrypts just the blocks a random range needs', () => {
    const size = 5 * PLAIN + 1234;
    const plain = rand(size);
    const nonce = segmentNonce(2, 7);
    const sealed = encryptSegment(plain, key, nonce, params);
    const ranges = [
      [0, 1],
      [PLAIN - 1, 2],
      [PLAIN, PLAIN],
      [size - 1, 1],
      [0, size],
      [3, 0],
    ];
    for (let i = 0; i < 40; i++) {
      const offset = Math.floor(Math.random() * size);
      ranges.push([offset, Math.floor(Math.random() * (size - offset + 1))]);
    }
    for (const [offset, length] of ranges) {
      const r = blockRange(offset, length, params);
      expect(r.blockCount).toBe(length === 0 ? 0 : Math.floor((offset + length - 1) / PLAIN) - Math.floor(offset / PLAIN) + 1);
      const needed = sealed.subarray(r.encryptedOffset, r.encryptedOffset + r.encryptedLength);
      expectBytes(decryptRange(needed, offset, length, nonce), plain.subarray(offset, offset + length));
    }
  });

  it('detects a flipped byte, a wrong key, a wrong nonce and a bad length, naming the block', () => {
    const nonce = segmentNonce(0, 0);
    const sealed = encryptSegment(rand(20_000), key, nonce, params);
    const flipped = sealed.slice();
    flipped[params.blockSize + 5] ^= 1;
    expect(() => decryptSegment(flipped, key, nonce, params)).toThrow(DecryptionError);
    expect(() => decryptSegment(flipped, key, nonce, params)).toThrow(/content block 1 failed authentication/);
    const tag = sealed.slice();
    tag[params.blockSize - 1] ^= 0x80;
    expect(() => decryptSegment(tag, key, nonce, params)).toThrow(/content block 0 failed authentication/);
    expect(() => decryptSegment(sealed, new Uint8Array(32), nonce, params)).toThrow(/failed authentication/);
    expect(() => decryptSegment(sealed, key, segmentNonce(0, 1), params)).toThrow(/failed authentication/);
    expect(() => decryptSegment(sealed.subarray(1), key, nonce, params)).toThrow(/not a multiple of the block size/);
    expect(() => decryptSegment(sealed, key, nonce, params, 5)).toThrow(/encrypt to/);
    // Swapping two blocks is caught too: each block's nonce is bound to its position.
    const swapped = sealed.slice();
    swapped.set(sealed.subarray(0, params.blockSize), params.blockSize);
    swapped.set(sealed.subarray(params.blockSize, 2 * params.blockSize), 0);
    expect(() => decryptSegment(swapped, key, nonce, params)).toThrow(/content block 0/);
  });

  it('works with secretbox (24-byte nonces) and odd block sizes', () => {
    const sb: EncryptionParameters = { cipherSuite: CipherSuite.Secretbox, blockSize: 1024 };
    for (const size of [0, 1, 1004, 1005, 5000]) {
      const plain = rand(size);
      const sealed = encryptSegment(plain, key, segmentNonce(0, 0), sb);
      expect(sealed.length).toBe(encryptedSize(size, sb));
      expectBytes(decryptSegment(sealed, key, segmentNonce(0, 0), sb), plain);
    }
    const odd: EncryptionParameters = { cipherSuite: CipherSuite.AESGCM, blockSize: 17 };
    expect(decryptSegment(encryptSegment(rand(100), key, segmentNonce(0, 0), odd), key, segmentNonce(0, 0), odd).length).toBe(100);
  });

  it("null suite: data + 4-byte trailer, as Storj's NoopTransformer", () => {
    const nul: EncryptionParameters = { cipherSuite: CipherSuite.Null, blockSize: 7424 };
    const plain = rand(1000);
    const sealed = encryptSegment(plain, key, segmentNonce(0, 0), nul);
    expect(sealed.length).toBe(1004);
    expect(Array.from(sealed.subarray(1000))).toEqual([0, 0, 0, 4]);
    expect(decryptSegment(sealed, key, segmentNonce(0, 0), nul)).toEqual(plain);
  });

  it('refuses parameters it cannot use', () => {
    expect(() => encryptSegment(rand(1), key, segmentNonce(0, 0), { cipherSuite: CipherSuite.AESGCM, blockSize: 16 })).toThrow(/too small/);
    expect(() => encryptSegment(rand(1), key, segmentNonce(0, 0), { cipherSuite: CipherSuite.NullBase64URL, blockSize: 7424 })).toThrow(
      /cannot encrypt content/,
    );
    expect(() => encryptSegment(rand(1), key, new Uint8Array(12), params)).toThrow(/starting nonce/);
    expect(() => encryptSegment(rand(1), new Uint8Array(16), segmentNonce(0, 0), params)).toThrow(/16 bytes, want 32/);
  });

  it('writes into a caller buffer when given one', () => {
    const out = new Uint8Array(3 * 7424);
    const plain = rand(PLAIN + 5);
    const sealed = encryptSegment(plain, key, segmentNonce(0, 0), params, out);
    expect(sealed.buffer).toBe(out.buffer);
    expect(decryptSegment(sealed, key, segmentNonce(0, 0), params)).toEqual(plain);
    expect(() => encryptSegment(rand(3 * PLAIN), key, segmentNonce(0, 0), params, out)).toThrow(/output buffer/);
  });
});

describe('nonces', () => {
  // storj/common encryption/bits_test.go TestIncrementBytes
  const cases: [number[], number, number[]][] = [
    [[0], 0, [0]],
    [[0], 1, [1]],
    [[0], 254, [0xfe]],
    [[1], 254, [0xff]],
    [[0], 255, [0xff]],
    [[1, 0, 0], 3, [4, 0, 0]],
    [[0], 256, [0]],
    [[0], 257, [1]],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], 1, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff]],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 1, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfe], 1, [0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe]],
    [[0xfe, 0xff, 0x00, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfe], 0xff0001, [0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfe]],
    [[0xfe, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0xff0002, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    [[0xfe, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0xff0003, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ];
  it.each(cases)('increment %j by %i (little-endian, carry, overflow dropped)', (start, amount, want) => {
    expect(Array.from(incrementNonce(new Uint8Array(start), amount))).toEqual(want);
    expect(Array.from(incrementNonce(new Uint8Array(start), BigInt(amount)))).toEqual(want);
  });

  it('refuses negative increments', () => expect(() => incrementNonce(new Uint8Array(24), -1)).toThrow(/negative/));

  it('segment nonces are zero + (part << 32 | index + 1)', () => {
    expect(Array.from(segmentNonce(0, 0).subarray(0, 8))).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(segmentNonce(1, 0).subarray(0, 8))).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(segmentNonce(2, 255).subarray(0, 8))).toEqual([0, 1, 0, 0, 2, 0, 0, 0]);
    expect(segmentNonce(0, 0).length).toBe(24);
  });
});

describe('streaming segment encryption', () => {
  it.each([CipherSuite.AESGCM, CipherSuite.Secretbox, CipherSuite.Null])(
    'SegmentEncrypter over random chunks equals encryptSegment (cipher %i)',
    (cipherSuite) => {
      const p: EncryptionParameters = { cipherSuite, blockSize: 512 };
      for (const size of [0, 3, 495, 496, 497, 5000]) {
        const plain = rand(size);
        const enc = new SegmentEncrypter(key, segmentNonce(1, 2), p, new Uint8Array(encryptedSize(size, p)));
        for (let at = 0; at < size;) {
          const n = Math.min(size - at, Math.floor(Math.random() * 1200));
          enc.write(plain.subarray(at, at + n));
          at += n;
        }
        expectBytes(enc.finish(), encryptSegment(plain, key, segmentNonce(1, 2), p));
        expect(() => enc.write(plain)).toThrow(/already finished/);
      }
    },
  );
});
