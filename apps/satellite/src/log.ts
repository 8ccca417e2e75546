/** One human-readable line per notable event, on stderr (stdout carries only the READY line). */
export type Logger = (message: string) => void;

export function stderrLogger(prefix = 'satellite'): Logger {
  return (message) => process.stderr.write(`${new Date().toISOString()} ${prefix}: ${message}\n`);
}
