/**
 * better-sqlite3 hands BLOBs back as Node Buffers. Rows leave the db layer with plain Uint8Arrays
 * instead: a Buffer's `slice()` shares memory where a Uint8Array's copies, and code elsewhere
 * (rightly) assumes the latter.
 */
export function plain<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (value && typeof value === 'object') {
    const row = value as Record<string, unknown>;
    for (const key of Object.keys(row)) if (row[key] instanceof Uint8Array) row[key] = new Uint8Array(row[key] as Uint8Array);
  }
  return value;
}
