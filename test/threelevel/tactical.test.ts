/**
 * Levels 1 and 2 of the three-level hierarchy (agents/threelevel/tilts.ts, strategic.ts, tactical-env.ts,
 * tactical-network.ts, tactical-trainer.ts): the tilt bound holds for any raw tilts, also once class weights become
 * asset weights; the strategic rule reads the past only; a month's reward is the outperformance over the strategic
 * target net of Level 3's costs; the same seed trains the same policy; the exported ONNX policy computes what the
 * training engine computes.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { classLayout, type ClassLayout } from '../../src-main/agents/hadaps/classes';
import { baselinePolicy } from '../../src-main/agents/threelevel/baselines';
import { resolveExecutionConfig } from '../../src-main/agents/threelevel/config';
import { strategicTarget } from '../../src-main/agents/threelevel/strategic';
import { resolveTacticalConfig, type TacticalConfig } from '../../src-main/agents/threelevel/tactical-config';
import { TacticalEnv, TACTICAL_FEATURE_COUNT } from '../../src-main/agents/threelevel/tactical-env';
import { exportTacticalOnnx, tacticalModel, TacticalPolicy } from '../../src-main/agents/threelevel/tactical-network';
import { startingHoldings, trainTacticalAgent } from '../../src-main/agents/threelevel/tactical-trainer';
import { sacTrainingConfig } from '../../src-main/agents/threelevel/trainer';
import { assetWeights, boundTilts, classWeightsOf } from '../../src-main/agents/threelevel/tilts';
import { OnnxSac } from '../../src-main/compute/train/sac';
import { ExecutionCosts } from '../../src-main/market/costs';
import type { PriceMatrix } from '../../src-main/market/prices';
import { djiaSubset } from '../helpers/data';

const EPS = 1e-12;

/** Weights proportional to uniform draws, some classes at zero. */
function randomAllocation(k: number, rng: () => number): Float64Array {
  const w = Float64Array.from({ length: k }, () => (rng() < 0.25 ? 0 : rng()));
  if (w.every((x) => x === 0)) w[0] = 1;
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

/** Six DJIA stocks in three made-up classes of two. */
function sectorData(days: number, from: number): { m: PriceMatrix; layout: ClassLayout } {
  const m = djiaSubset(days, 6, from);
  const sectors = ['A', 'A', 'B', 'B', 'C', 'C'];
  m.assets = m.tickers.map((ticker, i) => ({ ticker, name: ticker, class: 'Equity', sector: sectors[i]! }));
  return { m, layout: classLayout(m.tickers, m.assets, 'auto') };
}

function smallConfig(over: Partial<TacticalConfig> = {}): TacticalConfig {
  return resolveTacticalConfig('quick', {
    warmup: 16,
    batchSize: 16,
    updates: 60,
    updatesPerMonth: 4,
    episodeMonths: 4,
    episodesPerValidation: 1,
    validationDays: 84,
    patience: 0,
    ...over,
  });
}

describe('tilt bound', () => {
  it('never exceeds the bound, sums to zero and keeps every class in [0, 1], also after the asset weights', () => {
    const rng = seedrandom('tilts');
    const layout: ClassLayout = {
      basis: 'sector',
      classes: [
        { name: 'A', members: [0, 1, 2] },
        { name: 'B', members: [3] },
        { name: 'C', members: [4, 5] },
      ],
      nAssets: 6,
      classOf: [0, 0, 0, 1, 2, 2],
    };
    for (let trial = 0; trial < 2000; trial++) {
      const s = randomAllocation(4, rng);
      // raw tilts far past the bound and of any sign, as a policy's output times the bound never is
      const raw = Float64Array.from({ length: 4 }, () => (rng() - 0.5) * (trial % 2 ? 0.1 : 3));
      const maxTilt = trial % 3 === 0 ? 0.05 : 0.01 + 0.04 * rng();
      const d = boundTilts(s, raw, maxTilt);
      expect(Math.abs(d.reduce((a, b) => a + b, 0))).toBeLessThan(EPS);
      d.forEach((x, k) => {
        expect(Math.abs(x)).toBeLessThanOrEqual(maxTilt + EPS);
        expect(s[k]! + x).toBeGreaterThanOrEqual(-EPS);
        expect(s[k]! + x).toBeLessThanOrEqual(1 + EPS);
      });
      // the class weights the book actually gets, after equal weights inside classes and any rescaling
      const combined = Float64Array.from(s, (x, k) => Math.max(0, x + d[k]!));
      const w = assetWeights(layout, combined);
      expect(w.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + EPS);
      classWeightsOf(layout, w).forEach((c, k) => expect(Math.abs(c - s[k]!)).toBeLessThanOrEqual(maxTilt + 1e-9));
    }
  });

  it('leaves feasible tilts as they are and refuses what is not an allocation', () => {
    const s = [0.5, 0.3, 0.2, 0];
    const d = boundTilts(s, [0.03, -0.02, -0.01, 0], 0.05);
    [0.03, -0.02, -0.01, 0].forEach((x, k) => expect(d[k]).toBeCloseTo(x, 14));
    // cash at 0 cannot go below 0: its tilt stays 0, and so do the others (nothing else was asked)
    const c = boundTilts(s, [0, 0, 0, -0.05], 0.05);
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
    expect(() => boundTilts([0.5, 0.6], [0, 0])).toThrow(/sum to/);
    expect(() => boundTilts([0.5, 0.5], [0])).toThrow(/raw tilts/);
    expect(() => boundTilts([0.5, 0.5], [Number.NaN, 0])).toThrow(/not a number/);
  });
});

describe('strategic rule', () => {
  it('gives inverse-volatility class weights from the past only, cash 0', () => {
    const { m, layout } = sectorData(400, 200);
    const closes = (d: number) => m.close[d]!;
    const s = strategicTarget(closes, 300, layout, 'inverse-volatility', 252);
    expect(s).toHaveLength(4);
    expect(s[3]).toBe(0);
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(new Set(Array.from(s.subarray(0, 3), (x) => x.toFixed(6))).size).toBe(3);
    // a read past the day throws
    const guarded = (d: number) => {
      if (d > 300) throw new Error(`read of day ${d}`);
      return m.close[d]!;
    };
    expect(strategicTarget(guarded, 300, layout, 'inverse-volatility', 252)).toEqual(s);
    expect(Array.from(strategicTarget(closes, 300, layout, 'equal'))).toEqual([1 / 3, 1 / 3, 1 / 3, 0]);
  });
});

describe('tactical month', () => {
  it("rewards the month's outperformance over the strategic target net of what Level 3 paid", () => {
    const { m, layout } = sectorData(200, 400);
    const exec = resolveExecutionConfig('quick');
    const cfg = smallConfig();
    const costs = () => new ExecutionCosts(m, 0.001, {});
    const env = new TacticalEnv(m, layout, costs(), exec, baselinePolicy('trade-at-once'), cfg);
    const closes = (d: number) => m.close[d]!;
    const t0 = 100;
    const s = strategicTarget(closes, t0, layout, 'inverse-volatility', 252);
    const h = startingHoldings(m, layout, s, t0, 21);
    const raw = [1, -1, 0.5, 0];
    const month = env.month(t0, h, s, raw);
    // the paper portfolios holding s and s + tilts from t0, at no cost
    const growth = (cw: ArrayLike<number>) => {
      const w = assetWeights(layout, cw);
      let g = 1 - w.reduce((a, b) => a + b, 0);
      w.forEach((x, i) => (g += (x * m.close[t0 + 21]![i]!) / m.close[t0]![i]!));
      return g;
    };
    const outperformance = 1e4 * (growth(month.combined) - growth(s));
    const paid = month.costsBp.reduce((a, b) => a + b, 0);
    expect(paid).toBeGreaterThan(0);
    expect(month.reward).toBeCloseTo(outperformance - paid, 9);
    // trading at once on day t0 pays it all then: the same trade priced by the cost model alone
    const once = { traded: 0, commission: 0, spread: 0, impact: 0 };
    costs().charge(t0, h, assetWeights(layout, month.combined), 1, once);
    expect(paid).toBeCloseTo(1e4 * (once.commission + once.spread + once.impact), 9);
    expect(month.costsBp[3]).toBe(0);
    expect(month.end).toBe(t0 + 21);
    expect(() => env.month(190, h, s, raw)).toThrow(/past the prices' last day/);
  });
});

describe('tactical agent', () => {
  it('gives the same policy for the same seed, and another for another seed', async () => {
    const { m, layout } = sectorData(420, 300);
    const exec = resolveExecutionConfig('quick');
    const cfg = smallConfig();
    const train = (seed: number) =>
      trainTacticalAgent({
        m,
        layout,
        costs: new ExecutionCosts(m, 0.001, {}),
        execCfg: exec,
        execution: baselinePolicy('linear'),
        cfg,
        train: { first: 0, last: 335 },
        validation: { first: 336, last: 419 },
        seed,
      });
    const [a, b, c] = [await train(5), await train(5), await train(6)];
    const flat = (r: typeof a) => [...r.actor.values()].flatMap((v) => Array.from(v.data));
    expect(a.updates).toBe(60);
    expect(a.history.length).toBeGreaterThan(0);
    expect(flat(a)).toEqual(flat(b));
    expect(a.history).toEqual(b.history);
    expect(flat(a)).not.toEqual(flat(c));
  }, 60_000);

  it('exports an ONNX policy that agrees with the training engine to 1e-5, for any number of classes', async () => {
    const cfg = smallConfig();
    const { ddpg, sac } = sacTrainingConfig(cfg);
    const F = TACTICAL_FEATURE_COUNT;
    const learner = new OnnxSac(tacticalModel(F, cfg), ddpg, sac, 13, { batchSize: 8 });
    const rng = seedrandom('tactical parity');
    const draw = (k: number) => Float32Array.from({ length: k }, () => 4 * rng() - 2);
    try {
      for (let u = 0; u < 5; u++)
        learner.update({
          s: { x: draw(8 * F) },
          s2: { x: draw(8 * F) },
          a: Float32Array.from({ length: 8 }, () => 2 * rng() - 1),
          r: draw(8),
          done: new Float32Array(8),
        });
      const policy = await TacticalPolicy.open(exportTacticalOnnx(learner.actorParams(), cfg));
      try {
        for (const k of [1, 2, 10]) {
          const x = draw(k * F);
          const exported = policy.run(x);
          expect(exported).toHaveLength(k);
          for (let c = 0; c < k; c++) {
            const one = learner.act({ x: x.slice(c * F, (c + 1) * F) }, [new Float32Array(1)]);
            expect(Math.abs(exported[c]! - one[0]!)).toBeLessThan(1e-5);
            expect(Math.abs(exported[c]!)).toBeLessThan(1);
          }
        }
        expect(() => policy.run(new Float32Array(F + 1))).toThrow(/whole class states/);
      } finally {
        await policy.dispose();
      }
    } finally {
      learner.dispose();
    }
  });
});
