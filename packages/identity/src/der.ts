/**
 * The few DER (ASN.1 Distinguished Encoding Rules) values an X.509 certificate is made of. Each function
 * returns one whole value: a tag byte, its length, its contents. Node can parse and verify certificates
 * but not write them, and a certificate needs nothing more than this.
 */

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  objectId: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

export function value(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

/** Short form below 128 bytes; otherwise 0x80 + how many length bytes follow, then the length big-endian. */
function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const sequence = (...items: Uint8Array[]) => value(TAG.sequence, ...items);
export const set = (...items: Uint8Array[]) => value(TAG.set, ...items);
export const boolean = (b: boolean) => value(TAG.boolean, Buffer.from([b ? 0xff : 0x00]));
export const octetString = (bytes: Uint8Array) => value(TAG.octetString, bytes);
export const utf8String = (text: string) => value(TAG.utf8String, Buffer.from(text, 'utf8'));
/** A BIT STRING of whole bytes, or with `unusedBits` trailing bits of the last byte unused. */
export const bitString = (bytes: Uint8Array, unusedBits = 0) => value(TAG.bitString, Buffer.from([unusedBits]), bytes);
/** `[n] EXPLICIT`: a context-specific, constructed wrapper around one value. */
export const explicit = (n: number, inner: Uint8Array) => value(0xa0 | n, inner);

/** A non-negative INTEGER from its big-endian bytes (a 0x00 is prepended where the top bit would make it negative). */
export function integer(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1] < 0x80) start++; // DER: no redundant zeros
  const trimmed = bytes.subarray(start);
  return value(TAG.integer, trimmed[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** An OBJECT IDENTIFIER from its dotted form: the first two arcs share a byte, each arc is base-128. */
export function objectId(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const base128 = [arc & 0x7f];
    for (let n = arc >>> 7; n > 0; n >>>= 7) base128.unshift(0x80 | (n & 0x7f));
    bytes.push(...base128);
  }
  return value(TAG.objectId, Buffer.from(bytes));
}

/** X.509 times: UTCTime (YYMMDDHHMMSSZ) up to 2049, GeneralizedTime (YYYYMMDDHHMMSSZ) from 2050 (RFC 5280 4.1.2.5). */
export function time(date: Date): Buffer {
  const digits = date.toISOString().replace(/\.\d+/, '').replace(/[-:T]/g, ''); // YYYYMMDDHHMMSSZ
  return date.getUTCFullYear() < 2050 ? value(TAG.utcTime, Buffer.from(digits.slice(2))) : value(TAG.generalizedTime, Buffer.from(digits));
}
