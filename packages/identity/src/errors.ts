/**
 * The base class of every error this package throws, as storj/common's `errs.Class` per package: callers can
 * catch "anything from @dcsim/identity" with `instanceof IdentityError`, or one kind with its own class.
 */
export class IdentityError extends Error {
  override name = 'IdentityError';
}
