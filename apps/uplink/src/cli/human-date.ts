/**
 * Times and durations as Storj's uplink reads and prints them (storj/storj cmd/uplink/internal/parse.go):
 * `--not-before +2h`, `--not-after 2030-01-02`, `--expires now`, `--max-object-ttl 24h`.
 */
import { CliError } from './errors.js';

/** Go's duration units, in milliseconds. */
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (`1h30m`, `30m`, `1.5s`, `-2h`) in milliseconds, as time.ParseDuration reads it. */
export function parseDuration(text: string): number {
  const match = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (text === '0' || text === '+0' || text === '-0') return 0;
  if (!match) throw new CliError(`invalid duration ${JSON.stringify(text)} (use Go's form: 1h, 30m, 1h30m, 90s)`);
  let ms = 0;
  for (const [, number, unit] of text.slice(match[1].length).matchAll(/((?:\d+(?:\.\d*)?|\.\d+))(ns|us|µs|μs|ms|s|m|h)/g)) {
    ms += Number(number) * UNITS[unit];
  }
  return match[1] === '-' ? -ms : ms;
}

/** Go's Duration.String(): `1h30m0s`, `30m0s`, `1.5s`, `500ms`. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let ns = BigInt(Math.round(Math.abs(ms) * 1e6));
  if (ns === 0n) return '0s';
  if (ns < 1_000_000_000n) {
    const [unit, size] = ns < 1000n ? ['ns', 1n] : ns < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
    return `${sign}${fraction(ns, size)}${unit}`;
  }
  const hours = ns / 3_600_000_000_000n;
  ns %= 3_600_000_000_000n;
  const minutes = ns / 60_000_000_000n;
  ns %= 60_000_000_000n;
  const seconds = `${fraction(ns, 1_000_000_000n)}s`;
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

/** `value / unit` in decimal, trailing zeros of the fraction dropped. */
function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

export type Rounding = 'down' | 'up';

/**
 * A point in time: `none` or '' (no restriction: undefined), `now`, relative (`+2h`, `-30m`, `+3d`), RFC 3339
 * (`2030-01-02T15:04:05Z`), or local time with less precision (`2030-01-02T15:04:05`, `2030-01-02T15:04`,
 * `2030-01-02`). Rounding `up` (used for not-after) moves a less precise time to the end of its second,
 * minute or day, as Storj does; a bare duration (`2h`) also means from now.
 */
export function parseHumanDate(text: string, rounding: Rounding = 'down', now = Date.now()): Date | undefined {
  if (text === '' || text === 'none') return undefined;
  if (text === 'now') return new Date(now);
  if (text.startsWith('+') || text.startsWith('-')) {
    const days = /^([+-])(\d+)d$/.exec(text);
    if (days) return new Date(now + (days[1] === '-' ? -1 : 1) * Number(days[2]) * 86_400_000);
    return new Date(now + parseDuration(text));
  }
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (rfc3339) return checked(new Date(text.toUpperCase()), text);
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (local) return localTime(local, rounding, text);
  try {
    return new Date(now + parseDuration(text));
  } catch {
    throw new CliError(
      `invalid time ${JSON.stringify(text)}: use RFC 3339 (2030-01-02T15:04:05Z), a date (2030-01-02), ` +
        `a relative time (+2h, -30m, +3d), 'now' or 'none'`,
    );
  }
}

function localTime(m: RegExpExecArray, rounding: Rounding, text: string): Date {
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
  const date = new Date(year!, month! - 1, day!, hour, minute, second);
  const same =
    date.getFullYear() === year &&
    date.getMonth() === month! - 1 &&
    date.getDate() === day &&
    date.getHours() === hour &&
    date.getMinutes() === minute;
  if (!same) throw new CliError(`invalid time ${JSON.stringify(text)}: no such date`);
  if (rounding === 'up') {
    // The last moment the text still describes: end of the day, minute or second.
    if (m[4] === undefined) date.setDate(date.getDate() + 1);
    else if (m[6] === undefined) date.setMinutes(date.getMinutes() + 1);
    else date.setSeconds(date.getSeconds() + 1);
    date.setMilliseconds(date.getMilliseconds() - 1);
  }
  return date;
}

function checked(date: Date, text: string): Date {
  if (Number.isNaN(date.getTime())) throw new CliError(`invalid time ${JSON.stringify(text)}`);
  return date;
}

/** Storj's listing and share time format, `2006-01-02 15:04:05`, in UTC or local time. */
export function formatTime(date: Date | undefined, utc = false): string {
  if (!date) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  const [y, mo, d, h, mi, s] = utc
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}
