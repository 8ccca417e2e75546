/**
 * The repair checker (Storj's checker observer on the ranged segment loop): walks every remote segment,
 * counts its healthy pieces (health.ts) and queues those at or below the repair threshold, most urgent
 * first (repair_queue). A segment with fewer than k retrievable pieces cannot be rebuilt: it is logged as
 * lost (once per satellite run) and not queued; it is checked again next pass, in case its nodes return.
 * Queue entries the pass did not confirm (the segment healed, or went away) are removed at the end.
 * Inline segments have no pieces: nothing to repair. Expired segments are left to the cleanup chore.
 */
import type { Clock } from '@dcsim/process';
import type { SatelliteDb } from '../db/index.js';
import type { Logger } from '../log.js';
import type { Overlay } from '../overlay.js';
import { classifyPieces, needsRepair, schemeOfSegment, segmentName } from './health.js';

export interface CheckerSummary {
  checked: number;
  /** Queued (or kept queued) for repair. */
  injured: number;
  /** Fewer than k pieces retrievable. */
  lost: number;
  /** Queue entries removed: healed or gone. */
  removed: number;
}

export class RepairChecker {
  private readonly reportedLost = new Set<string>();

  constructor(
    private readonly db: SatelliteDb,
    private readonly overlay: Overlay,
    private readonly declumping: boolean,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** One pass over every segment; returns what it found, as a line for the chore's summary. */
  run(): string {
    const summary = this.check();
    const line =
      `repair checker: ${summary.checked} remote segment(s) checked, ${summary.injured} queued for repair, ` +
      `${summary.lost} lost, ${summary.removed} left the queue`;
    if (summary.injured > 0 || summary.lost > 0 || summary.removed > 0) this.log(line);
    return line;
  }

  check(): CheckerSummary {
    const passStart = this.clock.now();
    const nodes = this.overlay.nodeHealth(passStart);
    const summary: CheckerSummary = { checked: 0, injured: 0, lost: 0, removed: 0 };
    for (const { segment, pieces } of this.db.remoteSegments.walk()) {
      if (segment.expiresAt !== null && segment.expiresAt <= passStart) continue;
      summary.checked++;
      const scheme = schemeOfSegment(segment);
      const health = classifyPieces(pieces, nodes, this.declumping);
      if (health.retrievable.length < scheme.required) {
        summary.lost++;
        this.reportLost(segmentName(segment), health.retrievable.length, scheme.required, pieces.length);
        continue;
      }
      if (!needsRepair(health.healthy.length, scheme)) continue;
      this.db.repairQueue.insert(segment, health.healthy.length, passStart);
      summary.injured++;
    }
    summary.removed = this.db.repairQueue.clean(passStart);
    return summary;
  }

  private reportLost(name: string, retrievable: number, required: number, stored: number): void {
    if (this.reportedLost.has(name)) return;
    this.reportedLost.add(name);
    this.log(
      `checker found irreparable segment ${name}: ${retrievable} of its ${stored} pieces retrievable, ${required} needed ` +
        '(lost unless their nodes come back)',
    );
  }
}
