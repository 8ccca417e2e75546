/** One human-readable line per notable event, on stderr (stdout carries only the READY line). */
export type Logger = (message: string) => void;

export function stderrLogger(prefix = 'satellite'): Logger {
  return (message) => process.stderr.write(`${new Date().toISOString()} ${prefix}: ${message}\n`);
}

export const silentLogger: Logger = () => {};

/** Short hex for logs: enough to tell two keys apart, without dumping whole blobs. */
export function shortHex(bytes: Uint8Array, max = 8): string {
  const hex = Buffer.from(bytes).toString('hex');
  return hex.length > max * 2 ? `${hex.slice(0, max * 2)}…(${bytes.length} bytes)` : hex;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
