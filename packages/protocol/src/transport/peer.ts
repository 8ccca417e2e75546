/**
 * Who is at the other end of a TLS connection: the node ID the peer's certificate chain proves
 * (@dcsim/identity verifyPeerChain), compared with the node ID the caller expected.
 */
import type { TLSSocket } from 'node:tls';
import { equalBytes } from '@dcsim/common/bytes';
import { joinHostPort } from '@dcsim/common/hostport';
import { nodeIdString } from '@dcsim/common/nodeid';
import { PeerChainError, verifyPeerChain } from '@dcsim/identity';
import { ProtocolError } from '../errors.js';

/** The peer is not the node the caller meant to reach. */
export class PeerIdentityError extends ProtocolError {
  override name = 'PeerIdentityError';
  constructor(
    readonly expected: Uint8Array,
    readonly address: string,
    /** The node ID the peer proved, or undefined if its chain proves none. */
    readonly actual: Uint8Array | undefined,
    reason?: string,
  ) {
    super(
      actual
        ? `identity mismatch: expected node ${nodeIdString(expected)}, the peer at ${address} is ${nodeIdString(actual)}`
        : `identity mismatch: expected node ${nodeIdString(expected)}, the peer at ${address} proves no identity (${reason})`,
    );
  }
}

/** host:port of the peer, as the message names it. */
function peerAddress(socket: TLSSocket): string {
  return joinHostPort(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
}

/** Throws PeerIdentityError unless the peer's chain proves node ID `expected`. */
export function checkPeer(socket: TLSSocket, expected: Uint8Array): void {
  // Node links each certificate to its issuer among those the peer sent: the leaf, then its CA.
  const leaf = socket.getPeerCertificate(true);
  let actual: Uint8Array;
  try {
    actual = verifyPeerChain(leaf?.raw, leaf?.issuerCertificate?.raw);
  } catch (err) {
    if (err instanceof PeerChainError) throw new PeerIdentityError(expected, peerAddress(socket), undefined, err.message);
    throw err;
  }
  if (!equalBytes(actual, expected)) throw new PeerIdentityError(expected, peerAddress(socket), actual);
}
