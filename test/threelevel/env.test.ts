/**
 * Level 3's environment and baselines by hand (agents/threelevel/env.ts, baselines.ts): a 2-asset, 3-day period whose
 * costs are computed here from the cost model's formulas, the gap never overshooting, fractions clipped, the baselines'
 * schedules, and no look-ahead in the states and the costs.
 */
import { describe, expect, it } from 'vitest';
import {
  baselinePolicy,
  linearFraction,
  scheduleOf,
  tradeAtOnceFraction,
} from '../../src-main/agents/threelevel/baselines';
import { ExecutionEnv, FEATURE_COUNT, type ExecutionState } from '../../src-main/agents/threelevel/env';
import { emptyTradeCost, ExecutionCosts } from '../../src-main/market/costs';
import type { PriceMatrix } from '../../src-main/market/prices';
import { djiaSubset } from '../helpers/data';

// two assets moving together, up 1% then down 1% in turn: the weights of a fully invested book never drift, and the
// sample standard deviation of any two consecutive returns is |0.01 - (-0.01)| / sqrt(2)
const REL = [1.01, 0.99];
const ADV = [2e6, 8e6];
function market(days: number): PriceMatrix {
  const close: Float64Array[] = [Float64Array.of(50, 20)];
  for (let t = 1; t < days; t++) close.push(close[t - 1]!.map((p) => p * REL[(t - 1) % 2]!));
  return {
    universe: 'hand',
    dates: close.map((_, t) => `2020-01-${String(t + 1).padStart(2, '0')}`),
    tickers: ['A', 'B'],
    close,
    tradedValue: close.map(() => Float64Array.from(ADV)),
  };
}
const COMMISSION = 0.001;
const IMPACT = { halfSpreadBp: 5, impactK: 1, bookValue: 1e6, window: 2, advProxy: 1e9 };
const SIGMA = 0.02 / Math.sqrt(2);
const LAMBDA = 100;

/** What trading d_i of each asset costs by the cost model's formulas, as a fraction of the value V (relative). */
function handCost(d: number[], V: number): number {
  let c = 0;
  d.forEach((x, i) => {
    if (x === 0) return;
    c += COMMISSION * x + 0.0005 * x + SIGMA * Math.sqrt((x * 1e6 * V) / ADV[i]!) * x;
  });
  return c;
}

function setup(horizon = 3) {
  const m = market(12);
  const env = new ExecutionEnv(m, new ExecutionCosts(m, COMMISSION, IMPACT), { horizon, riskAversion: LAMBDA });
  return { m, env, s: env.start(4, [0.7, 0.3, 0], [0.4, 0.6]) };
}

function run(env: ExecutionEnv, s: ExecutionState, rule: (daysLeft: number) => number) {
  const steps = [];
  while (env.daysLeft(s) >= 1) steps.push(env.step(s, [rule(env.daysLeft(s)), rule(env.daysLeft(s))]));
  return steps;
}

describe('execution environment, by hand', () => {
  it('trade-at-once pays the whole gap on the first day and nothing after', () => {
    const { env, s } = setup();
    const steps = run(env, s, tradeAtOnceFraction);
    const c0 = handCost([0.3, 0.3], 1);
    expect(steps[0]!.cost.commission + steps[0]!.cost.spread + steps[0]!.cost.impact).toBeCloseTo(c0, 14);
    expect(steps[0]!.reward).toBeCloseTo(-1e4 * c0, 10);
    expect(steps[0]!.penalty).toBe(0);
    for (const st of steps.slice(1)) {
      expect(st.traded).toBe(0);
      expect(st.reward).toBe(0);
    }
    // value: 1 - c0, then two days of market (relatives of days 5 and 6)
    expect(s.value).toBeCloseTo((1 - c0) * REL[0]! * REL[1]! * REL[0]!, 14);
    expect(s.paper).toBeCloseTo(REL[0]! * REL[1]! * REL[0]!, 14);
  });

  it('linear pays a third of the gap a day, and the penalty on what is left each night', () => {
    const { env, s } = setup();
    const steps = run(env, s, linearFraction);
    // day 0: 0.1 of each asset at V0 = 1; day 1: 0.1 at V1; day 2: the last 0.1, forced, at V2
    const c0 = handCost([0.1, 0.1], 1);
    const V1 = (1 - c0) * REL[0]!; // the trade at the close of day 4, then day 5's move
    const c1 = handCost([0.1, 0.1], V1);
    const V2 = V1 * (1 - c1) * REL[1]!;
    const c2 = handCost([0.1, 0.1], V2);
    const pen0 = 2 * 1e4 * LAMBDA * SIGMA ** 2 * 0.2 ** 2;
    const pen1 = 2 * 1e4 * LAMBDA * SIGMA ** 2 * 0.1 ** 2;
    expect(steps.map((st) => st.traded)).toEqual([0.2, 0.2, 0.2].map((x) => expect.closeTo(x, 14)));
    expect(steps[0]!.reward).toBeCloseTo(-1e4 * c0 - pen0, 10);
    expect(steps[1]!.reward).toBeCloseTo(-1e4 * c1 - pen1, 10);
    expect(steps[2]!.reward).toBeCloseTo(-1e4 * c2, 10);
    expect(steps[2]!.penalty).toBe(0);
    expect(steps[2]!.done).toBe(true);
    expect(s.value).toBeCloseTo(V2 * (1 - c2) * REL[0]!, 14);
    // the linear schedule paid less impact than trading at once (the square-root law) but a penalty
    expect(c0 + c1 + c2).toBeLessThan(handCost([0.3, 0.3], 1));
  });

  it('prices each asset as the cost model prices the whole trade (the parts add up)', () => {
    const { m, env, s } = setup();
    const before = Float64Array.from(s.w);
    const st = env.step(s, [0.5, 0.25]);
    const out = emptyTradeCost();
    new ExecutionCosts(m, COMMISSION, IMPACT).charge(4, before, [0.55, 0.375, 0.075], 1, out);
    expect(st.cost.commission).toBeCloseTo(out.commission, 15);
    expect(st.cost.spread).toBeCloseTo(out.spread, 15);
    expect(st.cost.impact).toBeCloseTo(out.impact, 15);
    expect(st.rewards[0]! + st.rewards[1]!).toBeCloseTo(st.reward, 12);
  });

  it('a full trade reaches the target exactly and the gap never overshoots', () => {
    const { env, s } = setup();
    env.step(s, [1, 1]);
    expect(Array.from(s.w)).toEqual(Array.from(s.q));
    // weights where w + (q - w) is not q in floating point (0.15 + 0.3 = 0.45000000000000007)
    const odd = setup().env;
    const s2 = odd.start(4, [0.15, 0.85, 0], [0.45, 0.55]);
    odd.step(s2, [1, 1]);
    expect(Array.from(s2.w)).toEqual(Array.from(s2.q));
    expect(odd.step(s2, [0.5, 0.5]).traded).toBe(0);
    const t = setup();
    const st = t.env.step(t.s, [1.7, -0.4]);
    expect(Array.from(st.fractions)).toEqual([1, 0]);
    // A's whole gap traded (0.3, not 1.7 x 0.3), B nothing
    expect(st.traded).toBeCloseTo(0.3, 15);
    expect(st.cost.commission + st.cost.spread + st.cost.impact).toBeCloseTo(handCost([0.3, 0], 1), 15);
    expect(() => t.env.step(t.s, [Number.NaN, 0])).toThrow(/fraction of A .* not a number/);
  });

  it('trades whatever is left on the last day, whatever the action', () => {
    const { env, s } = setup();
    const steps = run(env, s, () => 0);
    expect(steps.slice(0, 2).every((st) => st.traded === 0)).toBe(true);
    expect(Array.from(steps[2]!.fractions)).toEqual([1, 1]);
    expect(steps[2]!.traded).toBeCloseTo(0.6, 14);
    expect(Array.from(s.w)).toEqual(Array.from(s.q));
  });

  it('refuses a period that does not fit, bad allocations, and a cost model without impact', () => {
    const { m, env } = setup();
    expect(() => env.start(10, [0.5, 0.5, 0], [0.5, 0.5])).toThrow(/does not fit/);
    expect(() => env.start(4, [0.7, 0.5, 0], [0.5, 0.5])).toThrow(/sum to 1.2/);
    expect(() => env.start(4, [0.5, 0.5, 0], [-0.1, 0.5])).toThrow(/not a number >= 0/);
    expect(() => new ExecutionEnv(m, new ExecutionCosts(m, 0.001, null), { horizon: 3, riskAversion: 1 })).toThrow(
      /impact on/,
    );
  });
});

describe('execution baselines', () => {
  it('trade-at-once trades the whole gap on the first day; linear the same share each day', () => {
    expect(scheduleOf(tradeAtOnceFraction, 21)).toEqual([1, ...new Array(20).fill(0)]);
    const lin = scheduleOf(linearFraction, 21);
    expect(lin).toHaveLength(21);
    for (const x of lin) expect(x).toBeCloseTo(1 / 21, 14);
    expect(linearFraction(4)).toBe(0.25);
    expect(() => linearFraction(0)).toThrow(/days left/);
  });

  it('run as policies, they give one fraction per asset', () => {
    const { env, s } = setup();
    const f = env.features(s);
    expect(Array.from(baselinePolicy('linear').fractions(f, 3, s) as Float64Array)).toEqual([1 / 3, 1 / 3]);
    expect(Array.from(baselinePolicy('trade-at-once').fractions(f, 3, s) as Float64Array)).toEqual([1, 1]);
  });
});

describe('execution states', () => {
  it('are what the file says, for the hand market', () => {
    const { env, s } = setup();
    const f = env.features(s);
    expect(f).toHaveLength(2 * FEATURE_COUNT);
    const a = Array.from(f.subarray(0, FEATURE_COUNT));
    const expected = [1.4, 0.8, -0.6, 100 * SIGMA, Math.sqrt((0.3 * 1e6) / 2e6), 1, 1 / 3, 0];
    a.forEach((x, k) => expect(x).toBeCloseTo(expected[k]!, 6));
  });

  it('read nothing after the day: scrambling later prices and volumes changes neither states nor costs', () => {
    const base = djiaSubset(80, 4, 300);
    const m: PriceMatrix = {
      ...base,
      tradedValue: base.close.map((r, t) => r.map((p, i) => p * (1e6 + 1e4 * ((t * 7 + i) % 13)))),
    };
    const t = 40;
    const scrambled: PriceMatrix = {
      ...m,
      close: m.close.map((r, u) => (u > t ? r.map((p, i) => p * (1 + 0.3 * Math.sin(u + i))) : r)),
      tradedValue: m.tradedValue!.map((r, u) => (u > t ? r.map((v) => v * 5) : r)),
    };
    const probe = (mm: PriceMatrix) => {
      const env = new ExecutionEnv(mm, new ExecutionCosts(mm, 0.001, { bookValue: 1e8 }), {
        horizon: 5,
        riskAversion: 100,
      });
      const s = env.start(t, [0.1, 0.2, 0.3, 0.4, 0], [0.25, 0.25, 0.25, 0.25]);
      const f = Array.from(env.features(s));
      const st = env.step(s, [0.3, 0.6, 0.1, 0.9]);
      return { f, rewards: Array.from(st.rewards), cost: st.cost };
    };
    expect(probe(scrambled)).toEqual(probe(m));
  });
});
