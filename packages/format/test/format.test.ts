import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, FormatError, parseByteSize, parseDuration, shortHex } from '../src/index.js';

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

describe('shortHex', () => {
  it('shows short values whole and long ones cut, with their length', () => {
    expect(shortHex(new Uint8Array([1, 2, 255]))).toBe('0102ff');
    expect(shortHex(new Uint8Array(32).fill(0xab))).toBe(`${'ab'.repeat(8)}…(32 bytes)`);
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

describe('durations', () => {
  it('reads one or more number-and-unit parts', () => {
    expect(parseDuration('8d')).toBe(8 * 86_400_000);
    expect(parseDuration('25h')).toBe(25 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('0s')).toBe(0);
  });

  it('refuses bare numbers, unknown units and leftovers', () => {
    for (const bad of ['', '8', '8 days', '3w', 'h', '1h 30m', '-1h', '1h30']) {
      expect(() => parseDuration(bad), bad).toThrow(FormatError);
    }
    expect(() => parseDuration('8')).toThrow(/invalid duration "8": use a number and a unit \(d, h, m, s, ms\)/);
  });

  it('prints the largest units first, leaving out zeros, and reads back', () => {
    expect(formatDuration(8 * 86_400_000)).toBe('8d');
    expect(formatDuration(25 * 3_600_000)).toBe('1d1h');
    expect(formatDuration(90 * 60_000)).toBe('1h30m');
    expect(formatDuration(1500)).toBe('1s500ms');
    expect(formatDuration(0)).toBe('0s');
    for (const ms of [1, 999, 61_001, 8 * 86_400_000 + 5]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
