/**
 * Pinging a node back, as Storj's satellite does on every check-in (contact.Service.PingBack): dial the
 * address the node claims, over TLS expecting the node ID it checked in with, and call its PingNode.
 * Success proves the address is reachable and that whoever answers there holds the node's identity key.
 */
import { CHANNEL_OPTIONS, NodeContactClient, rpcErrorInfo, unary, type Transport } from '@dcsim/protocol';

/** Less than a node's own check-in deadline (10 s), so the node hears the outcome. */
export const PING_TIMEOUT_MS = 5_000;
/** Reasons go back to the node and into the log: a line, not a wall of text. */
const MAX_REASON = 200;

export type PingResult = { ok: true } | { ok: false; reason: string };

export async function pingBack(
  transport: Transport,
  nodeId: Uint8Array,
  address: string,
  timeoutMs = PING_TIMEOUT_MS,
): Promise<PingResult> {
  const credentials = transport.client(nodeId);
  const client = new NodeContactClient(address, credentials, CHANNEL_OPTIONS);
  try {
    await unary(client, client.pingNode, {}, timeoutMs);
    return { ok: true };
  } catch (err) {
    // An impostor at the address says who it is; anything else is "no answer".
    const reason = credentials.identityFailure?.message ?? `ping to ${address} failed: ${rpcErrorInfo(err).message}`;
    return { ok: false, reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason };
  } finally {
    client.close();
  }
}
