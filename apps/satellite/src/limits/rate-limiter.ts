/**
 * Request rate per project (Storj's metainfo checkRate): a token bucket per project, refilled at the project's rate
 * per second, holding at most `rate` tokens (Storj's burst defaults to the rate). Every Metainfo request of the
 * project takes one; none left is RESOURCE_EXHAUSTED, RATE_LIMITED. Time is the satellite's clock. One limiter per
 * satellite process, as in Storj; projects without a rate limit are not tracked.
 */
import type { Clock } from '@dcsim/process';
import { Reason, RpcError } from '@dcsim/protocol';
import type { SatelliteDb } from '../db/index.js';

interface Bucket {
  rate: number;
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly db: SatelliteDb,
    private readonly clock: Clock,
  ) {}

  /** Takes one request's token from the project's bucket, or refuses the request. */
  take(projectId: string): void {
    const rate = this.db.limits.of(projectId).rate;
    if (rate === null) {
      this.buckets.delete(projectId);
      return;
    }
    const now = this.clock.now();
    const bucket = this.buckets.get(projectId);
    const current = bucket && bucket.rate === rate ? bucket : { rate, tokens: rate, at: now };
    current.tokens = Math.min(rate, current.tokens + ((now - current.at) / 1000) * rate);
    current.at = now;
    this.buckets.set(projectId, current);
    if (current.tokens < 1) {
      throw new RpcError(Reason.RATE_LIMITED, `too many requests: the project's rate limit is ${rate} per second`, { limit: String(rate) });
    }
    current.tokens -= 1;
  }
}
