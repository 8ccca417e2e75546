/** Durations as people type and read them: `8d`, `25h`, `90m`, `1h30m`, `250ms`. */
import { FormatError } from './size.js';

const MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Largest first, for printing. */
const UNITS = ['d', 'h', 'm', 's', 'ms'] as const;

/**
 * Milliseconds in a duration of one or more `<number><unit>` parts, units d, h, m, s, ms (`8d`, `1h30m`, `1.5h`).
 * A bare number is refused: nobody should have to guess whether it meant seconds or milliseconds.
 */
export function parseDuration(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy)];
  const consumed = parts.reduce((n, p) => n + p[0].length, 0);
  if (parts.length === 0 || consumed !== text.trim().length) {
    throw new FormatError(`invalid duration ${JSON.stringify(text)}: use a number and a unit (d, h, m, s, ms), e.g. 8d, 25h, 90m, 1h30m`);
  }
  const ms = Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * MS[p[2]], 0));
  if (!Number.isSafeInteger(ms)) throw new FormatError(`invalid duration ${JSON.stringify(text)}: too long`);
  return ms;
}

/** `8d`, `1d1h`, `1h30m`, `90s`, `250ms`; whole milliseconds, no part that is zero; `0s` for nothing. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  if (rest <= 0) return '0s';
  let text = '';
  for (const unit of UNITS) {
    const count = Math.floor(rest / MS[unit]);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * MS[unit];
  }
  return text;
}
