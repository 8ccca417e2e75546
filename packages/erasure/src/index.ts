export {
  type RedundancyScheme,
  SchemeError,
  DEFAULT_SHARE_SIZE,
  MAX_TOTAL,
  MAX_SHARE_SIZE,
  PADDING_TRAILER_SIZE,
  validateScheme,
  parseScheme,
  formatScheme,
  stripeSize,
  stripeCount,
  paddedSize,
  pieceSize,
} from './scheme.js';
export { type EncodedRun, type PieceRange, encodeSegment, encodeRuns, decodeSegment, pieceRange, decodeRange } from './codec.js';
export { ErasureError, TooFewPiecesError } from './errors.js';
export { type CorrectedStripe, TooManyErrorsError, correctStripe } from './correct.js';
