import { describe, expect, it } from 'vitest';
import { formatBytes } from '../src/size.js';

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
