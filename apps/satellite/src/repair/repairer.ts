/**
 * The repairer (Storj's repairer service): takes the repair queue in order of urgency and repairs each segment
 * (segment-repair.ts), one at a time. A repaired, healed or vanished segment leaves the queue; one that could
 * not be repaired (too few pieces reachable, no nodes to repair onto, every upload failed) stays, marked as
 * attempted, and is tried again by the next run. Each run goes until the queue holds nothing it has not tried,
 * so a run that returns has done what it could: `testnet satellite repair` waits for exactly that.
 */
import { errorMessage } from '@dcsim/process';
import { segmentName } from './health.js';
import { repairSegment, type RepairDeps, type RepairResult } from './segment-repair.js';

export class Repairer {
  constructor(private readonly deps: RepairDeps) {}

  /** Repairs everything queued; returns a summary (the chore's) and each segment's result. */
  async run(): Promise<{ summary: string; results: RepairResult[] }> {
    const { db, clock, log } = this.deps;
    const started = clock.now();
    const results: RepairResult[] = [];
    for (;;) {
      const [next] = db.repairQueue.next(started, 1);
      if (!next) break;
      let result: RepairResult;
      try {
        result = await repairSegment(this.deps, next);
      } catch (err) {
        const detail = `repair failed: ${errorMessage(err)}`;
        log(`repair of segment ${segmentName(next)}: ${detail}`);
        result = { segment: segmentName(next), done: false, outcome: 'failed', detail };
      }
      if (result.done) db.repairQueue.remove(next);
      else db.repairQueue.attempted(next, clock.now());
      results.push(result);
    }
    return { summary: summarize(results), results };
  }
}

/** One line per segment, after a count: what `testnet satellite repair` prints. */
function summarize(results: RepairResult[]): string {
  const repaired = results.filter((r) => r.outcome === 'repaired').length;
  const head = `repairer: ${repaired} segment(s) repaired, ${results.length - repaired} other outcome(s)`;
  return [head, ...results.map((r) => `  segment ${r.segment} ${r.outcome}: ${r.detail}`)].join('\n');
}
