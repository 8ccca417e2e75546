/**
 * Listing objects. The satellite lists encrypted keys in the order of their encrypted bytes,
 * relative to the encrypted prefix, and can collapse "directories" because encrypted keys keep the
 * '/' between components. We decrypt each key by putting the encrypted prefix back in front (path
 * encryption is deterministic, so that is exactly the object's encrypted key). Keys that do not
 * decrypt with this access (another passphrase wrote them) are skipped, as Storj's uplink does.
 */
import { concatBytes } from '@dcsim/common/bytes';
import { decryptObjectMetadata, decryptPath, deriveObjectContentKey } from '@dcsim/crypto/encryption';
import { CryptoError } from '@dcsim/crypto/errors';
import type { ObjectListItem } from '@dcsim/protocol';
import type { ProjectContext } from './context.js';
import { InvalidArgumentError } from './errors.js';
import { checkBucket } from './names.js';
import { encryptListPrefix, encryptObjectKey } from './object-key.js';

export interface ListOptions {
  /** Empty, or ending in '/': list what is under it. */
  prefix?: string;
  /** List every key under the prefix instead of collapsing at the next '/'. */
  recursive?: boolean;
  /** Start after this key (a full key, under the prefix). */
  cursor?: string;
  /** Return keys as the satellite sees them: the encrypted key, in hex. */
  encrypted?: boolean;
  /** Decrypt user metadata and content type too (costs a little per item). */
  includeMetadata?: boolean;
  /** Items per satellite request (default: the satellite's maximum). */
  pageSize?: number;
}

export interface ListItem {
  /** Full key (prefix included); ends in '/' for a prefix. Hex of the encrypted key with `encrypted`. */
  key: string;
  isPrefix: boolean;
  size: number;
  created?: Date;
  expires?: Date;
  contentType?: string;
  metadata?: Record<string, string>;
}

const SLASH = 0x2f;

export async function* listObjects(ctx: ProjectContext, bucket: string, options: ListOptions = {}): AsyncGenerator<ListItem> {
  checkBucket(bucket);
  const prefix = options.prefix ?? '';
  if (prefix !== '' && !prefix.endsWith('/')) {
    throw new InvalidArgumentError(`listing prefix ${JSON.stringify(prefix)} must be empty or end with "/"`);
  }
  const encryptedPrefix = prefix === '' ? new Uint8Array(0) : encryptListPrefix(ctx, bucket, prefix);
  let cursor = options.cursor ? relativeCursor(ctx, bucket, prefix, encryptedPrefix, options.cursor) : new Uint8Array(0);
  const subject = { bucket };
  for (;;) {
    const page = await ctx.metainfo.listObjects(
      {
        bucket,
        encryptedPrefix,
        encryptedCursor: cursor,
        recursive: options.recursive ?? false,
        limit: options.pageSize ?? 0,
        includeMetadata: options.includeMetadata ?? false,
      },
      subject,
    );
    for (const item of page.items) {
      const listed = toListItem(ctx, bucket, prefix, encryptedPrefix, item, options);
      if (listed) yield listed;
    }
    if (!page.more || page.items.length === 0) return;
    cursor = page.items[page.items.length - 1].encryptedObjectKey;
  }
}

function toListItem(
  ctx: ProjectContext,
  bucket: string,
  prefix: string,
  encryptedPrefix: Uint8Array,
  item: ObjectListItem,
  options: ListOptions,
): ListItem | undefined {
  const full = concatBytes(encryptedPrefix, item.encryptedObjectKey);
  const base = {
    isPrefix: item.isPrefix,
    size: item.plainSize,
    created: item.createdAt,
    expires: item.expiresAt,
  };
  if (options.encrypted) return { key: Buffer.from(full).toString('hex'), ...base };
  let key: string;
  try {
    // A prefix item ends in a bare '/': decrypt the components before it.
    const encrypted = item.isPrefix && full[full.length - 1] === SLASH ? full.subarray(0, full.length - 1) : full;
    key = decryptPath(bucket, encrypted, ctx.pathCipher, ctx.store) + (item.isPrefix ? '/' : '');
  } catch (err) {
    if (err instanceof CryptoError) return undefined; // not ours to read
    throw err;
  }
  if (!key.startsWith(prefix)) return undefined;
  const listed: ListItem = { key, ...base };
  if (options.includeMetadata && !item.isPrefix && item.encryptedMetadata.length > 0) {
    try {
      const meta = decryptObjectMetadata(
        {
          encryptedMetadata: item.encryptedMetadata,
          encryptedMetadataKey: item.encryptedMetadataKey,
          encryptedMetadataKeyNonce: item.encryptedMetadataNonce,
        },
        deriveObjectContentKey(bucket, key, ctx.store),
      );
      listed.metadata = meta.userMetadata;
      listed.contentType = meta.contentType;
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
    }
  }
  return listed;
}

/** The cursor relative to the prefix, encrypted: the object's encrypted key without the encrypted prefix. */
function relativeCursor(ctx: ProjectContext, bucket: string, prefix: string, encryptedPrefix: Uint8Array, cursor: string): Uint8Array {
  if (!cursor.startsWith(prefix))
    throw new InvalidArgumentError(`cursor ${JSON.stringify(cursor)} is not under the prefix ${JSON.stringify(prefix)}`);
  if (cursor === prefix) return new Uint8Array(0);
  const encrypted = cursor.endsWith('/') ? encryptListPrefix(ctx, bucket, cursor) : encryptObjectKey(ctx, bucket, cursor);
  return encrypted.subarray(encryptedPrefix.length);
}
