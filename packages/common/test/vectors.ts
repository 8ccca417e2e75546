import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Reads a known-answer vector file from ./vectors: copies of the vectors taken from Storj's public test
 * suites (each file's `source` field names where it came from; vectors/README.md lists them).
 */
export function loadVector<T = any>(name: string): T {
  const url = new URL(`./vectors/${name}`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as T;
}
