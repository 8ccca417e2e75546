/**
 * The piece keys of order limits. Every satellite answer that hands out order limits (BeginSegment,
 * RetryBeginSegmentPieces, DownloadSegment) also hands out the piece private key whose public half those limits
 * carry; the uplink signs its orders with it (@dcsim/protocol order-signing.ts). The uplink's MetainfoConnection remembers
 * the key of each limit it receives here, so the piece transfers find it by the limit alone, however the limit
 * travelled (retries, refreshed downloads). Held weakly: a limit forgotten takes its key along.
 */
import { PieceSigner, type AddressedOrderLimit, type OrderLimit } from '@dcsim/protocol';
import { PiecestoreClientError } from './errors.js';

const signers = new WeakMap<OrderLimit, PieceSigner>();

/** Remembers `privateKey` as the key of every limit in `limits`; returns them. */
export function rememberPieceKey<T extends { addressedLimits: AddressedOrderLimit[]; privateKey?: Uint8Array }>(response: T): T {
  if (response.addressedLimits.length === 0 || !response.privateKey?.length) return response;
  const signer = new PieceSigner(response.privateKey);
  for (const addressed of response.addressedLimits) if (addressed.limit) signers.set(addressed.limit, signer);
  return response;
}

/**
 * The signer of orders under `limit`; undefined for a limit that carries no piece key (the satellite's own
 * audit and repair transfers, which no uplink pays for and no order accompanies).
 */
export function orderSigner(limit: OrderLimit): PieceSigner | undefined {
  const signer = signers.get(limit);
  if (!signer && limit.uplinkPublicKey?.length) {
    throw new PiecestoreClientError('no piece key for this order limit: the satellite sent none');
  }
  return signer;
}
