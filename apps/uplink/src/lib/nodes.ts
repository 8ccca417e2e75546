/**
 * One Piecestore client per storage node address, reused by every transfer of a Project: gRPC
 * multiplexes the parallel piece streams of all segments over one HTTP/2 connection per node.
 */
import { CHANNEL_OPTIONS, PiecestoreClient, insecure } from '@dcsim/protocol';

export class NodeClients {
  private readonly clients = new Map<string, PiecestoreClient>();

  get(address: string): PiecestoreClient {
    let client = this.clients.get(address);
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
