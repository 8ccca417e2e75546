import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/duration.js';
import { FormatError } from '../src/size.js';

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
