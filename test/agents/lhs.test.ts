/**
 * The Long/Hold/Short classifiers' pieces (src-main/agents/lhs): labels hand-checked on a tiny series with the +-3%
 * boundaries, features, the periods of a training window and that no label reads a close after trainEnd, the class
 * weights and scores, the prediction and book rules, the exported ONNX policy against the training engine's forward
 * (1e-5), a short training on a market where one asset clearly trends up (accuracy rises, the book ends long that
 * asset), and training reproducible by seed.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { HOLD, labelOf, LONG, longOnlyBook, predictedClass, SHORT } from '../../src-main/agents/lhs/classes';
import { checkLhsConfig, LHS_PRESETS, resolveLhsConfig, type LhsConfig } from '../../src-main/agents/lhs/config';
import { lhsSpecs, type LhsShape } from '../../src-main/agents/lhs/network';
import { exportLhsOnnx, LhsPolicy } from '../../src-main/agents/lhs/policy';
import {
  classificationScore,
  classWeights,
  lhsFeatures,
  lhsPeriods,
  lhsSamples,
} from '../../src-main/agents/lhs/samples';
import { trainLhs } from '../../src-main/agents/lhs/trainer';
import { initParams } from '../../src-main/compute/params';
import { OnnxLhs } from '../../src-main/compute/train/lhs';
import { LookAheadError, MarketView } from '../../src-main/market/view';
import type { PriceMatrix } from '../../src-main/market/prices';
import { matrixFromRelatives } from '../helpers/data';

/** A one-asset matrix of the given closes. */
function series(closes: number[]): PriceMatrix {
  const dates = closes.map((_, d) => new Date(Date.UTC(2020, 0, 1 + d)).toISOString().slice(0, 10));
  return { universe: 't', tickers: ['A'], dates, close: closes.map((c) => Float64Array.of(c)) };
}

const CFG = (over: Partial<LhsConfig> = {}): LhsConfig =>
  checkLhsConfig({ ...resolveLhsConfig('mlp', 'quick'), window: 2, horizon: 1, ...over });

describe('labels', () => {
  it('are Long strictly above +3%, Short strictly below -3%, Hold on and between the boundaries', () => {
    // day:          0    1      2      3    4      5    6
    const m = series([100, 103, 106.1, 102.9, 100, 96.99, 100]);
    // forward 1-day ratios: 1.03 (Hold: exactly +3%), 1.0301 (Long), 0.96984 (Short), 0.97182 (Hold),
    // 0.9699 (Short), 1.0310 (Long)
    const view = new MarketView(m, 6);
    const set = lhsSamples(view, 0, 5, CFG({ threshold: 0.03 }));
    expect(Array.from(set.y)).toEqual([HOLD, LONG, SHORT, HOLD, SHORT, LONG]);
    expect(labelOf(103 / 100, 0.03)).toBe(HOLD);
    expect(labelOf(97 / 100, 0.03)).toBe(HOLD);
    expect(labelOf(103.0001 / 100, 0.03)).toBe(LONG);
    expect(labelOf(96.9999 / 100, 0.03)).toBe(SHORT);
    expect(() => labelOf(Number.NaN, 0.03)).toThrow(/price ratio must be positive/);
  });

  it('use the forward return over the horizon, not the next day', () => {
    const m = series([100, 101, 102, 103.5, 104]);
    const view = new MarketView(m, 4);
    // over 3 days: 103.5 / 100 Long, 104 / 101 = 1.0297 Hold
    expect(Array.from(lhsSamples(view, 0, 1, CFG({ horizon: 3 })).y)).toEqual([LONG, HOLD]);
    // over 1 day: nothing moves 3%
    expect(Array.from(lhsSamples(view, 0, 3, CFG({ horizon: 1 })).y)).toEqual([HOLD, HOLD, HOLD, HOLD]);
  });

  it('never read a close after trainEnd: the last labelled day is trainEnd - h, and later labels are refused', () => {
    const rng = seedrandom('periods');
    const m = matrixFromRelatives(
      Array.from({ length: 119 }, () => [1 + 0.04 * (rng() - 0.5), 1 + 0.04 * (rng() - 0.5)]),
    );
    const cfg = CFG({ window: 10, horizon: 5, validationDays: 20 });
    const trainEnd = 99;
    const per = lhsPeriods(cfg, 0, trainEnd);
    expect(per).toEqual({ first: 10, trainLast: 70, validationStart: 75, validationLast: 94, validationDays: 20 });
    const view = new MarketView(m, trainEnd);
    const train = lhsSamples(view, per.first, per.trainLast, cfg);
    const val = lhsSamples(view, per.validationStart, per.validationLast, cfg);
    // every training label reads no close past the first validation day, every validation label none past trainEnd
    expect(Math.max(...train.days) + cfg.horizon).toBe(per.validationStart);
    expect(Math.max(...val.days) + cfg.horizon).toBe(trainEnd);
    // prices after trainEnd change nothing
    const moved = { ...m, close: m.close.map((r, d) => (d > trainEnd ? Float64Array.from(r, (v) => v * 3) : r)) };
    const again = lhsSamples(new MarketView(moved, trainEnd), per.validationStart, per.validationLast, cfg);
    expect(Array.from(again.y)).toEqual(Array.from(val.y));
    // one day more would need the close of trainEnd + 1
    expect(() => lhsSamples(view, per.validationLast + 1, per.validationLast + 1, cfg)).toThrow(LookAheadError);
    // a window too short for a window, a horizon and one training day
    expect(() => lhsPeriods(cfg, 0, 14)).toThrow(/need more than 15 training days/);
  });
});

describe('features, weights, scores and the book', () => {
  it('features are the last n daily returns in percent, oldest first, 0 before the first day', () => {
    const rows = [
      [100, 50],
      [110, 50],
      [99, 55],
    ];
    const x = lhsFeatures((d) => rows[d]!, 2, 2, 3);
    const want = [0, 10, -10, 0, 0, 10];
    want.forEach((v, i) => expect(x[i]).toBeCloseTo(v, 4));
  });

  it('class weights balance the classes present; the score is balanced accuracy or plain accuracy', () => {
    const y = [LONG, HOLD, HOLD, HOLD, HOLD, SHORT];
    const w = classWeights(y, true);
    expect(w[LONG]).toBeCloseTo(2, 12);
    expect(w[HOLD]).toBeCloseTo(0.5, 12);
    expect(w[SHORT]).toBeCloseTo(2, 12);
    expect(classWeights([HOLD, HOLD], true)).toEqual([0, 1 / 3, 0]);
    expect(classWeights(y, false)).toEqual([1, 1, 1]);
    const allHold = y.map(() => HOLD);
    expect(classificationScore(allHold, y, false)).toBeCloseTo(4 / 6, 12);
    expect(classificationScore(allHold, y, true)).toBeCloseTo(1 / 3, 12);
  });

  it('predicts the most probable class, never Long on a tie, and holds the Long ones at equal weight', () => {
    expect(predictedClass([0.5, 0.3, 0.2])).toBe(LONG);
    expect(predictedClass([0.4, 0.4, 0.2])).toBe(HOLD);
    expect(predictedClass([0.4, 0.2, 0.4])).toBe(SHORT);
    expect(predictedClass([0.2, 0.3, 0.5])).toBe(SHORT);
    expect(predictedClass([1 / 3, 1 / 3, 1 / 3])).toBe(HOLD);
    const b = longOnlyBook([LONG, SHORT, LONG, HOLD]);
    expect(Array.from(b.weights)).toEqual([0.5, 0, 0.5, 0]);
    expect(b.cash).toBe(0);
    expect(longOnlyBook([HOLD, SHORT])).toEqual({ weights: new Float64Array(2), cash: 1 });
  });

  it('refuses settings out of range, naming them', () => {
    expect(() => resolveLhsConfig('mlp', 'quick', { horizon: 0 })).toThrow(/LHS horizon must be an integer >= 1/);
    expect(() => resolveLhsConfig('cnn', 'quick', { convKernel: 40 })).toThrow(/convKernel 40 must not exceed/);
    expect(() => resolveLhsConfig('mlp', 'quick', { threshold: 0 })).toThrow(/threshold must be in \(0, 1\)/);
  });
});

describe('exported policy', () => {
  for (const model of ['mlp', 'cnn'] as const)
    it(`${model}: ONNX Runtime on the exported policy agrees with the training engine's forward to 1e-5`, async () => {
      const shape: LhsShape = { model, window: 12, hidden: 8, convMaps: 4, convKernel: 5 };
      const params = initParams(lhsSpecs(shape), 3);
      for (const [k, v] of params) if (k.endsWith('/b')) v.data.forEach((_, i) => (v.data[i] = 0.1 * Math.sin(i + 1)));
      const rng = seedrandom(`export-${model}`);
      const rows = 9;
      const x = Float32Array.from({ length: rows * shape.window }, () => 6 * (rng() - 0.5));
      const engine = new OnnxLhs(shape, 1e-3, 1, { init: params });
      const want = engine.probabilities(x, rows);
      engine.dispose();
      const policy = await LhsPolicy.open(exportLhsOnnx(shape, params), shape);
      const got = policy.run(x, rows);
      await policy.dispose();
      expect(got.length).toBe(rows * 3);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      expect(worst).toBeLessThan(1e-5);
      // the probabilities are a distribution per row, and not all the same
      for (let r = 0; r < rows; r++) expect(got[r * 3]! + got[r * 3 + 1]! + got[r * 3 + 2]!).toBeCloseTo(1, 5);
      expect(new Set(Array.from(got).map((v) => v.toFixed(4))).size).toBeGreaterThan(3);
    });
});

/** 3 assets: A0 rises about 1% a day with little noise, A1 and A2 swing about 2% a day without drift. */
function trending(days: number, seed: string): PriceMatrix {
  const rng = seedrandom(seed);
  return matrixFromRelatives(
    Array.from({ length: days - 1 }, () => [
      1.01 + 0.004 * (rng() - 0.5),
      1 + 0.07 * (rng() - 0.5),
      1 + 0.07 * (rng() - 0.5),
    ]),
  );
}

describe('training', () => {
  const cfg = (model: 'mlp' | 'cnn', over: Partial<LhsConfig> = {}) =>
    resolveLhsConfig(model, 'quick', {
      window: 10,
      horizon: 5,
      hidden: 16,
      convMaps: 4,
      convKernel: 3,
      batchSize: 32,
      epochs: 15,
      lr: 3e-3,
      validationDays: 30,
      patience: 0,
      ...over,
    });

  for (const model of ['mlp', 'cnn'] as const)
    it(`${model}: on a market where one asset trends up, training accuracy rises and the book ends long that asset`, async () => {
      const m = trending(260, 'trend');
      const trainEnd = 199;
      const c = cfg(model);
      const res = trainLhs(new MarketView(m, trainEnd), 0, c, 1);
      // the trending asset is Long on every training day, the others swing between the classes
      const counts = res.counts.train;
      const majority = Math.max(...counts) / counts.reduce((a, b) => a + b, 0);
      const last = res.epochs[res.epochs.length - 1]!;
      expect(last.trainAccuracy).toBeGreaterThan(res.initialTrainAccuracy + 0.05);
      expect(last.trainAccuracy).toBeGreaterThan(majority + 0.1);
      // balanced accuracy on the held-out days: chance is 1/3
      expect(res.chosen?.score).toBeGreaterThan(0.55);
      // decide every test day with the exported policy: A0 is held every day
      const policy = await LhsPolicy.open(exportLhsOnnx(c, res.params), c);
      let heldA0 = 0;
      for (let t = trainEnd + 1; t < m.dates.length; t++) {
        const p = policy.run(
          lhsFeatures((d) => m.close[d]!, t, 3, c.window),
          3,
        );
        const book = longOnlyBook([0, 1, 2].map((i) => predictedClass(p, i * 3)));
        if (book.weights[0]! > 0) heldA0++;
      }
      await policy.dispose();
      expect(heldA0).toBe(m.dates.length - trainEnd - 1);
    });

  it('is reproducible by seed: the same seed trains the same weights, another seed other ones', () => {
    const m = trending(160, 'seed');
    const c = cfg('cnn', { epochs: 3, validationDays: 20, patience: 2 });
    const run = (seed: number) => trainLhs(new MarketView(m, 139), 0, c, seed);
    const a = run(5);
    const b = run(5);
    const other = run(6);
    for (const [k, v] of a.params) expect(Array.from(b.params.get(k)!.data), k).toEqual(Array.from(v.data));
    expect(a.epochs).toEqual(b.epochs);
    expect(Array.from(other.params.get('lhs/cnn/out/W')!.data)).not.toEqual(
      Array.from(a.params.get('lhs/cnn/out/W')!.data),
    );
  });

  it('keeps the best validation epoch, and the quick preset differs from standard only in its schedule', () => {
    const m = trending(200, 'chosen');
    const res = trainLhs(new MarketView(m, 179), 0, cfg('mlp', { epochs: 6 }), 2);
    const best = Math.max(...res.epochs.map((e) => e.validationScore));
    expect(res.chosen?.score).toBe(best);
    expect(res.epochs.find((e) => e.epoch === res.chosen?.epoch)?.validationScore).toBe(best);
    const { epochs: _e, validationDays: _v, patience: _p, ...quickRest } = LHS_PRESETS.quick;
    const { epochs: _e2, validationDays: _v2, patience: _p2, ...standardRest } = LHS_PRESETS.standard;
    expect(quickRest).toEqual(standardRest);
  });
});
