/**
 * The piece layout, as in Storj's eestream: the padded segment is cut into stripes of k shares
 * (stripe s = segment bytes [s × stripeSize, (s+1) × stripeSize), share i = its i-th shareSize
 * bytes), and piece i is share i of stripe 0, then share i of stripe 1, and so on. Stripe s thus
 * sits at bytes [s × shareSize, (s+1) × shareSize) of every piece, so a byte range of the segment
 * maps to a run of stripes and to the same byte range of each piece.
 *
 * The Reed-Solomon engine codes column-wise over contiguous shards. For a run of stripes, data
 * shard i is exactly piece i's bytes for that run, so one gather (share i of every stripe, in
 * order) turns a run of stripes into k shards that the engine encodes in a single call, with the
 * same result as encoding stripe by stripe.
 */

/** Copies share i of each stripe in the run [first, first + count) to `shards[i]`. */
export function gatherShares(
  stripeAt: (stripe: number) => Uint8Array,
  first: number,
  count: number,
  shareSize: number,
  shards: Uint8Array[],
): void {
  for (let j = 0; j < count; j++) {
    const stripe = stripeAt(first + j);
    const at = j * shareSize;
    for (let i = 0; i < shards.length; i++) {
      shards[i].set(stripe.subarray(i * shareSize, (i + 1) * shareSize), at);
    }
  }
}

/**
 * The inverse: writes the run's stripes, taken from the k data shards, into `out`, which stands
 * for padded-segment bytes [outStart, outStart + out.length). Bytes outside that window (padding,
 * or the rest of the stripes around a ranged read) are dropped.
 */
export function scatterShares(
  shards: Uint8Array[],
  first: number,
  count: number,
  shareSize: number,
  out: Uint8Array,
  outStart: number,
): void {
  const stripeSize = shards.length * shareSize;
  const outEnd = outStart + out.length;
  for (let j = 0; j < count; j++) {
    const stripeStart = (first + j) * stripeSize;
    if (stripeStart >= outEnd) return;
    if (stripeStart + stripeSize <= outStart) continue;
    const from = j * shareSize;
    for (let i = 0; i < shards.length; i++) {
      const shareStart = stripeStart + i * shareSize;
      const lo = Math.max(shareStart, outStart);
      const hi = Math.min(shareStart + shareSize, outEnd);
      if (lo < hi) out.set(shards[i].subarray(from + lo - shareStart, from + hi - shareStart), lo - outStart);
    }
  }
}

/** Views of `count` equal shards of `shardSize` bytes laid back to back in `buffer`. */
export function shardViews(buffer: Uint8Array, count: number, shardSize: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => buffer.subarray(i * shardSize, (i + 1) * shardSize));
}
