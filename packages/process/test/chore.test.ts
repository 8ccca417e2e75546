import { describe, expect, it } from 'vitest';
import { Chore, Chores, Clock, ClockError, UnknownChoreError } from '../src/index.js';

/** A promise and the functions that settle it, for runs the test finishes when it wants. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

function chore(run: () => unknown, intervalMs = 0, log: string[] = []) {
  return new Chore({ name: 'test-chore', intervalMs, run, log: (line) => log.push(line) });
}

describe('Chore', () => {
  it('trigger runs it now and resolves once that run finished', async () => {
    const events: string[] = [];
    const g = gate();
    const c = chore(async () => {
      events.push('run began');
      await g.opened;
      events.push('run ended');
    });
    const triggered = c.trigger().then((run) => {
      events.push('trigger resolved');
      return run;
    });
    await Promise.resolve();
    expect(events).toEqual(['run began']);
    expect(c.status().running).toBe(true);
    g.open();
    const run = await triggered;
    expect(events).toEqual(['run began', 'run ended', 'trigger resolved']);
    expect(run).toMatchObject({ chore: 'test-chore' });
    expect(run.error).toBeUndefined();
    expect(c.status()).toMatchObject({ name: 'test-chore', runs: 1, running: false, last: run });
  });

  it('never runs twice at once: a trigger during a run gets a run of its own that starts after it', async () => {
    let active = 0;
    let mostAtOnce = 0;
    const gates = [gate(), gate()];
    let runs = 0;
    const c = chore(async () => {
      active++;
      mostAtOnce = Math.max(mostAtOnce, active);
      await gates[runs++].opened;
      active--;
    });
    const first = c.trigger();
    const second = c.trigger(); // asked during the first run
    const third = c.trigger(); // shares the second (it has not begun yet)
    expect(third).toBe(second);
    gates[0].open();
    await first;
    expect(runs).toBe(2); // the second run began only after the first ended
    gates[1].open();
    await second;
    expect(mostAtOnce).toBe(1);
    expect(c.status().runs).toBe(2);
  });

  it('logs a failing run in one line, keeps the error, and goes on', async () => {
    const log: string[] = [];
    let fail = true;
    const c = chore(
      () => {
        if (fail) throw new Error('the database is locked');
      },
      0,
      log,
    );
    const failed = await c.trigger();
    expect(failed.error).toBe('the database is locked');
    await c.trigger(); // the same failure again: no second line
    expect(log).toEqual(['chore test-chore failed: the database is locked']);
    fail = false;
    const ok = await c.trigger();
    expect(ok.error).toBeUndefined();
    expect(log).toEqual(['chore test-chore failed: the database is locked', 'chore test-chore works again']);
    expect(c.status()).toMatchObject({ runs: 3, lastError: 'the database is locked' });
  });

  it('runs by itself every interval once started, and not after stop', async () => {
    const ran = [gate(), gate()];
    let runs = 0;
    const c = chore(() => ran[runs++]?.open(), 5);
    c.start();
    await ran[0].opened; // at once
    await ran[1].opened; // an interval later
    await c.stop();
    const after = runs;
    expect((await c.trigger()).error).toBe('chore test-chore is stopped');
    expect(runs).toBe(after);
  });

  it('stop waits for the run in progress', async () => {
    const g = gate();
    let finished = false;
    const c = chore(async () => {
      await g.opened;
      finished = true;
    });
    void c.trigger();
    const stopped = c.stop().then(() => finished);
    g.open();
    expect(await stopped).toBe(true);
  });
});

describe('Clock', () => {
  it('is real time plus an offset that only grows', () => {
    let real = 1_000_000;
    const clock = new Clock(0, () => real);
    expect(clock.now()).toBe(1_000_000);
    real += 5;
    expect(clock.now()).toBe(1_000_005);
    expect(clock.advance(8 * 86_400_000)).toBe(8 * 86_400_000);
    expect(clock.now()).toBe(1_000_005 + 8 * 86_400_000);
    expect(clock.date().getTime()).toBe(clock.now());
    expect(() => clock.advance(-1)).toThrow(ClockError);
    expect(() => clock.advance(1.5)).toThrow(/whole number of milliseconds, zero or more \(time only moves forward\), got 1.5/);
    expect(new Clock(3_600_000, () => real).now()).toBe(real + 3_600_000);
  });
});

describe('Chores', () => {
  it('advance moves the clock, then runs every chore in order and waits for them', async () => {
    const clock = new Clock();
    const chores = new Chores(clock, () => {});
    const seen: [string, number][] = [];
    chores.add('expired-objects', 60_000, () => seen.push(['expired-objects', clock.offsetMs]));
    chores.add('piece-deletion', 2_000, async () => {
      await Promise.resolve();
      seen.push(['piece-deletion', clock.offsetMs]);
    });
    chores.add('on-demand', 0, () => seen.push(['on-demand', clock.offsetMs])); // only when triggered: time makes nothing due
    const runs = await chores.advance(3_600_000);
    expect(seen).toEqual([
      ['expired-objects', 3_600_000],
      ['piece-deletion', 3_600_000],
    ]);
    expect(runs.map((r) => r.chore)).toEqual(['expired-objects', 'piece-deletion']);
    expect(chores.list().map((c) => [c.name, c.intervalMs, c.runs])).toEqual([
      ['expired-objects', 60_000, 1],
      ['piece-deletion', 2_000, 1],
      ['on-demand', 0, 0],
    ]);
  });

  it('hands back what a run returned', async () => {
    const chores = new Chores(new Clock(), () => {});
    chores.add('audit-all', 0, async () => ({ audited: 3 }));
    expect(await chores.get('audit-all').trigger()).toMatchObject({ chore: 'audit-all', result: { audited: 3 } });
  });

  it('time leaves on-demand chores alone; what a run returns is its result', async () => {
    const clock = new Clock();
    const chores = new Chores(clock, () => {});
    let restored = 0;
    chores.add('expired-pieces', 60_000, () => {});
    chores.add('restore-trash', 0, () => `restored ${++restored} piece(s)`);
    expect((await chores.advance(8 * 86_400_000)).map((r) => r.chore)).toEqual(['expired-pieces']);
    expect(restored).toBe(0);
    expect((await chores.get('restore-trash').trigger()).result).toBe('restored 1 piece(s)');
    expect((await chores.get('expired-pieces').trigger()).result).toBeUndefined();
  });

  it('names the chores there are when asked for one that is not', () => {
    const chores = new Chores(new Clock(), () => {});
    chores.add('check-in', 10_000, () => {});
    expect(() => chores.get('checkin')).toThrow(UnknownChoreError);
    expect(() => chores.get('checkin')).toThrow('no chore named "checkin"; this process has check-in');
    expect(() => chores.add('check-in', 1, () => {})).toThrow(/already/);
  });
});
