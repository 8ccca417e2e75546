/**
 * Who a TLS peer is: the node ID its certificate chain proves. As Storj's VerifyPeerCertChains and
 * PeerIdentityFromChain: the leaf must be signed by the CA, the CA by itself, and the node ID is the hash of
 * the CA's public key. No certificate authority vouches for anyone; the caller compares the ID with the one
 * it expected (from a node URL, an order limit, a check-in). The TLS handshake itself proved that the peer
 * holds the leaf's private key.
 */
import { X509Certificate } from 'node:crypto';
import { equalBytes } from '@dcsim/common/bytes';
import { IdentityError } from './errors.js';
import { nodeIdFromPublicKey, rawPublicKey } from './identity.js';

export class PeerChainError extends IdentityError {
  override name = 'PeerChainError';
}

/** Returns the node ID that the chain [leaf, CA] (DER) proves, or throws PeerChainError saying what is wrong. */
export function verifyPeerChain(leafDer: Uint8Array | undefined, caDer: Uint8Array | undefined): Uint8Array {
  if (!leafDer || !caDer) throw new PeerChainError('the peer sent no certificate chain');
  const leaf = parse(leafDer, 'leaf');
  const ca = parse(caDer, 'CA');
  if (leaf.ca || equalBytes(leafDer, caDer)) {
    throw new PeerChainError('the peer sent a chain of one certificate: a leaf and its CA are needed');
  }
  if (!ca.ca) throw new PeerChainError('the CA certificate of the peer is not a CA');
  if (ca.publicKey.asymmetricKeyType !== 'ed25519')
    throw new PeerChainError(`the peer's CA key is ${ca.publicKey.asymmetricKeyType}, not Ed25519`);
  if (!signedBy(ca, ca)) throw new PeerChainError('the CA certificate of the peer is not self-signed');
  if (!signedBy(leaf, ca)) throw new PeerChainError('the leaf certificate of the peer is not signed by its CA');
  return nodeIdFromPublicKey(rawPublicKey(ca.publicKey));
}

function parse(der: Uint8Array, which: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (err) {
    throw new PeerChainError(`the ${which} certificate of the peer does not parse: ${(err as Error).message}`);
  }
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
