/**
 * Path components as Storj's paths.Iterator yields them: "" has none, "a/" has "a" and "", "/" has two
 * empty ones, "a//b" has "a", "", "b". Encrypted paths use the same rules: escaping keeps '/' out of
 * encrypted components (handled here as binary strings, one char per byte).
 */
export function pathComponents(raw: string): string[] {
  return raw === '' ? [] : raw.split('/');
}
