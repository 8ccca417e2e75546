/**
 * Escaping of encrypted path components (storj/common encryption/path.go encodeSegment/decodeSegment, design
 * doc path-component-encoding.md). The result never holds 0x2f ('/'), 0x00 or 0xff, so encrypted components
 * join with '/' like plain ones and sort between the bytes no key can contain.
 *
 *   empty component → 01          anything else → 02 ‖ escaped bytes, where
 *   2e → 2e 01   2f → 2e 02   fe → fe 01   ff → fe 02   00 → 01 01   01 → 01 02
 */
import { DecryptionError } from './errors.js';

const EMPTY = 0x01;
const NOT_EMPTY = 0x02;

/** byte → escape pair, or undefined when the byte stands for itself. */
const ESCAPE: (readonly [number, number] | undefined)[] = [];
ESCAPE[0x2e] = [0x2e, 1];
ESCAPE[0x2f] = [0x2e, 2];
ESCAPE[0xfe] = [0xfe, 1];
ESCAPE[0xff] = [0xfe, 2];
ESCAPE[0x00] = [0x01, 1];
ESCAPE[0x01] = [0x01, 2];

const isEscape = (b: number) => b === 0x2e || b === 0xfe || b === 0x01;
const isDisallowed = (b: number) => b === 0x00 || b === 0xff || b === 0x2f;

export function escapeComponent(data: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array([EMPTY]);
  const out = new Uint8Array(data.length * 2 + 1);
  let at = 0;
  out[at++] = NOT_EMPTY;
  for (const b of data) {
    const pair = ESCAPE[b];
    if (pair) {
      out[at++] = pair[0];
      out[at++] = pair[1];
    } else {
      out[at++] = b;
    }
  }
  return out.slice(0, at);
}

export function unescapeComponent(encoded: Uint8Array): Uint8Array {
  if (encoded.length === 0) throw new DecryptionError('encoded path component cannot be empty');
  if (encoded[0] === EMPTY) {
    if (encoded.length > 1) throw new DecryptionError('path component encoded as empty but contains data');
    return new Uint8Array(0);
  }
  if (encoded[0] !== NOT_EMPTY) throw new DecryptionError('invalid path component prefix');
  if (encoded.length === 1) throw new DecryptionError("path component encoded as not empty but doesn't contain data");
  const out = new Uint8Array(encoded.length - 1);
  let at = 0;
  for (let i = 1; i < encoded.length; i++) {
    const b = encoded[i];
    if (isDisallowed(b)) throw new DecryptionError('invalid character in path component');
    if (isEscape(b)) {
      const next = encoded[i + 1];
      if (next !== 1 && next !== 2) throw new DecryptionError('invalid escape sequence in path component');
      // 2e/fe pairs restore 2e,2f / fe,ff; 01 pairs restore 00,01.
      out[at++] = b === 0x01 ? next - 1 : b + next - 1;
      i++;
    } else {
      out[at++] = b;
    }
  }
  return out.slice(0, at);
}
