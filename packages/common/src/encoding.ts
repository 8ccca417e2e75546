/**
 * Bytes as text: hex, base64url, unpadded base32 (piece IDs, the gateway's S3 keys), UTF-8, and "binary
 * strings" (one char per byte), which let path code treat encrypted components like Storj treats Go
 * strings: as byte sequences that can be split on '/' and used as map keys.
 */
import { CommonError } from './errors.js';

/** Text that is not what its encoding allows. */
export class EncodingError extends CommonError {
  override name = 'EncodingError';
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Strict UTF-8 decoding: invalid bytes are an error, not U+FFFD. */
export function utf8Decode(bytes: Uint8Array, what = 'data'): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new EncodingError(`${what} is not valid UTF-8`);
  }
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new EncodingError('invalid hex string');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §5 base64url, with '=' padding unless `pad` is false (Go's base64.URLEncoding pads). */
export function toBase64Url(bytes: Uint8Array, pad = true): string {
  const out = encodeBits(bytes, B64URL, 6);
  return pad ? out + '='.repeat((4 - (out.length % 4)) % 4) : out;
}

/**
 * Decodes base64url. `requirePadding` matches Go's base64.URLEncoding.DecodeString, which rejects
 * unpadded input; without it, padding is optional.
 */
export function fromBase64Url(text: string, requirePadding = false): Uint8Array {
  const body = text.replace(/=+$/, '');
  const padding = text.length - body.length;
  const wantPadding = (4 - (body.length % 4)) % 4;
  const valid = /^[A-Za-z0-9_-]*$/.test(body) && body.length % 4 !== 1 && (padding === wantPadding || (!requirePadding && padding === 0));
  if (!valid) throw new EncodingError('invalid base64url data');
  return decodeBits(body, B64URL, 6);
}

/** RFC 4648 base32 (standard alphabet) without padding, as Go's base32.StdEncoding.WithPadding(NoPadding). */
export function toBase32(bytes: Uint8Array): string {
  return encodeBits(bytes, B32, 5);
}

export function fromBase32(text: string): Uint8Array {
  // Unpadded base32 never leaves 1, 3 or 6 characters in a final group of 8.
  if (!/^[A-Z2-7]*$/.test(text) || [1, 3, 6].includes(text.length % 8)) throw new EncodingError('invalid base32 data');
  return decodeBits(text, B32, 5);
}

/**
 * RFC 4648's base32 and base64 are one scheme: the bytes as a stream of bits, most significant first, cut
 * into characters of `bits` bits; the last character is filled with zero bits. No padding here.
 */
function encodeBits(bytes: Uint8Array, alphabet: string, bits: number): string {
  const mask = (1 << bits) - 1;
  let out = '';
  let held = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    held += 8;
    while (held >= bits) {
      held -= bits;
      out += alphabet[(value >> held) & mask];
    }
  }
  if (held > 0) out += alphabet[(value << (bits - held)) & mask];
  return out;
}

/** The inverse of encodeBits, for text the caller checked: only `alphabet`'s characters, no padding. */
function decodeBits(text: string, alphabet: string, bits: number): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * bits) / 8));
  let held = 0;
  let value = 0;
  let at = 0;
  for (const ch of text) {
    value = ((value << bits) | alphabet.indexOf(ch)) & 0xffff;
    held += bits;
    if (held >= 8) {
      held -= 8;
      out[at++] = (value >> held) & 0xff;
    }
  }
  return out;
}

/** Bytes → a string with one char (U+0000..U+00FF) per byte. */
export function bytesToBinary(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return out;
}

/** The inverse of bytesToBinary; every char must be below U+0100. */
export function binaryToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new EncodingError('binary string holds a character above U+00FF');
    out[i] = c;
  }
  return out;
}
