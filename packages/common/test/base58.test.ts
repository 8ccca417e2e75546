import { describe, expect, it } from 'vitest';
import { base58Decode, base58Encode, checkDecode, checkEncode } from '../src/base58.js';
import { loadVector } from './vectors.js';

const v = loadVector('base58.json');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('base58 (storj/common vectors)', () => {
  it.each(v.encode_utf8 as { in: string; out: string }[])('encodes %j', ({ in: input, out }) => {
    expect(base58Encode(new TextEncoder().encode(input))).toBe(out);
    expect(new TextDecoder().decode(base58Decode(out))).toBe(input);
  });
  it.each(v.decode_hex as { in: string; hex: string }[])('decodes %j', ({ in: input, hex: h }) => {
    expect(hex(base58Decode(input))).toBe(h);
    expect(base58Encode(base58Decode(input))).toBe(input);
  });
  it.each(v.invalid as string[])('rejects %j', (input) => {
    expect(() => base58Decode(input)).toThrow(/invalid base58 character/);
  });
});

describe('base58check', () => {
  it('round-trips with a version byte and catches a flipped character', () => {
    const payload = new Uint8Array([0, 1, 2, 250, 255]);
    const text = checkEncode(payload, 7);
    expect(checkDecode(text)).toEqual({ version: 7, payload });
    const flipped = text.slice(0, -1) + (text.endsWith('2') ? '3' : '2');
    expect(() => checkDecode(flipped)).toThrow(/checksum/);
  });
});
