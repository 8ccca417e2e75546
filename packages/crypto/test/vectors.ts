import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Reads a known-answer vector file from ../shared/vectors (beside the checkout; never copied in). */
export function loadVector<T = any>(name: string): T {
  const url = new URL(`../../../../shared/vectors/${name}`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as T;
}
