/**
 * NodeContact.PingNode: the satellite calls it at the address this node checked in with, over TLS expecting
 * this node's ID, before it selects the node (Storj's storagenode/contact endpoint). Answering proves the
 * address reaches this node; the TLS handshake proves the key. Storj's node also checks that the caller is
 * its satellite; grpc-js does not show handlers the caller's certificate (transport/server.ts), and a ping
 * tells a caller nothing the handshake has not already shown (this node's ID), so anyone may ping.
 */
import { unaryHandler, type NodeContactServer } from '@dcsim/protocol';

export function nodeContactService(): NodeContactServer {
  return { pingNode: unaryHandler(() => ({})) };
}
