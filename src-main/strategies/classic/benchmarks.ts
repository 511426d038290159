/**
 * Benchmark baselines: UBAH, uniform CRP, and the two hindsight references
 * BCRP and best stock, which read the test window's relatives from ctx.future and are marked hindsight.
 */
import type { MarketView } from '../../market/view';
import type { StrategyContext, StrategyDef, StrategyInstance } from '../types';
import { logOptimalPortfolio } from './logopt';
import { readParams } from './params';
import { finalizeWeights, uniformWeights } from './simplex';

/**
 * UBAH weights on day t for a 1/n buy at the close of day t0: w_i = (close_t[i] / close_t0[i]) / sum_j (...),
 * i.e. the uniform portfolio drifted by the price moves since t0 (so holding it needs no trade).
 */
export function ubahWeights(view: MarketView, t0: number): Float64Array {
  const p0 = view.closes(t0);
  const p = view.closes();
  const n = view.nAssets;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = p[i]! / p0[i]!;
  return finalizeWeights(w, 'ubah');
}

export const ubah: StrategyDef = {
  id: 'ubah',
  label: 'Buy and hold (UBAH)',
  description:
    'Uniform buy-and-hold: invest 1/n of wealth in each asset at the close of the first decision day and never ' +
    'trade again, so the weights drift with prices (the "market" benchmark of Li & Hoi, "Online portfolio ' +
    'selection: a survey", ACM Computing Surveys 2014). Each decision returns the drifted weights ' +
    'w_i proportional to p_t,i / p_t0,i, so the engine sees no turnover after day one.',
  family: 'benchmark',
  hindsight: false,
  params: [],
  create(ctx: StrategyContext): StrategyInstance {
    readParams([], ctx.params, 'ubah');
    let t0 = -1;
    return {
      decide(view: MarketView) {
        if (t0 < 0) t0 = view.t;
        if (view.t < t0) throw new RangeError(`ubah: decide called for day ${view.t} before its start day ${t0}`);
        return ubahWeights(view, t0);
      },
    };
  },
};

export const crp: StrategyDef = {
  id: 'crp',
  label: 'Uniform constant rebalanced (UCRP)',
  description:
    'Uniform constant rebalanced portfolio: rebalance back to 1/n in every asset at every decision (Cover, ' +
    '"Universal portfolios", Mathematical Finance 1991, where CRPs are the comparison class; Borodin, El-Yaniv & ' +
    'Gogan 2004 use UCRP as a benchmark).',
  family: 'benchmark',
  hindsight: false,
  params: [],
  create(ctx: StrategyContext): StrategyInstance {
    readParams([], ctx.params, 'crp');
    return { decide: (view: MarketView) => uniformWeights(view.nAssets) };
  },
};

/** Check ctx.future for a hindsight strategy and give it (relatives of days testStart+1..testEnd). */
function hindsightFuture(ctx: StrategyContext, who: string): Float64Array[] {
  const f = ctx.future;
  if (!f || f.length === 0)
    throw new RangeError(
      `${who} is a hindsight strategy: it needs ctx.future (the relatives of days testStart+1..testEnd)`,
    );
  const n = ctx.prices.tickers.length;
  for (const x of f) if (x.length !== n) throw new RangeError(`${who}: ctx.future rows must have ${n} entries`);
  const expected = ctx.testEnd - ctx.testStart;
  if (expected > 0 && f.length !== expected)
    throw new RangeError(`${who}: ctx.future has ${f.length} rows, expected testEnd - testStart = ${expected}`);
  return f;
}

/** Relative convergence tolerance of BCRP's Newton solver (Frank-Wolfe gap per day of log-growth). */
export const BCRP_TOLERANCE = 1e-12;

export const bcrp: StrategyDef = {
  id: 'bcrp',
  label: 'Best CRP in hindsight (BCRP)',
  description:
    'Best constant rebalanced portfolio in hindsight: b* = argmax over the simplex of sum_t log(b . x_t) over the ' +
    'test window, which it is given in advance (Cover, "Universal portfolios", Mathematical Finance 1991). ' +
    'Solved by projected Newton with quadprog to a Frank-Wolfe gap of 1e-12 per day; rebalances to b* every day. ' +
    'HINDSIGHT: not a tradable strategy, a reference only.',
  family: 'benchmark',
  hindsight: true,
  params: [],
  create(ctx: StrategyContext): StrategyInstance {
    readParams([], ctx.params, 'bcrp');
    const future = hindsightFuture(ctx, 'bcrp');
    const n = ctx.prices.tickers.length;
    const sol = logOptimalPortfolio(future, n, { tol: BCRP_TOLERANCE, maxIter: 200 });
    const w = finalizeWeights(sol.weights, 'bcrp');
    return {
      decide: () => ({ weights: Float64Array.from(w), detail: { family: 'classic', hindsight: true, gap: sol.gap } }),
    };
  },
};

export const beststock: StrategyDef = {
  id: 'beststock',
  label: 'Best stock in hindsight',
  description:
    'The single asset with the largest growth prod_t x_t,i over the test window, which it is given in advance, ' +
    'held throughout (the "Best stock" benchmark of Cover 1991 and Li & Hoi 2014). Ties go to the first asset. ' +
    'HINDSIGHT: not a tradable strategy, a reference only.',
  family: 'benchmark',
  hindsight: true,
  params: [],
  create(ctx: StrategyContext): StrategyInstance {
    readParams([], ctx.params, 'beststock');
    const future = hindsightFuture(ctx, 'beststock');
    const n = ctx.prices.tickers.length;
    const logGrowth = new Float64Array(n);
    for (const x of future) for (let i = 0; i < n; i++) logGrowth[i]! += Math.log(x[i]!);
    let best = 0;
    for (let i = 1; i < n; i++) if (logGrowth[i]! > logGrowth[best]!) best = i;
    const w = new Float64Array(n);
    w[best] = 1;
    return {
      decide: () => ({
        weights: Float64Array.from(w),
        detail: { family: 'classic', hindsight: true, asset: ctx.prices.tickers[best] },
      }),
    };
  },
};
