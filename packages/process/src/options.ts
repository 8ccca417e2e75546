/**
 * Parsers for the values of command-line options, shared by every app (`.option('--capacity <size>', '...',
 * byteSize)`). Each returns the parsed value or throws commander's InvalidArgumentError, which commander reports as
 * `error: option '--capacity <size>' argument '12 parsecs' is invalid. <why>` and exit 1 (see runProgram).
 */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '@dcsim/common/duration';
import { parseByteSize } from '@dcsim/common/size';

/** Turns a function that throws on bad text (any error) into an option parser. */
export function optionParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
}

/** Bytes: plain or with a unit (`2147483648`, `500MiB`, `4MB`). */
export const byteSize = optionParser(parseByteSize);

/** Milliseconds from a duration with units (`8d`, `25h`, `90m`, `250ms`). */
export const duration = optionParser(parseDuration);

/** 0, 1, 2, ... */
export function integer(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

/** A number above zero (e.g. seconds of an interval). */
export function positiveNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** A number, zero or more (e.g. seconds of a grace that may be none). */
export function nonNegativeNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number, zero or more');
  return n;
}

/** A number from 0 to 1. */
export function fraction(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
}
