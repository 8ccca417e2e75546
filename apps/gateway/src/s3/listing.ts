/**
 * One page of an S3 object listing over the uplink library, in one of two orders (as Storj's gateway):
 *
 * - **satellite order** when the satellite can answer the request itself: the prefix is empty or ends
 *   in '/' and the delimiter is '/' or none. The satellite lists encrypted keys in the order of their
 *   encrypted bytes, page by page, so these listings are cheap at any size, but (with an encrypting path
 *   cipher) not in lexical order of the plain keys.
 * - **lexical order** otherwise (a prefix that is not a whole "directory", or another delimiter): every
 *   key under the enclosing directory is listed, filtered, collapsed and sorted here, up to
 *   MAX_EXHAUSTIVE_KEYS (Storj's cap); beyond that the request is refused.
 *
 * Either way `after` (the marker, start-after or continuation token) is a plain key: page i+1 starts
 * after the last key of page i in the same order.
 */
import type { ListItem, Project } from '@dcsim/uplink';
import { S3Error } from './errors.js';

const MAX_EXHAUSTIVE_KEYS = 100_000;
/** Keys under this prefix are the gateway's own (multipart uploads in progress): never listed. */
export const HIDDEN_PREFIX = '.dcsim-multipart/';

export interface ListRequest {
  prefix: string;
  delimiter: string;
  /** List keys after this one (exclusive); '' from the start. */
  after: string;
  maxKeys: number;
}

export interface ListPage {
  objects: ListItem[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or prefix of this page, when truncated. */
  next?: string;
  order: 'satellite' | 'lexical';
}

export function usesSatelliteOrder(prefix: string, delimiter: string): boolean {
  return (prefix === '' || prefix.endsWith('/')) && (delimiter === '/' || delimiter === '');
}

export async function listPage(project: Project, bucket: string, request: ListRequest): Promise<ListPage> {
  if (request.maxKeys === 0) {
    await project.statBucket(bucket); // still a NoSuchBucket for a bucket that is not there
    return { objects: [], prefixes: [], truncated: false, order: 'satellite' };
  }
  return usesSatelliteOrder(request.prefix, request.delimiter)
    ? satelliteOrder(project, bucket, request)
    : lexicalOrder(project, bucket, request);
}

async function satelliteOrder(project: Project, bucket: string, { prefix, delimiter, after, maxKeys }: ListRequest): Promise<ListPage> {
  const cursor = cursorUnder(prefix, after);
  if (cursor === null) {
    await project.statBucket(bucket);
    return { objects: [], prefixes: [], truncated: false, order: 'satellite' };
  }
  const items: ListItem[] = [];
  const listing = project.list(bucket, {
    prefix,
    recursive: delimiter === '',
    cursor,
    includeMetadata: true,
    pageSize: Math.min(maxKeys + 1, 1000),
  });
  try {
    for await (const item of listing) {
      if (item.key.startsWith(HIDDEN_PREFIX)) continue;
      items.push(item);
      if (items.length > maxKeys) break;
    }
  } finally {
    await listing.return(undefined);
  }
  return toPage(items, maxKeys, 'satellite');
}

/**
 * A cursor for the library (a key under the prefix), '' for none, or null when no key under the
 * prefix comes after `after` in lexical terms.
 */
function cursorUnder(prefix: string, after: string): string | null {
  if (after === '' || after.startsWith(prefix)) return after;
  return compareKeys(after, prefix) < 0 ? '' : null;
}

async function lexicalOrder(project: Project, bucket: string, { prefix, delimiter, after, maxKeys }: ListRequest): Promise<ListPage> {
  const directory = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const objects = new Map<string, ListItem>();
  const prefixes = new Set<string>();
  let scanned = 0;
  for await (const item of project.list(bucket, { prefix: directory, recursive: true, includeMetadata: true })) {
    if (++scanned > MAX_EXHAUSTIVE_KEYS) {
      throw new S3Error(
        'NotImplemented',
        `this listing needs more than ${MAX_EXHAUSTIVE_KEYS} keys sorted; list with a prefix ending in "/" and delimiter "/"`,
      );
    }
    if (!item.key.startsWith(prefix) || item.key.startsWith(HIDDEN_PREFIX)) continue;
    const cut = delimiter === '' ? -1 : item.key.indexOf(delimiter, prefix.length);
    if (cut >= 0) prefixes.add(item.key.slice(0, cut + delimiter.length));
    else objects.set(item.key, item);
  }
  const entries: ListItem[] = [...objects.values(), ...[...prefixes].map((key) => ({ key, isPrefix: true, size: 0 }))]
    .filter((e) => compareKeys(e.key, after) > 0)
    .sort((a, b) => compareKeys(a.key, b.key));
  return toPage(entries.slice(0, maxKeys + 1), maxKeys, 'lexical');
}

/** S3's lexical order: by the UTF-8 bytes of the keys (JavaScript's < compares UTF-16 code units). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function toPage(items: ListItem[], maxKeys: number, order: ListPage['order']): ListPage {
  const truncated = items.length > maxKeys;
  const page = items.slice(0, maxKeys);
  return {
    objects: page.filter((i) => !i.isPrefix),
    prefixes: page.filter((i) => i.isPrefix).map((i) => i.key),
    truncated,
    next: truncated ? page[page.length - 1].key : undefined,
    order,
  };
}
