/**
 * The base class of the errors this package throws about connections and peers, as storj/common's
 * `errs.Class` per package: `instanceof ProtocolError` catches any of them. A failed call's gRPC status is
 * an RpcError (rpc-error.ts), which is what crosses the wire, not a ProtocolError.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}
