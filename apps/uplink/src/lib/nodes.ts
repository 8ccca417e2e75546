/**
 * One Piecestore client per storage node address, reused by every transfer of a Project: gRPC
 * multiplexes the parallel piece streams of all segments over one HTTP/2 connection per node.
 */
import { CHANNEL_OPTIONS, PiecestoreClient, insecure } from '@dcsim/protocol';
import { connectivityState } from '@grpc/grpc-js';

export class NodeClients {
  private readonly clients = new Map<string, PiecestoreClient>();

  get(address: string): PiecestoreClient {
    let client = this.clients.get(address);
    // A channel whose connection failed waits out gRPC's reconnect backoff (growing to minutes) and fails every
    // call meanwhile, even once the node is back. Storj dials afresh for every transfer: so does a failed one here.
    if (client && client.getChannel().getConnectivityState(false) === connectivityState.TRANSIENT_FAILURE) {
      client.close();
      client = undefined;
    }
    if (!client) {
      client = new PiecestoreClient(address, insecure(), CHANNEL_OPTIONS);
      this.clients.set(address, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
