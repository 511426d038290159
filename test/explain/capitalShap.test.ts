import { describe, expect, it } from 'vitest';
import {
  capitalFeatures,
  explainCapitalSplit,
  splitFromFeatures,
  type CapitalDayInputs,
} from '../../src-main/explain/capitalShap';

const day = (
  u1: number,
  t1: number,
  u2: number,
  t2: number,
  down: [boolean, boolean, boolean] = [false, false, false],
): CapitalDayInputs => ({
  utility: { ordinary: { utility: u1, tilt: t1 }, high: { utility: u2, tilt: t2 } },
  rebound: {
    enabled: true,
    ordinary: { inDowntrend: down[0] },
    high: { inDowntrend: down[1] },
    market: { inDowntrend: down[2] },
  },
});
const settings = { rule: 'softmax' as const, temperature: 0.1, allowCash: true, cashUtility: 0 };

describe('capital split attribution', () => {
  it('recomputes the split the strategy makes: softmax over adjusted utilities and cash, then the cap', () => {
    // U'1 = 0.1, U'2 = 0.2, cash 0 -> softmax([1, 2, 0]) at T = 0.1 of values /T
    const s = splitFromFeatures(capitalFeatures(day(0.08, 0.02, 0.2, 0)), {
      utility: settings,
      mode: 'cap',
      downtrendCap: 0.5,
    });
    const e = [Math.exp(1), Math.exp(2), Math.exp(0)];
    const tot = e[0]! + e[1]! + e[2]!;
    expect(s.c1).toBeCloseTo(e[0]! / tot, 12);
    expect(s.c2).toBeCloseTo(e[1]! / tot, 12);
    // a market downtrend caps risky capital at 0.5
    const capped = splitFromFeatures(capitalFeatures(day(0.08, 0.02, 0.2, 0, [false, false, true])), {
      utility: settings,
      mode: 'cap',
      downtrendCap: 0.5,
    });
    expect(capped.c1 + capped.c2).toBeCloseTo(0.5, 12);
  });

  it('is efficient, and gives nothing to an input that does not differ from the background', () => {
    const x = day(0.05, 0.01, 0.3, 0.02, [false, false, true]);
    const bg = [day(0.05, 0.01, 0.1, 0), day(0.05, 0.01, 0.0, -0.01)];
    for (const r of explainCapitalSplit(x, bg, settings, 0.5)) {
      const sum = r.values.reduce((a, v) => a + v.value, 0);
      expect(sum).toBeCloseTo(r.fx - r.baseValue, 10);
      expect(r.values[0]!.value).toBeCloseTo(0, 12); // ordinary utility equals every background's
      expect(r.values[1]!.value).toBeCloseTo(0, 12); // so does its tilt
    }
    const cash = explainCapitalSplit(x, bg, settings, 0.5).find((r) => r.output === 'cash share')!;
    expect(cash.values[4]!.value).toBeGreaterThan(0); // the market downtrend raised cash
  });

  it('reproduces a smoothed, calibrated day exactly and gives the smoothing its shift; gate mode never caps', () => {
    // the day's own split at its recorded temperature 0.25, then smoothing moved it towards cash by 0.1
    const own = splitFromFeatures(capitalFeatures(day(0.08, 0.02, 0.2, 0)), {
      utility: { ...settings, temperature: 0.25 },
      mode: 'cap',
      downtrendCap: 0.5,
    });
    const smoothed = { c1: own.c1 - 0.05, c2: own.c2 - 0.05, cash: own.cash + 0.1 };
    const x: CapitalDayInputs = {
      ...day(0.08, 0.02, 0.2, 0),
      split: { temperature: 0.25, day: own },
      capitalBeforeCap: smoothed,
      capital: smoothed,
    };
    const bg = [day(0.08, 0.02, 0.2, 0)];
    const out = explainCapitalSplit(x, bg, settings, 0.5); // the configured temperature 0.1 is not the day's
    const cash = out.find((r) => r.output === 'cash share')!;
    expect(cash.fx).toBeCloseTo(smoothed.cash, 12);
    expect(cash.values[5]!.value).toBeCloseTo(0.1, 12); // everything else equals the background: all of it is smoothing
    for (const r of out) expect(r.values.reduce((a, v) => a + v.value, 0)).toBeCloseTo(r.fx - r.baseValue, 10);
    // gate mode: a market downtrend takes the groups' advantage over cash away instead of capping at 0.5
    const gated: CapitalDayInputs = {
      ...day(0.3, 0.05, 0.4, 0.05, [false, false, true]),
      rebound: {
        enabled: true,
        mode: 'gate',
        ordinary: { inDowntrend: false },
        high: { inDowntrend: false },
        market: { inDowntrend: true },
      },
    };
    const g = splitFromFeatures(capitalFeatures(gated), { utility: settings, mode: 'gate', downtrendCap: 0.5 });
    // both groups gated to min(U, 0) + min(tilt, 0) = 0: an even three-way softmax, not a cap
    expect(g.c1).toBeCloseTo(1 / 3, 12);
    expect(g.cash).toBeCloseTo(1 / 3, 12);
  });
});
