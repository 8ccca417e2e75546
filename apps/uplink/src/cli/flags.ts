/**
 * Storj's uplink takes boolean flags as `--readonly`, `--readonly=true` or `--readonly=false`. Commander
 * knows `--readonly` and `--no-readonly`, so the `=true`/`=false` spellings are rewritten before parsing.
 * Only the flags named here are touched (a `--passphrase=false` is a passphrase, not a boolean).
 */

/** Flags with a `--no-` form: `--x=false` becomes `--no-x` (they default to true, or are tri-state). */
const NEGATABLE = new Set(['readonly', 'writeonly', 'disallow-reads', 'disallow-writes', 'disallow-lists', 'disallow-deletes', 'progress']);

/** Flags that are simply off unless given: `--x=false` is dropped. */
const OFF_BY_DEFAULT = new Set([
  'recursive',
  'encrypted',
  'force',
  'expanded',
  'utc',
  'explain',
  'use',
  'verbose',
  'passphrase-stdin',
  'unencrypted-object-keys',
]);

export function normalizeBooleanFlags(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const m = /^--([a-z-]+)=(true|false|1|0|t|f)$/i.exec(arg);
    const name = m?.[1];
    if (!m || !name || (!NEGATABLE.has(name) && !OFF_BY_DEFAULT.has(name))) {
      out.push(arg);
      continue;
    }
    const on = /^(true|1|t)$/i.test(m[2]);
    if (on) out.push(`--${name}`);
    else if (NEGATABLE.has(name)) out.push(`--no-${name}`);
  }
  return out;
}
