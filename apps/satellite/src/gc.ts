/**
 * Garbage collection, the satellite's half (Storj's satellite/gc: the bloomfilter observer and the sender). A
 * piece a node missed the delete of (it was down) stays on its disk; so does a piece of an upload that was never
 * committed. Instead of tracking each, the satellite tells every node what to keep: a bloom filter of every piece
 * ID the node should hold as of a creation time, signed and sent with Retain. The node trashes what is older and
 * not in the filter (apps/storagenode/src/retain.ts).
 *
 * Storj builds the filters from a database snapshot and dates them with the newest segment in it; dcsim reads its
 * live database inside one read transaction (a consistent snapshot) and dates the filters with the satellite's clock
 * when it began. Pieces of segment uploads under way (pending segments) are added too: they may be committed later.
 * As in Storj, a node with no piece to keep gets no filter (an empty filter would trash everything it has).
 */
import { BloomFilter, DEFAULT_FALSE_POSITIVE_RATE, DEFAULT_MAX_FILTER_BYTES } from '@dcsim/common/bloomfilter';
import { nodeIdString } from '@dcsim/common/nodeid';
import { derivePieceId } from '@dcsim/common/pieceid';
import { shortNodeId } from '@dcsim/common/short';
import type { Identity } from '@dcsim/identity';
import type { Clock } from '@dcsim/process';
import { CHANNEL_OPTIONS, PiecestoreClient, rpcErrorInfo, signRetainRequest, unary, type Transport } from '@dcsim/protocol';
import type { SatelliteDb } from './db/index.js';
import type { Logger } from './log.js';

/** Storj's `RetainSendTimeout`. */
const RETAIN_TIMEOUT_MS = 60_000;

/** One node's filter: the pieces it should hold as of `createdAt`. */
export interface NodeFilter {
  nodeId: Uint8Array;
  filter: BloomFilter;
  pieceCount: number;
}

export interface GcDeps {
  db: SatelliteDb;
  identity: Identity;
  transport: Transport;
  clock: Clock;
  log: Logger;
}

/** Every node's filter, built in one read transaction so that it sees one state of the segments. */
export function buildFilters(db: SatelliteDb, falsePositiveRate = DEFAULT_FALSE_POSITIVE_RATE): NodeFilter[] {
  return db.sql.transaction(() => {
    const pending = db.pendingSegments.all();
    const counts = new Map<string, number>();
    const count = (nodeId: Uint8Array, n = 1) => counts.set(hex(nodeId), (counts.get(hex(nodeId)) ?? 0) + n);
    for (const { nodeId, count: n } of db.segments.piecesPerNode()) count(nodeId, n);
    for (const segment of pending) for (const nodeId of segment.nodeIds) count(nodeId);

    const filters = new Map<string, NodeFilter>();
    for (const node of db.nodes.all()) {
      const pieceCount = counts.get(hex(node.id)) ?? 0;
      if (pieceCount === 0) continue;
      const filter = BloomFilter.optimal(pieceCount, falsePositiveRate, DEFAULT_MAX_FILTER_BYTES);
      filters.set(hex(node.id), { nodeId: node.id, filter, pieceCount });
    }
    const add = (rootPieceId: Uint8Array, nodeId: Uint8Array, pieceNum: number) =>
      filters.get(hex(nodeId))?.filter.add(derivePieceId(rootPieceId, nodeId, pieceNum));
    for (const p of db.segments.allPieces()) add(p.rootPieceId, p.nodeId, p.pieceNum);
    for (const segment of pending) segment.nodeIds.forEach((nodeId, pieceNum) => add(segment.rootPieceId, nodeId, pieceNum));
    return [...filters.values()];
  })();
}

/**
 * The `gc` chore: builds every node's filter and sends it. A node that cannot be reached gets it at the next run
 * (a newer filter replaces an older one anyway). Returns one line per node.
 */
export async function collectGarbage({ db, identity, transport, clock, log }: GcDeps): Promise<string> {
  const createdAt = clock.date();
  const filters = buildFilters(db);
  if (filters.length === 0) return 'no node holds pieces: no filters sent';
  const lines = await Promise.all(
    filters.map(async ({ nodeId, filter, pieceCount }) => {
      const node = db.nodes.get(nodeId);
      const name = `node ${shortNodeId(nodeId)}`;
      const bytes = filter.bytes();
      const what = `${pieceCount} piece(s) in a ${bytes.length}-byte filter (${filter.hashCount} hashes, seed ${filter.seed})`;
      if (!node) return `${name}: not sent: unknown node`;
      const request = signRetainRequest(identity, {
        creationDate: createdAt,
        filter: bytes,
        storageNodeId: nodeId,
        satelliteSignature: new Uint8Array(0),
      });
      const client = new PiecestoreClient(node.address, transport.client(node.id), CHANNEL_OPTIONS);
      try {
        await unary(client, client.retain, request, RETAIN_TIMEOUT_MS);
        log(`gc: sent node ${nodeIdString(nodeId)} ${what}, keep-list as of ${createdAt.toISOString()}`);
        return `${name}: sent ${what}`;
      } catch (err) {
        const message = rpcErrorInfo(err).message;
        log(`gc: could not send node ${nodeIdString(nodeId)} its filter: ${message}`);
        return `${name}: not sent (${message}): ${what}`;
      } finally {
        client.close();
      }
    }),
  );
  return lines.join('\n');
}

function hex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}
