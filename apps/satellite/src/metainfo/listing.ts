/**
 * ListObjects: committed, unexpired objects in byte order of their encrypted keys.
 *
 * Keys are listed relative to the prefix (which is empty or ends in '/'). Encrypted keys keep the
 * '/' between components (each encrypted component is escaped so it never contains one), so the
 * satellite can collapse a listing into "directories" without decrypting anything: in a
 * non-recursive listing, every key with a further '/' after the prefix shows up once, as the
 * prefix item `component/`. The cursor is the last item of the previous page (relative too);
 * a cursor that is a prefix item skips everything under it.
 */
import { concatBytes } from '@dcsim/common/bytes';
import { ActionType } from '@dcsim/crypto/macaroon';
import { fieldInvalid, type ListObjectsRequest, type ListObjectsResponse, type ObjectListItem } from '@dcsim/protocol';
import { clampLimit } from './buckets.js';
import type { MetainfoEndpoint } from './context.js';
import { listItem, prefixItem } from './convert.js';
import { requireBucket } from './lookup.js';
import { checkBucketLength, checkBytes, MAX_ENCRYPTED_KEY_LENGTH } from './validate.js';

const SLASH = 0x2f;
const ZERO = Uint8Array.of(0);

export function listObjects(m: MetainfoEndpoint, req: ListObjectsRequest): ListObjectsResponse {
  checkBucketLength(req.bucket, 'bucket');
  checkBytes('encrypted_prefix', 'encrypted listing prefix', req.encryptedPrefix, MAX_ENCRYPTED_KEY_LENGTH);
  checkBytes('encrypted_cursor', 'encrypted listing cursor', req.encryptedCursor, MAX_ENCRYPTED_KEY_LENGTH);
  const auth = m.auth.authorize(req.header, { op: ActionType.List, bucket: req.bucket, encryptedPath: req.encryptedPrefix });
  requireBucket(m, auth, req.bucket);
  const prefix = req.encryptedPrefix;
  if (prefix.length > 0 && prefix[prefix.length - 1] !== SLASH) {
    throw fieldInvalid('encrypted_prefix', 'listing prefix must be empty or end with "/"');
  }
  const limit = clampLimit(req.limit);
  const now = m.clock.now();
  const end = prefix.length > 0 ? successorOfPrefix(prefix) : undefined;

  const items: ObjectListItem[] = [];
  let from = startAfterCursor(prefix, req.encryptedCursor, req.recursive);
  // Fetch limit + 1 items: the extra one only tells whether there is more.
  while (items.length <= limit && from !== undefined) {
    const rows = m.db.objects.list(auth.project.id, req.bucket, from, end, now, limit + 1);
    let jumpTo: Uint8Array | undefined | null = null; // set when a prefix item was emitted
    for (const row of rows) {
      const relative = row.encryptedKey.subarray(prefix.length);
      const slash = req.recursive ? -1 : relative.indexOf(SLASH);
      if (slash >= 0) {
        const collapsed = new Uint8Array(relative.subarray(0, slash + 1));
        items.push(prefixItem(collapsed));
        jumpTo = successorOfPrefix(concatBytes(prefix, collapsed)); // skip everything under it
        break;
      }
      items.push(listItem(row, new Uint8Array(relative), req.includeMetadata));
      if (items.length > limit) break;
    }
    if (jumpTo !== null) from = jumpTo;
    else if (rows.length <= limit)
      break; // fewer rows than asked for: nothing left
    else from = concatBytes(rows[rows.length - 1].encryptedKey, ZERO);
  }
  return { items: items.slice(0, limit), more: items.length > limit };
}

/** The first key to look at: the prefix itself, or just after the cursor (after all of it, for a prefix item). */
function startAfterCursor(prefix: Uint8Array, cursor: Uint8Array, recursive: boolean): Uint8Array | undefined {
  if (cursor.length === 0) return prefix;
  const full = concatBytes(prefix, cursor);
  if (!recursive && cursor[cursor.length - 1] === SLASH) return successorOfPrefix(full);
  return concatBytes(full, ZERO); // the smallest key greater than the cursor
}

/** The smallest byte string greater than every string that starts with `prefix` (undefined: none). */
export function successorOfPrefix(prefix: Uint8Array): Uint8Array | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = new Uint8Array(prefix.subarray(0, end)); // a copy, even when prefix is a Buffer
  out[end - 1]++;
  return out;
}
