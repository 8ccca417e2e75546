import { describe, expect, it } from 'vitest';
import { formatBytes, FormatError, parseByteSize } from '../src/size.js';

describe('formatBytes', () => {
  it('prints bytes below 1 KiB as is, larger sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64.0 MiB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3.0 TiB');
    expect(formatBytes(5 * 1024 ** 5)).toBe('5120.0 TiB');
    expect(formatBytes(1536, 2)).toBe('1.50 KiB');
  });
});

describe('parseByteSize', () => {
  it('reads plain bytes, decimal and binary units', () => {
    expect(parseByteSize('2147483648')).toBe(2 ** 31);
    expect(parseByteSize('4MB')).toBe(4_000_000);
    expect(parseByteSize('500MiB')).toBe(500 * 1024 ** 2);
    expect(parseByteSize('1g')).toBe(1024 ** 3);
    expect(parseByteSize(' 1.5 KiB ')).toBe(1536);
  });

  it('refuses what is not a positive size, naming the text', () => {
    for (const bad of ['', 'lots', '-1', '0', '0.1', '12 parsecs', '1e3']) {
      expect(() => parseByteSize(bad), bad).toThrow(FormatError);
    }
    expect(() => parseByteSize('12 parsecs')).toThrow('invalid size "12 parsecs": use bytes or e.g. 500MiB, 2GiB, 4MB');
  });
});
