/**
 * Project limits, checked by Metainfo (Storj's satellite/metainfo validation.go and accounting/projectusage.go):
 * storage and segments at BeginObject, BeginSegment and CommitSegment; egress at DownloadSegment; buckets at
 * CreateBucket. Each refusal is RESOURCE_EXHAUSTED with a reason naming the limit and the facts `limit` and `used`.
 *
 * Storj refuses an upload only once usage is already at the limit, so one upload may overshoot it. dcsim refuses
 * the upload that *would* cross it: BeginObject takes the size the uplink plans (when it knows it), and each
 * segment is checked for at least one more segment and byte. Egress counts allocated GET bandwidth (the limits
 * handed out), as Storj's does, and a download is refused when this segment's allocation would cross the limit.
 */
import { formatBytes } from '@dcsim/common/size';
import { Reason, RpcError } from '@dcsim/protocol';
import type { SatelliteDb } from '../db/index.js';

/** The first millisecond of `now`'s calendar month (UTC): egress limits are per month, as in Storj. */
export function monthStart(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** Refuses an upload that would take the project past its segment or storage limit (segments first, as Storj). */
export function checkUploadLimits(db: SatelliteDb, projectId: string, bytes: number, segments: number, now: number): void {
  const limits = db.limits.of(projectId);
  if (limits.segments === null && limits.storageBytes === null) return;
  const used = db.limits.storageUsage(projectId, now);
  if (limits.segments !== null && used.segments + segments > limits.segments) {
    throw exceeded(Reason.SEGMENTS_LIMIT_EXCEEDED, 'segments limit', limits.segments, used.segments, `${segments} more`);
  }
  if (limits.storageBytes !== null && used.storageBytes + bytes > limits.storageBytes) {
    const message = `${formatBytes(bytes)} more (${formatBytes(used.storageBytes)} of ${formatBytes(limits.storageBytes)} used)`;
    throw exceeded(Reason.STORAGE_LIMIT_EXCEEDED, 'storage limit', limits.storageBytes, used.storageBytes, message);
  }
}

/** Refuses a download whose allocation would take the project's egress this month past its limit. */
export function checkEgressLimit(db: SatelliteDb, projectId: string, allocation: number, now: number): void {
  const limit = db.limits.of(projectId).egressBytes;
  if (limit === null) return;
  const used = db.bandwidth.projectEgress(projectId, monthStart(now), now);
  if (used + allocation > limit) {
    const message = `${formatBytes(allocation)} more (${formatBytes(used)} of ${formatBytes(limit)} used this month)`;
    throw exceeded(Reason.BANDWIDTH_LIMIT_EXCEEDED, 'egress limit', limit, used, message);
  }
}

/** Refuses a new bucket when the project has as many as its limit allows. */
export function checkBucketLimit(db: SatelliteDb, projectId: string): void {
  const limit = db.limits.of(projectId).buckets;
  const used = db.limits.buckets(projectId);
  if (used + 1 > limit) throw exceeded(Reason.BUCKETS_LIMIT_EXCEEDED, 'bucket limit', limit, used, `${used} buckets exist`);
}

function exceeded(reason: Reason, name: string, limit: number, used: number, detail: string): RpcError {
  return new RpcError(reason, `exceeded the project's ${name} of ${limit}: ${detail}`, { limit: String(limit), used: String(used) });
}
