/**
 * Storj nonces are 24 bytes; AES-GCM uses the first 12. "Increment by x" treats the nonce as a
 * little-endian integer (byte 0 least significant), so block b of a segment is startingNonce + b.
 */
import { NONCE_SIZE } from './cipher.js';

export function zeroNonce(): Uint8Array {
  return new Uint8Array(NONCE_SIZE);
}

/** Returns nonce + amount (a new array), carrying across all 24 bytes. */
export function incrementNonce(nonce: Uint8Array, amount: number | bigint): Uint8Array {
  const out = nonce.slice();
  let carry = BigInt(amount);
  for (let i = 0; i < out.length && carry > 0n; i++) {
    const sum = BigInt(out[i]) + (carry & 0xffn);
    out[i] = Number(sum & 0xffn);
    carry = (carry >> 8n) + (sum >> 8n);
  }
  return out;
}

/** The starting nonce of a segment: zero + ((part << 32) | (index + 1)); +1 keeps it apart from the metadata's zero nonce. */
export function segmentNonce(partNumber: number, segmentIndex: number): Uint8Array {
  return incrementNonce(zeroNonce(), (BigInt(partNumber) << 32n) | BigInt(segmentIndex + 1));
}
