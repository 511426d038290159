import { describe, expect, it } from 'vitest';
import { reboundStats } from '../../src-main/explain/reboundStats';
import { detectRebounds } from '../../src-main/strategies/samp/logic/rebound';

// same constructed series as test/strategies/samp/rebound.test.ts: flags at 11 (trough 85) and 15 (trough 84)
const series = [100, 100, 95, 89, 85, 88, 90, 91, 89, 90, 90, 90, 84, 95, 96, 101, 101];

describe('reboundStats', () => {
  it('counts a flag followed by a new low within N days as false; short tails are undetermined', () => {
    const { flags } = detectRebounds(series, {
      drawdownThreshold: 0.1,
      riseThreshold: 0.05,
      minDays: 3,
      peakLookback: 50,
    });
    const s = reboundStats(series, flags, { horizon: 2 });
    expect(s.count).toBe(2);
    expect(s.outcomes[0]).toMatchObject({ dayIndex: 11, trough: 85, falseRebound: true, daysToNewLow: 1 });
    expect(s.outcomes[0]!.forwardReturn).toBeCloseTo(95 / 90 - 1, 12);
    expect(s.outcomes[0]!.maxAdverse).toBeCloseTo(84 / 90 - 1, 12);
    expect(s.outcomes[1]).toMatchObject({ dayIndex: 15, falseRebound: null, daysToNewLow: null });
    expect(Number.isNaN(s.outcomes[1]!.forwardReturn)).toBe(true);
    expect(s.falseCount).toBe(1);
    expect(s.determined).toBe(1);
    expect(s.undetermined).toBe(1);
    expect(s.falseRate).toBe(1);
    expect(s.meanDaysToNewLow).toBe(1);
    expect(s.hitRate).toBe(1);
  });

  it('a flag with no new low over a full horizon is a true rebound', () => {
    const s = reboundStats([10, 8, 9, 9.5, 9.2, 10, 11], [{ dayIndex: 2, trough: 8 }], { horizon: 3 });
    expect(s.outcomes[0]).toMatchObject({ falseRebound: false, daysToNewLow: null });
    expect(s.outcomes[0]!.forwardReturn).toBeCloseTo(10 / 9 - 1, 12);
    expect(s.falseRate).toBe(0);
  });

  it('boolean flags take the trough from the lookback window', () => {
    // flag at 3, lookback 3 -> trough = min(8, 9, 9.5) = 8; new low 7.9 at day 5 -> false after 2 days
    const s = reboundStats([10, 8, 9, 9.5, 8.5, 7.9, 9], [false, false, false, true, false, false, false], {
      horizon: 3,
      troughLookback: 3,
    });
    expect(s.outcomes[0]).toMatchObject({ dayIndex: 3, trough: 8, falseRebound: true, daysToNewLow: 2 });
    // lookback 2 -> trough = min(9, 9.5) = 9: new low 8.5 the next day
    const t = reboundStats([10, 8, 9, 9.5, 8.5, 7.9, 9], [false, false, false, true, false, false, false], {
      horizon: 3,
      troughLookback: 2,
    });
    expect(t.outcomes[0]).toMatchObject({ trough: 9, daysToNewLow: 1 });
  });
});
