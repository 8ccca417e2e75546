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
