/**
 * Cutting the bytes of an upload into segments, reading the source one segment at a time so an
 * object of any size needs only about one segment of memory. Every segment but the last has exactly
 * `segmentSize` bytes; an empty source gives one empty segment (an empty object still has one,
 * inline, segment, as in Storj); a source of exactly n × segmentSize bytes gives n segments.
 */

export type UploadSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

export async function* readSegments(source: UploadSource, segmentSize: number): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(segmentSize) || segmentSize <= 0) {
    throw new RangeError(`segment size must be a positive integer, got ${segmentSize}`);
  }
  if (source instanceof Uint8Array) {
    // Already in memory: hand out views, no copies.
    if (source.length === 0) yield source;
    for (let at = 0; at < source.length; at += segmentSize) yield source.subarray(at, at + segmentSize);
    return;
  }
  let parts: Uint8Array[] = [];
  let buffered = 0;
  let emitted = false;
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    let rest = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk as ArrayBuffer);
    while (buffered + rest.length >= segmentSize) {
      const take = segmentSize - buffered;
      parts.push(rest.subarray(0, take));
      rest = rest.subarray(take);
      yield join(parts, segmentSize);
      emitted = true;
      parts = [];
      buffered = 0;
    }
    if (rest.length > 0) {
      // Copy: a stream may reuse its chunk's memory once we ask for the next one.
      parts.push(new Uint8Array(rest)); // a real copy (a Buffer's slice() is a view)
      buffered += rest.length;
    }
  }
  // The parts left over are our own copies: one needs no joining.
  if (buffered > 0 || !emitted) yield parts.length === 1 ? parts[0] : join(parts, buffered);
}

/** Copies the parts into one segment (the source's chunks may be views of reused memory). */
function join(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
