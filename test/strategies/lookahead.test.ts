/**
 * No look-ahead, proven from the outside (README "Market conventions"; docs/backtest-conventions.md):
 * for every registered non-hindsight strategy, run it over a test window, then multiply every price AFTER day t
 * by random factors and run it again from scratch with the same seed: every decision up to and including day t
 * must be bit-for-bit identical. Every strategy runs on a small data set (300 days x 6 assets, train 150, test
 * 150); learning strategies with their smallest preset and one training episode (quickCheckParams), trained again
 * for every run (no model kept in memory from an earlier run), so a training that reads past trainEnd shows as a
 * leak too. Strategies not registered yet are
 * simply not in the list. A deliberately leaking strategy,
 * registered only here, must make the check fail — so the check can fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { simulate } from '../../src-main/market/simulate';
import type { PriceMatrix } from '../../src-main/market/prices';
import { listStrategies, quickCheckParams, registerStrategy, resolveParams } from '../../src-main/strategies/registry';
import type { StrategyDef } from '../../src-main/strategies/types';
import { forgetTrainedModels, trainingKey, TrainedModels } from '../../src-main/strategies/trained';
import { djiaSubset } from '../helpers/data';

const DAYS = 300;
const ASSETS = 6;
const TEST_START = 150;
const SEED = 17;
/** decision days after which the future is perturbed: early in the window and deep into it */
const CUTS = [TEST_START + 20, TEST_START + 90];

/** Copy of m with every close after day t multiplied by a random factor in [0.5, 1.5] (seeded). */
function perturbAfter(m: PriceMatrix, t: number, seed: string): PriceMatrix {
  const rng = seedrandom(seed);
  return {
    ...m,
    close: m.close.map((row, d) =>
      d <= t ? Float64Array.from(row) : Float64Array.from(row, (p) => p * (0.5 + rng())),
    ),
  };
}

async function decisions(def: StrategyDef, m: PriceMatrix): Promise<number[][]> {
  // every run trains from scratch: a model kept from the first run has the same key (prices up to trainEnd), so
  // reusing it would hide a training that read past trainEnd
  forgetTrainedModels();
  const params = resolveParams(def, quickCheckParams(def));
  const inst = await def.create({
    prices: m,
    trainStart: 0,
    trainEnd: TEST_START - 1,
    testStart: TEST_START,
    testEnd: DAYS - 1,
    seed: SEED,
    params,
  });
  const sim = simulate(m, inst, { strategyId: def.id, testStart: TEST_START, testEnd: DAYS - 1 });
  return sim.target.map((w) => Array.from(w));
}

/** The first decision day <= t whose weights differ once the prices after t change, or null (no leak seen). */
async function firstLeak(def: StrategyDef, m: PriceMatrix): Promise<{ cut: number; day: number } | null> {
  const base = await decisions(def, m);
  for (const cut of CUTS) {
    const other = await decisions(def, perturbAfter(m, cut, `${def.id}-${cut}`));
    for (let t = TEST_START; t <= cut; t++) {
      const a = base[t - TEST_START]!;
      const b = other[t - TEST_START]!;
      if (a.some((x, i) => !Object.is(x, b[i]))) return { cut, day: t };
    }
  }
  return null;
}

const data = djiaSubset(DAYS, ASSETS, 1200);

/** Reads tomorrow's close straight from the matrix: the textbook leak. */
const leakyTomorrow: StrategyDef = {
  id: 'test-leaky-tomorrow',
  label: 'leaks tomorrow (test only)',
  description: 'test-only: buys the asset that rises most tomorrow, read from ctx.prices directly',
  family: 'classic',
  hindsight: false,
  params: [],
  create(ctx) {
    return {
      decide(view) {
        const m = ctx.prices;
        const t = Math.min(view.t + 1, m.close.length - 1);
        let best = 0;
        for (let i = 1; i < view.nAssets; i++)
          if (m.close[t]![i]! / m.close[view.t]![i]! > m.close[t]![best]! / m.close[view.t]![best]!) best = i;
        const w = new Float64Array(view.nAssets);
        w[best] = 1;
        return w;
      },
    };
  },
};

/** Normalises with statistics of the whole test window computed at create(): the subtler leak. */
const leakyNormaliser: StrategyDef = {
  id: 'test-leaky-normaliser',
  label: 'leaks through a normaliser (test only)',
  description: 'test-only: weights by each asset price relative to its mean over the whole test window',
  family: 'classic',
  hindsight: false,
  params: [],
  create(ctx) {
    const n = ctx.prices.tickers.length;
    const mean = new Float64Array(n);
    for (let t = ctx.testStart; t <= ctx.testEnd; t++)
      for (let i = 0; i < n; i++) mean[i]! += ctx.prices.close[t]![i]! / (ctx.testEnd - ctx.testStart + 1);
    return {
      decide(view) {
        const p = view.closes();
        const w = Float64Array.from(p, (x, i) => x / mean[i]!);
        const s = w.reduce((a, b) => a + b, 0);
        return w.map((x) => x / s);
      },
    };
  },
};

/**
 * A "learned" strategy whose training reads one close past trainEnd, its model kept by TrainedModels under a key of
 * the prices up to trainEnd, as every learned family here keeps its models: caught only if each run trains again.
 */
const leakyTrainingModels = new TrainedModels<Float64Array>();
const leakyTraining: StrategyDef = {
  id: 'test-leaky-training',
  label: 'leaks in training (test only)',
  description: 'test-only: "trains" on the prices up to trainEnd + 30 and holds the asset that rose most over them',
  family: 'learning',
  hindsight: false,
  params: [],
  async create(ctx) {
    const key = trainingKey({ family: 'test-leaky-training' }, ctx.prices, ctx.trainEnd);
    const w = await leakyTrainingModels.get(key, ctx, 'test-leaky-training', async () => {
      const m = ctx.prices;
      const late = m.close[ctx.trainEnd + 30]!;
      let best = 0;
      for (let i = 1; i < late.length; i++) if (late[i]! / m.close[0]![i]! > late[best]! / m.close[0]![best]!) best = i;
      const out = new Float64Array(late.length);
      out[best] = 1;
      return out;
    });
    return { decide: () => w };
  },
};

const offs: (() => void)[] = [];
beforeAll(() =>
  offs.push(registerStrategy(leakyTomorrow), registerStrategy(leakyNormaliser), registerStrategy(leakyTraining)),
);
afterAll(() => offs.forEach((f) => f()));

describe('no look-ahead', async () => {
  const all = await listStrategies();
  const checked = all.filter((s) => !s.hindsight && !s.id.startsWith('test-'));

  it('the registry holds the strategies this test must cover', () => {
    expect(checked.length).toBeGreaterThan(0);
    // hindsight strategies are the only exempt kind, and they are marked
    for (const s of all.filter((x) => x.hindsight)) expect(['benchmark', 'classic']).toContain(s.family);
  });

  it.each(checked.map((s) => [s.id, s] as const))(
    '%s: decisions up to t ignore every price after t',
    async (_id, def) => {
      expect(await firstLeak(def, data)).toBeNull();
    },
  );

  it('the check catches a strategy that reads tomorrow from the matrix', async () => {
    expect(await firstLeak(leakyTomorrow, data)).toEqual({ cut: CUTS[0], day: CUTS[0] });
  });

  it('the check catches a learned strategy whose training reads past trainEnd, although its model is cached', async () => {
    expect(await firstLeak(leakyTraining, data)).toEqual({ cut: CUTS[0], day: TEST_START });
  });

  it('the check catches a strategy that normalises with test-window statistics', async () => {
    expect(await firstLeak(leakyNormaliser, data)).toEqual({ cut: CUTS[0], day: TEST_START });
  });
});
