/**
 * Errors of piece transfers. `PiecestoreClientError` is the package's base class; `PieceError` is one
 * transfer of one piece with one node that failed.
 */
export class PiecestoreClientError extends Error {
  override name = 'PiecestoreClientError';
}

/**
 * One piece transfer with one node failed. `bad` means the node answered with data or a hash that
 * failed verification (as opposed to refusing or being unreachable): worth a log line naming it. A node's
 * refusal is the `cause` (its reason, e.g. ORDER_LIMIT_EXPIRED, by `rpcErrorInfo(err.cause)`).
 */
export class PieceError extends PiecestoreClientError {
  override name = 'PieceError';

  constructor(
    readonly nodeId: string,
    readonly pieceNum: number,
    readonly reason: string,
    readonly bad = false,
    options?: ErrorOptions,
  ) {
    super(`piece ${pieceNum} on node ${nodeId}: ${reason}`, options);
  }
}
