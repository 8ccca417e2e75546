/**
 * Cutting the bytes of an upload into segments, reading the source one segment at a time so an
 * object of any size needs only about one segment of memory. Every segment but the last has exactly
 * `segmentSize` bytes; an empty source gives one empty segment (an empty object still has one,
 * inline, segment, as in Storj); a source of exactly n × segmentSize bytes gives n segments.
 */

export type UploadSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

/**
 * `allocate(segmentSize)` gives the memory a segment is copied into; the uploader hands back segments
 * the encoder is done with, since filling mapped memory is several times faster than fresh memory.
 */
export async function* readSegments(
  source: UploadSource,
  segmentSize: number,
  allocate: (size: number) => Uint8Array = (size) => new Uint8Array(size),
): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(segmentSize) || segmentSize <= 0) {
    throw new RangeError(`segment size must be a positive integer, got ${segmentSize}`);
  }
  if (source instanceof Uint8Array) {
    // Already in memory: hand out views, no copies.
    if (source.length === 0) yield source;
    for (let at = 0; at < source.length; at += segmentSize) yield source.subarray(at, at + segmentSize);
    return;
  }
  // Chunks are copied straight into the segment: a stream may reuse a chunk's memory once we ask for
  // the next one. The segment's memory is only reserved here; pages are mapped as they are filled.
  let segment: Uint8Array | undefined;
  let filled = 0;
  let emitted = false;
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    let rest = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk as ArrayBuffer);
    while (rest.length > 0) {
      segment ??= allocate(segmentSize);
      const take = Math.min(segmentSize - filled, rest.length);
      segment.set(rest.subarray(0, take), filled);
      filled += take;
      rest = rest.subarray(take);
      if (filled === segmentSize) {
        yield segment;
        emitted = true;
        segment = undefined;
        filled = 0;
      }
    }
  }
  // The last segment gets memory of its own size (a copy), so it too can move to the encoder whole.
  if (filled > 0 || !emitted) yield segment ? segment.slice(0, filled) : new Uint8Array(0);
}
