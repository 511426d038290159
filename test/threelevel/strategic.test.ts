/**
 * The learned Level 1 of the three-level hierarchy (agents/threelevel/strategic-env.ts, strategic-network.ts,
 * strategic-trainer.ts; docs/three-level.md "Level 1, learned"): a target's reward by hand; the days split so that
 * no episode reads past its part; its states read the past only; training never reads past the training days
 * (poisoned future) and its training episodes never read the validation days; the same seed trains the same
 * policy; the exported ONNX policy computes what the training engine computes; its stored file round-trips and is
 * listed as Level 1; and a learned Level 1 in words.
 */
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import type { ThreeLevelDecisionDetail } from '../../src-shared/domain/decision';
import { classLayout, type ClassLayout } from '../../src-main/agents/hadaps/classes';
import {
  parseThreeLevelArtifacts,
  serializeThreeLevelArtifacts,
  threeLevelKind,
  type StrategicArtifacts,
} from '../../src-main/agents/threelevel/artifacts';
import { resolveStrategicConfig, type StrategicConfig } from '../../src-main/agents/threelevel/strategic-config';
import {
  episodeStarts,
  regimesUpTo,
  splitStrategicDays,
  STRATEGIC_FEATURE_COUNT,
  strategicFeatures,
  strategicOutcome,
} from '../../src-main/agents/threelevel/strategic-env';
import {
  exportStrategicOnnx,
  strategicModel,
  StrategicPolicy,
} from '../../src-main/agents/threelevel/strategic-network';
import { strategicPpoSettings, trainStrategicAgent } from '../../src-main/agents/threelevel/strategic-trainer';
import { initParams } from '../../src-main/compute/params';
import { OnnxPpo } from '../../src-main/compute/train/ppo';
import { labelRegimes } from '../../src-main/explain/regimes';
import { explainThreeLevel } from '../../src-main/explain/threelevel';
import type { PriceMatrix } from '../../src-main/market/prices';
import { djiaSubset, matrixFromRelatives } from '../helpers/data';

/** Six DJIA stocks in three made-up classes of two. */
function sectorData(days: number, from: number): { m: PriceMatrix; layout: ClassLayout } {
  const m = djiaSubset(days, 6, from);
  const sectors = ['A', 'A', 'B', 'B', 'C', 'C'];
  m.assets = m.tickers.map((ticker, i) => ({ ticker, name: ticker, class: 'Equity', sector: sectors[i]! }));
  return { m, layout: classLayout(m.tickers, m.assets, 'auto') };
}

function small(over: Partial<StrategicConfig> = {}): StrategicConfig {
  return resolveStrategicConfig('quick', { iterations: 4, patience: 0, ...over });
}

/** A copy of m whose closes after day `last` are replaced (NaN by default). */
function poisonAfter(m: PriceMatrix, last: number, f: (p: number) => number = () => Number.NaN): PriceMatrix {
  return { ...m, close: m.close.map((row, d) => (d <= last ? row : row.map(f))) };
}

const FIRST = 50;
const LAST = 649;

describe('a strategic episode', () => {
  it('earns the target held with re-sets and proportional costs, minus λ times the variance, by hand', () => {
    // two assets, each its own class; days 1..3: A 1.1, 1.0, 1.2; B 1.0, 0.9, 1.0
    const m = matrixFromRelatives([
      [1.1, 1.0],
      [1.0, 0.9],
      [1.2, 1.0],
    ]);
    m.assets = [
      { ticker: 'A0', name: 'A0', class: 'Equity', sector: 'A' },
      { ticker: 'A1', name: 'A1', class: 'Equity', sector: 'B' },
    ];
    const layout = classLayout(m.tickers, m.assets, 'auto');
    const closes = (d: number) => m.close[d]!;
    const cfg = { rebalanceEvery: 2, riskPenalty: 1, tradeCost: 0.01 };
    const o = strategicOutcome(closes, layout, [0.5, 0.5, 0], [0, 0, 1], 0, 3, cfg);
    // day 0: buy half and half from cash, 1% of 1 traded; day 1: +5%; day 2: the book [0.55, 0.45] after its drift is
    // set back to halves (0.1 traded, 0.1% of the value), day 3: +10%
    const g2 = (1 / 1.05) * (1 - 0.001);
    const daily = [0.05, g2 - 1, 0.1];
    const mean = daily.reduce((a, b) => a + b, 0) / 3;
    const variance = daily.reduce((a, r) => a + (r - mean) ** 2, 0) / 2;
    const growth = 0.99 * 1.05 * g2 * 1.1;
    expect(o.growth).toBeCloseTo(growth, 12);
    expect(o.variance).toBeCloseTo(variance, 12);
    expect(o.cost).toBeCloseTo(0.01 + 0.99 * 1.05 * (1 / 1.05) * 0.001, 12);
    expect(o.reward).toBeCloseTo(100 * (growth - 1 - 3 * variance), 10);
  });

  it('splits the window into a training and a held-out part whose episodes end inside their own part', () => {
    // the samp protocol's three years: a year's reward, a year and a half held out
    const s = splitStrategicDays(1000, 1756, { validationDays: 378, strategicPeriod: 252 });
    expect(s).toEqual({ train: { first: 1000, last: 1378 }, validation: { first: 1379, last: 1756 }, horizon: 252 });
    for (const part of [s.train, s.validation!]) {
      const starts = episodeStarts(part, s.horizon, 5);
      expect(starts.length).toBeGreaterThan(20);
      for (const t of starts) {
        expect(t).toBeGreaterThanOrEqual(part.first);
        expect(t + s.horizon).toBeLessThanOrEqual(part.last);
      }
    }
    // a short window: at most half held out, the reward shortened to two thirds of the shorter part
    expect(splitStrategicDays(0, 149, { validationDays: 378, strategicPeriod: 252 })).toEqual({
      train: { first: 0, last: 74 },
      validation: { first: 75, last: 149 },
      horizon: 50,
    });
    expect(() => splitStrategicDays(0, 3, { validationDays: 378, strategicPeriod: 252 })).toThrow(/too few/);
  });

  it('reads the regimes as the Regimes view labels them, and nothing after its day', () => {
    const { m, layout } = sectorData(700, 300);
    const closes = (d: number) => m.close[d]!;
    const view = labelRegimes(m);
    const t = 400;
    const mine = regimesUpTo(closes, t, m.dates);
    expect(mine.trend).toEqual(view.trend.slice(0, t + 1));
    expect(mine.vol).toEqual(view.vol.slice(0, t + 1));
    const held = [0.2, 0.3, 0.4, 0.1];
    const x = strategicFeatures(closes, t, layout, mine, held, { signalWindow: 252 });
    expect(x).toHaveLength(4 * STRATEGIC_FEATURE_COUNT);
    const poisoned = poisonAfter(m, t);
    const pc = (d: number) => poisoned.close[d]!;
    expect(strategicFeatures(pc, t, layout, regimesUpTo(pc, t, m.dates), held, { signalWindow: 252 })).toEqual(x);
  });
});

describe('strategic training', () => {
  const { m, layout } = sectorData(700, 300);

  it('never reads past its training days: a poisoned future trains the same policy', async () => {
    const cfg = small();
    const a = await trainStrategicAgent({ m, layout, cfg, first: FIRST, last: LAST, seed: 3 });
    const b = await trainStrategicAgent({ m: poisonAfter(m, LAST), layout, cfg, first: FIRST, last: LAST, seed: 3 });
    expect(a.horizon).toBe(200);
    expect(a.trainStarts).toBe(20);
    expect(a.validationStarts).toBe(20);
    expect(b.actor).toEqual(a.actor);
    expect(b.history).toEqual(a.history);
    // the guard that makes it so: a read past the window is refused
    await expect(trainStrategicAgent({ m, layout, cfg, first: FIRST, last: m.close.length, seed: 3 })).rejects.toThrow(
      /after the prices/,
    );
  }, 60_000);

  it('learns only from its training days: changing the validation days changes the score, not the policy', async () => {
    // one validation, after the last pass: the policy returned is the last one, whatever the score
    const cfg = small({ iterations: 3, iterationsPerValidation: 3 });
    const rng = seedrandom('validation days');
    const split = splitStrategicDays(FIRST, LAST, cfg);
    const other = {
      ...m,
      close: m.close.map((row, d) => (d < split.validation!.first ? row : row.map((p) => p * (0.8 + 0.4 * rng())))),
    };
    const a = await trainStrategicAgent({ m, layout, cfg, first: FIRST, last: LAST, seed: 5 });
    const b = await trainStrategicAgent({ m: other, layout, cfg, first: FIRST, last: LAST, seed: 5 });
    expect(a.history).toHaveLength(1);
    expect(b.history[0]!.score).not.toBe(a.history[0]!.score);
    expect(b.actor).toEqual(a.actor);
  }, 60_000);

  it('trains the same policy for the same seed and another for another seed', async () => {
    const cfg = small();
    const run = (seed: number) => trainStrategicAgent({ m, layout, cfg, first: FIRST, last: LAST, seed });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(b.actor).toEqual(a.actor);
    expect(b.history).toEqual(a.history);
    expect(c.actor).not.toEqual(a.actor);
    expect(a.updates).toBeGreaterThan(0);
  }, 60_000);

  it('exports a policy whose ONNX weights match the training engine to 1e-5', async () => {
    const cfg = small({ iterations: 2 });
    const res = await trainStrategicAgent({ m, layout, cfg, first: FIRST, last: LAST, seed: 2 });
    const K = layout.classes.length + 1;
    const learner = new OnnxPpo(
      strategicModel(K, cfg),
      { kind: 'ppo', clipEps: cfg.clipEps },
      strategicPpoSettings(cfg),
      1,
      2,
      {
        init: { actor: res.actor },
      },
    );
    const policy = await StrategicPolicy.open(exportStrategicOnnx(res.actor, K, cfg), K);
    const closes = (d: number) => m.close[d]!;
    const regimes = regimesUpTo(closes, 690, m.dates);
    const rng = seedrandom('parity');
    try {
      for (const t of [260, 400, 551, 690]) {
        const held = Array.from({ length: K }, () => rng());
        const s = held.reduce((a, b) => a + b, 0);
        const x = strategicFeatures(
          closes,
          t,
          layout,
          regimes,
          held.map((h) => h / s),
          cfg,
        );
        const onnx = policy.run(x);
        const engine = learner.act({ x });
        expect(onnx).toHaveLength(K);
        expect(onnx.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        for (let k = 0; k < K; k++) expect(Math.abs(onnx[k]! - engine[k]!)).toBeLessThan(1e-5);
      }
      expect(() => policy.run(new Float32Array(3))).toThrow(/not one state/);
    } finally {
      learner.dispose();
      await policy.dispose();
    }
  }, 60_000);
});

describe('a learned Level 1 in words', () => {
  it('names the model, what it read and what it was rewarded for, and the cash it kept', () => {
    const model = {
      key: 'cd'.repeat(32),
      sha256: 'ef'.repeat(32),
      backend: 'onnxruntime-cpu',
      trainedFrom: '1995-01-03',
      trainedTo: '1997-12-31',
    };
    const s = [0.5, 0.3, 0.2];
    const detail: ThreeLevelDecisionDetail = {
      family: 'three-level',
      variant: 'three-level/learned-strategic',
      basis: 'sector',
      classes: ['A', 'B', 'Cash'].map((name, k) => ({
        name,
        tickers: [['X', 'Y'], ['Z'], []][k]!,
        strategic: s[k]!,
        tilt: 0,
        target: s[k]!,
      })),
      fractions: [0, 0, 0],
      nextTacticalIn: 21,
      nextStrategicIn: 252,
      levels: { strategic: model, tactical: { rule: 'none' }, execution: { rule: 'linear' } },
      model,
    };
    const e = explainThreeLevel({
      detail,
      tickers: ['X', 'Y', 'Z'],
      strategic: { date: '1998-01-02', daysAgo: 0, window: 252, volatility: [0.01, 0.02] },
      tactical: null,
      execution: {
        horizon: 21,
        daysLeft: null,
        before: new Float64Array(4),
        paper: new Float64Array(4),
        after: new Float64Array(4),
      },
    });
    expect(e.strategic.decider).toEqual({
      kind: 'model',
      key: model.key,
      trainedFrom: '1995-01-03',
      trainedTo: '1997-12-31',
    });
    expect(e.words.strategic).toEqual([
      `Level 1 (strategic), by the learned strategic policy (model ${'cd'.repeat(6)}, trained 1995-01-03 – 1997-12-31), set the class weights on 1998-01-02 (today; the next strategic decision comes in 252 trading days).`,
      'The weights: A 50.0% and B 30.0%.',
      "The policy read the market's trend and volatility regimes (as the Regimes view labels them), each class's trend, volatility and drawdown over the trailing year and the book's class weights; it was trained to maximise a year's return minus a penalty on the year's variance.",
      'Cash gets 20.0% of the strategic book.',
    ]);
  });
});

describe('a stored learned Level 1', () => {
  it('round-trips through its file, refuses a config out of range, and is listed as Level 1', () => {
    const cfg = small();
    const onnx = new Uint8Array(exportStrategicOnnx(initParams(strategicModel(3, cfg).actorSpecs, 1), 3, cfg));
    const a: StrategicArtifacts = {
      level: 'strategic',
      cfg,
      classes: {
        basis: 'sector',
        classes: [
          { name: 'A', tickers: ['X', 'Y'] },
          { name: 'B', tickers: ['Z'] },
        ],
      },
      tickers: ['X', 'Y', 'Z'],
      onnx,
      model: {
        key: 'ab'.repeat(32),
        sha256: createHash('sha256').update(onnx).digest('hex'),
        backend: 'onnxruntime-cpu',
        trainedFrom: '1995-01-03',
        trainedTo: '1997-12-31',
      },
      training: { updates: 40, episodes: 100, chosen: { updates: 16, score: 3.5 }, stoppedEarly: false, elapsedMs: 9 },
    };
    const text = serializeThreeLevelArtifacts(a);
    expect(parseThreeLevelArtifacts(text)).toEqual(a);
    const bad = JSON.parse(text) as { cfg: StrategicConfig };
    bad.cfg.stride = 0;
    expect(() => parseThreeLevelArtifacts(JSON.stringify(bad))).toThrow(/stride must be an integer/);
    expect(threeLevelKind('strategic')).toBe('strategic (Level 1)');
    expect(threeLevelKind('tactical')).toBe('tactical (Level 2)');
    expect(threeLevelKind('execution')).toBe('execution (Level 3)');
    expect(threeLevelKind('other')).toBe('unknown level');
  });
});
