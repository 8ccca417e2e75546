/**
 * The `tally` chore (Storj's accounting/tally and nodetally): a snapshot of what every bucket stores (encrypted
 * bytes, segments, objects; expired objects left out) and of the piece bytes every node should hold, with the
 * node's byte-hours since the previous tally. Buckets emptied since their last tally get a zero tally, as in Storj.
 * `satellite admin usage` shows the latest bucket tallies beside the live figures.
 */
import { formatBytes } from '@dcsim/common/size';
import type { SatelliteDb } from './db/index.js';
import { HOUR_MS } from './db/bandwidth.js';
import type { Logger } from './log.js';

/** How often the tally runs (Storj's Tally.Interval, 1h). */
export const TALLY_INTERVAL_MS = 60 * 60 * 1000;

export function tally(db: SatelliteDb, log: Logger, now: number): void {
  const buckets = db.tallies.collectBucketTallies(now);
  // A bucket emptied (or deleted) since its last tally gets a zero tally, so its last figures do not linger.
  const seen = new Set(buckets.map((b) => `${b.projectId}/${b.bucket}`));
  for (const { projectId, bucket } of db.tallies.previouslyNonEmptyBuckets()) {
    if (!seen.has(`${projectId}/${bucket}`)) {
      buckets.push({ projectId, bucket, totalBytes: 0, totalSegments: 0, objectCount: 0, pendingObjectCount: 0 });
    }
  }
  const nodes = db.tallies.collectNodeBytes(now);
  const last = db.tallies.lastNodeTallyAt();
  const hours = last === null ? 0 : Math.max(0, now - last) / HOUR_MS;
  db.transaction(() => {
    db.tallies.saveBucketTallies(now, buckets);
    db.tallies.saveNodeTallies(
      now,
      nodes.map((n) => ({ ...n, byteHours: n.atRestBytes * hours })),
    );
  });
  const bytes = buckets.reduce((sum, b) => sum + b.totalBytes, 0);
  log(`tally: ${buckets.length} bucket(s) store ${formatBytes(bytes)}; ${nodes.length} node(s) hold pieces`);
}
