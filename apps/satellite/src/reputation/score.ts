/**
 * Storj's reputation arithmetic (satellite/reputation/calculations.go), as pure functions on plain numbers.
 *
 * A score is a pair (alpha, beta) of exponentially forgotten counts of good and bad events: each event first
 * multiplies both by lambda (the memory), then adds the weight to alpha (good) or beta (bad). The score is
 * alpha / (alpha + beta). Starting at the steady state alpha = w / (1 - lambda), beta = 0, n bad events in a
 * row give a score of exactly lambda^n, which is what makes "3 failures in a row disqualify" a choice of lambda.
 */

export interface Beta {
  alpha: number;
  beta: number;
}

/** One event: `good` raises alpha, otherwise beta; both first decay by `lambda`. */
export function updateBeta({ alpha, beta }: Beta, good: boolean, lambda: number, weight: number): Beta {
  return good ? { alpha: lambda * alpha + weight, beta: lambda * beta } : { alpha: lambda * alpha, beta: lambda * beta + weight };
}

export function score({ alpha, beta }: Beta): number {
  return alpha + beta === 0 ? 1 : alpha / (alpha + beta);
}

/** Where alpha settles after endless good events: Storj's release InitialAlpha (1000 for lambda 0.999). */
export function steadyAlpha(lambda: number, weight: number): number {
  return lambda === 1 ? weight : weight / (1 - lambda);
}

/**
 * The online score from an audit history (audithistory.go): the mean over windows of online/total,
 * leaving out the newest window (it is still filling); 1 with no finished window.
 */
export interface OnlineWindow {
  /** Start of the window (ms on the satellite's clock), a multiple of the window size. */
  start: number;
  online: number;
  total: number;
}

export function onlineScore(windows: OnlineWindow[]): number {
  const finished = windows.slice(0, -1);
  if (finished.length === 0) return 1;
  return finished.reduce((sum, w) => sum + w.online / w.total, 0) / finished.length;
}

/** Adds one audit to the history and drops windows older than the tracking period before the newest one. */
export function recordOnline(windows: OnlineWindow[], now: number, online: boolean, windowMs: number, trackingMs: number): OnlineWindow[] {
  const start = now - (now % windowMs);
  const out = windows.map((w) => ({ ...w }));
  let last = out.at(-1);
  if (!last || last.start < start) {
    last = { start, online: 0, total: 0 };
    out.push(last);
  }
  last.total++;
  if (online) last.online++;
  return out.filter((w) => w.start >= last.start - trackingMs);
}
