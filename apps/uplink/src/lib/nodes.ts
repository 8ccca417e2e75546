/**
 * One Piecestore client per storage node, reused by every transfer of a Project: gRPC multiplexes the
 * parallel piece streams of all segments over one HTTP/2 connection per node. A client is for one node ID
 * at one address: its TLS connection must prove that ID (the one in the order limit), so a process answering
 * at the address with another key gets nothing, and that piece transfer fails as one lost piece.
 */
import { nodeIdString } from '@dcsim/identity';
import { CHANNEL_OPTIONS, PiecestoreClient, type Transport } from '@dcsim/protocol';
import { connectivityState } from '@grpc/grpc-js';

export class NodeClients {
  private readonly clients = new Map<string, PiecestoreClient>();

  constructor(private readonly transport: Transport) {}

  get(nodeId: Uint8Array, address: string): PiecestoreClient {
    const key = `${nodeIdString(nodeId)}@${address}`;
    let client = this.clients.get(key);
    // A channel whose connection failed waits out gRPC's reconnect backoff (growing to minutes) and fails every
    // call meanwhile, even once the node is back. Storj dials afresh for every transfer: so does a failed one here.
    if (client && client.getChannel().getConnectivityState(false) === connectivityState.TRANSIENT_FAILURE) {
      client.close();
      client = undefined;
    }
    if (!client) {
      client = new PiecestoreClient(address, this.transport.client(nodeId), CHANNEL_OPTIONS);
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
