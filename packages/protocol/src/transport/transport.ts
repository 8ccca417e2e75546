/**
 * A process's transport: its TLS certificate chain (issued once per start from its identity, or from a
 * throwaway identity for uplinks, as Storj's uplinks do) and the gRPC credentials made from it.
 *
 *   const transport = Transport.of(identity);
 *   bindServer(server, address, transport.server());
 *   new MetainfoClient(address, transport.client(satelliteId));   // refuses any peer but satelliteId
 */
import { ServerCredentials } from '@grpc/grpc-js';
import { generateIdentity, issueTlsChain, type Identity, type TlsChain } from '@dcsim/identity';
import { plaintextBaseline } from './baseline.js';
import { PeerChannelCredentials } from './client.js';
import { PeerServerCredentials } from './server.js';

export class Transport {
  private constructor(
    /** undefined only in the plaintext benchmark baseline. */
    private readonly chain: TlsChain | undefined,
  ) {}

  /** The transport of a satellite or storage node: its identity's CA signs a fresh leaf. */
  static of(identity: Identity): Transport {
    return new Transport(plaintextBaseline() ? undefined : issueTlsChain(identity));
  }

  /** A client-only process (uplink, gateway): an identity made for this process and thrown away after. */
  static ephemeral(): Transport {
    return Transport.of(generateIdentity());
  }

  /** True when DCSIM_PLAINTEXT_BASELINE made this transport plaintext (benchmarks only; processes say so in their log). */
  get plaintext(): boolean {
    return this.chain === undefined;
  }

  /** Credentials for channels to the node whose ID is `expected`: any other peer is refused. */
  client(expected: Uint8Array): PeerChannelCredentials {
    return new PeerChannelCredentials(this.chain, expected);
  }

  /** Credentials for this process's gRPC server. */
  server(): ServerCredentials {
    return this.chain ? new PeerServerCredentials(this.chain) : ServerCredentials.createInsecure();
  }
}
