/**
 * Server side: grpc-js builds its HTTP/2 server from these credentials (`http2.createSecureServer` with the
 * constructor options, then the secure-context options), so TLS 1.3 with this process's chain is the only
 * way in: a plaintext client's bytes are not a TLS handshake and get nothing.
 *
 * Clients present their chains too (`requestCert`), as in Storj; grpc-js shows a handler a client certificate
 * only if OpenSSL authorized it against a CA, which no dcsim certificate is, so servers do not read them:
 * whatever a server must know about a caller is signed (check-ins, order limits).
 */
import { ServerCredentials } from '@grpc/grpc-js';
import type { TlsChain } from '@dcsim/identity';
import { TLS_CIPHERS, TLS_VERSION } from './tls-options.js';

export class PeerServerCredentials extends ServerCredentials {
  constructor(local: TlsChain) {
    super(
      { requestCert: true, rejectUnauthorized: false },
      { key: local.key, cert: local.cert, minVersion: TLS_VERSION, ciphers: TLS_CIPHERS },
    );
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}
