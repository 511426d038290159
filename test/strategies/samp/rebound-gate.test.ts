/**
 * The rebound rule as a gate (issue 15, reboundMode 'gate'): in a downtrend without a confirmed rebound a group
 * loses its utility advantage over cash and its positive momentum tilt, and nothing is capped. Checked by hand on
 * applyReboundGate, then day by day through the allocator on a market that rises, crashes, drifts up without
 * confirming a rebound, and then confirms one: the gate is on exactly on the detector's downtrend days (the
 * detector itself is tested in rebound.test.ts), and the cap rule on the same market does cap.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { applyReboundGate, REBOUND_MODE_DEFAULT } from '../../../src-main/strategies/samp/logic/rebound';
import { splitFromUtilities } from '../../../src-main/strategies/samp/logic/utility';
import { SampAllocator, type DayAllocation } from '../../../src-main/strategies/samp/allocation';
import { MarketView } from '../../../src-main/market/view';
import type { ReboundMode } from '../../../src-main/agents/samp/config';
import { matrixFromRelatives } from '../../helpers/data';

describe('applyReboundGate (hand computed)', () => {
  const utilities = {
    ordinary: { utility: 0.2, tilt: 0.03, adjusted: 0.23 },
    high: { utility: -0.1, tilt: 0.04, adjusted: -0.06 },
  };

  it('a group in its own downtrend keeps no advantage over cash and no positive tilt; the other is untouched', () => {
    const r = applyReboundGate(utilities, { high: true }, 0);
    expect(r.adjusted).toEqual({ ordinary: 0.23, high: -0.1 }); // min(-0.1, 0) + min(0.04, 0)
    expect(r.gated).toEqual(['high']);
    expect(r.reasons).toEqual(['high-quality group in downtrend: advantage and positive tilt off']);
  });

  it('a market downtrend gates both groups; the reference is the cash utility', () => {
    const r = applyReboundGate(utilities, { market: true }, 0.05);
    expect(r.adjusted.ordinary).toBeCloseTo(0.05, 15); // min(0.2, 0.05) + min(0.03, 0)
    expect(r.adjusted.high).toBeCloseTo(-0.1, 15);
    expect(r.gated).toEqual(['ordinary', 'high']);
  });

  it('a shortfall and a negative tilt stay; nothing in a downtrend changes nothing', () => {
    const down = {
      ordinary: { utility: 0.1, tilt: -0.02, adjusted: 0.08 },
      high: { utility: -0.3, tilt: -0.01, adjusted: -0.31 },
    };
    expect(applyReboundGate(down, { ordinary: true, high: true }, 0).adjusted).toEqual({
      ordinary: -0.02,
      high: -0.31,
    });
    expect(applyReboundGate(utilities, {}, 0)).toEqual({
      adjusted: { ordinary: 0.23, high: -0.06 },
      gated: [],
      reasons: [],
    });
  });

  it('the cap stays the default rule', () => {
    expect(REBOUND_MODE_DEFAULT).toBe('cap');
  });
});

describe('the gate through the allocator, day by day', () => {
  // a common market path: 160 strong days, a 17% crash in 6 days, 25 days of slow rise (under the 5% needed for a
  // rebound, but a positive 20-day momentum), a rise that confirms the rebound, then a quiet drift
  const market = [
    ...Array<number>(160).fill(1.004),
    ...Array<number>(6).fill(0.97),
    ...Array<number>(25).fill(1.0015),
    ...Array<number>(12).fill(1.008),
    ...Array<number>(60).fill(1.0005),
  ];
  const rng = seedrandom('gate');
  const drift = [0.0006, 0.0003, -0.0002, -0.0004];
  const m = matrixFromRelatives(market.map((x) => drift.map((g) => x * (1 + g + 0.004 * (rng() - 0.5)))));
  const run = (mode: ReboundMode, smoothingHalfLife = 0): DayAllocation[] => {
    const alloc = new SampAllocator({
      grouping: { every: 75, lookback: 75, init: 'extremes', static: false },
      utility: { smoothingHalfLife },
      rebound: { enabled: true, historyDays: 252, mode },
      anchor: 80,
      seed: 1,
    });
    return Array.from({ length: m.dates.length - 120 }, (_, k) => alloc.at(new MarketView(m, 120 + k)));
  };
  const gate = run('gate');
  const cap = run('cap');

  it('never caps', () => {
    for (const a of [...gate, ...run('gate', 5)]) {
      expect(a.rebound.mode).toBe('gate');
      expect(a.rebound.capped).toBe(false);
    }
    // while the cap rule caps on the same market
    expect(cap.some((a) => a.rebound.capped)).toBe(true);
    expect(cap.every((a) => a.rebound.gated.length === 0)).toBe(true);
  });

  it('gates a group exactly when its own series or the market is in a downtrend without a confirmed rebound', () => {
    for (const a of gate) {
      const down = (g: 'ordinary' | 'high') => a.rebound[g]!.inDowntrend || a.rebound.market!.inDowntrend;
      expect(a.rebound.gated).toEqual((['ordinary', 'high'] as const).filter(down));
    }
    // the market path above has all three phases
    const phases = new Set(gate.map((a) => a.rebound.market!.phase));
    expect(phases).toEqual(new Set(['normal', 'downtrend', 'rebound']));
  });

  it('on gated days the split is the utilities split with the advantage and positive tilt off; otherwise the utilities own', () => {
    let positiveTiltGated = 0;
    let positiveUtilityGated = 0;
    for (const a of gate) {
      const T = { temperature: a.splitInfo.temperature! };
      const adjusted = (g: 'ordinary' | 'high') => {
        const u = a.capital[g];
        if (!a.rebound.gated.includes(g)) return u.adjusted;
        if (u.tilt > 0) positiveTiltGated++;
        if (u.utility > 0) positiveUtilityGated++;
        return Math.min(u.utility, 0) + Math.min(u.tilt, 0);
      };
      const want = splitFromUtilities(adjusted('ordinary'), adjusted('high'), T);
      expect(a.split.c1).toBeCloseTo(want.c1, 14);
      expect(a.split.c2).toBeCloseTo(want.c2, 14);
      expect(a.split.cash).toBeCloseTo(want.cash, 14);
      if (a.rebound.gated.length === 0) expect(a.split).toEqual(a.capital.split);
    }
    // the checks above were not vacuous: the gate took off positive tilts and positive utilities
    expect(positiveTiltGated).toBeGreaterThan(0);
    expect(positiveUtilityGated).toBeGreaterThan(0);
  });

  it('the utilities before the rule are the same under both modes; the gate moves capital to cash only where it acts', () => {
    for (let k = 0; k < gate.length; k++) {
      expect(gate[k]!.capital.split).toEqual(cap[k]!.capital.split);
      if (gate[k]!.rebound.gated.length)
        expect(gate[k]!.split.cash).toBeGreaterThanOrEqual(gate[k]!.capital.split.cash - 1e-12);
    }
  });

  it('refuses an unknown mode', () => {
    expect(
      () =>
        new SampAllocator({
          grouping: { every: 75, lookback: 75, init: 'extremes', static: false },
          utility: {},
          rebound: { enabled: true, historyDays: 252, mode: 'block' as ReboundMode },
          anchor: 80,
          seed: 1,
        }),
    ).toThrow(/rebound mode must be 'cap' or 'gate'/);
  });
});
