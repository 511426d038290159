/**
 * Follow the Leader and Follow the Regularised Leader for portfolios (FTRL/FTL).
 *
 * FTL: b_{t+1} = argmax_{b in simplex} sum_{s<=t} log(b . x_s), the best CRP of the past (BCRP on the history
 * seen so far, no hindsight). FTRL: b_{t+1} = argmax sum_{s<=t} log(b . x_s) - (lambda/2) ||b||^2, the L2-
 * regularised leader (Shalev-Shwartz, "Online learning and online convex optimization", FnT ML 2012, Sec. 2.3;
 * Hazan, "Introduction to online convex optimization", 2016, Ch. 5), which starts at the uniform portfolio and
 * trusts the data more as they accumulate.
 *
 * Solver (documented approximation): every day, at most `solverIterations` projected quasi-Newton steps
 * (logopt.ts), warm-started from yesterday's leader and stopped earlier once the Frank-Wolfe gap per day is
 * below `tolerance`. With the full history (window = 0) and a long history, the curvature is the running sum
 * sum_s x_s x_s' / (b_s . x_s)^2 (centred form, logopt.ts addCenteredOuter) accumulated at each day's leader b_s and
 * rebuilt at the current leader whenever the history has doubled, so a day costs O(history x n) for the gradient
 * plus a small QP per step instead of an O(history x n^2) Hessian; short histories (rows x n^2 below
 * EXACT_HESSIAN_BUDGET) and finite windows use the exact Hessian.
 */
import type { MarketView } from '../../market/view';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { addCenteredOuter, logOptimalPortfolio, symmetrise } from './logopt';
import { runOnline } from './online';
import { int, num, readParams } from './params';

/** Below this many multiply-adds (rows x n^2) a day's solve uses the exact Hessian instead of the running curvature. */
export const EXACT_HESSIAN_BUDGET = 60_000;

const COMMON: StrategyParamSpec[] = [
  {
    name: 'window',
    description:
      'history used: 0 = every relative since the first decision (the online definition); k > 0 = the last k visible days (may reach before the test window)',
    default: 0,
    min: 0,
    max: 100000,
  },
  {
    name: 'solverIterations',
    description: 'cap on projected (quasi-)Newton steps per day, warm-started from the previous leader',
    default: 5,
    min: 1,
    max: 1000,
  },
  {
    name: 'tolerance',
    description: "stop a day's solve once the Frank-Wolfe gap per day of history is below this (log-growth units)",
    default: 1e-9,
    min: 0,
    max: 1,
  },
];

const FTRL_PARAMS: StrategyParamSpec[] = [
  {
    name: 'lambda',
    description:
      'weight lambda of the L2 regulariser (lambda/2)||b||^2 against the summed log growth (no canonical value in the literature; 1 keeps a year of daily data informative while damping the first weeks)',
    default: 1,
    min: 0,
    max: 1e6,
  },
  ...COMMON,
];

function leaderLearner(ctx: StrategyContext, who: 'ftl' | 'ftrl', specs: StrategyParamSpec[]): StrategyInstance {
  const p = readParams(specs, ctx.params, who);
  const lambda = who === 'ftrl' ? num(p, 'lambda') : 0;
  const window = int(p, 'window');
  const maxIter = int(p, 'solverIterations');
  const tol = num(p, 'tolerance');
  const rows: Float64Array[] = [];
  let curvature: Float64Array | undefined;
  let scratch = new Float64Array(0);
  let refreshedAt = 0;
  let b: Float64Array | undefined;
  return runOnline(
    {
      step(view: MarketView, x: Float64Array) {
        const n = view.nAssets;
        b ??= new Float64Array(n).fill(1 / n);
        if (scratch.length !== n) scratch = new Float64Array(n);
        let data: Float64Array[];
        if (window === 0) {
          rows.push(x);
          curvature ??= new Float64Array(n * n);
          if (rows.length >= 2 * refreshedAt) {
            // rebuild the curvature at the current leader whenever the history has doubled (amortised O(n^2) a day)
            curvature.fill(0);
            for (const xs of rows) {
              let bx = 0;
              for (let i = 0; i < n; i++) bx += b[i]! * xs[i]!;
              addCenteredOuter(curvature, xs, 1 / (bx * bx), scratch);
            }
            refreshedAt = rows.length;
          } else {
            let bx = 0;
            for (let i = 0; i < n; i++) bx += b[i]! * x[i]!;
            addCenteredOuter(curvature, x, 1 / (bx * bx), scratch);
          }
          symmetrise(curvature, n);
          data = rows;
        } else {
          data = [];
          for (let d = Math.max(1, view.t - window + 1); d <= view.t; d++) data.push(view.relatives(d));
        }
        const sol = logOptimalPortfolio(data, n, {
          init: b,
          l2: lambda,
          tol,
          maxIter,
          // short histories get the exact Hessian (cheap there, and the accumulated one is still crude)
          ...(window === 0 && curvature && rows.length * n * n > EXACT_HESSIAN_BUDGET ? { curvature } : {}),
        });
        b = sol.weights;
        return b;
      },
    },
    who,
  );
}

export const ftl: StrategyDef = {
  id: 'ftl',
  label: 'Follow the Leader (FTL)',
  description:
    'Follow the Leader: after each day hold the best constant rebalanced portfolio of the history seen so far, ' +
    'argmax sum_s log(b . x_s) (the "BCRP of the past"; Cover 1991 and Li & Hoi\'s survey, ACM Computing Surveys ' +
    '2014, where it appears as the natural follow-the-winner benchmark; Agarwal et al. ICML 2006 compare ONS ' +
    'with it). No hindsight: only relatives up to the decision day. Solved approximately each day by a few ' +
    'warm-started projected quasi-Newton steps.',
  family: 'online',
  hindsight: false,
  params: COMMON,
  create: (ctx) => leaderLearner(ctx, 'ftl', COMMON),
};

export const ftrl: StrategyDef = {
  id: 'ftrl',
  label: 'Follow the Regularised Leader (FTRL)',
  description:
    'Follow the Regularised Leader with an L2 regulariser: b_{t+1} = argmax over the simplex of ' +
    'sum_{s<=t} log(b . x_s) - (lambda/2) ||b||^2 (Shalev-Shwartz, FnT Machine Learning 2012; Hazan, ' +
    '"Introduction to online convex optimization" 2016). The regulariser keeps early decisions near the uniform ' +
    'portfolio and fades as history accumulates. Solved approximately each day by a few warm-started projected ' +
    'quasi-Newton steps.',
  family: 'online',
  hindsight: false,
  params: FTRL_PARAMS,
  create: (ctx) => leaderLearner(ctx, 'ftrl', FTRL_PARAMS),
};
