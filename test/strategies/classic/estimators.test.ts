import { describe, expect, it } from 'vitest';
import { maxsharpe, meanvar, minvar, momentum, riskparity } from '../../../src-main/strategies/classic/estimators';
import { riskContributions, sampleMeanCov } from '../../../src-main/strategies/classic/optimize';
import { MarketView } from '../../../src-main/market/view';
import { matrixFromRelatives } from '../../helpers/data';
import { drive, makeCtx } from './drive';

/** Returns of two assets repeating A = (0.01, -0.01, 0.01, -0.01), B = (0.02, 0.02, -0.02, -0.02), k times. */
function twoAssetRelatives(k: number, shiftA = 0): number[][] {
  const base = [
    [0.01, 0.02],
    [-0.01, 0.02],
    [0.01, -0.02],
    [-0.01, -0.02],
  ];
  const out: number[][] = [];
  for (let i = 0; i < k; i++) for (const [a, b] of base) out.push([1 + a! + shiftA, 1 + b!]);
  return out;
}

describe('minvar strategy', () => {
  it('trailing-window closed form: over whole 4-day cycles var A = 4e-4/3, var B = 16e-4/3, cov 0 => w1 = 0.8', async () => {
    // 24 return rows = 6 cycles; lookback 24 reads exactly them: means 0, var A = 24e-4/23, var B = 96e-4/23, cov 0
    const m = matrixFromRelatives(twoAssetRelatives(6));
    const w = await drive(minvar, m, { testStart: 24, to: 24, params: { lookback: 24 } });
    expect(w[0]![0]).toBeCloseTo(0.8, 6);
  });

  it('reads only the trailing lookback window: history before it does not matter', async () => {
    const a = matrixFromRelatives([...Array.from({ length: 10 }, () => [1.05, 0.97]), ...twoAssetRelatives(6)]);
    const b = matrixFromRelatives([...Array.from({ length: 10 }, () => [0.9, 1.2]), ...twoAssetRelatives(6)]);
    const wa = await drive(minvar, a, { testStart: 34, to: 34, params: { lookback: 24 } });
    const wb = await drive(minvar, b, { testStart: 34, to: 34, params: { lookback: 24 } });
    expect(wa[0]![0]).toBeCloseTo(0.8, 6);
    expect(wb[0]![0]).toBeCloseTo(wa[0]![0]!, 12);
  });

  it('holds uniform weights while history is shorter than minHistory', async () => {
    const m = matrixFromRelatives(twoAssetRelatives(6));
    const w = await drive(minvar, m, { testStart: 5, to: 5 });
    expect(Array.from(w[0]!)).toEqual([0.5, 0.5]);
  });

  it('re-estimates only every reestimateEvery days, keeping its target in between', async () => {
    // regime 1 (days 1..24): minvar 0.8 on A; regime 2: A becomes the volatile one
    const rel = [...twoAssetRelatives(6), ...twoAssetRelatives(6).map(([a, b]) => [b!, a!])];
    const m = matrixFromRelatives(rel);
    const w = await drive(minvar, m, { testStart: 24, to: 48, params: { lookback: 24, reestimateEvery: 24 } });
    for (let k = 0; k < 24; k++) expect(w[k]![0]).toBeCloseTo(0.8, 6); // days 24..47 keep the day-24 estimate
    expect(w[24]![0]).toBeCloseTo(0.2, 6); // day 48: re-estimated on the second regime only
  });
});

describe('meanvar strategy', () => {
  it('two-asset closed form with gamma = 100: a = 0.8 + mu1/(gamma D)', async () => {
    // A shifted by +0.01: sample mean (0.01, 0); over 24 rows var A = 24e-4/23, var B = 96e-4/23, D = 120e-4/23
    // a = varB/D + 0.01/(100 D) = 0.8 + 0.01 * 23 / (100 * 120e-4) = 0.8 + 0.191666...
    const m = matrixFromRelatives(twoAssetRelatives(6, 0.01));
    const w = await drive(meanvar, m, { testStart: 24, to: 24, params: { lookback: 24, gamma: 100 } });
    expect(w[0]![0]).toBeCloseTo(0.8 + (0.01 * 23) / (100 * 120e-4), 5);
  });
});

describe('maxsharpe strategy', () => {
  it('falls back to minimum variance (and says so) when no mean is positive', async () => {
    const m = matrixFromRelatives(twoAssetRelatives(6, -0.005).map(([a, b]) => [a!, b! - 0.005]));
    const ctx = makeCtx(m, { testStart: 24 });
    const inst = await maxsharpe.create(ctx);
    const d = inst.decide(new MarketView(m, 24));
    if (d instanceof Float64Array) throw new Error('expected a decision with detail');
    expect(d.weights[0]).toBeCloseTo(0.8, 5);
    expect(d.detail?.family === 'classic' ? d.detail.note : undefined).toMatch(/minimum variance/);
  });

  it('with one positive-mean asset and the other negative, holds only the positive one', async () => {
    const m = matrixFromRelatives(twoAssetRelatives(6, 0.01).map(([a, b]) => [a!, b! - 0.005]));
    const w = await drive(maxsharpe, m, { testStart: 24, to: 24, params: { lookback: 24 } });
    expect(w[0]![0]).toBeCloseTo(1, 8);
  });
});

describe('riskparity strategy', () => {
  it('equalises risk contributions on the trailing sample covariance', async () => {
    const rel = Array.from({ length: 80 }, (_, t) => [
      1 + 0.01 * Math.sin(t),
      1 + 0.02 * Math.cos(1.3 * t),
      1 + 0.015 * Math.sin(0.7 * t + 1),
    ]);
    const m = matrixFromRelatives(rel);
    const w = (await drive(riskparity, m, { testStart: 80, to: 80, params: { lookback: 60, ridge: 0 } }))[0]!;
    const rows = new MarketView(m, 80).returnsWindow(60);
    const { cov } = sampleMeanCov(rows);
    const rc = riskContributions(w, cov);
    const total = rc.reduce((a, b) => a + b, 0);
    for (const r of rc) expect(r / total).toBeCloseTo(1 / 3, 8);
  });
});

describe('momentum strategy', () => {
  it('holds the top-k trailing returns in equal weight and re-ranks every reestimateEvery days', async () => {
    // 4 assets; days 1..10: returns per day (+3%, +1%, -1%, +2%); days 11..20: (-2%, +1%, +4%, -1%)
    const rel = [
      ...Array.from({ length: 10 }, () => [1.03, 1.01, 0.99, 1.02]),
      ...Array.from({ length: 10 }, () => [0.98, 1.01, 1.04, 0.99]),
    ];
    const m = matrixFromRelatives(rel);
    const w = await drive(momentum, m, {
      testStart: 10,
      to: 20,
      params: { lookback: 5, topK: 2, reestimateEvery: 10 },
    });
    // day 10, lookback 5: trailing returns ranked A > D > B > C => hold A and D
    expect(Array.from(w[0]!)).toEqual([0.5, 0, 0, 0.5]);
    // days 11..19 keep that target even though the ranking has flipped
    expect(Array.from(w[9]!)).toEqual([0.5, 0, 0, 0.5]);
    // day 20: over days 16..20 C (+4%) > B (+1%) > D > A => hold B and C
    expect(Array.from(w[10]!)).toEqual([0, 0.5, 0.5, 0]);
  });
});
