/**
 * Repairing one segment (Storj's SegmentRepairer.Repair), without ever seeing plaintext: the satellite holds no
 * key, so it works on erasure shares of ciphertext only.
 *
 * 1. Read the segment and its pieces, and classify them (health.ts). Gone, or healthy enough: done.
 * 2. Pick new nodes for the missing redundancy (not current holders, healthy or not; other subnets preferred).
 * 3. Download k pieces from their holders under GET_REPAIR limits, each checked against its node-signed hash.
 * 4. Decode them into the padded *encrypted* segment and encode it again into all n pieces.
 * 5. Upload the piece numbers no healthy piece holds to the new nodes under PUT_REPAIR limits, up to optimal.
 * 6. Swap the segment's piece list in one transaction, only if it is still the one read in step 1
 *    (compare-and-swap): an overwrite or delete meanwhile wins, and the new pieces are queued for deletion.
 *    Pieces on unhealthy nodes leave the segment once it has optimal healthy pieces again, and so do those
 *    whose number a new piece took; all of them are queued for deletion (the node may come back).
 */
import { derivePieceId } from '@dcsim/common/pieceid';
import { nodeIdString } from '@dcsim/common/nodeid';
import { formatBytes } from '@dcsim/common/size';
import { decodeSegment, encodeSegment, type RedundancyScheme } from '@dcsim/erasure';
import type { NodeClients } from '@dcsim/piecestore-client';
import type { Clock } from '@dcsim/process';
import { PieceAction, type AddressedOrderLimit, type UploadMessageWriter } from '@dcsim/protocol';
import type { PieceRow, RemoteSegment, SatelliteDb, SegmentPosition } from '../db/index.js';
import type { Logger } from '../log.js';
import type { OrderSigner } from '../orders.js';
import { nodeKey, type Overlay } from '../overlay.js';
import { classifyPieces, schemeOfSegment, segmentName, type HeldPiece, type SegmentHealth } from './health.js';
import { fetchPieces, storePieces } from './transfer.js';

/** Storj's MaxExcessRateOptimalThreshold: ask for 5 % more nodes than optimal needs, for the long tail. */
const EXCESS_RATE = 0.05;

export interface RepairDeps {
  db: SatelliteDb;
  overlay: Overlay;
  orders: OrderSigner;
  nodes: NodeClients;
  messages: UploadMessageWriter;
  declumping: boolean;
  clock: Clock;
  log: Logger;
}

/** What one repair did. `done`: the segment leaves the queue; otherwise it stays for a later attempt. */
export interface RepairResult {
  segment: string;
  done: boolean;
  outcome: 'repaired' | 'deleted' | 'healthy' | 'irreparable' | 'modified' | 'failed';
  detail: string;
  rebuilt?: { pieceNum: number; nodeId: string; address: string }[];
  bytesDown?: number;
  bytesUp?: number;
}

export async function repairSegment(deps: RepairDeps, position: SegmentPosition): Promise<RepairResult> {
  const { db, overlay } = deps;
  const name = segmentName(position);
  const result = (done: boolean, outcome: RepairResult['outcome'], detail: string): RepairResult => {
    deps.log(outcome === 'repaired' ? `repaired segment ${name}: ${detail}` : `repair of segment ${name}: ${detail}`);
    return { segment: name, done, outcome, detail };
  };
  const segment = db.remoteSegments.get(position);
  if (!segment) return result(true, 'deleted', 'segment was deleted');
  if (segment.expiresAt !== null && segment.expiresAt <= deps.clock.now()) return result(true, 'deleted', 'segment has expired');
  const before = db.remoteSegments.pieces(segment);
  const scheme = schemeOfSegment(segment);
  const health = classifyPieces(before, overlay.nodeHealth(), deps.declumping);
  const healthy = health.healthy.length;
  if (healthy > scheme.repair) return result(true, 'healthy', `segment above repair threshold (${healthy} healthy pieces)`);
  if (health.retrievable.length < scheme.required) {
    return result(
      false,
      'irreparable',
      `irreparable segment: ${health.retrievable.length} pieces retrievable, ${scheme.required} required`,
    );
  }

  const wanted = Math.min(Math.ceil(scheme.optimal * (1 + EXCESS_RATE)), scheme.total) - healthy;
  let newNodes;
  try {
    newNodes = overlay.selectReplacements(
      wanted,
      segment.pieceSize,
      before.map((p) => p.nodeId),
      health.healthy.map((p) => p.node),
    );
  } catch (err) {
    return result(false, 'failed', `no nodes to repair onto: ${(err as Error).message}`);
  }

  const expiry = segment.expiresAt === null ? undefined : new Date(segment.expiresAt);
  const getLimits = deps.orders.repairLimits(PieceAction.GET_REPAIR, segment.rootPieceId, health.retrievable, segment.pieceSize, expiry);
  const fetched = await fetchPieces(deps.nodes, getLimits, scheme.required, segment.pieceSize);
  if (fetched.pieces.size < scheme.required) {
    const why = fetched.failures.map((f) => f.message).join('; ');
    return result(false, 'irreparable', `could not acquire enough pieces: ${fetched.pieces.size} of ${scheme.required} (${why})`);
  }
  const all = rebuild(fetched.pieces, scheme, segment.encryptedSize);

  const free = freeNumbers(health, scheme.total).slice(0, newNodes.length);
  const placements = free.map((pieceNum, i) => ({ pieceNum, node: newNodes[i] }));
  const putLimits = deps.orders.repairLimits(PieceAction.PUT_REPAIR, segment.rootPieceId, placements, segment.pieceSize, expiry);
  const { stored, failures } = await storePieces(deps.nodes, putLimits, all, scheme.optimal - healthy, deps.messages);
  if (stored.length === 0) {
    return result(false, 'failed', `repair to all nodes failed: ${failures.map((f) => f.message).join('; ')}`);
  }

  const outcome = swap(deps, segment, before, health, stored, scheme);
  if (!outcome.swapped) return result(true, 'modified', 'segment modified during repair: its new pieces are queued for deletion');
  const rebuilt = stored.map((l) => ({ pieceNum: l.pieceNum, nodeId: nodeIdString(l.limit!.storageNodeId), address: l.address }));
  const bytesDown = fetched.pieces.size * segment.pieceSize;
  const bytesUp = stored.length * segment.pieceSize;
  const detail =
    `rebuilt piece(s) ${rebuilt.map((r) => `${r.pieceNum} onto ${r.nodeId} (${r.address})`).join(', ')}; ` +
    `healthy ${healthy} → ${healthy + stored.length} of ${scheme.total}` +
    (outcome.removed > 0 ? `, ${outcome.removed} piece(s) on unhealthy nodes dropped` : '') +
    `; moved ${formatBytes(bytesDown)} down from ${fetched.pieces.size} node(s), ${formatBytes(bytesUp)} up`;
  return { ...result(true, 'repaired', detail), rebuilt, bytesDown, bytesUp };
}

/** All n pieces again, from k: decode into the padded encrypted segment, then encode it once more. */
function rebuild(pieces: Map<number, Uint8Array>, scheme: RedundancyScheme, encryptedSize: number): Uint8Array[] {
  const slots: (Uint8Array | undefined)[] = new Array(scheme.total).fill(undefined);
  for (const [num, data] of pieces) slots[num] = data;
  return encodeSegment(decodeSegment(slots, scheme, encryptedSize), scheme);
}

/** Piece numbers no healthy piece holds, lowest first: lost numbers are reused, as in Storj. */
function freeNumbers(health: SegmentHealth, total: number): number[] {
  const kept = new Set(health.healthy.map((p) => p.pieceNum));
  return Array.from({ length: total }, (_, i) => i).filter((i) => !kept.has(i));
}

/**
 * The compare-and-swap of step 6, with the piece deletions it implies queued in the same transaction. Unhealthy
 * pieces leave once the segment is back at optimal; below that, only those whose number a new piece took (Storj
 * keeps the others, in case their nodes return).
 */
function swap(
  deps: RepairDeps,
  segment: RemoteSegment,
  before: PieceRow[],
  health: SegmentHealth,
  stored: AddressedOrderLimit[],
  scheme: RedundancyScheme,
): { swapped: boolean; removed: number } {
  const { db } = deps;
  const now = deps.clock.now();
  const healthyNodes = new Set(health.healthy.map((p: HeldPiece) => nodeKey(p.nodeId)));
  const taken = new Set(stored.map((l) => l.pieceNum));
  const atOptimal = health.healthy.length + stored.length >= scheme.optimal;
  const remove = before.filter((p) => !healthyNodes.has(nodeKey(p.nodeId)) && (atOptimal || taken.has(p.pieceNum)));
  const add = stored.map((l) => ({ pieceNum: l.pieceNum, nodeId: l.limit!.storageNodeId }));
  const queue = (pieces: PieceRow[]) => {
    for (const p of pieces) db.pieceDeletions.queue(p.nodeId, derivePieceId(segment.rootPieceId, p.nodeId, p.pieceNum), now);
  };
  return db.transaction(() => {
    if (!db.remoteSegments.swapPieces(segment, segment.rootPieceId, before, remove, add)) {
      queue(add);
      return { swapped: false, removed: 0 };
    }
    queue(remove);
    for (const p of add) db.nodes.recordStoredPiece(p.nodeId, segment.pieceSize);
    return { swapped: true, removed: remove.length };
  });
}
