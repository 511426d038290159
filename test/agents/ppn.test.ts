/**
 * PPN's network, policy and training (src-main/agents/ppn): the parameter shapes and the branches' output shapes by
 * hand, the causal dilated placement, the forward pass against a float64 loop-by-loop reference of the paper's
 * definition (test/helpers/ppn-reference.ts) on the training engine, with the exported ONNX policy agreeing with it
 * to 1e-5, training reproducible by seed, and a short training on a market where one asset rises ending up holding
 * that asset.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadTf } from '../../src-main/compute/backend';
import { TfOps } from '../../src-main/compute/ops';
import { initParams, type ParamValues } from '../../src-main/compute/params';
import { flatten } from '../../src-main/compute/train/common';
import { OnnxPpn } from '../../src-main/compute/train/ppn';
import { checkPpnConfig, PPN_PRESETS, resolvePpnConfig } from '../../src-main/agents/ppn/config';
import {
  causalPlacement,
  causalWidth,
  ppnCorrelation,
  ppnForward,
  ppnSequential,
  ppnSpecs,
  type PpnShape,
} from '../../src-main/agents/ppn/network';
import { exportPpnOnnx, PpnPolicy } from '../../src-main/agents/ppn/policy';
import { ppnPeriods, trainPpn } from '../../src-main/agents/ppn/trainer';
import { eiieFeatures } from '../../src-main/agents/eiie/network';
import { MarketView } from '../../src-main/market/view';
import type { PriceMatrix } from '../../src-main/market/prices';
import { ppnReference } from '../helpers/ppn-reference';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});

/** Non-zero biases and forget-gate offsets, so every term of the forward is exercised. */
function randomParams(s: PpnShape, N: number, seed: number): ParamValues {
  const params = initParams(ppnSpecs(s, N), seed);
  const rng = seedrandom(`ppn-params-${seed}`);
  for (const [k, v] of params)
    if (/\/b[ifgo]?$/.test(k) || k === 'ppn/cash') v.data.forEach((_, i) => (v.data[i] = 0.3 * (rng() - 0.5)));
  return params;
}

describe('PPN network', () => {
  it('has the parameter shapes of the two streams and the decision module, by hand', () => {
    const s: PpnShape = { window: 31, lstmHidden: 16, tccbChannels: [8, 16, 16], tccbKernel: 3, corrFeatures: 16 };
    const specs = ppnSpecs(s, 4);
    expect(specs.map((x) => [x.name, x.shape])).toEqual([
      // LSTM over 1 input + 16 state rows, 4 gates of 16
      ['ppn/lstm/l0/W', [17, 64]],
      ['ppn/lstm/l0/bi', [16]],
      ['ppn/lstm/l0/bf', [16]],
      ['ppn/lstm/l0/bg', [16]],
      ['ppn/lstm/l0/bo', [16]],
      // block 0: 1 -> 8 channels, a residual 1 x 1 convolution since the channel count changes
      ['ppn/tccb0/conv1/taps', [3, 1]],
      ['ppn/tccb0/conv1/mix/W', [1, 8]],
      ['ppn/tccb0/conv1/mix/b', [8]],
      ['ppn/tccb0/conv2/taps', [3, 8]],
      ['ppn/tccb0/conv2/mix/W', [8, 8]],
      ['ppn/tccb0/conv2/mix/b', [8]],
      ['ppn/tccb0/corr/assets', [4, 4]],
      ['ppn/tccb0/corr/W', [8, 8]],
      ['ppn/tccb0/corr/b', [8]],
      ['ppn/tccb0/res/W', [1, 8]],
      ['ppn/tccb0/res/b', [8]],
      // block 1: 8 -> 16
      ['ppn/tccb1/conv1/taps', [3, 8]],
      ['ppn/tccb1/conv1/mix/W', [8, 16]],
      ['ppn/tccb1/conv1/mix/b', [16]],
      ['ppn/tccb1/conv2/taps', [3, 16]],
      ['ppn/tccb1/conv2/mix/W', [16, 16]],
      ['ppn/tccb1/conv2/mix/b', [16]],
      ['ppn/tccb1/corr/assets', [4, 4]],
      ['ppn/tccb1/corr/W', [16, 16]],
      ['ppn/tccb1/corr/b', [16]],
      ['ppn/tccb1/res/W', [8, 16]],
      ['ppn/tccb1/res/b', [16]],
      // block 2: 16 -> 16, identity residual
      ['ppn/tccb2/conv1/taps', [3, 16]],
      ['ppn/tccb2/conv1/mix/W', [16, 16]],
      ['ppn/tccb2/conv1/mix/b', [16]],
      ['ppn/tccb2/conv2/taps', [3, 16]],
      ['ppn/tccb2/conv2/mix/W', [16, 16]],
      ['ppn/tccb2/conv2/mix/b', [16]],
      ['ppn/tccb2/corr/assets', [4, 4]],
      ['ppn/tccb2/corr/W', [16, 16]],
      ['ppn/tccb2/corr/b', [16]],
      // the time axis (31 days x 16 channels) to 16 features; the vote over 16 + 16 + the held weight
      ['ppn/collapse/W', [496, 16]],
      ['ppn/collapse/b', [16]],
      ['ppn/vote/W', [33, 1]],
      ['ppn/vote/b', [1]],
      ['ppn/cash', [1]],
    ]);
  });

  it('gives each stream [B, N, features] and the portfolio [B, N + 1] rows summing to 1 (tfjs)', () => {
    const s: PpnShape = { window: 6, lstmHidden: 3, tccbChannels: [2, 4], tccbKernel: 2, corrFeatures: 5 };
    const N = 3;
    const B = 2;
    const params = randomParams(s, N, 2);
    const ops = new TfOps(tf, new Map([...params].map(([k, v]) => [k, tf.tensor(v.data, v.shape)])));
    const rng = seedrandom('shapes');
    const x = tf.tensor(
      Float32Array.from({ length: B * N * s.window }, () => 0.9 + 0.2 * rng()),
      [B, N, s.window],
    );
    expect(ppnCorrelation(ops, s, N, x).shape).toEqual([B, N, 5]);
    expect(ppnSequential(ops, s, N, x).shape).toEqual([B, N, 3]);
    const w = ppnForward(ops, s, N, x, tf.tensor(Float32Array.of(0.1, 0.2, 0.3, 0, 0, 1), [B, N]));
    expect(w.shape).toEqual([B, N + 1]);
    const rows = w.arraySync() as number[][];
    for (const r of rows) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    ops.disposeConstants();
  });

  it('places a causal dilated kernel on the taps t - (K - 1 - j) d, nothing after t', () => {
    // K = 3 taps, dilation 2: a centred kernel of width 9 whose entries 0, 2, 4 are the taps (4 is the centre, day t)
    expect(causalWidth(3, 2)).toBe(9);
    const p = causalPlacement(3, 2);
    const rows: number[][] = Array.from({ length: 9 }, (_, r) => Array.from(p.subarray(r * 3, r * 3 + 3)));
    expect(rows).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
      [0, 0, 1],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('computes the float64 reference portfolio on the training engine, and the exported ONNX policy agrees to 1e-5', async () => {
    const s: PpnShape = { window: 9, lstmHidden: 4, tccbChannels: [3, 5, 5], tccbKernel: 3, corrFeatures: 4 };
    const N = 3;
    const params = randomParams(s, N, 7);
    const rng = seedrandom('ppn-forward');
    const x = Float32Array.from({ length: N * s.window }, () => 0.8 + 0.4 * rng());
    const held = Float32Array.of(0.2, 0.1, 0.4);
    const ref = ppnReference(s, N, params, x, held);
    const engine = new OnnxPpn(s, N, { lr: 1e-3, costRate: 0, turnoverWeight: 0, riskWeight: 0 }, 1, { init: params });
    const viaEngine = engine.portfolio(x, Float32Array.of(0.3, ...held));
    engine.dispose();
    const policy = await PpnPolicy.open(exportPpnOnnx(s, N, params), s, N);
    const viaOnnx = policy.run(x, held);
    // a batch of two periods gives each period's portfolio
    const two = policy.run(Float32Array.of(...x, ...x.map((v) => v * 0.97)), Float32Array.of(...held, 0, 0, 0), 2);
    await policy.dispose();
    for (let i = 0; i <= N; i++) {
      expect(Math.abs(viaEngine[i]! - ref[i]!)).toBeLessThan(1e-5);
      expect(Math.abs(viaOnnx[i]! - viaEngine[i]!)).toBeLessThan(1e-5);
      expect(Math.abs(two[i]! - viaOnnx[i]!)).toBeLessThan(1e-6);
    }
    const second = ppnReference(
      s,
      N,
      params,
      x.map((v) => v * 0.97),
      [0, 0, 0],
    );
    second.forEach((v, i) => expect(Math.abs(two[N + 1 + i]! - v)).toBeLessThan(1e-5));
    // the held weights reach the decision
    expect(Math.abs(second[1]! - ref[1]!)).toBeGreaterThan(1e-4);
  });

  it('refuses settings no network can be built for, naming them', () => {
    expect(() => resolvePpnConfig('quick', { tccbChannels: [] })).toThrow(/tccbChannels must be a non-empty list/);
    expect(() => resolvePpnConfig('quick', { riskWeight: -1 })).toThrow(/riskWeight must be a non-negative number/);
    expect(() => checkPpnConfig({ ...PPN_PRESETS.standard, window: 1 })).toThrow(/window must be an integer >= 2/);
  });
});

/** Closes from daily log drifts per asset plus seeded noise. */
function market(days: number, drifts: number[], noise: number, seed: string): PriceMatrix {
  const rng = seedrandom(seed);
  const close: Float64Array[] = [];
  let row = Float64Array.from(drifts, () => 50 + 50 * rng());
  for (let d = 0; d < days; d++) {
    row = Float64Array.from(row, (v, i) => v * Math.exp(drifts[i]! + noise * (rng() - 0.5) * 2));
    close.push(row);
  }
  const dates = Array.from({ length: days }, (_, d) => new Date(Date.UTC(2003, 0, 1 + d)).toISOString().slice(0, 10));
  return { universe: 'test', tickers: drifts.map((_, i) => `P${i}`), dates, close };
}

describe('PPN training', () => {
  const cfg = resolvePpnConfig('quick', {
    window: 8,
    lstmHidden: 4,
    tccbChannels: [3, 4],
    corrFeatures: 4,
    batchSize: 8,
    updates: 12,
    evalEvery: 4,
    validationDays: 15,
  });
  const m = market(80, [0, 0, 0], 0.015, 'ppn-train');
  const view = new MarketView(m, 69);

  it('draws batches from the periods before the validation period and refuses a too short window', () => {
    const per = ppnPeriods(cfg, 0, 69);
    expect(per).toEqual({ first: 7, validationStart: 54, last: 68, validationDays: 15, batch: 8 });
    const starts: number[] = [];
    trainPpn(view, 0, cfg, 3, { onBatch: (s) => starts.push(s) });
    expect(starts.length).toBe(12);
    for (const s of starts) expect(s + per.batch - 1).toBeLessThan(per.validationStart);
    expect(() => ppnPeriods(cfg, 0, 7)).toThrow(/PPN needs at least 10 training days/);
  });

  it('is reproducible by seed and differs across seeds', () => {
    const a = trainPpn(view, 0, cfg, 5);
    const b = trainPpn(view, 0, cfg, 5);
    const c = trainPpn(view, 0, cfg, 6);
    const specs = ppnSpecs(cfg, 3);
    expect(flatten(specs, a.params, 'a')).toEqual(flatten(specs, b.params, 'b'));
    expect(a.scores).toEqual(b.scores);
    expect(flatten(specs, a.params, 'a')).not.toEqual(flatten(specs, c.params, 'c'));
    expect(a.scores.length).toBe(3);
    expect(a.chosen?.sharpe).toBe(Math.max(...a.scores.map((x) => x.sharpe)));
  });

  it('learns to hold the one asset that keeps rising', async () => {
    // asset 1 rises 0.4% a day, the others drift sideways with the same noise
    const rising = market(260, [0, 0.004, 0], 0.01, 'ppn-rising');
    const c = resolvePpnConfig('quick', { updates: 150, validationDays: 0 });
    const trainEnd = 199;
    const res = trainPpn(new MarketView(rising, trainEnd), 0, c, 1);
    const policy = await PpnPolicy.open(exportPpnOnnx(c, 3, res.params), c, 3);
    let held = new Float32Array(3);
    const weights: number[][] = [];
    for (let t = trainEnd + 1; t < 259; t++) {
      const w = policy.run(
        eiieFeatures((d) => rising.close[d]!, t, 3, c.window),
        held,
      );
      weights.push(Array.from(w));
      held = w.slice(1);
    }
    await policy.dispose();
    for (const w of weights) {
      expect(w[2]!).toBeGreaterThan(0.5);
      expect(w[2]!).toBe(Math.max(...w));
    }
  }, 60_000);
});
