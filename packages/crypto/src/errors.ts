/**
 * The base class of every error this package throws, as storj/common's `errs.Class` per package: callers can
 * catch "anything from @dcsim/crypto" with `instanceof CryptoError`, or one kind with its own class.
 * Messages name what failed, never a key or plaintext.
 */
export class CryptoError extends Error {
  override name = 'CryptoError';
}
