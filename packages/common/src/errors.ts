/**
 * The base class of every error this package throws, as storj/common's `errs.Class` per package: callers can
 * catch "anything from @dcsim/common" with `instanceof CommonError`, or one kind with its own class.
 */
export class CommonError extends Error {
  override name = 'CommonError';
}
