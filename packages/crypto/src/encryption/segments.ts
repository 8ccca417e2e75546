/**
 * Streaming segment encryption, as uplink's splitter does: the plaintext stream is cut into segments of a
 * fixed plaintext size, and each segment gets a fresh random content key and the starting nonce of its
 * position. Blocks are sealed as chunks arrive (SegmentEncrypter), so at most one segment's *encrypted*
 * bytes are held, never the object.
 *
 * With `inlineThreshold`, the first bytes of each segment wait in a small buffer, as in uplink's
 * splitter: if the stream ends there, the segment is sealed whole with encrypt() (Storj's inline segments,
 * stored by the satellite) instead of being padded into blocks. Like Storj, an empty stream still yields
 * one (empty) segment.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { DEFAULT_ENCRYPTION, KEY_SIZE, type EncryptionParameters } from './cipher.js';
import { encrypt, encryptKey } from './encrypt.js';
import { SegmentEncrypter, encryptedSize } from './encrypter.js';
import { CryptoError } from '../errors.js';
import { randomNonce, segmentNonce } from './nonce.js';

export interface SegmentEncryptionOptions {
  /** Plaintext bytes per segment (uplink's default is 64 MiB). */
  segmentSize: number;
  params?: EncryptionParameters;
  partNumber?: number;
  /** The object's derived content key: when given, each content key is also sealed under it (EncryptKey). */
  derivedKey?: Uint8Array;
  /** A last segment of at most this many plaintext bytes is sealed whole, to be stored inline. */
  inlineThreshold?: number;
  /**
   * Where each segment's encrypted bytes go (default: a new buffer). A caller that is done with a segment
   * once the next one is asked for can hand buffers back here and skip allocating 64 MiB per segment.
   */
  allocate?: (size: number) => Uint8Array;
}

export interface EncryptedSegment {
  partNumber: number;
  index: number;
  plainSize: number;
  /** The segment's random content key; never leaves the uplink. */
  contentKey: Uint8Array;
  /** The starting nonce, segmentNonce(partNumber, index). */
  nonce: Uint8Array;
  /** contentKey sealed under derivedKey with encryptedKeyNonce, when derivedKey was given. */
  encryptedKey?: Uint8Array;
  encryptedKeyNonce?: Uint8Array;
  inline: boolean;
  /** The encrypted bytes: padded blocks, or for an inline segment one sealed box. */
  data: Uint8Array;
}

/** One segment being filled. */
class OpenSegment {
  readonly contentKey = randomBytes(KEY_SIZE);
  readonly nonce: Uint8Array;
  private readonly head: Uint8Array;
  private headLength = 0;
  private encrypter?: SegmentEncrypter;
  size = 0;

  constructor(
    readonly index: number,
    private readonly options: Required<Pick<SegmentEncryptionOptions, 'segmentSize' | 'partNumber' | 'params'>> & SegmentEncryptionOptions,
  ) {
    this.nonce = segmentNonce(options.partNumber, index);
    this.head = new Uint8Array(options.inlineThreshold ?? 0);
  }

  write(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (!this.encrypter && this.headLength + chunk.length <= this.head.length) {
      this.head.set(chunk, this.headLength);
      this.headLength += chunk.length;
      return;
    }
    if (!this.encrypter) {
      const { segmentSize, params, allocate } = this.options;
      const size = encryptedSize(segmentSize, params);
      this.encrypter = new SegmentEncrypter(this.contentKey, this.nonce, params, allocate ? allocate(size) : new Uint8Array(size));
      this.encrypter.write(this.head.subarray(0, this.headLength));
    }
    this.encrypter.write(chunk);
  }

  seal(last: boolean): EncryptedSegment {
    const { params, partNumber, derivedKey, inlineThreshold } = this.options;
    const inline = last && inlineThreshold !== undefined && !this.encrypter;
    let data: Uint8Array;
    if (inline) {
      data = encrypt(this.head.subarray(0, this.headLength), params.cipherSuite, this.contentKey, this.nonce).slice();
    } else {
      data = (this.encrypter ?? new SegmentEncrypter(this.contentKey, this.nonce, params, new Uint8Array(encryptedSize(this.size, params))).write(this.head.subarray(0, this.headLength))).finish();
      // A short last segment lives in a buffer sized for a full one: keep only what it needs.
      if (!this.options.allocate && data.length < data.buffer.byteLength / 2) data = data.slice();
    }
    const segment: EncryptedSegment = { partNumber, index: this.index, plainSize: this.size, contentKey: this.contentKey, nonce: this.nonce, inline, data };
    if (derivedKey) {
      segment.encryptedKeyNonce = randomNonce();
      segment.encryptedKey = encryptKey(this.contentKey, params.cipherSuite, derivedKey, segment.encryptedKeyNonce);
    }
    return segment;
  }
}

export async function* encryptSegments(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: SegmentEncryptionOptions,
): AsyncGenerator<EncryptedSegment> {
  const { segmentSize, inlineThreshold } = options;
  if (!Number.isSafeInteger(segmentSize) || segmentSize <= 0) throw new CryptoError(`segment size must be a positive integer, got ${segmentSize}`);
  if (inlineThreshold !== undefined && !(inlineThreshold >= 0 && inlineThreshold < segmentSize)) {
    throw new CryptoError('inline threshold must be at least 0 and below the segment size');
  }
  const opts = { ...options, partNumber: options.partNumber ?? 0, params: options.params ?? DEFAULT_ENCRYPTION };

  let index = 0;
  let current = new OpenSegment(index, opts);
  for await (let chunk of source) {
    while (chunk.length > 0) {
      const take = Math.min(chunk.length, segmentSize - current.size);
      current.write(chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      if (current.size === segmentSize) {
        yield current.seal(false);
        current = new OpenSegment(++index, opts);
      }
    }
  }
  if (current.size > 0 || index === 0) yield current.seal(true);
}
