/**
 * The overlay: which storage nodes exist, which are online, and which ones get the pieces of a new
 * segment.
 *
 * Selection rules (Storj's, simplified for one machine):
 * - only nodes that checked in within the online window, answered the satellite's ping back at their
 *   address (contact.ts) the last time, and reported enough free space;
 * - n distinct nodes, in random order;
 * - never a disqualified node, nor one suspended for unknown audits (reputation/), nor one gracefully exiting or
 *   exited (gracefulexit/);
 * - a fraction of them new (unvetted) nodes, so newcomers earn trust; when there are not enough
 *   vetted nodes, new ones fill in, and the other way round. A node is vetted once it passed
 *   `--vetting-audit-count` audits;
 * - one node per /24 subnet where the candidates allow it, so one operator's machines do not hold
 *   many pieces of a segment; when they do not (every testnet node is on 127.0.0.1), the remaining
 *   places are filled regardless of subnet.
 */
import { isIPv4 } from 'node:net';
import { splitHostPort } from '@dcsim/common/hostport';
import { nodeIdString } from '@dcsim/common/nodeid';
import type { Clock } from '@dcsim/process';
import { Reason, RpcError } from '@dcsim/protocol';
import type { SatelliteConfig } from './config.js';
import type { NodeRow, SatelliteDb } from './db/index.js';

export class Overlay {
  constructor(
    private readonly db: SatelliteDb,
    private readonly config: SatelliteConfig,
    private readonly clock: Clock,
  ) {}

  isOnline(node: NodeRow, now = this.clock.now()): boolean {
    return node.lastContact >= now - this.config.nodeOnlineWindowMs && node.lastContact > node.lastContactFailure;
  }

  /** Disqualified by audits, for good: never selected, and every piece it holds counts as lost. */
  isDisqualified(node: NodeRow): boolean {
    return node.disqualifiedAt !== null;
  }

  /** Suspended for unknown audits: still serves its pieces, gets no new ones. */
  isSuspended(node: NodeRow): boolean {
    return node.unknownAuditSuspendedAt !== null;
  }

  /** Gracefully exiting: gets no new pieces; its pieces stay readable and healthy until they have moved. */
  isExiting(node: NodeRow): boolean {
    return node.exitInitiatedAt !== null && node.exitFinishedAt === null;
  }

  /** Gracefully exited: gone, as a disqualified node is, but by its own choice. */
  isExited(node: NodeRow): boolean {
    return node.exitFinishedAt !== null;
  }

  /**
   * Whether pieces on this node count toward a segment's health (repair checker, repairer, `uplink pieces`): the
   * one place that decides it. Online within the window with its last ping answered, not disqualified and not
   * exited; a node the satellite does not know holds nothing. (A suspended or exiting node still serves its
   * pieces: they stay healthy. Storj's time-based exit counts exiting pieces as unhealthy, so repair moves them;
   * here the exit moves them itself.)
   */
  isHealthy(node: NodeRow | undefined, now = this.clock.now()): node is NodeRow {
    return node !== undefined && this.isOnline(node, now) && !this.isDisqualified(node) && !this.isExited(node);
  }

  /** Every known node by its ID in hex, and whether it is healthy now: one lookup per segment piece afterwards. */
  nodeHealth(now = this.clock.now()): Map<string, { node: NodeRow; healthy: boolean }> {
    return new Map(this.db.nodes.all().map((node) => [nodeKey(node.id), { node, healthy: this.isHealthy(node, now) }]));
  }

  isVetted(node: NodeRow): boolean {
    return node.vettedAt !== null;
  }

  /** Picks `count` distinct online nodes with `minFreeDisk` bytes free, or throws RESOURCE_EXHAUSTED. */
  selectNodes(count: number, minFreeDisk: number, now = this.clock.now()): NodeRow[] {
    const candidates = this.db.nodes.candidates(now - this.config.nodeOnlineWindowMs, minFreeDisk);
    if (candidates.length < count) {
      throw notEnoughNodes(`not enough nodes: need ${count}, have ${candidates.length}`, count, candidates.length);
    }
    return pickSpreadOverSubnets(this.byPriority(candidates, count), count);
  }

  /**
   * New nodes for pieces whose upload failed (RetryBeginSegmentPieces): up to `count` online nodes
   * other than `exclude` (every node the segment has used), preferring subnets `kept` does not use.
   * Fewer when fewer are left; none throws RESOURCE_EXHAUSTED.
   */
  selectReplacements(count: number, minFreeDisk: number, exclude: Uint8Array[], kept: NodeRow[], now = this.clock.now()): NodeRow[] {
    const excluded = new Set(exclude.map((id) => nodeIdString(id)));
    const candidates = this.db.nodes
      .candidates(now - this.config.nodeOnlineWindowMs, minFreeDisk)
      .filter((n) => !excluded.has(nodeIdString(n.id)));
    if (candidates.length === 0) throw notEnoughNodes(`none left to retry on (${excluded.size} used by this segment)`, count, 0);
    const picked = Math.min(count, candidates.length);
    return pickSpreadOverSubnets(
      this.byPriority(candidates, picked),
      picked,
      kept.map((n) => subnetOf(n.address)),
    );
  }

  /** Priority order: the new-node quota, then vetted nodes, then whatever new nodes are left. */
  private byPriority(candidates: NodeRow[], count: number): NodeRow[] {
    const fresh = shuffle(candidates.filter((n) => !this.isVetted(n)));
    const vetted = shuffle(candidates.filter((n) => this.isVetted(n)));
    const newQuota = Math.floor(count * this.config.newNodeFraction);
    return [...fresh.slice(0, newQuota), ...vetted, ...fresh.slice(newQuota)];
  }
}

/**
 * Takes nodes in priority order, first at most one per subnet (none from `usedSubnets`), then (if
 * that was not enough) the rest in the same order. The result is shuffled so piece numbers say nothing about priority.
 */
function pickSpreadOverSubnets(priority: NodeRow[], count: number, usedSubnets: string[] = []): NodeRow[] {
  const chosen: NodeRow[] = [];
  const taken = new Set<string>();
  const subnets = new Set<string>(usedSubnets);
  for (const node of priority) {
    if (chosen.length === count) break;
    const subnet = subnetOf(node.address);
    if (subnets.has(subnet)) continue;
    subnets.add(subnet);
    taken.add(nodeIdString(node.id));
    chosen.push(node);
  }
  for (const node of priority) {
    if (chosen.length === count) break;
    const id = nodeIdString(node.id);
    if (taken.has(id)) continue;
    taken.add(id);
    chosen.push(node);
  }
  return shuffle(chosen);
}

/** A node ID as a map key. */
export function nodeKey(id: Uint8Array): string {
  return Buffer.from(id).toString('hex');
}

/** The /24 of an IPv4 address; other hosts (names, IPv6) count as their own subnet. */
export function subnetOf(address: string): string {
  const { host } = splitHostPort(address);
  return isIPv4(host) ? host.split('.').slice(0, 3).join('.') : host.toLowerCase();
}

function shuffle<T>(items: T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function notEnoughNodes(message: string, needed: number, available: number): RpcError {
  return new RpcError(Reason.NOT_ENOUGH_NODES, message, { needed: String(needed), available: String(available) });
}
