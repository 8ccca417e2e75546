/**
 * The base class of every error this package throws, as storj/common's `errs.Class` per package: callers can
 * catch "anything from @dcsim/process" with `instanceof ProcessError`, or one kind with its own class.
 */
export class ProcessError extends Error {
  override name = 'ProcessError';
}
