/** sj://bucket/key locations, local paths and `-` (stdin/stdout), as Storj's uplink spells them. */
import { CliError } from './errors.js';

export interface SjUrl {
  bucket: string;
  key: string;
}

export type Location =
  | ({ kind: 'remote' } & SjUrl)
  | { kind: 'local'; path: string }
  /** `-`: standard input as a source, standard output as a destination. */
  | { kind: 'std' };

function isSjUrl(text: string): boolean {
  return text.startsWith('sj://');
}

export function parseSjUrl(text: string, opts: { requireKey?: boolean } = {}): SjUrl {
  if (!isSjUrl(text)) throw new CliError(`${JSON.stringify(text)} is not an sj://bucket/key location`);
  const rest = text.slice('sj://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!bucket) throw new CliError(`${JSON.stringify(text)} names no bucket`);
  if (opts.requireKey && !key) throw new CliError(`${JSON.stringify(text)} names no object key`);
  return { bucket, key };
}

/** `sj://bucket` only (mb, rb): a key there is a mistake worth saying so. */
export function parseBucketUrl(text: string): string {
  const { bucket, key } = parseSjUrl(text);
  if (key) throw new CliError(`${JSON.stringify(text)} names an object key; give only sj://bucket`);
  return bucket;
}

export function parseLocation(text: string): Location {
  if (text === '-') return { kind: 'std' };
  if (isSjUrl(text)) return { kind: 'remote', ...parseSjUrl(text) };
  if (text === '') throw new CliError('empty location');
  return { kind: 'local', path: text };
}

export function formatLocation(loc: Location): string {
  if (loc.kind === 'std') return '-';
  if (loc.kind === 'local') return loc.path;
  return sjUrl(loc.bucket, loc.key);
}

export function sjUrl(bucket: string, key = ''): string {
  return `sj://${bucket}/${key}`;
}

/** The part of a key up to and including its last '/': what a listing for `key` as a prefix starts from. */
export function parentPrefix(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}

/** The last component of a key or path ('a/b/c.txt' → 'c.txt'), trailing slashes ignored. */
export function baseName(keyOrPath: string): string {
  const trimmed = keyOrPath.replace(/[/\\]+$/, '');
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
}
