/**
 * The metrics before and after costs (gross returns, cost drag, annual turnover) and the concentration figures
 * with the guard they feed (src-shared/domain/concentration.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  annualTurnover,
  computeMetrics,
  costDrag,
  cumulativeReturn,
  grossReturns,
  omega,
  sharpe,
  sortino,
} from '../../src-main/metrics';
import { simulate } from '../../src-main/market/simulate';
import type { StrategyInstance } from '../../src-main/strategies/types';
import {
  CONCENTRATION_LIMITS,
  concentrationBreaches,
  concentrationExtremes,
  concentrationNote,
  isConcentrated,
} from '../../src-shared/domain';
import { djiaSubset } from '../helpers/data';

/** Rotates the whole book between two halves of the assets every day: lots of trading. */
function rotating(n: number): StrategyInstance {
  let day = 0;
  return {
    decide: () => {
      const w = new Float64Array(n);
      const half = Math.floor(n / 2);
      for (let i = 0; i < n; i++) if (i < half === (day % 2 === 0)) w[i] = 1 / (day % 2 === 0 ? half : n - half);
      day++;
      return w;
    },
  };
}

describe('before and after costs', () => {
  it("gross returns add each day's cost back: (1 + r) / (1 - c) - 1", () => {
    const g = grossReturns([-0.01, 0.05, 0.0], [0.01, 0.002, 0]);
    expect(g[0]).toBeCloseTo(0.99 / 0.99 - 1, 15);
    expect(g[1]).toBeCloseTo(1.05 / 0.998 - 1, 15);
    expect(g[2]).toBe(0);
    expect(() => grossReturns([0.01], [0.01, 0])).toThrow(/1 returns but 2 daily costs/);
    expect(() => grossReturns([0.01], [1])).toThrow(/not in \[0, 1\)/);
  });

  it('the gross figures of a run with costs are those of the same decisions traded without costs', () => {
    const m = djiaSubset(80, 6, 500);
    const run = (cost: number) =>
      simulate(m, rotating(6), { strategyId: 'rot', testStart: 20, testEnd: 79, settings: { cost } });
    const costly = run(0.002);
    const free = run(0);
    const withCost = computeMetrics({
      returns: costly.ret,
      turnover: costly.turnover.subarray(1),
      weights: costly.target,
      nRisky: 6,
      cost: costly.cost,
    });
    expect(withCost.grossCumulativeReturn).toBeCloseTo(cumulativeReturn(free.ret), 12);
    expect(withCost.grossSharpe).toBeCloseTo(sharpe(free.ret), 10);
    expect(withCost.grossSharpe).toBeGreaterThan(withCost.sharpe);
    // Sortino and Omega before costs: the same figures of the run that paid nothing
    expect(withCost.grossSortino).toBeCloseTo(sortino(free.ret), 10);
    expect(withCost.grossOmega).toBeCloseTo(omega(free.ret), 10);
    expect(withCost.grossSortino).toBeGreaterThan(withCost.sortino);
    expect(withCost.grossOmega).toBeGreaterThan(withCost.omega);
    // the costs: about 2 x 0.2 % of a full turnover a day, 252 days a year
    expect(withCost.costDrag).toBeCloseTo((252 * costly.cost.reduce((s, c) => s + c, 0)) / costly.cost.length, 12);
    expect(withCost.costDrag).toBeGreaterThan(0.9);
    expect(withCost.annualTurnover).toBeCloseTo(252 * withCost.turnover, 12);
    // without costs, net and gross agree and nothing was paid
    const none = computeMetrics({
      returns: free.ret,
      turnover: free.turnover.subarray(1),
      weights: free.target,
      nRisky: 6,
      cost: free.cost,
    });
    expect(none.grossSharpe).toBeCloseTo(none.sharpe, 12);
    expect(none.grossSortino).toBeCloseTo(none.sortino, 12);
    expect(none.grossOmega).toBeCloseTo(none.omega, 12);
    expect(none.costDrag).toBe(0);
  });

  it('without the daily costs the figures before costs have no value, rather than copying the net ones', () => {
    const m = computeMetrics({
      returns: [0.01, -0.02, 0.03],
      turnover: [0.1, 0.3],
      weights: [[0.5, 0.5, 0]],
      nRisky: 2,
    });
    expect(m.grossSharpe).toBeNaN();
    expect(m.grossSortino).toBeNaN();
    expect(m.grossOmega).toBeNaN();
    expect(m.grossCumulativeReturn).toBeNaN();
    expect(m.costDrag).toBeNaN();
    expect(m.annualTurnover).toBeCloseTo(0.2 * 252, 12);
  });

  it('annual turnover and cost drag of one-day series', () => {
    expect(annualTurnover([0.02])).toBeCloseTo(5.04, 12);
    expect(costDrag([0.001, 0.0002, 0.0002])).toBeCloseTo((252 * 0.0014) / 3, 14);
    expect(costDrag([])).toBeNaN();
  });
});

describe('concentration of a run', () => {
  it('the largest single weight and the fewest effective holdings of any day (risky part renormalised, cash days left out)', () => {
    const days = [
      [0.25, 0.25, 0.25, 0.25, 0], // N_eff 4
      [0.9999, 0.0001, 0, 0, 0], // the ddpg-flat day: one stock holds the book
      [0, 0, 0, 0, 1], // all cash: no holding, not counted
    ];
    const c = concentrationExtremes(days, 4);
    expect(c.maxWeight).toBe(0.9999);
    expect(c.minEffectiveN).toBeCloseTo(1 / (0.9999 ** 2 + 0.0001 ** 2), 12);
    expect(concentrationExtremes([[0, 0, 1]], 2)).toEqual({ maxWeight: 0, minEffectiveN: Number.NaN });
    expect(concentrationExtremes([])).toEqual({ maxWeight: Number.NaN, minEffectiveN: Number.NaN });
    const m = computeMetrics({ returns: [0, 0, 0], turnover: [0, 0], weights: days, nRisky: 4, cost: [0, 0, 0] });
    expect([m.maxWeight, m.minEffectiveN]).toEqual([c.maxWeight, c.minEffectiveN]);
  });

  it('the guard: one weight above 50 % of the book, or fewer than 2 effective holdings, on any day', () => {
    expect(CONCENTRATION_LIMITS).toEqual({ maxWeight: 0.5, minEffectiveN: 2 });
    expect(concentrationBreaches({ maxWeight: 0.9999, minEffectiveN: 1.0002 })).toEqual(['max-weight', 'effective-n']);
    // 50/50 is at both limits, not beyond them
    expect(isConcentrated({ maxWeight: 0.5, minEffectiveN: 2 })).toBe(false);
    // half the book in one stock and half in cash: the stock part is one name
    expect(concentrationBreaches(concentrationExtremes([[0.5, 0, 0.5]], 2))).toEqual(['effective-n']);
    // three positions of 45 / 45 / 10: within both limits by default, beyond a tighter one
    const three = concentrationExtremes([[0.45, 0.45, 0.1, 0]], 3);
    expect(isConcentrated(three)).toBe(false);
    expect(concentrationBreaches(three, { maxWeight: 0.4, minEffectiveN: 3 })).toEqual(['max-weight', 'effective-n']);
    // no value never trips a rule
    expect(isConcentrated({ maxWeight: Number.NaN, minEffectiveN: Number.NaN })).toBe(false);
    expect(concentrationNote()).toContain('more than 50% of the book');
  });
});
