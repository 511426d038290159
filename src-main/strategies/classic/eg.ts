/**
 * Exponentiated Gradient (EG) portfolio (Helmbold, Schapire, Singer & Warmuth, "On-line portfolio selection
 * using multiplicative updates", Mathematical Finance 1998), a follow-the-winner online baseline
 * (a classic baseline, docs/architecture.md "Strategies").
 */
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { runOnline } from './online';
import { num, readParams } from './params';

/**
 * One EG update: b'_i = b_i exp(eta x_i / (b . x)) / Z. Takes the current portfolio b (simplex), the day's
 * price relatives x and the learning rate eta; gives the next portfolio (new array, on the simplex).
 */
export function egUpdate(b: ArrayLike<number>, x: ArrayLike<number>, eta: number): Float64Array {
  const n = b.length;
  let bx = 0;
  for (let i = 0; i < n; i++) bx += b[i]! * x[i]!;
  const out = new Float64Array(n);
  // subtract the largest exponent before exp (same result, no overflow for large eta)
  let emax = -Infinity;
  for (let i = 0; i < n; i++) emax = Math.max(emax, (eta * x[i]!) / bx);
  let z = 0;
  for (let i = 0; i < n; i++) {
    out[i] = b[i]! * Math.exp((eta * x[i]!) / bx - emax);
    z += out[i]!;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / z;
  return out;
}

const EG_PARAMS: StrategyParamSpec[] = [
  {
    name: 'eta',
    description: 'learning rate eta of the multiplicative update (0.05 in Helmbold et al. 1998)',
    default: 0.05,
    min: 0,
    max: 100,
  },
];

export const eg: StrategyDef = {
  id: 'eg',
  label: 'Exponentiated Gradient (EG)',
  description:
    'Exponentiated Gradient (Helmbold, Schapire, Singer & Warmuth, "On-line portfolio selection using ' +
    'multiplicative updates", Mathematical Finance 1998): start uniform and after each day multiply every weight ' +
    'by exp(eta x_t,i / (b_t . x_t)) and renormalise, tracking the best CRP with a relative-entropy penalty. ' +
    'Default eta = 0.05 as in the paper.',
  family: 'online',
  hindsight: false,
  params: EG_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(EG_PARAMS, ctx.params, 'eg');
    const eta = num(p, 'eta');
    let b: Float64Array | undefined;
    return runOnline(
      {
        step(view, x) {
          b = egUpdate(b ?? new Float64Array(view.nAssets).fill(1 / view.nAssets), x, eta);
          return b;
        },
      },
      'eg',
    );
  },
};
