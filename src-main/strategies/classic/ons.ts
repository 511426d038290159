/**
 * Online Newton Step for portfolios (Agarwal, Hazan, Kale & Schapire, "Algorithms for portfolio management
 * based on the Newton method", ICML 2006) (a classic baseline, docs/architecture.md "Strategies").
 */
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { runOnline } from './online';
import { num, readParams } from './params';
import { solveSimplexQp } from './qp';

export interface OnsState {
  /** A_t = I + sum_s grad_s grad_s' (n x n, row-major) */
  A: Float64Array;
  /** b_t = (1 + 1/beta) sum_s grad_s */
  b: Float64Array;
  /** the portfolio p_t held (after eta-mixing) */
  p: Float64Array;
}

export function onsInit(n: number): OnsState {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) A[i * n + i] = 1;
  return { A, b: new Float64Array(n), p: new Float64Array(n).fill(1 / n) };
}

/**
 * One ONS step on the newest relatives x: grad = x / (p . x); A += grad grad'; b += (1 + 1/beta) grad;
 * p = Proj^A_simplex(delta A^{-1} b), the projection in the A-norm argmin_{q in simplex} (q - y)'A(q - y), which
 * is the QP min 1/2 q'Aq - delta b'q (since A y = delta b, no inverse is needed); finally p <- (1 - eta) p + eta/n.
 * Mutates and returns the state.
 */
export function onsUpdate(s: OnsState, x: ArrayLike<number>, eta: number, beta: number, delta: number): OnsState {
  const n = s.p.length;
  let px = 0;
  for (let i = 0; i < n; i++) px += s.p[i]! * x[i]!;
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = x[i]! / px;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    for (let j = 0; j < n; j++) s.A[i * n + j]! += gi * g[j]!;
    s.b[i]! += (1 + 1 / beta) * gi;
  }
  const lin = new Float64Array(n);
  for (let i = 0; i < n; i++) lin[i] = delta * s.b[i]!;
  const q = solveSimplexQp(s.A, lin, s.p);
  for (let i = 0; i < n; i++) s.p[i] = (1 - eta) * q[i]! + eta / n;
  return s;
}

const ONS_PARAMS: StrategyParamSpec[] = [
  {
    name: 'eta',
    description: 'mixing weight eta with the uniform portfolio (0 in Agarwal et al. 2006 experiments)',
    default: 0,
    min: 0,
    max: 1,
  },
  {
    name: 'beta',
    description: 'beta: the gradient sum is scaled by (1 + 1/beta) (1 in Agarwal et al. 2006 experiments)',
    default: 1,
    min: 1e-9,
    max: 1e9,
  },
  {
    name: 'delta',
    description: 'delta: scale of A^{-1} b before projection (1/8 in Agarwal et al. 2006 experiments)',
    default: 0.125,
    min: 1e-9,
    max: 1e9,
  },
];

export const ons: StrategyDef = {
  id: 'ons',
  label: 'Online Newton Step (ONS)',
  description:
    'Online Newton Step (Agarwal, Hazan, Kale & Schapire, "Algorithms for portfolio management based on the ' +
    'Newton method", ICML 2006): a second-order follow-the-winner method. With gradients grad_t = x_t / (p_t . x_t), ' +
    "A_t = I + sum grad grad' and b_t = (1 + 1/beta) sum grad, the next portfolio is the projection of " +
    'delta A_t^{-1} b_t onto the simplex in the norm induced by A_t (a QP, solved by an active-set method), mixed with the ' +
    'uniform portfolio by eta. Defaults eta = 0, beta = 1, delta = 1/8.',
  family: 'online',
  hindsight: false,
  params: ONS_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(ONS_PARAMS, ctx.params, 'ons');
    const eta = num(p, 'eta');
    const beta = num(p, 'beta');
    const delta = num(p, 'delta');
    let state: OnsState | undefined;
    return runOnline(
      {
        step(view, x) {
          state ??= onsInit(view.nAssets);
          onsUpdate(state, x, eta, beta, delta);
          return state.p;
        },
      },
      'ons',
    );
  },
};
