/** Something about the pieces or the segment handed to the codec is wrong. */
export class ErasureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ErasureError';
  }
}

/** Fewer than k pieces were present: the uplink should fetch more before decoding. */
export class NotEnoughPiecesError extends ErasureError {
  constructor(
    readonly present: number,
    readonly required: number,
  ) {
    super(`not enough pieces to rebuild the segment: ${present} present, ${required} required`);
    this.name = 'NotEnoughPiecesError';
  }
}
