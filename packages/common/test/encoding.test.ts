import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  binaryToBytes,
  bytesToBinary,
  fromBase32,
  fromBase64Url,
  fromHex,
  toBase32,
  toBase64Url,
  toHex,
  utf8Decode,
} from '../src/encoding.js';

describe('encoding helpers', () => {
  it('agree with Node for every length up to 40', () => {
    for (let n = 0; n <= 40; n++) {
      const b = new Uint8Array(randomBytes(n));
      const buf = Buffer.from(b);
      expect(toHex(b)).toBe(buf.toString('hex'));
      expect(fromHex(toHex(b))).toEqual(b);
      const unpadded = buf.toString('base64url');
      expect(toBase64Url(b, false)).toBe(unpadded);
      expect(toBase64Url(b)).toBe(unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4));
      expect(fromBase64Url(toBase64Url(b), true)).toEqual(b);
      expect(fromBase64Url(unpadded)).toEqual(b);
      expect(fromBase32(toBase32(b))).toEqual(b);
      expect(binaryToBytes(bytesToBinary(b))).toEqual(b);
    }
  });

  it('base32 matches RFC 4648 test vectors (unpadded)', () => {
    const cases = { '': '', f: 'MY', fo: 'MZXQ', foo: 'MZXW6', foob: 'MZXW6YQ', fooba: 'MZXW6YTB', foobar: 'MZXW6YTBOI' };
    for (const [plain, enc] of Object.entries(cases)) expect(toBase32(Buffer.from(plain))).toBe(enc);
  });

  it('reject malformed input', () => {
    expect(() => fromHex('abc')).toThrow();
    expect(() => fromHex('zz')).toThrow();
    expect(() => fromBase64Url('a')).toThrow();
    expect(() => fromBase64Url('aGk', true)).toThrow();
    expect(() => fromBase64Url('aGk==')).toThrow();
    expect(() => fromBase64Url('a+b/')).toThrow();
    expect(() => fromBase32('MZXW6=')).toThrow();
    expect(() => fromBase32('M')).toThrow();
    expect(() => utf8Decode(new Uint8Array([0xff]))).toThrow(/not valid UTF-8/);
    expect(() => binaryToBytes('\u0100')).toThrow();
  });
});
