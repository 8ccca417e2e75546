/**
 * The base class of the testnet tool's errors (bad flags, a process that would not start, a busy port...),
 * so `instanceof TestnetError` tells them from bugs.
 */
export class TestnetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
