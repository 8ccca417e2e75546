/**
 * Incremental segment encryption: plaintext arrives in chunks of any size and every complete block is
 * sealed straight from the chunk into the output, so a streamed segment is never copied into a plaintext
 * buffer first (only a block that straddles two chunks is). finish() adds Storj's padding and seals the
 * last one or two blocks. encryptSegment() is write(all) + finish().
 */
import { BlockCipher } from './blocks.js';
import { CipherSuite, blockSizes, type EncryptionParameters } from './cipher.js';
import { CryptoError } from '../errors.js';
import { paddingLength, writePadding } from './padding.js';

/** Encrypted size of a segment of `plainSize` bytes (CalcEncryptedSize): whole encrypted blocks, padding included. */
export function encryptedSize(plainSize: number, params: EncryptionParameters): number {
  if (!Number.isSafeInteger(plainSize) || plainSize < 0)
    throw new CryptoError(`plaintext size must be a non-negative integer, got ${plainSize}`);
  const { plain, encrypted } = blockSizes(params);
  return ((plainSize + paddingLength(plainSize, plain)) / plain) * encrypted;
}

export class SegmentEncrypter {
  private readonly sizes: { plain: number; encrypted: number };
  private readonly blocks?: BlockCipher;
  /** A block's worth of plaintext that has not arrived whole yet. */
  private readonly partial: Uint8Array;
  private partialLength = 0;
  private block = 0;
  private written = 0;
  private finished = false;

  /** `out` must hold encryptedSize() of everything that will be written. */
  constructor(
    key: Uint8Array,
    startNonce: Uint8Array,
    private readonly params: EncryptionParameters,
    private readonly out: Uint8Array,
  ) {
    this.sizes = blockSizes(params);
    if (params.cipherSuite !== CipherSuite.Null) this.blocks = new BlockCipher(params.cipherSuite, key, startNonce);
    this.partial = new Uint8Array(this.blocks ? this.sizes.plain : 0);
  }

  /** Plaintext bytes written so far. */
  get plainSize(): number {
    return this.written;
  }

  write(chunk: Uint8Array): this {
    if (this.finished) throw new CryptoError('segment already finished');
    const need = encryptedSize(this.written + chunk.length, this.params);
    if (need > this.out.length) throw new CryptoError(`output buffer holds ${this.out.length} bytes, need ${need}`);
    if (!this.blocks) {
      this.out.set(chunk, this.written); // the null suite: data as is
      this.written += chunk.length;
      return this;
    }
    const { plain } = this.sizes;
    let at = 0;
    if (this.partialLength > 0) {
      at = Math.min(chunk.length, plain - this.partialLength);
      this.partial.set(chunk.subarray(0, at), this.partialLength);
      this.partialLength += at;
      if (this.partialLength === plain) {
        this.sealNext(this.partial);
        this.partialLength = 0;
      }
    }
    for (; chunk.length - at >= plain; at += plain) this.sealNext(chunk.subarray(at, at + plain));
    this.partial.set(chunk.subarray(at), this.partialLength);
    this.partialLength += chunk.length - at;
    this.written += chunk.length;
    return this;
  }

  /** Pads, seals the tail, and returns the encrypted segment (a view of the output buffer). */
  finish(): Uint8Array {
    if (this.finished) throw new CryptoError('segment already finished');
    this.finished = true;
    const size = encryptedSize(this.written, this.params);
    if (!this.blocks) {
      writePadding(this.out.subarray(this.written, size));
      return this.out.subarray(0, size);
    }
    // The last partial block plus the padding: one block, or two when fewer than 4 bytes were left.
    const tail = new Uint8Array(this.partialLength + paddingLength(this.written, this.sizes.plain));
    tail.set(this.partial.subarray(0, this.partialLength));
    writePadding(tail.subarray(this.partialLength));
    for (let at = 0; at < tail.length; at += this.sizes.plain) this.sealNext(tail.subarray(at, at + this.sizes.plain));
    return this.out.subarray(0, size);
  }

  private sealNext(plain: Uint8Array): void {
    this.blocks!.seal(this.block, plain, this.out.subarray(this.block * this.sizes.encrypted));
    this.block++;
  }
}

/**
 * Pads and encrypts one segment. The result is `encryptedSize(plain.length)` bytes, written into `out` when
 * given (it must be at least that long), so a caller can reuse one buffer across segments.
 */
export function encryptSegment(
  plain: Uint8Array,
  key: Uint8Array,
  startNonce: Uint8Array,
  params: EncryptionParameters,
  out?: Uint8Array,
): Uint8Array {
  return new SegmentEncrypter(key, startNonce, params, out ?? new Uint8Array(encryptedSize(plain.length, params))).write(plain).finish();
}
