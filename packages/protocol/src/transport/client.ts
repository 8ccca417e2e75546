/**
 * Client side: gRPC channel credentials that dial TLS with this process's certificate chain and accept the
 * peer only if its chain proves the node ID the caller expected, as Storj's dialer does (tls.Config with
 * InsecureSkipVerify and a VerifyPeerCertificate that checks the chain and the ID).
 *
 * grpc-js lets a ChannelCredentials subclass do the handshake itself (`_createSecureConnector`). OpenSSL's own
 * chain check is off (`rejectUnauthorized: false`): no certificate authority vouches for dcsim's peers, and
 * Node skips `checkServerIdentity` when that check fails, so the ID is checked here, on secureConnect.
 */
import type { Socket } from 'node:net';
import { connect } from 'node:tls';
import { CallCredentials, ChannelCredentials, type experimental } from '@grpc/grpc-js';
import type { TlsChain } from '@dcsim/identity';
import { ProtocolError } from '../errors.js';
import { checkPeer, PeerIdentityError } from './peer.js';
import { ALPN, TLS_CIPHERS, TLS_VERSION } from './tls-options.js';

/** A peer that accepts the connection but never completes the handshake is given up on after this. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export class PeerChannelCredentials extends ChannelCredentials {
  private lastIdentityFailure: PeerIdentityError | undefined;

  /** `local` undefined: the plaintext benchmark baseline (baseline.ts), no TLS at all. */
  constructor(
    private readonly local: TlsChain | undefined,
    /** The node ID the peer must prove. */
    readonly expected: Uint8Array,
  ) {
    super();
  }

  /**
   * Why the last connection attempt was refused, if it was the peer's identity; cleared by the next
   * connection that verifies. grpc-js reports a failed handshake only as UNAVAILABLE "No connection
   * established. Last error: ...", so callers ask here to tell an impostor from an unreachable node.
   */
  get identityFailure(): PeerIdentityError | undefined {
    return this.lastIdentityFailure;
  }

  _isSecure(): boolean {
    return this.local !== undefined;
  }

  _equals(other: ChannelCredentials): boolean {
    return other === this;
  }

  _createSecureConnector(_target: unknown, _options: unknown, callCredentials?: CallCredentials): experimental.SecureConnector {
    const calls = callCredentials ?? CallCredentials.createEmpty();
    return {
      connect: (socket) => (this.local ? this.handshake(socket, this.local) : Promise.resolve({ socket, secure: false })),
      waitForReady: () => Promise.resolve(),
      getCallCredentials: () => calls,
      destroy: () => undefined,
    };
  }

  private handshake(socket: Socket, local: TlsChain): Promise<experimental.SecureConnectResult> {
    return new Promise((resolve, reject) => {
      const tls = connect({
        socket,
        key: local.key,
        cert: local.cert,
        rejectUnauthorized: false,
        minVersion: TLS_VERSION,
        ciphers: TLS_CIPHERS,
        ALPNProtocols: ALPN,
      });
      const fail = (err: Error) => {
        stopWatching();
        tls.on('error', () => undefined); // whatever the dying socket still reports, `err` says why it died
        tls.destroy();
        reject(err);
      };
      const closed = () => fail(new ProtocolError('the peer closed the connection during the TLS handshake'));
      const timedOut = () => fail(new ProtocolError(`no TLS handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s`));
      // Once the handshake is done, the connection is grpc-js's: it may idle, and its errors are grpc-js's to handle.
      const stopWatching = () => {
        tls.setTimeout(0);
        tls.removeListener('timeout', timedOut).removeListener('close', closed).removeListener('error', fail);
      };
      tls.once('error', fail);
      tls.once('close', closed);
      tls.setTimeout(HANDSHAKE_TIMEOUT_MS).once('timeout', timedOut);
      tls.once('secureConnect', () => {
        stopWatching();
        try {
          checkPeer(tls, this.expected);
        } catch (err) {
          if (err instanceof PeerIdentityError) this.lastIdentityFailure = err;
          return fail(err as Error);
        }
        this.lastIdentityFailure = undefined;
        resolve({ socket: tls, secure: true });
      });
    });
  }
}
