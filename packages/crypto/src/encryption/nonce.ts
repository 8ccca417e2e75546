/**
 * storj.Nonce arithmetic (storj/common encryption/bits.go). "Increment by x" treats the nonce as a
 * little-endian integer (byte 0 least significant) and carries upward; a carry out of the last byte is
 * dropped, as Storj's incrementBytes reports it as "truncated" and every caller ignores that.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { NONCE_SIZE } from './cipher.js';
import { CryptoError } from '../errors.js';

export function zeroNonce(): Uint8Array {
  return new Uint8Array(NONCE_SIZE);
}

export function randomNonce(): Uint8Array {
  return randomBytes(NONCE_SIZE);
}

/**
 * Writes `start + amount` into `out` (which may be `start`), over `out.length` bytes. No allocation for
 * `number` amounts: the content transform calls this once per block.
 */
export function addToNonce(start: Uint8Array, amount: number | bigint, out: Uint8Array): Uint8Array {
  if (typeof amount === 'bigint') {
    if (amount < 0n) throw new CryptoError('nonce increment is negative');
    for (let i = 0; i < out.length; i++) {
      const sum: bigint = BigInt(start[i]) + (amount & 0xffn);
      out[i] = Number(sum & 0xffn);
      amount = (amount >> 8n) + (sum >> 8n);
    }
    return out;
  }
  if (!Number.isSafeInteger(amount) || amount < 0) throw new CryptoError(`nonce increment ${amount} is not a non-negative safe integer`);
  let carry = amount;
  for (let i = 0; i < out.length; i++) {
    const sum = start[i] + (carry % 256);
    out[i] = sum & 0xff;
    carry = Math.floor(carry / 256) + (sum >> 8);
  }
  return out;
}

/**
 * The first nonce of a segment's content: zero + ((partNumber << 32) | (segmentIndex + 1)). The +1 keeps
 * segment 0 off the zero nonce, which encrypts the object's metadata (uplink's deriveContentNonce).
 */
export function segmentNonce(partNumber: number, segmentIndex: number): Uint8Array {
  if (!Number.isInteger(partNumber) || partNumber < 0 || partNumber > 0x7fffffff)
    throw new CryptoError(`invalid part number ${partNumber}`);
  if (!Number.isInteger(segmentIndex) || segmentIndex < 0 || segmentIndex > 0x7fffffff)
    throw new CryptoError(`invalid segment index ${segmentIndex}`);
  return addToNonce(zeroNonce(), (BigInt(partNumber) << 32n) | BigInt(segmentIndex + 1), zeroNonce());
}
