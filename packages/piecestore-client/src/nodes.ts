/**
 * One Piecestore client per storage node, reused by every transfer of a Project: gRPC multiplexes the
 * parallel piece streams of all segments over one HTTP/2 connection per node. A client is for one node ID
 * at one address: its TLS connection must prove that ID (the one in the order limit), so a process answering
 * at the address with another key gets nothing, and that piece transfer fails as one lost piece.
 */
import { nodeIdString } from '@dcsim/common/nodeid';
import { CHANNEL_OPTIONS, PiecestoreClient, status, type PeerChannelCredentials, type Transport } from '@dcsim/protocol';
import { connectivityState, type ServiceError } from '@grpc/grpc-js';

/** The connection to one node: its Piecestore client, and why a transfer over it failed. */
export class NodeClient {
  readonly piecestore: PiecestoreClient;

  constructor(
    address: string,
    private readonly credentials: PeerChannelCredentials,
  ) {
    this.piecestore = new PiecestoreClient(address, credentials, CHANNEL_OPTIONS);
  }

  /** The connection failed and gRPC would wait out its reconnect backoff before trying again. */
  get failed(): boolean {
    return this.piecestore.getChannel().getConnectivityState(false) === connectivityState.TRANSIENT_FAILURE;
  }

  /**
   * A short reason for a failed transfer, for reports and errors. grpc-js says only UNAVAILABLE "No connection
   * established. Last error: ..." for a peer that proved another identity; the credentials know it was that.
   */
  describe(err: unknown): string {
    const e = err as Partial<ServiceError> | undefined;
    if (e?.code === status.UNAVAILABLE) {
      const impostor = this.credentials.identityFailure;
      if (impostor) return impostor.message;
      // Errors of the local socket, as grpc-js words them: which one decides nothing, it only reads better.
      if (/ECONNREFUSED/.test(e.details ?? '')) return 'node unreachable (connection refused)';
      if (/ECONNRESET|EPIPE|Connection dropped/i.test(e.details ?? '')) return 'node unreachable (connection lost)';
      if (/No connection established/i.test(e.details ?? '')) return 'node unreachable (no connection)';
    }
    if (e && typeof e.code === 'number') return e.details || e.message || `gRPC status ${e.code}`;
    return err instanceof Error ? err.message : String(err);
  }

  close(): void {
    this.piecestore.close();
  }
}

export class NodeClients {
  private readonly clients = new Map<string, NodeClient>();

  constructor(private readonly transport: Transport) {}

  get(nodeId: Uint8Array, address: string): NodeClient {
    const key = `${nodeIdString(nodeId)}@${address}`;
    let client = this.clients.get(key);
    // A channel whose connection failed waits out gRPC's reconnect backoff (growing to minutes) and fails every
    // call meanwhile, even once the node is back. Storj dials afresh for every transfer: so does a failed one here.
    if (client?.failed) {
      client.close();
      client = undefined;
    }
    if (!client) {
      client = new NodeClient(address, this.transport.client(nodeId));
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
