/**
 * A chore: one named background loop of a service (Storj's `sync2.Cycle`), e.g. the satellite's piece-deletion
 * sender or a storage node's check-in. It runs `run()` every `intervalMs`, and `trigger()` runs it now and
 * resolves once that run finished (testplanet's `TriggerWait`), so a test or the testnet can make it happen
 * instead of waiting for it.
 *
 * - Never two runs at once: a trigger during a run waits for it, then gets a run of its own that starts after
 *   the trigger (triggers arriving meanwhile share that run). The next scheduled run is an interval after the
 *   last one ended.
 * - A failing run does not stop the loop: it is logged in one line (a streak of identical failures once, and
 *   once more when the chore works again) and kept as the chore's `lastError`.
 * - `intervalMs` 0: the chore runs only when triggered.
 */
import { errorMessage } from './exit.js';

export interface ChoreRun {
  chore: string;
  /** Real time (ms since the epoch) the run began. */
  startedAt: number;
  durationMs: number;
  /** What made the run fail; absent when it succeeded. */
  error?: string;
  /** What the run did, in a line, when the chore says (its `run` returned a string): `restored 12 piece(s)`. */
  summary?: string;
}

export interface ChoreStatus {
  name: string;
  intervalMs: number;
  /** Runs finished since the process started. */
  runs: number;
  running: boolean;
  last?: ChoreRun;
  /** The message of the most recent failed run, also after later runs succeeded. */
  lastError?: string;
}

export interface ChoreOptions {
  name: string;
  /** Milliseconds between runs; 0: only when triggered. */
  intervalMs: number;
  /** One run; a string it returns is the run's summary. */
  run: () => unknown;
  log: (line: string) => void;
}

export class Chore {
  readonly name: string;
  readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ChoreRun> | undefined;
  private next: Promise<ChoreRun> | undefined;
  private started = false;
  private stopped = false;
  private runs = 0;
  private last: ChoreRun | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: ChoreOptions) {
    if (!Number.isSafeInteger(options.intervalMs) || options.intervalMs < 0) {
      throw new RangeError(`chore ${options.name}: interval must be whole milliseconds, zero or more, got ${options.intervalMs}`);
    }
    this.name = options.name;
    this.intervalMs = options.intervalMs;
  }

  /** Starts the loop: the first run after `firstRunInMs` (default: at once), then every interval. */
  start(firstRunInMs = 0): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(firstRunInMs);
  }

  /** Runs the chore now (after the run in progress, if any) and resolves with that run once it finished. */
  trigger(): Promise<ChoreRun> {
    if (this.next) return this.next;
    if (!this.running) return this.begin();
    this.next = this.running.then(() => {
      this.next = undefined;
      return this.begin();
    });
    return this.next;
  }

  /** No more runs; resolves once the run in progress (if any) finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await (this.next ?? this.running);
  }

  status(): ChoreStatus {
    const { name, intervalMs, runs, last, lastError } = this;
    return { name, intervalMs, runs, running: this.running !== undefined, last, lastError };
  }

  private begin(): Promise<ChoreRun> {
    clearTimeout(this.timer);
    if (this.stopped) {
      return Promise.resolve({ chore: this.name, startedAt: Date.now(), durationMs: 0, error: `chore ${this.name} is stopped` });
    }
    this.running = this.execute();
    return this.running;
  }

  private async execute(): Promise<ChoreRun> {
    const startedAt = Date.now();
    const began = performance.now();
    let error: string | undefined;
    let summary: string | undefined;
    try {
      const result = await this.options.run();
      if (typeof result === 'string') summary = result;
    } catch (err) {
      error = errorMessage(err);
    }
    const run: ChoreRun = {
      chore: this.name,
      startedAt,
      durationMs: performance.now() - began,
      ...(error === undefined ? {} : { error }),
      ...(summary === undefined ? {} : { summary }),
    };
    this.report(run);
    this.runs++;
    this.last = run;
    if (error !== undefined) this.lastError = error;
    this.running = undefined;
    if (this.started) this.schedule(this.intervalMs);
    return run;
  }

  /** One line per failure streak, and one when it ends. */
  private report(run: ChoreRun): void {
    const previous = this.last?.error;
    if (run.error !== undefined && run.error !== previous) this.options.log(`chore ${this.name} failed: ${run.error}`);
    if (run.error === undefined && previous !== undefined) this.options.log(`chore ${this.name} works again`);
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.next || this.intervalMs === 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.trigger(), delayMs);
    this.timer.unref();
  }
}
