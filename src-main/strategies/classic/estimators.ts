/**
 * Estimating baselines (momentum, Markowitz mean-variance, minimum variance,
 * risk parity; plus the long-only maximum Sharpe portfolio). Each reads a trailing window of daily simple
 * returns through the MarketView only (`lookback`, default 252 days), re-estimates at most every
 * `reestimateEvery` days (default 21) and returns the last target in between.
 */
import type { MarketView } from '../../market/view';
import type { StrategyContext, StrategyDecision, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { DEFAULT_GAMMA, DEFAULT_RIDGE, solveStatic, type StaticMethod, type StaticSolution } from './optimize';
import { LOOKBACK_SPEC, REESTIMATE_SPEC, int, num, readParams, type ParamValues } from './params';
import { finalizeWeights, uniformWeights } from './simplex';

const MIN_HISTORY_SPEC: StrategyParamSpec = {
  name: 'minHistory',
  description:
    'fewest daily return rows needed to estimate; with less history the strategy holds the uniform portfolio',
  default: 21,
  min: 2,
  max: 5000,
};

const RIDGE_SPEC: StrategyParamSpec = {
  name: 'ridge',
  description: 'covariance regularisation: Sigma + ridge * (trace(Sigma)/n) * I keeps the QP positive definite',
  default: DEFAULT_RIDGE,
  min: 0,
  max: 1,
};

/**
 * A StrategyInstance that re-estimates with `estimate(view)` on its first call and whenever at least
 * `every` days have passed since the last estimate, returning the stored target in between.
 */
export function periodicEstimator(
  who: string,
  every: number,
  estimate: (view: MarketView) => StaticSolution,
): StrategyInstance {
  let lastT = -Infinity;
  let target: Float64Array | undefined;
  let note: string | undefined;
  let estimatedAt = '';
  return {
    decide(view: MarketView): StrategyDecision {
      if (target === undefined || view.t - lastT >= every || view.t < lastT) {
        const s = estimate(view);
        target = finalizeWeights(s.weights, who);
        note = s.note;
        lastT = view.t;
        estimatedAt = view.date;
      }
      return {
        weights: Float64Array.from(target),
        detail: { family: 'classic', estimatedAt, ...(note ? { note } : {}) },
      };
    },
  };
}

/** Static-optimiser strategy factory for minvar / meanvar / maxsharpe / riskparity. */
function staticStrategy(
  method: StaticMethod,
  specs: StrategyParamSpec[],
  opts: (p: ParamValues) => { gamma?: number },
) {
  return (ctx: StrategyContext): StrategyInstance => {
    const p = readParams(specs, ctx.params, method);
    const lookback = int(p, 'lookback');
    const minHistory = int(p, 'minHistory');
    const ridge = num(p, 'ridge');
    const extra = opts(p);
    return periodicEstimator(method, int(p, 'reestimateEvery'), (view) => {
      const rows = view.returnsWindow(lookback);
      if (rows.length < minHistory)
        return {
          weights: uniformWeights(view.nAssets),
          note: `only ${rows.length} return rows (< minHistory): uniform`,
        };
      return solveStatic(method, rows, { ridge, ...extra });
    });
  };
}

const ESTIMATION_SPECS = [LOOKBACK_SPEC, REESTIMATE_SPEC, MIN_HISTORY_SPEC, RIDGE_SPEC];

export const minvar: StrategyDef = {
  id: 'minvar',
  label: 'Minimum variance',
  description:
    "Long-only global minimum-variance portfolio argmin w'Sigma w over the simplex (Markowitz 1952; Clarke, de " +
    'Silva & Thorley, "Minimum-variance portfolios in the U.S. equity market", J. Portfolio Management 2006), with ' +
    'the sample covariance of the trailing `lookback` daily simple returns, solved as a QP with quadprog and ' +
    're-estimated every `reestimateEvery` days.',
  family: 'classic',
  hindsight: false,
  params: ESTIMATION_SPECS,
  create: staticStrategy('minvar', ESTIMATION_SPECS, () => ({})),
};

const GAMMA_SPEC: StrategyParamSpec = {
  name: 'gamma',
  description:
    "risk aversion gamma in max mu'w - (gamma/2) w'Sigma w (unit-free: daily or annualised mu and Sigma give the same " +
    'weights); default 1 as in PyPortfolioOpt and skfolio',
  default: DEFAULT_GAMMA,
  min: 1e-6,
  max: 1e6,
};
const MEANVAR_SPECS = [...ESTIMATION_SPECS, GAMMA_SPEC];

export const meanvar: StrategyDef = {
  id: 'meanvar',
  label: 'Markowitz mean-variance',
  description:
    'Long-only Markowitz mean-variance portfolio (Markowitz, "Portfolio selection", J. Finance 1952): ' +
    "argmax over the simplex of mu'w - (gamma/2) w'Sigma w, with the sample mean and covariance of the trailing " +
    '`lookback` daily simple returns, solved as a QP with quadprog and re-estimated every `reestimateEvery` days.',
  family: 'classic',
  hindsight: false,
  params: MEANVAR_SPECS,
  create: staticStrategy('meanvar', MEANVAR_SPECS, (p) => ({ gamma: num(p, 'gamma') })),
};

export const maxsharpe: StrategyDef = {
  id: 'maxsharpe',
  label: 'Maximum Sharpe (tangency)',
  description:
    "Long-only tangency portfolio, maximum mu'w / sqrt(w'Sigma w) with a zero risk-free rate (Sharpe 1966; " +
    "Tobin 1958), through the convex reformulation min y'Sigma y s.t. mu'y = 1, y >= 0, w = y / sum(y) " +
    '(Cornuejols & Tutuncu, "Optimization Methods in Finance" 2007), solved with quadprog on the trailing ' +
    '`lookback` daily simple returns. When no asset has a positive mean return the maximum Sharpe ratio is not ' +
    'positive and the problem is ill-posed: it then falls back to minimum variance and says so in the detail.',
  family: 'classic',
  hindsight: false,
  params: ESTIMATION_SPECS,
  create: staticStrategy('maxsharpe', ESTIMATION_SPECS, () => ({})),
};

export const riskparity: StrategyDef = {
  id: 'riskparity',
  label: 'Risk parity (equal risk contribution)',
  description:
    'Long-only equal-risk-contribution portfolio, w_i (Sigma w)_i equal for all i (Maillard, Roncalli & Teiletche, ' +
    '"The properties of equally weighted risk contribution portfolios", J. Portfolio Management 2010), via ' +
    "Spinu's convex formulation min 1/2 y'Sigma y - (1/n) sum log y_i solved by cyclical coordinate descent " +
    '(Griveau-Billion, Richard & Roncalli 2013), w = y / sum(y), on the sample covariance of the trailing ' +
    '`lookback` daily simple returns.',
  family: 'classic',
  hindsight: false,
  params: ESTIMATION_SPECS,
  create: staticStrategy('riskparity', ESTIMATION_SPECS, () => ({})),
};

const TOPK_SPEC: StrategyParamSpec = {
  name: 'topK',
  description: 'number of assets held (the k best trailing returns, equal weight; capped at the number of assets)',
  default: 5,
  min: 1,
  max: 10000,
};
const MOMENTUM_SPECS = [LOOKBACK_SPEC, REESTIMATE_SPEC, TOPK_SPEC];

/**
 * Momentum target: the `k` assets with the highest trailing return close_t / close_{t-lookback} - 1 (start
 * clipped to day 0), equal weight; ties go to the lower index. With no history (t = 0) gives uniform weights.
 */
export function momentumWeights(view: MarketView, lookback: number, k: number): Float64Array {
  const n = view.nAssets;
  if (view.t === 0) return uniformWeights(n);
  const p0 = view.closes(Math.max(0, view.t - lookback));
  const p = view.closes();
  const ret = new Float64Array(n);
  for (let i = 0; i < n; i++) ret[i] = p[i]! / p0[i]! - 1;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ret[b]! - ret[a]! || a - b);
  const kk = Math.min(k, n);
  const w = new Float64Array(n);
  for (let r = 0; r < kk; r++) w[order[r]!] = 1 / kk;
  return w;
}

export const momentum: StrategyDef = {
  id: 'momentum',
  label: 'Momentum (top-k)',
  description:
    'Cross-sectional momentum (Jegadeesh & Titman, "Returns to buying winners and selling losers", J. Finance ' +
    '1993), long-only: hold the `topK` assets with the highest trailing `lookback`-day return in equal weight, ' +
    're-ranked every `reestimateEvery` days (the "Momentum" baseline of HADAPS, Kim et al. 2023).',
  family: 'classic',
  hindsight: false,
  params: MOMENTUM_SPECS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(MOMENTUM_SPECS, ctx.params, 'momentum');
    const lookback = int(p, 'lookback');
    const k = int(p, 'topK');
    return periodicEstimator('momentum', int(p, 'reestimateEvery'), (view) => ({
      weights: momentumWeights(view, lookback, k),
      ...(view.t === 0 ? { note: 'no history: uniform' } : {}),
    }));
  },
};
