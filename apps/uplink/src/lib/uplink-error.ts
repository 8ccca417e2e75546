/**
 * The base class of every error the uplink (library and CLI) throws on purpose: `instanceof UplinkError` tells
 * "the uplink said no" from a bug. In a module of its own, so the segment thread can use it without loading
 * gRPC (errors.ts holds the errors themselves).
 */
export class UplinkError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
