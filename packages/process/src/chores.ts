/**
 * A service's chores and its clock, together: what the admin socket shows and drives (admin/server.ts), and
 * what `advance` moves. The satellite and the storage node each make one at start, add their chores in the order
 * a catch-up should run them (the satellite's cleanup before the piece-deletion sender that sends what it queued),
 * start them, and stop them before closing their databases.
 */
import { Chore, type ChoreRun, type ChoreStatus } from './chore.js';
import type { Clock } from './clock.js';

export class UnknownChoreError extends Error {
  override name = 'UnknownChoreError';
}

export class Chores {
  private readonly chores: Chore[] = [];

  constructor(
    readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  /** A new chore (not started yet): `run` every `intervalMs` (0: only when triggered). */
  add(name: string, intervalMs: number, run: () => unknown): Chore {
    if (this.chores.some((c) => c.name === name)) throw new RangeError(`there is a chore named ${name} already`);
    const chore = new Chore({ name, intervalMs, run, log: this.log });
    this.chores.push(chore);
    return chore;
  }

  /** The chore called `name`; an UnknownChoreError names the ones there are. */
  get(name: string): Chore {
    const chore = this.chores.find((c) => c.name === name);
    if (!chore) {
      const names = this.chores.map((c) => c.name).join(', ') || 'none';
      throw new UnknownChoreError(`no chore named ${JSON.stringify(name)}; this process has ${names}`);
    }
    return chore;
  }

  list(): ChoreStatus[] {
    return this.chores.map((c) => c.status());
  }

  /**
   * Runs every periodic chore once, one after the other in the order they were added, and resolves with each run.
   * On-demand chores (interval 0: garbage collection, restoring trash) never become due, so time does not run them.
   */
  async runAll(): Promise<ChoreRun[]> {
    const runs: ChoreRun[] = [];
    for (const chore of this.chores) if (chore.intervalMs > 0) runs.push(await chore.trigger());
    return runs;
  }

  /** Moves the clock `ms` forward, then runs every chore (runAll): what became due has happened when it resolves. */
  advance(ms: number): Promise<ChoreRun[]> {
    this.clock.advance(ms);
    return this.runAll();
  }

  /** Starts every chore that is not started yet, each with its first run at once. */
  startAll(): void {
    for (const chore of this.chores) chore.start();
  }

  /** Stops every chore, waiting for runs in progress. */
  async stopAll(): Promise<void> {
    await Promise.all(this.chores.map((c) => c.stop()));
  }
}
