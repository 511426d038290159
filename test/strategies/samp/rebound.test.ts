import { describe, expect, it } from 'vitest';
import {
  applyReboundCap,
  detectRebounds,
  groupIndexLevels,
  reboundStateAt,
} from '../../../src-main/strategies/samp/logic/rebound';
import { MarketView } from '../../../src-main/market/view';
import { djiaSubset } from '../../helpers/data';

const S = { drawdownThreshold: 0.1, riseThreshold: 0.05, minDays: 3, peakLookback: 50 };
// idx:          0    1    2   3   4   5   6   7   8   9  10  11  12  13  14   15   16
const series = [100, 100, 95, 89, 85, 88, 90, 91, 89, 90, 90, 90, 84, 95, 96, 101, 101];

describe('rebound detector (SAMP-HDRL step 5)', () => {
  const { states, flags } = detectRebounds(series, S, undefined, 'high');

  it('enters a downtrend only past the drawdown threshold', () => {
    expect(states[2]!.inDowntrend).toBe(false); // 5% drawdown
    expect(states[2]!.drawdown).toBeCloseTo(0.05, 12);
    expect(states[3]!.inDowntrend).toBe(true); // 11%
    expect(states[4]!.trough).toBe(85);
    expect(states[4]!.depth).toBeCloseTo(0.15, 12);
  });

  it('counts consecutive days above the rise threshold and resets on a dip', () => {
    expect(states.slice(4, 12).map((s) => s.daysHeld)).toEqual([0, 0, 1, 2, 0, 1, 2, 3]);
    expect(states[5]!.rise).toBeCloseTo(88 / 85 - 1, 12); // 3.5%: below threshold
    expect(states[5]!.thresholdsMet.rise).toBe(false);
    expect(states[6]!.thresholdsMet.rise).toBe(true);
  });

  it('flags a rebound only when the rise has held minDays days, then lifts the cap', () => {
    expect(states.map((s) => s.rebound)).toEqual(series.map((_, t) => t === 11 || t === 15));
    expect(states[10]!.inDowntrend).toBe(true);
    expect(states[11]!.inDowntrend).toBe(false);
    expect(states[11]!.phase).toBe('rebound');
    expect(states[11]!.thresholdsMet).toEqual({ drawdown: true, rise: true, days: true });
    const f = flags[0]!;
    expect(f).toMatchObject({ dayIndex: 11, label: 'high', trough: 85, troughDay: 4, episodePeak: 100, daysHeld: 3 });
    expect(f.depth).toBeCloseTo(0.15, 12);
    expect(f.rise).toBeCloseTo(90 / 85 - 1, 12);
    expect(f.thresholds).toEqual({ drawdownThreshold: 0.1, riseThreshold: 0.05, minDays: 3 });
  });

  it('a new low below the trough after a rebound sends it back into the downtrend', () => {
    expect(states[12]!.inDowntrend).toBe(true);
    expect(states[12]!.trough).toBe(84);
    expect(flags[1]).toMatchObject({ dayIndex: 15, trough: 84, troughDay: 12 });
    expect(states[16]!.phase).toBe('normal');
  });

  it('a V-shaped jump back to the peak ends the downtrend without a flag', () => {
    const r = detectRebounds([100, 89, 101, 102], S);
    expect(r.states.map((s) => s.phase)).toEqual(['normal', 'downtrend', 'normal', 'normal']);
    expect(r.flags).toEqual([]);
  });

  it('measures the drawdown from the trailing peak only (peakLookback)', () => {
    const r = detectRebounds([100, 80, 80, 80], { ...S, peakLookback: 2 });
    expect(r.states[1]!.drawdown).toBeCloseTo(0.2, 12);
    expect(r.states[3]!.peak).toBe(80);
    expect(r.states[3]!.drawdown).toBe(0);
  });

  it('is causal: states up to t do not change when later values change', () => {
    const base = Array.from({ length: 300 }, (_, t) => 100 * Math.exp(0.3 * Math.sin(t / 17) + 0.1 * Math.sin(t / 3)));
    const a = detectRebounds(base, S).states;
    const changed = base.map((v, t) => (t > 150 ? v * (0.5 + ((t * 7919) % 13) / 13) : v));
    const b = detectRebounds(changed, S).states;
    expect(b.slice(0, 151)).toEqual(a.slice(0, 151));
  });
});

describe('applyReboundCap', () => {
  const split = { c1: 0.3, c2: 0.6, cash: 0.1 };
  it('caps a group in downtrend and sends the excess to cash', () => {
    const r = applyReboundCap(split, { high: true }, 0.5);
    expect(r.split.c1).toBe(0.3);
    expect(r.split.c2).toBe(0.5);
    expect(r.split.cash).toBeCloseTo(0.2, 12);
    expect(r.capped).toBe(true);
  });
  it('scales the total risky allocation when the market is in downtrend', () => {
    const r = applyReboundCap(split, { market: true }, 0.5);
    expect(r.split.c1).toBeCloseTo(0.3 * (0.5 / 0.9), 12);
    expect(r.split.c2).toBeCloseTo(0.6 * (0.5 / 0.9), 12);
    expect(r.split.cash).toBeCloseTo(0.5, 12);
  });
  it('leaves the split alone without a downtrend', () => {
    expect(applyReboundCap(split, {}, 0.5)).toEqual({ split, capped: false, reasons: [] });
  });
});

describe('reboundStateAt', () => {
  it('runs the detector on the group equal-weight index of the trailing window', () => {
    const m = djiaSubset(400, 6);
    const view = new MarketView(m, 399);
    const mask = [true, false, true, false, true, false];
    const levels = groupIndexLevels(view.returnsWindow(252), mask);
    expect(levels.length).toBe(253);
    const direct = detectRebounds(levels, { minDays: 3 });
    const at = reboundStateAt(view, mask, { minDays: 3, historyDays: 252 });
    expect(at.state).toEqual({ ...direct.states[252]!, step: 252 });
    expect(at.flags.map((f) => f.dayIndex)).toEqual(direct.flags.map((f) => f.dayIndex + 399 - 252));
  });
});
