/**
 * Path components as Storj's paths.Iterator yields them: "" has none, "a/" has "a" and "", "/" has two
 * empty ones. Works on plaintext paths (strings) and encrypted paths (bytes; escaping keeps 0x2f out of
 * encrypted components, so '/' still separates them).
 */
const SLASH = 0x2f;

export function splitComponents(path: string): string[];
export function splitComponents(path: Uint8Array): Uint8Array[];
export function splitComponents(path: string | Uint8Array): (string | Uint8Array)[] {
  if (path.length === 0) return [];
  if (typeof path === 'string') return path.split('/');
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    if (path[i] === SLASH) {
      out.push(path.subarray(start, i));
      start = i + 1;
    }
  }
  out.push(path.subarray(start));
  return out;
}

export function joinComponents(parts: Uint8Array[]): Uint8Array {
  const size = parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1);
  const out = new Uint8Array(size);
  let at = 0;
  parts.forEach((p, i) => {
    if (i > 0) out[at++] = SLASH;
    out.set(p, at);
    at += p.length;
  });
  return out;
}

/** a ‖ '/' ‖ b, leaving out the '/' when either side is empty (Storj's strings.Builder logic). */
export function joinPaths(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return joinComponents([a, b]);
}
