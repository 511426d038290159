/**
 * Confidence Weighted Mean Reversion (Li, Hoi, Zhao & Gopalkrishnan, "Confidence weighted mean reversion
 * strategy for online portfolio selection", AISTATS 2011 / ACM TKDD 7(1) 2013), deterministic CWMR-Var and
 * CWMR-Stdev (a classic baseline, docs/architecture.md "Strategies").
 *
 * The portfolio is modelled as b ~ N(mu, Sigma). Every update of the algorithm (Sigma_0 = I/n^2, the
 * diag^2(x) precision update and the trace normalisation) keeps Sigma diagonal, so Sigma is stored as its
 * diagonal `sigma` and every step is O(n).
 */
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { runOnline } from './online';
import { num, readParams, str } from './params';
import { projectToSimplex } from './simplex';

export type CwmrVariant = 'var' | 'stdev';

export interface CwmrState {
  mu: Float64Array;
  /** diagonal of Sigma */
  sigma: Float64Array;
}

export function cwmrInit(n: number): CwmrState {
  return { mu: new Float64Array(n).fill(1 / n), sigma: new Float64Array(n).fill(1 / (n * n)) };
}

/** Largest non-negative root of a lambda^2 + b lambda + c = 0 (the paper's max{roots, 0}); 0 if none. */
function largestRoot(a: number, b: number, c: number): number {
  if (a !== 0) {
    const disc = b * b - 4 * a * c;
    if (disc < 0) return 0; // no real root: no admissible step
    const s = Math.sqrt(disc);
    return Math.max((-b + s) / (2 * a), (-b - s) / (2 * a), 0);
  }
  if (b !== 0) return Math.max(-c / b, 0);
  return 0;
}

/**
 * One CWMR step on the newest relatives x. With M = mu.x, V = x'Sigma x, W = x'Sigma 1, xbar = W / (1'Sigma 1):
 * - Var:   lambda = max root of 2phiV(V - xbar W) l^2 + (V - xbar W + 2phiV(eps - M)) l + (eps - M - phiV) = 0,
 *          Sigma^-1 <- Sigma^-1 + 2 lambda phi diag^2(x);
 * - Stdev: lambda = max root of a l^2 + b l + c = 0 with a = (V - xbar W + phi^2 V/2)^2 - phi^4 V^2/4,
 *          b = 2 (eps - M)(V - xbar W + phi^2 V/2), c = (eps - M)^2 - phi^2 V;
 *          Sigma^-1 <- Sigma^-1 + lambda phi / sqrt(U) diag^2(x), sqrt(U) = (-lambda phi V + sqrt(lambda^2 phi^2 V^2 + 4V)) / 2;
 * then mu <- mu - lambda Sigma (x - xbar 1), mu projected onto the simplex, Sigma <- Sigma / (n tr Sigma).
 * (Li et al. 2013, Algorithms "CWMR-Var" / "CWMR-Stdev"; the root choice follows the authors' code.)
 * Mutates and returns the state; also gives lambda.
 */
export function cwmrUpdate(
  state: CwmrState,
  x: ArrayLike<number>,
  phi: number,
  epsilon: number,
  variant: CwmrVariant,
): number {
  const { mu, sigma } = state;
  const n = mu.length;
  let M = 0;
  let V = 0;
  let W = 0;
  let S1 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    M += mu[i]! * xi;
    V += sigma[i]! * xi * xi;
    W += sigma[i]! * xi;
    S1 += sigma[i]!;
  }
  const xbar = W / S1;
  const spread = V - xbar * W; // >= 0 by Cauchy-Schwarz
  let lambda: number;
  if (variant === 'var') {
    lambda = largestRoot(2 * phi * V * spread, spread + 2 * phi * V * (epsilon - M), epsilon - M - phi * V);
  } else {
    const e = spread + (phi * phi * V) / 2;
    lambda = largestRoot(e * e - (phi ** 4 * V * V) / 4, 2 * (epsilon - M) * e, (epsilon - M) ** 2 - phi * phi * V);
  }
  if (!Number.isFinite(lambda)) lambda = 0;
  for (let i = 0; i < n; i++) mu[i] = mu[i]! - lambda * sigma[i]! * (x[i]! - xbar);
  if (lambda > 0) {
    let coef: number;
    if (variant === 'var') coef = 2 * lambda * phi;
    else {
      const sqrtU = (-lambda * phi * V + Math.sqrt(lambda * lambda * phi * phi * V * V + 4 * V)) / 2;
      coef = sqrtU > 0 ? (lambda * phi) / sqrtU : 0;
    }
    for (let i = 0; i < n; i++) sigma[i] = 1 / (1 / sigma[i]! + coef * x[i]! * x[i]!);
  }
  const projected = projectToSimplex(mu);
  mu.set(projected);
  let tr = 0;
  for (let i = 0; i < n; i++) tr += sigma[i]!;
  for (let i = 0; i < n; i++) sigma[i] = sigma[i]! / (n * tr);
  return lambda;
}

const CWMR_PARAMS: StrategyParamSpec[] = [
  { name: 'variant', description: 'var (CWMR-Var) or stdev (CWMR-Stdev)', default: 'var', choices: ['var', 'stdev'] },
  {
    name: 'phi',
    description:
      "confidence parameter phi (the normal quantile of the confidence level; 2, the setting of the authors' OLPS toolbox, Li, Sahoo & Hoi, JMLR 2016)",
    default: 2,
    min: 0,
    max: 10,
  },
  {
    name: 'epsilon',
    description: "mean reversion threshold epsilon (0.5, as in the authors' OLPS toolbox)",
    default: 0.5,
    min: 0,
    max: 10,
  },
];

export const cwmr: StrategyDef = {
  id: 'cwmr',
  label: 'Confidence Weighted Mean Reversion (CWMR)',
  description:
    'Confidence Weighted Mean Reversion (Li, Hoi, Zhao & Gopalkrishnan, AISTATS 2011; ACM TKDD 2013): the ' +
    'portfolio is a Gaussian N(mu, Sigma); after each day the distribution moves as little as possible (in KL ' +
    'divergence) so that the probability of a return above epsilon on the last price relatives is at most ' +
    'the confidence level (phi its normal quantile), i.e. it bets on mean reversion with second-order confidence. ' +
    "Deterministic CWMR-Var (default) or CWMR-Stdev; defaults phi = 2, epsilon = 0.5 (the authors' OLPS toolbox); the mean is projected onto " +
    'the simplex and held.',
  family: 'online',
  hindsight: false,
  params: CWMR_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(CWMR_PARAMS, ctx.params, 'cwmr');
    const phi = num(p, 'phi');
    const epsilon = num(p, 'epsilon');
    const variant = str(p, 'variant') as CwmrVariant;
    let state: CwmrState | undefined;
    return runOnline(
      {
        step(view, x) {
          state ??= cwmrInit(view.nAssets);
          cwmrUpdate(state, x, phi, epsilon, variant);
          return state.mu;
        },
      },
      'cwmr',
    );
  },
};
