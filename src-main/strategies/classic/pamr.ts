/**
 * Passive Aggressive Mean Reversion (Li, Zhao, Hoi & Gopalkrishnan, "PAMR: Passive aggressive mean reversion
 * strategy for portfolio selection", Machine Learning 87, 2012), with its PAMR-1 and PAMR-2 variants
 * (a classic baseline, docs/architecture.md "Strategies").
 */
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { runOnline } from './online';
import { num, readParams, str } from './params';
import { projectToSimplex } from './simplex';

export type PamrVariant = 'pamr' | 'pamr1' | 'pamr2';

/**
 * PAMR step size tau for the epsilon-insensitive loss l = max(0, b . x - epsilon):
 * PAMR tau = l / ||x - xbar 1||^2; PAMR-1 tau = min(C, l / ||x - xbar 1||^2); PAMR-2 tau = l / (||x - xbar 1||^2 + 1/(2C)).
 * With ||x - xbar 1|| = 0 (all relatives equal) PAMR and PAMR-1 take tau = 0 (no informative direction).
 */
export function pamrTau(
  b: ArrayLike<number>,
  x: ArrayLike<number>,
  epsilon: number,
  variant: PamrVariant,
  C: number,
): number {
  const n = b.length;
  let bx = 0;
  let xbar = 0;
  for (let i = 0; i < n; i++) {
    bx += b[i]! * x[i]!;
    xbar += x[i]!;
  }
  xbar /= n;
  const loss = Math.max(0, bx - epsilon);
  let denom = 0;
  for (let i = 0; i < n; i++) denom += (x[i]! - xbar) ** 2;
  if (variant === 'pamr2') return loss / (denom + 1 / (2 * C));
  if (denom === 0) return 0;
  const tau = loss / denom;
  return variant === 'pamr1' ? Math.min(C, tau) : tau;
}

/** One PAMR update: b' = Proj_simplex(b - tau (x - xbar 1)). Gives a new array on the simplex. */
export function pamrUpdate(
  b: ArrayLike<number>,
  x: ArrayLike<number>,
  epsilon: number,
  variant: PamrVariant,
  C: number,
): Float64Array {
  const n = b.length;
  const tau = pamrTau(b, x, epsilon, variant, C);
  let xbar = 0;
  for (let i = 0; i < n; i++) xbar += x[i]!;
  xbar /= n;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = b[i]! - tau * (x[i]! - xbar);
  return projectToSimplex(v);
}

const PAMR_PARAMS: StrategyParamSpec[] = [
  {
    name: 'epsilon',
    description: 'sensitivity epsilon of the loss max(0, b.x - epsilon) (0.5 in the paper)',
    default: 0.5,
    min: 0,
    max: 10,
  },
  {
    name: 'variant',
    description: 'pamr (hard), pamr1 (tau capped at C) or pamr2 (tau damped by 1/(2C))',
    default: 'pamr',
    choices: ['pamr', 'pamr1', 'pamr2'],
  },
  {
    name: 'C',
    description: 'aggressiveness C of PAMR-1 / PAMR-2 (500 in the paper)',
    default: 500,
    min: 1e-9,
    max: 1e9,
  },
];

export const pamr: StrategyDef = {
  id: 'pamr',
  label: 'Passive Aggressive Mean Reversion (PAMR)',
  description:
    'Passive Aggressive Mean Reversion (Li, Zhao, Hoi & Gopalkrishnan, Machine Learning 2012): if the last ' +
    'portfolio return b_t . x_t exceeds epsilon, move the portfolio against the last price relatives, ' +
    'b = b_t - tau (x_t - mean(x_t) 1), with tau = loss / ||x_t - mean(x_t) 1||^2 (PAMR; PAMR-1 caps tau at C, ' +
    'PAMR-2 adds 1/(2C) to the denominator), then project onto the simplex. Defaults epsilon = 0.5, C = 500.',
  family: 'online',
  hindsight: false,
  params: PAMR_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(PAMR_PARAMS, ctx.params, 'pamr');
    const epsilon = num(p, 'epsilon');
    const variant = str(p, 'variant') as PamrVariant;
    const C = num(p, 'C');
    let b: Float64Array | undefined;
    return runOnline(
      {
        step(view, x) {
          b = pamrUpdate(b ?? new Float64Array(view.nAssets).fill(1 / view.nAssets), x, epsilon, variant, C);
          return b;
        },
      },
      'pamr',
    );
  },
};
