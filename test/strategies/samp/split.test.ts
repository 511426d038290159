/**
 * The capital split that respects its noise (issue 15): the calibrated softmax temperature against hand
 * computations, the split it gives, and — on a noisy synthetic market — that it and the moving average over days
 * make the fractions move far less from one day to the next than the fixed temperature 0.1 does.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  annualisedMeanStandardError,
  capitalSplit,
  MIN_TEMPERATURE,
  splitFromUtilities,
  splitTemperature,
  UTILITY_DEFAULTS,
} from '../../../src-main/strategies/samp/logic/utility';
import { SampAllocator } from '../../../src-main/strategies/samp/allocation';
import { MarketView } from '../../../src-main/market/view';
import type { UtilitySettings } from '../../../src-main/agents/samp/config';
import { matrixFromRelatives } from '../../helpers/data';

// periodsPerYear 1 and a 4-day window keep the hand computation short
const HAND = { window: 4, periodsPerYear: 1 } as const;
const ordinary = Float64Array.from([0.01, -0.01, 0.02, 0.0]);
const high = Float64Array.from([0.0, 0.01, 0.0, 0.01]);

describe('calibrated split temperature', () => {
  it('standard error of an annualised mean: s * P / sqrt(w), i.e. sigma_annual * sqrt(P / w)', () => {
    // ordinary: mean 0.005, squared deviations 0.25e-4 + 2.25e-4 + 2.25e-4 + 0.25e-4 = 5e-4, s = sqrt(5e-4 / 3)
    expect(annualisedMeanStandardError(ordinary, 4, 1)).toBeCloseTo(Math.sqrt(5e-4 / 3) / 2, 15);
    // only the last `window` values count
    expect(annualisedMeanStandardError(Float64Array.from([9, ...ordinary]), 4, 1)).toBeCloseTo(
      Math.sqrt(5e-4 / 3) / 2,
      15,
    );
    // the figure: sigma = 20% a year over 60 days gives sqrt(252 / 60) * 0.2 = 0.41
    const a = 0.2 / Math.sqrt(252) / Math.sqrt(60 / 59); // +-a alternating has sample sd a * sqrt(60 / 59)
    const alt = Float64Array.from({ length: 60 }, (_, d) => (d % 2 ? a : -a));
    expect(annualisedMeanStandardError(alt, 60, 252)).toBeCloseTo(0.2 * Math.sqrt(252 / 60), 12);
    expect(() => annualisedMeanStandardError([0.01], 4, 1)).toThrow(RangeError);
  });

  it('T = c x the standard error of the noisiest difference the softmax compares (hand computed)', () => {
    // ordinary - high = [0.01, -0.02, 0.02, -0.01]: mean 0, squared deviations 1e-4 + 4e-4 + 4e-4 + 1e-4 = 1e-3
    const seDiff = Math.sqrt(1e-3 / 3) / 2; // 0.0091287
    const seOrd = Math.sqrt(5e-4 / 3) / 2; // 0.0064550: ordinary vs cash
    const seHigh = Math.sqrt(1e-4 / 3) / 2; // 0.0028868: high vs cash
    expect(seDiff).toBeGreaterThan(seOrd);
    const t = splitTemperature(ordinary, high, { ...HAND, calibration: 2 });
    expect(t.rule).toBe('calibrated');
    expect(t.standardError).toBeCloseTo(seDiff, 15);
    expect(t.temperature).toBeCloseTo(2 * seDiff, 15);
    expect(seHigh).toBeLessThan(seOrd);
  });

  it('the groups-vs-cash comparisons count only when cash is an entry', () => {
    // two perfectly correlated groups: their difference is constant (no noise), each group against cash is not
    const shifted = Float64Array.from(ordinary, (v) => v + 0.001);
    const withCash = splitTemperature(ordinary, shifted, { ...HAND, calibration: 1 });
    expect(withCash.standardError).toBeCloseTo(Math.sqrt(5e-4 / 3) / 2, 15);
    // without cash only the exactly known difference is compared: T falls to its floor, the split is an argmax
    const noCash = splitTemperature(ordinary, shifted, { ...HAND, calibration: 1, allowCash: false });
    expect(noCash.standardError).toBeLessThan(1e-15);
    expect(noCash.temperature).toBe(MIN_TEMPERATURE);
  });

  it('the fixed rule uses the set temperature; bad settings are refused with the reason', () => {
    expect(splitTemperature(ordinary, high, { temperatureRule: 'fixed', temperature: 0.1 })).toEqual({
      rule: 'fixed',
      temperature: 0.1,
      standardError: null,
    });
    expect(() => splitTemperature(ordinary, high, { calibration: 0 })).toThrow(/calibration must be/);
    expect(() => splitTemperature(ordinary, high, { temperatureRule: 'fixed', temperature: 0 })).toThrow(
      /temperature must be > 0/,
    );
    expect(() => splitTemperature(ordinary, high, { temperatureRule: 'sharp' as 'fixed' })).toThrow(/temperatureRule/);
    expect(() => splitTemperature(ordinary, high.subarray(1), HAND)).toThrow(/differ in length/);
  });

  it('capitalSplit softmaxes the utilities with the calibrated temperature, and records it', () => {
    const rows = Array.from(ordinary, (o, d) => Float64Array.from([o, high[d]!]));
    const masks = { ordinary: [true, false], high: [false, true] };
    const settings: Partial<UtilitySettings> = { ...HAND, momentumWindow: 2, calibration: 1.5 };
    const a = capitalSplit(rows, masks, settings);
    const T = 1.5 * (Math.sqrt(1e-3 / 3) / 2);
    expect(a.temperature!.temperature).toBeCloseTo(T, 15);
    const z = [a.ordinary.adjusted / T, a.high.adjusted / T, 0];
    const e = z.map((v) => Math.exp(v));
    const tot = e[0]! + e[1]! + e[2]!;
    expect(a.split.c1).toBeCloseTo(e[0]! / tot, 12);
    expect(a.split.c2).toBeCloseTo(e[1]! / tot, 12);
    expect(a.split.cash).toBeCloseTo(e[2]! / tot, 12);
    // the fixed rule on the same data: the old temperature 0.1 and no standard error
    const f = capitalSplit(rows, masks, { ...settings, temperatureRule: 'fixed' });
    expect(f.temperature).toEqual({ rule: 'fixed', temperature: UTILITY_DEFAULTS.temperature, standardError: null });
    expect(f.split).toEqual(
      splitFromUtilities(f.ordinary.adjusted, f.high.adjusted, { ...settings, temperature: 0.1 }),
    );
    // rules without a softmax have no temperature
    expect(capitalSplit(rows, masks, { ...settings, rule: 'equal' }).temperature).toBeNull();
  });

  it('defaults: calibrated with c = 1, a 5-day half-life, the fixed temperature kept at 0.1', () => {
    expect(UTILITY_DEFAULTS).toMatchObject({
      temperatureRule: 'calibrated',
      calibration: 1,
      smoothingHalfLife: 5,
      temperature: 0.1,
    });
  });
});

/** Variance of the day-to-day changes of c1, c2 and cash, summed. */
function dayToDayVariance(splits: { c1: number; c2: number; cash: number }[]): number {
  let v = 0;
  for (const k of ['c1', 'c2', 'cash'] as const) {
    const d = splits.slice(1).map((s, i) => s[k] - splits[i]![k]);
    const m = d.reduce((a, b) => a + b, 0) / d.length;
    v += d.reduce((a, b) => a + (b - m) ** 2, 0) / (d.length - 1);
  }
  return v;
}

describe('the split on a noisy market (no drift: every utility gap is noise)', () => {
  // 8 assets, 1.2% daily noise each, a common factor of 0.8%: a diversified group has ~15% annual volatility
  const rng = seedrandom('noisy-split');
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const m = matrixFromRelatives(
    Array.from({ length: 500 }, () => {
      const f = 0.008 * gauss();
      return Array.from({ length: 8 }, () => 1 + f + 0.012 * gauss());
    }),
  );
  const splits = (utility: Partial<UtilitySettings>) => {
    const alloc = new SampAllocator({
      grouping: { every: 75, lookback: 75, init: 'extremes', static: false },
      utility,
      rebound: { enabled: false, historyDays: 252 },
      anchor: 100,
      seed: 1,
    });
    return Array.from({ length: 380 }, (_, k) => alloc.at(new MarketView(m, 120 + k)));
  };
  const fixed = splits({ temperatureRule: 'fixed', smoothingHalfLife: 0 });
  const calibrated = splits({ temperatureRule: 'calibrated', smoothingHalfLife: 0 });
  const smoothed = splits({ temperatureRule: 'calibrated', smoothingHalfLife: 5 });

  it('the calibrated temperature is several times the fixed 0.1 here, as the noise of a 60-day mean is', () => {
    const ts = calibrated.map((a) => a.splitInfo.temperature!);
    expect(Math.min(...ts)).toBeGreaterThan(0.2);
    expect(calibrated[0]!.splitInfo).toMatchObject({
      rule: 'softmax',
      temperatureRule: 'calibrated',
      calibration: 1,
      smoothingHalfLife: 0,
    });
    expect(fixed[0]!.splitInfo).toMatchObject({
      temperatureRule: 'fixed',
      temperature: 0.1,
      standardError: null,
      calibration: null,
    });
  });

  it('the day-to-day variance of the fractions falls with the calibrated rule, and again with the moving average', () => {
    const vFixed = dayToDayVariance(fixed.map((a) => a.split));
    const vCal = dayToDayVariance(calibrated.map((a) => a.split));
    const vSmooth = dayToDayVariance(smoothed.map((a) => a.split));
    expect(vCal).toBeLessThan(vFixed / 3);
    expect(vSmooth).toBeLessThan(vCal / 4);
  });

  it('the moving average is the half-life-weighted mean of the daily splits of the last five half-lives', () => {
    const t = 300;
    const a = smoothed[t - 120]!;
    let total = 0;
    const acc = { c1: 0, c2: 0, cash: 0 };
    for (let s = t, w = 1; s > t - 25; s--, w *= 2 ** (-1 / 5)) {
      const day = calibrated[s - 120]!.split; // the unsmoothed split of day s
      acc.c1 += w * day.c1;
      acc.c2 += w * day.c2;
      acc.cash += w * day.cash;
      total += w;
    }
    expect(a.split.c1).toBeCloseTo(acc.c1 / total, 12);
    expect(a.split.c2).toBeCloseTo(acc.c2 / total, 12);
    expect(a.split.cash).toBeCloseTo(acc.cash / total, 12);
    expect(a.splitInfo.day).toEqual(calibrated[t - 120]!.split);
    expect(a.split.c1 + a.split.c2 + a.split.cash).toBeCloseTo(1, 12);
  });

  it('the smoothed split does not depend on the order days are asked in, nor on prices after the day', () => {
    const alloc = () =>
      new SampAllocator({
        grouping: { every: 75, lookback: 75, init: 'extremes', static: false },
        utility: { smoothingHalfLife: 5 },
        rebound: { enabled: false, historyDays: 252 },
        anchor: 100,
        seed: 1,
      });
    const later = alloc();
    later.at(new MarketView(m, 400));
    expect(later.at(new MarketView(m, 300)).split).toEqual(smoothed[180]!.split);
    const future = { ...m, close: m.close.map((row, d) => (d > 300 ? row.map((p) => p * 1.7) : row)) };
    expect(alloc().at(new MarketView(future, 300)).split).toEqual(smoothed[180]!.split);
  });

  it('refuses a negative half-life', () => {
    expect(
      () =>
        new SampAllocator({
          grouping: { every: 75, lookback: 75, init: 'extremes', static: false },
          utility: { smoothingHalfLife: -1 },
          rebound: { enabled: false, historyDays: 252 },
          anchor: 100,
          seed: 1,
        }),
    ).toThrow(/smoothingHalfLife/);
  });
});
