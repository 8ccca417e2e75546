/**
 * `cp --range bytes=a-b`: one HTTP-style byte range, as Storj's uplink reads it. `a-b` is inclusive,
 * `a-` runs to the end, `-n` is the last n bytes.
 */
import { CliError } from './errors.js';

export type ByteRange = { offset: number; length?: number } | { suffix: number };

export function parseRange(text: string): ByteRange {
  const spec = text.trim().replace(/^bytes=/, '');
  if (spec.includes(',')) throw new CliError(`invalid range ${JSON.stringify(text)}: only a single range is supported`);
  const dash = spec.indexOf('-');
  if (dash < 0) throw new CliError(`invalid range ${JSON.stringify(text)}: no "-" (use bytes=START-END, bytes=START- or bytes=-LAST)`);
  const start = spec.slice(0, dash).trim();
  const end = spec.slice(dash + 1).trim();
  const number = (s: string) => {
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s)))
      throw new CliError(`invalid range ${JSON.stringify(text)}: ${JSON.stringify(s)} is not a byte offset`);
    return Number(s);
  };
  if (start === '' && end === '') throw new CliError(`invalid range ${JSON.stringify(text)}`);
  if (start === '') return { suffix: number(end) };
  if (end === '') return { offset: number(start) };
  const a = number(start);
  const b = number(end);
  if (a > b) throw new CliError(`invalid range ${JSON.stringify(text)}: ${a} > ${b}`);
  return { offset: a, length: b - a + 1 };
}

/** The range as offset and length within an object of `size` bytes. */
export function rangeWithin(range: ByteRange, size: number): { offset: number; length: number } {
  if ('suffix' in range) {
    const length = Math.min(range.suffix, size);
    return { offset: size - length, length };
  }
  if (range.offset > size) throw new CliError(`range starts at byte ${range.offset}, past the end of the object (${size} bytes)`);
  return { offset: range.offset, length: Math.min(range.length ?? size - range.offset, size - range.offset) };
}
