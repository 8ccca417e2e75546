/**
 * Housekeeping that frees what nobody can use any more: expired objects, uploads begun long ago and
 * never committed, segment uploads whose order limits expired, and replaced or deleted objects once
 * their retired grace is over. Each is removed through deletes.ts, so its pieces are queued for
 * deletion in the same transaction.
 */
import type { SatelliteDb } from './db/index.js';
import { abandonPendingSegment, removeObject } from './deletes.js';
import type { Logger } from './log.js';

/** Storj's zombie-object deletion removes an upload after a day without activity. */
export const PENDING_OBJECT_TTL_MS = 24 * 3600_000;
/** A segment upload is abandoned this long after its order limits expired. */
export const PENDING_SEGMENT_GRACE_MS = 3600_000;

const BATCH = 100;

export interface CleanupReport {
  expiredObjects: number;
  abandonedObjects: number;
  abandonedSegments: number;
  queuedPieces: number;
}

/**
 * Removes retired objects whose grace is over (the reads that began on them had their time). Cheap (an
 * index on retired_until), so it runs every round of the background loop: a short grace is kept.
 */
export function removeRetired(db: SatelliteDb, log: Logger, now: number): { removed: number; queuedPieces: number } {
  let removed = 0;
  let queuedPieces = 0;
  for (const streamId of db.objects.retiredDue(now, BATCH)) {
    queuedPieces += removeObject(db, streamId, now);
    removed++;
  }
  if (removed > 0) log(`removed ${removed} replaced or deleted object(s) after their grace; ${queuedPieces} piece(s) queued for deletion`);
  return { removed, queuedPieces };
}

export function cleanup(db: SatelliteDb, log: Logger, now: number): CleanupReport {
  const report: CleanupReport = { expiredObjects: 0, abandonedObjects: 0, abandonedSegments: 0, queuedPieces: 0 };
  for (const streamId of db.objects.expired(now, BATCH)) {
    report.queuedPieces += removeObject(db, streamId, now);
    report.expiredObjects++;
  }
  for (const streamId of db.objects.stalePending(now - PENDING_OBJECT_TTL_MS, BATCH)) {
    report.queuedPieces += removeObject(db, streamId, now);
    report.abandonedObjects++;
  }
  for (const pending of db.pendingSegments.expired(now - PENDING_SEGMENT_GRACE_MS, BATCH)) {
    report.queuedPieces += abandonPendingSegment(db, pending, now);
    report.abandonedSegments++;
  }
  const { expiredObjects, abandonedObjects, abandonedSegments, queuedPieces } = report;
  if (expiredObjects + abandonedObjects + abandonedSegments > 0) {
    log(
      `cleanup: removed ${expiredObjects} expired object(s), ${abandonedObjects} abandoned upload(s), ` +
        `${abandonedSegments} abandoned segment upload(s); ${queuedPieces} piece(s) queued for deletion`,
    );
  }
  return report;
}
