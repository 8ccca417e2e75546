/**
 * The redundancy scheme of a segment, as Storj's `storj.RedundancyScheme` (storj/common) and
 * `eestream.RedundancyStrategy` (uplink) describe it:
 *
 *   required (k)  pieces needed to rebuild a segment (Reed-Solomon k)
 *   repair        below this many healthy pieces the satellite repairs the segment
 *   optimal       an upload stops once this many pieces are stored (long-tail cancellation)
 *   total (n)     pieces the uplink encodes and tries to upload
 *   shareSize     bytes of one erasure share; a stripe is k shares, a piece holds one share per stripe
 *
 * Rules (satellite `RSConfig.Set`, uplink `NewRedundancyStrategy`, the 8-byte database encoding in
 * `RedundancyScheme.Value`): 1 <= k <= repair <= optimal <= total <= 255, 0 < shareSize < 2^24.
 */
import { ErasureError } from './errors.js';

export interface RedundancyScheme {
  required: number;
  repair: number;
  optimal: number;
  total: number;
  shareSize: number;
}

/**
 * Storj's share size (satellite default `29/35/80/110-256B`, dev default `4/6/8/10-256B`).
 * With k = 29 a stripe is 29 × 256 = 7,424 bytes: exactly one AES-GCM block of the default
 * encryption parameters, which is why uplink's block size is 7,424. For other k the blocks and
 * stripes do not line up, which only costs a ranged read up to one extra stripe at each end.
 * Larger shares would make the stripe gather/scatter a little cheaper, but the kernel already does it
 * in the same pass as Reed-Solomon (see bench/erasure.ts), so we keep Storj's value.
 */
export const DEFAULT_SHARE_SIZE = 256;

/** Storj stores each count in one byte and the share size in three (`RedundancyScheme.Value`). */
export const MAX_TOTAL = 255;
export const MAX_SHARE_SIZE = (1 << 24) - 1;

/** Storj pads every encrypted segment with at least this many bytes (a big-endian uint32 length). */
export const PADDING_TRAILER_SIZE = 4;

export class SchemeError extends ErasureError {
  constructor(message: string) {
    super(message);
    this.name = 'SchemeError';
  }
}

const FIELDS = [
  ['required', 'required (k)'],
  ['repair', 'repair'],
  ['optimal', 'optimal (success)'],
  ['total', 'total (n)'],
] as const;

/** Throws a SchemeError naming the first field that breaks the rules; returns the scheme. */
export function validateScheme(scheme: RedundancyScheme): RedundancyScheme {
  for (const [key, label] of FIELDS) {
    const value = scheme[key];
    if (!Number.isInteger(value)) throw new SchemeError(`${label} must be an integer, got ${value}`);
  }
  if (scheme.required < 1) throw new SchemeError(`required (k) must be at least 1, got ${scheme.required}`);
  for (let i = 1; i < FIELDS.length; i++) {
    const [key, label] = FIELDS[i];
    const [prevKey, prevLabel] = FIELDS[i - 1];
    if (scheme[key] < scheme[prevKey]) {
      throw new SchemeError(`${label} (${scheme[key]}) must be at least ${prevLabel} (${scheme[prevKey]})`);
    }
  }
  if (scheme.total > MAX_TOTAL) throw new SchemeError(`total (n) must be at most ${MAX_TOTAL}, got ${scheme.total}`);
  const size = scheme.shareSize;
  if (!Number.isInteger(size) || size < 1 || size > MAX_SHARE_SIZE) {
    throw new SchemeError(`shareSize must be an integer from 1 to ${MAX_SHARE_SIZE}, got ${size}`);
  }
  return scheme;
}

/**
 * Parses `k/repair/optimal/total`, e.g. `"4/6/8/10"`, or Storj's config form with the share size
 * appended, `"4/6/8/10-256B"`. `shareSize` is used when the text has no suffix; giving both with
 * different values is an error rather than a silent choice.
 */
export function parseScheme(text: string, shareSize?: number): RedundancyScheme {
  const match = /^([^-]*)(?:-(\d+)B?)?$/.exec(text.trim());
  if (!match) throw new SchemeError(`redundancy scheme "${text}" is not of the form k/repair/optimal/total[-sizeB]`);
  const parts = match[1].split('/');
  if (parts.length !== 4) {
    throw new SchemeError(`redundancy scheme "${text}" must have 4 numbers k/repair/optimal/total, got ${parts.length}`);
  }
  const values = parts.map((part, i) => {
    if (!/^\d+$/.test(part.trim())) throw new SchemeError(`${FIELDS[i][1]} in "${text}" is not a number: "${part}"`);
    return Number(part);
  });
  const suffix = match[2] === undefined ? undefined : Number(match[2]);
  if (suffix !== undefined && shareSize !== undefined && suffix !== shareSize) {
    throw new SchemeError(`redundancy scheme "${text}" names share size ${suffix} but ${shareSize} was also given`);
  }
  const [required, repair, optimal, total] = values;
  return validateScheme({ required, repair, optimal, total, shareSize: suffix ?? shareSize ?? DEFAULT_SHARE_SIZE });
}

/** `"k/repair/optimal/total"`; the share size is not part of this form. */
export function formatScheme(scheme: RedundancyScheme): string {
  return `${scheme.required}/${scheme.repair}/${scheme.optimal}/${scheme.total}`;
}

/** Bytes of segment that one round of Reed-Solomon covers: k shares. */
export function stripeSize(scheme: RedundancyScheme): number {
  return scheme.required * scheme.shareSize;
}

/**
 * Stripes an encrypted segment of `segmentSize` bytes occupies once padded. Like Storj's uplink
 * (`encryption.PadReader` before `eestream.EncodeReader2`, and `RedundancyScheme.PieceSize`) the
 * padding is always at least the 4-byte length trailer, so an exactly stripe-sized segment gets
 * one more stripe.
 */
export function stripeCount(segmentSize: number, scheme: RedundancyScheme): number {
  checkSize(segmentSize, 'segment size');
  const stripe = stripeSize(scheme);
  return Math.ceil((segmentSize + PADDING_TRAILER_SIZE) / stripe);
}

/** Size of the padded segment that is erasure coded: whole stripes. */
export function paddedSize(segmentSize: number, scheme: RedundancyScheme): number {
  return stripeCount(segmentSize, scheme) * stripeSize(scheme);
}

/** Size of every piece of a segment: one share per stripe. Equals Storj's `PieceSize`. */
export function pieceSize(segmentSize: number, scheme: RedundancyScheme): number {
  return stripeCount(segmentSize, scheme) * scheme.shareSize;
}

function checkSize(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new ErasureError(`${what} must be a non-negative integer, got ${value}`);
}
