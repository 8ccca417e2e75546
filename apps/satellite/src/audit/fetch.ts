/**
 * Fetching bytes of one piece from one node for an audit: a stripe's share (audit) or the whole piece
 * (reverification), over the node's ordinary Piecestore Download with a GET_AUDIT order limit. The result
 * says what the node's answer means for an audit (Storj's verifier classification):
 *
 * - the bytes → kept for the check;
 * - connection refused or dropped (UNAVAILABLE) → offline: the node is not there;
 * - NOT_FOUND (piece missing or expired) → failure: the node lost data it was paid to keep;
 * - no answer before the timeout (DEADLINE_EXCEEDED) → contained: the node is there but does not answer, so
 *   it must prove it has the piece later (reverification) before it is judged;
 * - anything else → unknown.
 * Storj counts any dial failure offline in the audit; here a node that takes the connection and then
 * stays silent (a hung process) times out and is contained, as Storj's reverifier treats a dial timeout.
 */
import { concatBytes } from '@dcsim/common/bytes';
import { nodeIdString } from '@dcsim/common/nodeid';
import { orderSigner } from '@dcsim/piecestore-client';
import {
  CHANNEL_OPTIONS,
  PiecestoreClient,
  Reason,
  rpcErrorInfo,
  status,
  type OrderLimit,
  type PieceDownloadResponse,
  type PieceHash,
  type Transport,
} from '@dcsim/protocol';
import type { NodeRow } from '../db/index.js';

export type FetchProblem = 'offline' | 'failure' | 'contained' | 'unknown';

export type Fetched = { data: Uint8Array; hash: PieceHash | undefined } | { problem: FetchProblem; why: string };

/**
 * One connection per node for a round of audits (Storj keeps a connection pool too): a TLS handshake costs more
 * than a 256-byte share, so each node is dialled once per round, not once per segment.
 */
export class NodeClients {
  private readonly clients = new Map<string, PiecestoreClient>();

  constructor(private readonly transport: Transport) {}

  get(node: NodeRow): PiecestoreClient {
    const key = `${nodeIdString(node.id)}@${node.address}`;
    let client = this.clients.get(key);
    if (!client) this.clients.set(key, (client = new PiecestoreClient(node.address, this.transport.client(node.id), CHANNEL_OPTIONS)));
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

/** Downloads `size` bytes at `offset` of the piece `limit` names (size 0: the whole piece), within `timeoutMs`. */
export async function fetchPieceRange(
  client: PiecestoreClient,
  limit: OrderLimit,
  range: { offset: number; size: number },
  timeoutMs: number,
): Promise<Fetched> {
  // The satellite pays for its own audits: an order for exactly what it asks (the whole piece: the limit).
  const order = orderSigner(limit)?.order(limit, range.size || limit.limit);
  const deadline = new Date(Date.now() + timeoutMs);
  const call = client.download({ limit, offset: range.offset, size: range.size, order }, { deadline });
  const chunks: Uint8Array[] = [];
  let hash: PieceHash | undefined;
  try {
    for await (const message of call as AsyncIterable<PieceDownloadResponse>) {
      hash ??= message.hash;
      chunks.push(message.chunk);
    }
    return { data: concatBytes(...chunks), hash };
  } catch (err) {
    return classify(err);
  } finally {
    call.cancel();
  }
}

function classify(err: unknown): { problem: FetchProblem; why: string } {
  const { code, reason, message } = rpcErrorInfo(err);
  if (code === status.UNAVAILABLE && reason !== Reason.NODE_NOT_READY) return { problem: 'offline', why: message };
  if (code === status.NOT_FOUND) return { problem: 'failure', why: `piece not found (${message})` };
  if (code === status.DEADLINE_EXCEEDED) return { problem: 'contained', why: `no answer in time (${message})` };
  return { problem: 'unknown', why: message };
}
