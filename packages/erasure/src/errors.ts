/**
 * The base class of every error this package throws (storj/common's `errs.Class` per package): something
 * about the pieces, the segment or the scheme handed to it is wrong.
 */
export class ErasureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ErasureError';
  }
}

/** Fewer than k pieces were present: the uplink should fetch more before decoding. */
export class TooFewPiecesError extends ErasureError {
  constructor(
    readonly present: number,
    readonly required: number,
  ) {
    super(`not enough pieces to rebuild the segment: ${present} present, ${required} required`);
    this.name = 'TooFewPiecesError';
  }
}
