import { CommonError } from './errors.js';

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** Binary units, as Storj's tools print sizes: `512 B`, `1.5 KiB`, `64.0 MiB` (`digits` after the point). */
export function formatBytes(n: number, digits = 1): string {
  if (n < 1024) return `${n} B`;
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Text a person typed that is not a size or a duration; the message says what was expected. */
export class FormatError extends CommonError {
  override name = 'FormatError';
}

/** Decimal units are powers of 1000 (Storj's `4MB`), binary ones powers of 1024 (`500MiB`, and the short `1g`). */
// prettier-ignore
const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** A positive size as people write it: plain bytes, or a number with a unit (`500MiB`, `2GB`, `1g`, `1.5 KiB`). */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new FormatError(`invalid size ${JSON.stringify(text)}: use bytes or e.g. 500MiB, 2GiB, 4MB`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new FormatError(`invalid size ${JSON.stringify(text)}: must be positive`);
  return bytes;
}
