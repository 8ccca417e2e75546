/**
 * The base class of the storage node's own errors (bad settings, an untrusted satellite key), so
 * `instanceof StorageNodeError` tells them from bugs. What it answers clients are RpcErrors with a
 * reason (@dcsim/protocol).
 */
export class StorageNodeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
