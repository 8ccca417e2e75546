/**
 * How healthy a segment is (Storj's repair.ClassifySegmentPieces, reduced to what dcsim has):
 * - a piece on a node the overlay calls healthy (overlay.isHealthy) is **retrievable**;
 * - a retrievable piece is **healthy** unless it is **clumped**: a later piece in a /24 that already holds one of
 *   the segment's pieces (one operator's machines failing together must not take many pieces with them). That
 *   rule is on with `declumping`; it is off by default because on one machine every node is 127.0.0.1 and every
 *   piece after the first would be clumped (Storj's dev setting does the same: every ip:port is its own network);
 * - every other piece (node offline, failed its last ping, unknown) is **missing**.
 */
import type { NodeRow, PieceRow, RemoteSegment } from '../db/index.js';
import type { RedundancyScheme } from '@dcsim/erasure';
import { nodeKey, subnetOf } from '../overlay.js';

/** A piece with the node that holds it. */
export interface HeldPiece extends PieceRow {
  node: NodeRow;
}

export interface SegmentHealth {
  /** Count toward the segment's redundancy. */
  healthy: HeldPiece[];
  /** Can be downloaded: the healthy pieces, then the clumped ones. */
  retrievable: HeldPiece[];
  /** On nodes that are offline, failed their last ping or are unknown. */
  missing: PieceRow[];
  clumped: HeldPiece[];
}

export type NodeHealth = Map<string, { node: NodeRow; healthy: boolean }>;

export function classifyPieces(pieces: PieceRow[], nodes: NodeHealth, declumping: boolean): SegmentHealth {
  const health: SegmentHealth = { healthy: [], retrievable: [], missing: [], clumped: [] };
  const subnets = new Set<string>();
  for (const piece of pieces) {
    const known = nodes.get(nodeKey(piece.nodeId));
    // Offline nodes still occupy their subnet, as in Storj: their pieces may come back.
    const subnet = known && subnetOf(known.node.address);
    const clumped = declumping && subnet !== undefined && subnets.has(subnet);
    if (subnet !== undefined) subnets.add(subnet);
    if (!known?.healthy) {
      health.missing.push(piece);
      continue;
    }
    const held = { ...piece, node: known.node };
    (clumped ? health.clumped : health.healthy).push(held);
  }
  health.retrievable = [...health.healthy, ...health.clumped];
  return health;
}

/** The redundancy a segment was stored with (its object's). */
export function schemeOfSegment(segment: RemoteSegment): RedundancyScheme {
  return {
    required: segment.rsRequired,
    repair: segment.rsRepair,
    optimal: segment.rsOptimal,
    total: segment.rsTotal,
    shareSize: segment.rsShareSize,
  };
}

/** Storj's queue condition: at or below the repair threshold, and below optimal. */
export function needsRepair(healthy: number, scheme: RedundancyScheme): boolean {
  return healthy <= scheme.repair && healthy < scheme.optimal;
}

/** `segment 3f2a9c1e…/0/2`: the stream ID (short) and position, for log lines. */
export function segmentName(segment: { streamId: Uint8Array; part: number; index: number }): string {
  return `${Buffer.from(segment.streamId).toString('hex').slice(0, 8)}…/${segment.part}/${segment.index}`;
}
