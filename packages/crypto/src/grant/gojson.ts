/**
 * JSON text as Go's encoding/json MarshalIndent writes it, for output that must match Storj's CLI byte for
 * byte: `"key": value` with the given indent, `{}` and `[]` when empty, integers of any size (bigint), and
 * Go's HTML-safe string escaping (<, >, & and U+2028/U+2029 as \u escapes). Undefined properties are left
 * out, as Go's `omitempty` leaves out empty fields; key order is the object's.
 */
export function marshalIndent(value: unknown, indent = '  '): string {
  return write(value, indent, 0);
}

function write(v: unknown, indent: string, depth: number): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const inner = indent.repeat(depth + 1);
  const outer = indent.repeat(depth);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + write(x, indent, depth + 1)).join(',\n')}\n${outer}]`;
  }
  if (typeof v !== 'object') throw new TypeError(`cannot print a ${typeof v} as JSON`);
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${goString(k)}: ${write(x, indent, depth + 1)}`).join(',\n')}\n${outer}}`;
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
