/**
 * Escaping of encrypted path components (storj/common encryption/path.go encodeSegment): the result never
 * contains 0x2f ('/'), 0x00 or 0xff, so encrypted components can be joined with '/' and sort sanely.
 * Empty → 0x01; otherwise 0x02 followed by the escaped bytes.
 */
import { CryptoError } from './cipher.js';

const ESCAPES: Record<number, [number, number]> = {
  0x2e: [0x2e, 1],
  0x2f: [0x2e, 2],
  0xfe: [0xfe, 1],
  0xff: [0xfe, 2],
  0x00: [0x01, 1],
  0x01: [0x01, 2],
};

export function escapeComponent(data: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array([0x01]);
  const out = new Uint8Array(data.length * 2 + 1);
  let at = 0;
  out[at++] = 0x02;
  for (const b of data) {
    const esc = ESCAPES[b];
    if (esc) {
      out[at++] = esc[0];
      out[at++] = esc[1];
    } else {
      out[at++] = b;
    }
  }
  return out.slice(0, at);
}

export function unescapeComponent(encoded: Uint8Array): Uint8Array {
  if (encoded.length === 0) throw new CryptoError('encoded path component cannot be empty');
  if (encoded[0] === 0x01) {
    if (encoded.length > 1) throw new CryptoError('path component encoded as empty but contains data');
    return new Uint8Array(0);
  }
  if (encoded[0] !== 0x02) throw new CryptoError('invalid path component prefix');
  if (encoded.length === 1) throw new CryptoError('path component encoded as not empty but has no data');
  const out = new Uint8Array(encoded.length);
  let at = 0;
  for (let i = 1; i < encoded.length; i++) {
    const b = encoded[i];
    if (b === 0x00 || b === 0xff || b === 0x2f) throw new CryptoError('invalid character in path component');
    if (b === 0x2e || b === 0xfe || b === 0x01) {
      const next = encoded[i + 1];
      if (next !== 1 && next !== 2) throw new CryptoError('invalid escape sequence in path component');
      out[at++] = b === 0x01 ? next - 1 : b + next - 1;
      i++;
    } else {
      out[at++] = b;
    }
  }
  return out.slice(0, at);
}
