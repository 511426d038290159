/**
 * Level 3's learned agent (agents/threelevel/network.ts, trainer.ts, policy.ts): on a synthetic market where impact is
 * large and the period long it learns to spread its trades and pays less than trading at once; the same seed gives
 * the same policy; the exported ONNX policy computes what the training engine's acting graph computes.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { baselinePolicy } from '../../src-main/agents/threelevel/baselines';
import { resolveExecutionConfig, type ExecutionConfig } from '../../src-main/agents/threelevel/config';
import { ExecutionEnv, FEATURE_COUNT } from '../../src-main/agents/threelevel/env';
import { runExecution } from '../../src-main/agents/threelevel/evaluate';
import { executionModel } from '../../src-main/agents/threelevel/network';
import { ExecutionAgentPolicy, exportExecutionOnnx } from '../../src-main/agents/threelevel/policy';
import { periodAllocations } from '../../src-main/agents/threelevel/targets';
import { sacTrainingConfig, splitTrainingDays, trainExecutionAgent } from '../../src-main/agents/threelevel/trainer';
import { normalDraw } from '../../src-main/agents/noise';
import { OnnxSac } from '../../src-main/compute/train/sac';
import { ExecutionCosts } from '../../src-main/market/costs';
import type { PriceMatrix } from '../../src-main/market/prices';

/** Three random walks of 1.5% a day, trading a tenth of the book a day each: every trade moves the price. */
function illiquidMarket(days: number): PriceMatrix {
  const rng = seedrandom('illiquid');
  const close: Float64Array[] = [Float64Array.of(40, 60, 80)];
  for (let t = 1; t < days; t++) close.push(close[t - 1]!.map((p) => p * Math.exp(0.015 * normalDraw(rng))));
  const start = Date.UTC(2010, 0, 4);
  return {
    universe: 'illiquid',
    dates: close.map((_, t) => new Date(start + t * 86_400_000).toISOString().slice(0, 10)),
    tickers: ['X', 'Y', 'Z'],
    close,
    tradedValue: close.map(() => Float64Array.of(1e6, 1e6, 1e6)),
  };
}
const IMPACT = { bookValue: 1e7, advProxy: 1e6 };

function config(over: Partial<ExecutionConfig> = {}): ExecutionConfig {
  return resolveExecutionConfig('quick', {
    horizon: 10,
    riskAversion: 1,
    warmup: 300,
    batchSize: 64,
    updates: 1500,
    periodsPerValidation: 20,
    validationPeriods: 6,
    validationDays: 120,
    patience: 0,
    ...over,
  });
}

describe('execution agent', () => {
  it('learns to spread its trades where impact is large and the period long, and pays less than trading at once', async () => {
    const m = illiquidMarket(520);
    const cfg = config();
    const costs = new ExecutionCosts(m, 0.001, IMPACT);
    const split = splitTrainingDays(0, 399, cfg.validationDays);
    const trained = await trainExecutionAgent({ m, costs, cfg, ...split, seed: 3 });
    const policy = await ExecutionAgentPolicy.open(exportExecutionOnnx(trained.actor, cfg));
    try {
      // held-out periods after the training window, targets around the holdings as in training
      const rng = seedrandom('test periods');
      const starts = [405, 415, 425, 435, 445, 455, 465, 475, 485, 495];
      const first = periodAllocations(m, starts[0]!, cfg, rng).holdings;
      const targets = new Map(starts.map((t) => [t, periodAllocations(m, t, cfg, rng).target]));
      const env = () => new ExecutionEnv(m, new ExecutionCosts(m, 0.001, IMPACT), cfg);
      const at = (t: number) => targets.get(t)!;
      const learned = await runExecution(env(), policy, starts, at, first);
      const once = await runExecution(env(), baselinePolicy('trade-at-once'), starts, at, first);
      // an untrained policy (fractions near one half) gets about 0.6 of trading at once's objective here; trained, 0.43
      expect(learned.figures.objectiveBp).toBeLessThan(0.5 * once.figures.objectiveBp);
      expect(learned.figures.costPerTradedBp).toBeLessThan(once.figures.costPerTradedBp);
      // it trades a small part of the gap on a period's first day (the untrained policy: about half)
      const e = env();
      const s = e.start(starts[0]!, first, at(starts[0]!));
      const f = policy.fractions(e.features(s));
      expect(Math.max(...f)).toBeLessThan(0.3);
      expect(Math.min(...f)).toBeGreaterThan(0);
    } finally {
      await policy.dispose();
    }
  }, 120_000);

  it('gives the same policy for the same seed, and another for another seed', async () => {
    const m = illiquidMarket(300);
    const cfg = config({
      updates: 120,
      warmup: 100,
      periodsPerValidation: 5,
      validationPeriods: 2,
      validationDays: 60,
    });
    const split = splitTrainingDays(0, 299, cfg.validationDays);
    const train = (seed: number) =>
      trainExecutionAgent({ m, costs: new ExecutionCosts(m, 0.001, IMPACT), cfg, ...split, seed });
    const [a, b, c] = [await train(7), await train(7), await train(8)];
    const flat = (r: typeof a) => [...r.actor.values()].flatMap((v) => Array.from(v.data));
    expect(a.updates).toBe(120);
    expect(flat(a)).toEqual(flat(b));
    expect(a.history).toEqual(b.history);
    expect(flat(a)).not.toEqual(flat(c));
  }, 60_000);

  it('exports an ONNX policy that agrees with the training engine to 1e-5, for any number of assets', async () => {
    const cfg = config();
    const { ddpg, sac } = sacTrainingConfig(cfg);
    const model = executionModel(FEATURE_COUNT, cfg);
    const learner = new OnnxSac(model, ddpg, sac, 11, { batchSize: 8 });
    const rng = seedrandom('parity');
    const draw = (k: number) => Float32Array.from({ length: k }, () => 2 * rng() - 1);
    try {
      // a few updates so the parameters are not the initial draw
      for (let u = 0; u < 5; u++)
        learner.update({
          s: { x: draw(8 * FEATURE_COUNT) },
          s2: { x: draw(8 * FEATURE_COUNT) },
          a: Float32Array.from({ length: 8 }, () => rng()),
          r: draw(8),
          done: new Float32Array(8),
        });
      const policy = await ExecutionAgentPolicy.open(exportExecutionOnnx(learner.actorParams(), cfg));
      try {
        for (const n of [1, 3, 30]) {
          const x = draw(n * FEATURE_COUNT);
          const exported = policy.run(x);
          expect(exported).toHaveLength(n);
          for (let i = 0; i < n; i++) {
            const one = learner.act({ x: x.slice(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT) }, [new Float32Array(1)]);
            expect(Math.abs(exported[i]! - one[0]!)).toBeLessThan(1e-5);
            expect(exported[i]!).toBeGreaterThan(0);
            expect(exported[i]!).toBeLessThan(1);
          }
        }
        expect(() => policy.run(new Float32Array(FEATURE_COUNT + 1))).toThrow(/whole asset states/);
      } finally {
        await policy.dispose();
      }
    } finally {
      learner.dispose();
    }
  });
});
