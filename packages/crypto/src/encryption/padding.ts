/**
 * Storj's content padding (storj/common encryption/pad.go makePadding): zero bytes, then a big-endian uint32
 * holding the padding length (the 4 bytes included), so data + padding fills whole plaintext blocks. There
 * are always at least 4 bytes of padding, so a reader can find the plaintext size from the last block alone.
 */
import { DecryptionError } from './errors.js';

const PADDING_TRAILER = 4;

export function paddingLength(dataLength: number, plainBlockSize: number): number {
  const r = (dataLength + PADDING_TRAILER) % plainBlockSize;
  return PADDING_TRAILER + (r > 0 ? plainBlockSize - r : 0);
}

/** Fills `out`, which is exactly the padding (paddingLength bytes), with zeros and the trailer. */
export function writePadding(out: Uint8Array): void {
  out.fill(0);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(out.length - PADDING_TRAILER, out.length);
}

/** The padding length a padded buffer ends with (UnpadSlow), checked against what Storj could have written. */
export function readPadding(padded: Uint8Array, plainBlockSize: number): number {
  if (padded.length < PADDING_TRAILER) throw new DecryptionError('decrypted segment is too short to hold its padding');
  const pad = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(padded.length - PADDING_TRAILER);
  if (pad < PADDING_TRAILER || pad > padded.length || pad >= plainBlockSize + PADDING_TRAILER) {
    throw new DecryptionError(`invalid padding length ${pad} in decrypted segment`);
  }
  return pad;
}
