import { describe, expect, it } from 'vitest';
import { REPUTATION_DEFAULTS, REPUTATION_PRODUCTION } from '../src/config.js';
import { applyAudit, freshReputation, scores, type AuditOutcome, type Reputation, type ReputationConfig } from '../src/reputation/rules.js';
import { onlineScore, recordOnline, score, steadyAlpha, updateBeta } from '../src/reputation/score.js';

const T0 = 1_700_000_000_000;

/** Applies outcomes one after the other, a second apart; returns every step. */
function run(config: ReputationConfig, outcomes: AuditOutcome[], start: Reputation = freshReputation(config)) {
  const steps: { r: Reputation; events: string[] }[] = [];
  let r = start;
  outcomes.forEach((o, i) => {
    const { after, events } = applyAudit(r, o, T0 + i * 1000, config);
    r = after;
    steps.push({ r, events: events.map((e) => (e.kind === 'disqualified' ? `disqualified: ${e.reason}` : e.kind)) });
  });
  return steps;
}

describe('the alpha/beta score (Storj calculations.go)', () => {
  it('moves alpha and beta as lambda * x + weight', () => {
    // Worked by hand: alpha 10, beta 2, lambda 0.9, weight 1.
    expect(updateBeta({ alpha: 10, beta: 2 }, true, 0.9, 1)).toEqual({ alpha: 10, beta: 1.8 });
    const bad = updateBeta({ alpha: 10, beta: 2 }, false, 0.9, 1);
    expect(bad.alpha).toBeCloseTo(9, 12);
    expect(bad.beta).toBeCloseTo(2.8, 12);
    expect(score(bad)).toBeCloseTo(9 / 11.8, 12);
  });

  it('starts at the steady state w / (1 - lambda): 1000 for Storj release lambda 0.999', () => {
    expect(steadyAlpha(0.999, 1)).toBeCloseTo(1000, 9);
    expect(freshReputation(REPUTATION_PRODUCTION).audit.alpha).toBeCloseTo(1000, 9);
    expect(scores(freshReputation(REPUTATION_DEFAULTS)).auditScore).toBe(1);
  });

  it('n failures in a row from the steady state give exactly lambda^n', () => {
    const steps = run(REPUTATION_DEFAULTS, ['failure', 'failure', 'failure']);
    expect(steps.map((s) => scores(s.r).auditScore)).toEqual([
      expect.closeTo(0.985, 12),
      expect.closeTo(0.970225, 12),
      expect.closeTo(0.955671625, 12),
    ]);
  });

  it('testnet values: 3 failed audits in a row disqualify (0.956 <= 0.96), 2 do not', () => {
    const steps = run(REPUTATION_DEFAULTS, ['failure', 'failure', 'failure', 'success']);
    expect(steps[1].r.disqualifiedAt).toBeNull();
    expect(steps[2].events).toEqual(['disqualified: audit failure']);
    expect(steps[2].r.disqualifiedAt).toBe(T0 + 2000);
    // Disqualification is for good: later audits change nothing.
    expect(steps[3].r).toBe(steps[2].r);
  });

  it("Storj's release values: 40 failures leave a fresh node at 0.96077, the 41st disqualifies it (0.95981)", () => {
    const steps = run(REPUTATION_PRODUCTION, Array<AuditOutcome>(41).fill('failure'));
    expect(scores(steps[39].r).auditScore).toBeCloseTo(0.96077, 6);
    expect(steps[39].r.disqualifiedAt).toBeNull();
    expect(scores(steps[40].r).auditScore).toBeCloseTo(0.959809, 6);
    expect(steps[40].events).toEqual(['disqualified: audit failure']);
  });

  it('one unknown audit suspends a fresh node (0.95 / 1.95 = 0.487 <= 0.6); one success lifts it (0.667)', () => {
    const steps = run(REPUTATION_DEFAULTS, ['unknown', 'success']);
    expect(scores(steps[0].r).unknownAuditScore).toBeCloseTo(0.95 / 1.95, 12);
    expect(steps[0].events).toEqual(['suspended']);
    expect(scores(steps[0].r).auditScore).toBe(1); // unknown audits leave the audit score alone
    expect(scores(steps[1].r).unknownAuditScore).toBeCloseTo(1.9025 / 2.8525, 12);
    expect(steps[1].events).toEqual(['suspension lifted']);
  });

  it('a suspension that outlasts its grace period disqualifies when suspensionDq is on', () => {
    const config = { ...REPUTATION_DEFAULTS, suspensionGraceMs: 1500 };
    const steps = run(config, ['unknown', 'unknown', 'unknown']);
    expect(steps[0].events).toEqual(['suspended']);
    expect(steps[1].events).toEqual([]); // 1 s into the grace
    expect(steps[2].events).toEqual(['disqualified: suspension grace period expired for unknown audits']);
    expect(run({ ...config, suspensionDq: false }, ['unknown', 'unknown', 'unknown'])[2].r.disqualifiedAt).toBeNull();
  });

  it('offline audits move neither score, only the online history', () => {
    const [step] = run(REPUTATION_DEFAULTS, ['offline']);
    expect(scores(step.r)).toMatchObject({ auditScore: 1, unknownAuditScore: 1 });
    expect(step.r.totalAuditCount).toBe(1);
    expect(step.r.history).toEqual([{ start: T0 - (T0 % REPUTATION_DEFAULTS.onlineWindowMs), online: 0, total: 1 }]);
  });

  it('vets a node after vettingAuditCount successful audits', () => {
    const steps = run(REPUTATION_DEFAULTS, ['success', 'offline', 'success', 'success']);
    expect(steps.map((s) => s.events)).toEqual([[], [], ['vetted'], []]);
    expect(steps[2].r.vettedAt).toBe(T0 + 2000);
  });
});

describe('the online score (Storj audithistory.go)', () => {
  it('is the mean of online/total over finished windows, the current one left out', () => {
    const w = 1000;
    let h = recordOnline([], 0, true, w, 10 * w);
    h = recordOnline(h, 10, false, w, 10 * w); // window 0: 1 of 2 online
    h = recordOnline(h, 1000, true, w, 10 * w); // window 1: 1 of 1
    expect(onlineScore(h)).toBe(0.5); // only window 0 is finished
    h = recordOnline(h, 2000, false, w, 10 * w); // window 2 (current): 0 of 1
    expect(onlineScore(h)).toBe(0.75);
    // Windows older than the tracking period before the newest are dropped.
    h = recordOnline(h, 20_000, true, w, 10 * w);
    expect(h.map((x) => x.start)).toEqual([20_000]);
    expect(onlineScore(h)).toBe(1);
  });
});
