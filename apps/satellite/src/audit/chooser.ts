/**
 * Choosing segments to audit (Storj's audit observer and reservoir): walk every segment and keep, for every node,
 * a reservoir of `slots` segments that hold one of its pieces, chosen at random weighted by the segment's size
 * (A-Res, Efraimidis–Spirakis: each segment gets the key -ln(U) / size, U uniform in (0, 1), and a reservoir keeps
 * the smallest keys). So every node is audited, however few pieces it holds, and a byte is as likely to be audited
 * wherever it sits. The queue takes slot 0 of every node, then slot 1, ..., without duplicates.
 *
 * Storj walks segments in its ranged loop and keeps the queue in its database; here a walk runs whenever the
 * in-memory queue is empty.
 */
import type { AuditableSegment, SatelliteDb } from '../db/index.js';
import { hex } from './verifier.js';

interface Entry {
  key: number;
  segment: AuditableSegment;
}

/** One node's reservoir: the `slots` entries with the smallest keys seen so far. */
class Reservoir {
  readonly entries: Entry[] = [];

  constructor(private readonly slots: number) {}

  sample(segment: AuditableSegment, random: () => number): void {
    const key = -Math.log(1 - random()) / Math.max(1, segment.encryptedSize);
    if (this.entries.length < this.slots) {
      this.entries.push({ key, segment });
      return;
    }
    let worst = 0;
    for (let i = 1; i < this.entries.length; i++) if (this.entries[i].key > this.entries[worst].key) worst = i;
    if (key < this.entries[worst].key) this.entries[worst] = { key, segment };
  }
}

/** The audit queue for one walk over every auditable segment at `now`. */
export function chooseSegments(db: SatelliteDb, now: number, slots: number, random: () => number = Math.random): AuditableSegment[] {
  const reservoirs = new Map<string, Reservoir>();
  for (const segment of db.auditableSegments.all(now)) {
    for (const piece of db.segments.pieces(segment.streamId, segment.part, segment.index)) {
      const node = hex(piece.nodeId);
      let reservoir = reservoirs.get(node);
      if (!reservoir) reservoirs.set(node, (reservoir = new Reservoir(slots)));
      reservoir.sample(segment, random);
    }
  }
  const queue: AuditableSegment[] = [];
  const queued = new Set<string>();
  for (let slot = 0; slot < slots; slot++) {
    for (const reservoir of reservoirs.values()) {
      const entry = reservoir.entries[slot];
      if (!entry) continue;
      const id = `${hex(entry.segment.streamId)}/${entry.segment.part}/${entry.segment.index}`;
      if (queued.has(id)) continue;
      queued.add(id);
      queue.push(entry.segment);
    }
  }
  return queue;
}
