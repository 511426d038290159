/**
 * The two training engines behind the one training loop (agents/samp/trainer.ts, engines.ts):
 *   - a short training run of SAMP-HDRL and of ddpg-flat (quick preset, one episode per stage, 200 days of the
 *     bundled DJIA data) gives the same episode rewards on ONNX Runtime and on tfjs, to 1e-4, while another seed
 *     moves them by at least ten times that;
 *   - the engine is chosen by HDRL_TRAIN_ENGINE (ONNX Runtime by default), recorded in the artifacts and part of the
 *     reuse key;
 *   - acting through the ONNX engine matches tfjs with the same noise, and a policy trained by the ONNX engine
 *     exports to ONNX and decides through compute/onnx/runtime.ts with the outputs the engine trained.
 *
 * The tolerance: both engines compute every update in float32 but sum in different orders, so the parameters
 * differ by float32 rounding after the first update (the per-update parity tests in test/compute/train-ddpg.test.ts
 * bound that by 1e-5) and the actions by about as much. An episode reward is the sum of ~200 daily log growths,
 * each changed by (weight difference) x (daily return, < 0.1), so rounding-sized weight differences move it by
 * about 1e-6 here (measured on this machine: 1.3e-6 for samp-hdrl, 3e-8 for ddpg-flat). 1e-4 leaves room for that
 * to grow through the training and for other CPUs' float32 kernels, while a change of seed moves the rewards by
 * 1.8e-3 (ddpg-flat) to 5e-2 (samp-hdrl): the assertion below keeps that gap at least tenfold.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { loadTf, trainingEngineChoice } from '../../src-main/compute/backend';
import { Ddpg } from '../../src-main/agents/ddpg';
import { resolveSampConfig } from '../../src-main/agents/samp/config';
import { tfjsStageModel } from '../../src-main/agents/samp/engines';
import { stageStateShapes } from '../../src-main/agents/samp/stages';
import { OnnxDdpg } from '../../src-main/compute/train/ddpg';
import { sampTrainModel } from '../../src-main/compute/train/samp';
import { MarketView } from '../../src-main/market/view';
import { viewFeatures } from '../../src-main/agents/samp/features';
import type { SampArtifacts } from '../../src-main/agents/samp/artifacts';
import { loadSampPolicy, sampTrainingKey, trainSamp } from '../../src-main/strategies/samp/model';
import { deserializeParams } from '../../src-main/compute/params';
import { djiaSubset, loadDjia } from '../helpers/data';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const TOLERANCE = 1e-4;

async function train(
  engine: 'onnx' | 'tfjs',
  variant: 'samp-hdrl' | 'ddpg-flat',
  seed: number,
): Promise<SampArtifacts> {
  vi.stubEnv('HDRL_TRAIN_ENGINE', engine);
  vi.stubEnv('HDRL_TRAIN_PROVIDER', 'cpu');
  // engine parity only: no validation period, so each stage is one pass over the whole window
  const cfg = resolveSampConfig('quick', { stage1Episodes: 1, stage2Episodes: 1, flatEpisodes: 1, validationDays: 0 });
  // first state day 75 (the quick preset's minHistory), 200 decision days, 37 updates per stage
  return trainSamp({ variant, config: cfg, prices: loadDjia(), trainStart: 75, trainEnd: 275, seed });
}

describe('one training loop, two engines: the same episode rewards to 1e-4 (quick preset, 200 DJIA days)', () => {
  it.each(['samp-hdrl', 'ddpg-flat'] as const)('%s', async (variant) => {
    const onnx = await train('onnx', variant, 1);
    const tfjs = await train('tfjs', variant, 1);
    expect(onnx.backend).toBe('onnxruntime-cpu');
    expect(tfjs.backend).toBe((await loadTf()).info.name);
    const stages = variant === 'samp-hdrl' ? ['upper1', 'lower1'] : ['flat1'];
    for (const a of [onnx, tfjs]) expect(a.history.map((h) => `${h.stage}${h.episode}`)).toEqual(stages);
    expect(onnx.history.at(-1)!.updates).toBe(tfjs.history.at(-1)!.updates);
    expect(onnx.history.at(-1)!.updates).toBeGreaterThan(30 * stages.length);
    onnx.history.forEach((h, k) =>
      expect(Math.abs(h.reward - tfjs.history[k]!.reward), `${h.stage} reward`).toBeLessThan(TOLERANCE),
    );
    // the models differ (the engines are not one engine under two names) and are keyed apart
    expect(onnx.sha256.params).not.toBe(tfjs.sha256.params);
    expect(onnx.key).not.toBe(tfjs.key);
    // another seed moves the rewards by far more than the tolerance
    const other = await train('onnx', variant, 2);
    const moved = Math.max(...other.history.map((h, k) => Math.abs(h.reward - onnx.history[k]!.reward)));
    expect(moved).toBeGreaterThan(10 * TOLERANCE);
  });
});

describe('engine choice', () => {
  it('is ONNX Runtime by default, tfjs on request, and refuses unknown settings by name', () => {
    expect(trainingEngineChoice({}).name).toBe('onnx');
    expect(trainingEngineChoice({ HDRL_TRAIN_PROVIDER: 'cpu' })).toEqual({
      name: 'onnx',
      provider: 'cpu',
      skipped: [{ name: 'cuda', reason: 'HDRL_TRAIN_PROVIDER=cpu' }],
      key: 'onnx-cpu',
    });
    expect(trainingEngineChoice({ HDRL_TRAIN_ENGINE: 'tfjs' })).toEqual({
      name: 'tfjs',
      skipped: [{ name: 'onnx', reason: 'HDRL_TRAIN_ENGINE=tfjs' }],
      key: 'tfjs',
    });
    expect(() => trainingEngineChoice({ HDRL_TRAIN_ENGINE: 'torch' })).toThrow(
      'HDRL_TRAIN_ENGINE=torch is not one of onnx, tfjs',
    );
    expect(() => trainingEngineChoice({ HDRL_TRAIN_PROVIDER: 'rocm' })).toThrow(
      'HDRL_TRAIN_PROVIDER=rocm is not one of cpu, cuda',
    );
  });

  it('without a working CUDA provider, says why it trains on the CPU, and refuses to be forced onto CUDA', () => {
    const c = trainingEngineChoice({});
    if (c.provider === 'cuda') return; // a machine where CUDA works: nothing was passed over
    expect(c.provider).toBe('cpu');
    expect(c.skipped).toHaveLength(1);
    expect(c.skipped[0]!.name).toBe('cuda');
    expect(c.skipped[0]!.reason).toMatch(/CUDA/);
    expect(() => trainingEngineChoice({ HDRL_TRAIN_PROVIDER: 'cuda' })).toThrow(
      `HDRL_TRAIN_PROVIDER=cuda, but ${c.skipped[0]!.reason}`,
    );
  });

  it('the reuse key follows the engine the environment selects', () => {
    const prices = djiaSubset(300, 6);
    const cfg = resolveSampConfig('quick');
    vi.stubEnv('HDRL_TRAIN_PROVIDER', 'cpu');
    vi.stubEnv('HDRL_TRAIN_ENGINE', 'onnx');
    const onnx = sampTrainingKey('samp-hdrl', cfg, 1, prices, 120, 199);
    vi.stubEnv('HDRL_TRAIN_ENGINE', 'tfjs');
    const tfjs = sampTrainingKey('samp-hdrl', cfg, 1, prices, 120, 199);
    expect(onnx).not.toBe(tfjs);
    expect(sampTrainingKey('samp-hdrl', cfg, 1, prices, 120, 199, undefined, 'onnx-cpu')).toBe(onnx);
    expect(sampTrainingKey('samp-hdrl', cfg, 1, prices, 120, 199, undefined, 'tfjs')).toBe(tfjs);
  });
});

describe('acting through the ONNX engine', () => {
  it('gives the tfjs actions for the same state and noise (every stage)', () => {
    const cfg = resolveSampConfig('quick');
    const m = loadDjia();
    const N = m.tickers.length;
    const view = new MarketView(m, 400);
    for (const stage of ['upper', 'lower', 'flat'] as const) {
      const shapes = stageStateShapes(stage, cfg, N);
      let z = 7;
      const u = () => ((z = (z * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
      const s: Record<string, Float32Array> = {};
      for (const [k, shape] of Object.entries(shapes))
        s[k] = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.abs(u()) / N);
      s.x = viewFeatures(view, cfg);
      if (stage === 'lower') {
        s.m1 = Float32Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 0 : 1));
        s.m2 = s.m1.map((v) => 1 - v);
        s.c1 = Float32Array.of(0.4);
        s.c2 = Float32Array.of(0.5);
      }
      const noise = Array.from({ length: stage === 'lower' ? 2 : 1 }, () =>
        Float32Array.from({ length: N }, () => 0.5 * u()),
      );
      const eng = new OnnxDdpg(sampTrainModel(stage, cfg, N), cfg.ddpg, 3);
      const ref = new Ddpg(tf, tfjsStageModel(tf, stage, cfg, N), cfg.ddpg, 3);
      try {
        const want = tf.tidy(() => {
          const st = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, tf.tensor(v, [1, ...shapes[k]!])]));
          noise.forEach((n, k) => (st[`noise${k}`] = tf.tensor(n, [1, N])));
          return Float32Array.from(ref.act(st).dataSync() as Float32Array);
        });
        const got = eng.act(s, noise);
        expect(got.length).toBe(N);
        let worst = 0;
        for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
        expect(worst, stage).toBeLessThan(1e-6);
        // the noise reaches the logits: without it the action changes
        const plain = eng.act(
          s,
          noise.map((n) => new Float32Array(n.length)),
        );
        expect(Math.max(...plain.map((v, i) => Math.abs(v - got[i]!)))).toBeGreaterThan(1e-3);
        // the holdings reach the actor: other current weights, another action (on both engines alike)
        const held = { ...s, wprev: Float32Array.from({ length: N }, (_, i) => (i === 2 ? 0.6 : 0.4 / (N - 1))) };
        const moved = eng.act(held, noise);
        expect(
          Math.max(...moved.map((v, i) => Math.abs(v - got[i]!))),
          `${stage}: holdings change the action`,
        ).toBeGreaterThan(1e-4);
        const refMoved = tf.tidy(() => {
          const st = Object.fromEntries(Object.entries(held).map(([k, v]) => [k, tf.tensor(v, [1, ...shapes[k]!])]));
          noise.forEach((n, k) => (st[`noise${k}`] = tf.tensor(n, [1, N])));
          return Float32Array.from(ref.act(st).dataSync() as Float32Array);
        });
        expect(Math.max(...moved.map((v, i) => Math.abs(v - refMoved[i]!)))).toBeLessThan(1e-6);
        expect(() => eng.act(s, [])).toThrow(/act: 0 noise vectors, the model takes/);
      } finally {
        eng.dispose();
        ref.dispose();
      }
    }
  });
});

describe('a policy trained by the ONNX engine', () => {
  it('exports to ONNX and decides through ONNX Runtime with the outputs the engine trained', async () => {
    vi.stubEnv('HDRL_TRAIN_ENGINE', 'onnx');
    vi.stubEnv('HDRL_TRAIN_PROVIDER', 'cpu');
    const prices = djiaSubset(300, 6);
    const cfg = resolveSampConfig('quick', JSON.parse(TINY_OVERRIDES) as object);
    const a = await trainSamp({ variant: 'samp-hdrl', config: cfg, prices, trainStart: 120, trainEnd: 199, seed: 3 });
    expect(a.backend).toBe('onnxruntime-cpu');
    const policy = await loadSampPolicy(a);
    try {
      const N = 6;
      const c = a.config;
      const inst = policy.instance();
      for (let t = 200; t < 260; t++) {
        const w = inst.decide(new MarketView(prices, t)).weights;
        expect(w.every((v) => v >= 0)).toBe(true);
        expect(w.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(1 + 1e-12);
      }
      // the exported graph against the training engine's own forward pass on the trained weights
      const params = deserializeParams(a.params);
      const pick = (prefix: string[]) => new Map([...params].filter(([k]) => prefix.some((p) => k.startsWith(p))));
      const upper = new OnnxDdpg(sampTrainModel('upper', c, N), c.ddpg, 0, { init: { actor: pick(['upper/']) } });
      const lower = new OnnxDdpg(sampTrainModel('lower', c, N), c.ddpg, 0, {
        init: { actor: pick(['lower1/', 'lower2/']) },
      });
      try {
        const zero = new Float32Array(N);
        const m1 = Float32Array.of(1, 0, 1, 0, 1, 1);
        const m2 = m1.map((v) => 1 - v);
        let compared = 0;
        // holdings: all cash, and a book the policy could hold
        const books = [zero, Float32Array.of(0.3, 0.05, 0.2, 0.1, 0.25, 0)];
        const outs: Float32Array[] = [];
        for (const [t, held] of [200, 230, 260].flatMap((t) => books.map((b) => [t, b] as const))) {
          const x = viewFeatures(new MarketView(prices, t), c);
          const out = policy.runBatch(x, 1, m1, m2, held);
          outs.push(out.w0!);
          const w0 = upper.act({ x, wprev: held }, [zero]);
          for (let i = 0; i < N; i++) expect(Math.abs(out.w0![i]! - w0[i]!)).toBeLessThan(1e-6);
          const fused = lower.act(
            {
              x,
              wprev: held,
              w0: out.w0!,
              emb: out.embedding!,
              m1,
              m2,
              c1: Float32Array.of(0.3),
              c2: Float32Array.of(0.6),
            },
            [zero, zero],
          );
          for (let i = 0; i < N; i++) {
            const want = c.fusionA * out.w0![i]! + (1 - c.fusionA) * (0.3 * out.w1![i]! + 0.6 * out.w2![i]!);
            expect(Math.abs(fused[i]! - want)).toBeLessThan(1e-6);
            compared++;
          }
        }
        expect(compared).toBe(36);
        // and the exported policy does read the holdings: the two books give other guidance weights
        expect(Math.max(...outs[0]!.map((v, i) => Math.abs(v - outs[1]![i]!)))).toBeGreaterThan(1e-5);
      } finally {
        upper.dispose();
        lower.dispose();
      }
    } finally {
      await policy.dispose();
    }
  });
});
