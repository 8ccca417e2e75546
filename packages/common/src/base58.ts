/**
 * base58 and base58check with the Bitcoin alphabet, as storj/common/base58.
 * Access grants, API keys and node IDs are printed with checkEncode(…, 0).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CommonError } from './errors.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

export class Base58Error extends CommonError {
  override name = 'Base58Error';
}

export function base58Encode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // Repeated division of a big-endian base-256 number by 58, digits collected little-endian.
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i];
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j] << 8;
      digits[j] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) out += ALPHABET[digits[i]];
  return out;
}

export function base58Decode(text: string): Uint8Array {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  const bytes: number[] = [];
  for (let i = zeros; i < text.length; i++) {
    const value = INDEX.get(text[i]);
    if (value === undefined) throw new Base58Error(`invalid base58 character ${JSON.stringify(text[i])}`);
    let carry = value;
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j] * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let i = 0; i < bytes.length; i++) out[out.length - 1 - i] = bytes[i];
  return out;
}

function checksum(data: Uint8Array): Uint8Array {
  return sha256(sha256(data)).subarray(0, 4);
}

/** base58(version ‖ payload ‖ first 4 bytes of SHA-256(SHA-256(version ‖ payload))). */
export function checkEncode(payload: Uint8Array, version = 0): string {
  const data = new Uint8Array(payload.length + 5);
  data[0] = version;
  data.set(payload, 1);
  data.set(checksum(data.subarray(0, payload.length + 1)), payload.length + 1);
  return base58Encode(data);
}

export function checkDecode(text: string): { version: number; payload: Uint8Array } {
  const data = base58Decode(text);
  if (data.length < 5) throw new Base58Error('base58check value too short');
  const body = data.subarray(0, data.length - 4);
  const sum = checksum(body);
  for (let i = 0; i < 4; i++) {
    if (sum[i] !== data[body.length + i]) throw new Base58Error('base58check checksum mismatch');
  }
  return { version: body[0], payload: body.slice(1) };
}
