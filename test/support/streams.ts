/** Reading what the uplink library streams: a download's bytes, a listing's items. */
import type { ObjectDownload } from '@dcsim/uplink';

/** Every byte of a download (or of what it resolves to), in one Buffer. */
export async function readAll(download: ObjectDownload | Promise<ObjectDownload>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of await download) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Every item of an async iterable, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
