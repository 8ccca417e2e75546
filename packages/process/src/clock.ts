/**
 * The process's clock. Every rule that depends on time (expirations, the online window, graces, cleanup ages,
 * order-limit and check-in timestamps) reads `clock.now()`, never `Date.now()`, so that a test or the testnet
 * can move a whole process into the future (`advance`) and see the consequences at once, with no sleep.
 *
 * It is real time plus an offset that can only grow: time never runs backwards, so nothing already
 * recorded ends up in the future. One clock per process, made in its `start...` function and passed to
 * whatever needs it. Log lines keep real time: they say when something happened on this machine.
 */
export class ClockError extends Error {
  override name = 'ClockError';
}

export class Clock {
  private offset: number;

  /** `offsetMs`: start already this far ahead (a testnet restarting a process after `time advance`). */
  constructor(
    offsetMs = 0,
    private readonly realNow: () => number = Date.now,
  ) {
    checkStep(offsetMs, 'a clock offset');
    this.offset = offsetMs;
  }

  /** Milliseconds since the epoch, as this process sees them. */
  now(): number {
    return this.realNow() + this.offset;
  }

  /** `now()` as a Date, for the timestamps that travel in messages. */
  date(): Date {
    return new Date(this.now());
  }

  /** How far ahead of real time this clock is. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Moves the clock `ms` forward; returns the new offset. */
  advance(ms: number): number {
    checkStep(ms, 'a clock advance');
    this.offset += ms;
    return this.offset;
  }
}

function checkStep(ms: number, what: string): void {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new ClockError(`${what} must be a whole number of milliseconds, zero or more (time only moves forward), got ${ms}`);
  }
}
