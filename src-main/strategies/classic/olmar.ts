/**
 * On-Line Moving Average Reversion, OLMAR-1 (Li & Hoi, "On-line portfolio selection with moving average
 * reversion", ICML 2012) (a classic baseline, docs/architecture.md "Strategies").
 */
import type { MarketView } from '../../market/view';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { runOnline } from './online';
import { int, num, readParams } from './params';
import { projectToSimplex } from './simplex';

/**
 * OLMAR-1 prediction of the next price relative: x~_{t+1} = MA_t / p_t with MA_t the mean of the last `w`
 * closes p_{t-w+1..t} (1 + 1/x_t + 1/(x_t x_{t-1}) + ... over w terms, divided by w). When fewer than w closes
 * are visible the mean runs over those available (at t = 0 the prediction is all ones). Gives a new array.
 */
export function olmarPrediction(view: MarketView, w: number): Float64Array {
  const n = view.nAssets;
  const rows = view.closeWindow(w);
  const pt = view.closes();
  const out = new Float64Array(n);
  for (const r of rows) for (let i = 0; i < n; i++) out[i]! += r[i]!;
  for (let i = 0; i < n; i++) out[i] = out[i]! / rows.length / pt[i]!;
  return out;
}

/**
 * The passive-aggressive reversion step shared by OLMAR and RMR: b' = Proj_simplex(b + lambda (x~ - xbar 1)),
 * lambda = max(0, (epsilon - b . x~) / ||x~ - xbar 1||^2) (lambda = 0 when x~ is constant). Takes the current
 * portfolio, the predicted relatives x~ and epsilon; gives the new portfolio and lambda.
 */
export function reversionUpdate(
  b: ArrayLike<number>,
  pred: ArrayLike<number>,
  epsilon: number,
): { weights: Float64Array; lambda: number } {
  const n = b.length;
  let bx = 0;
  let xbar = 0;
  for (let i = 0; i < n; i++) {
    bx += b[i]! * pred[i]!;
    xbar += pred[i]!;
  }
  xbar /= n;
  let denom = 0;
  for (let i = 0; i < n; i++) denom += (pred[i]! - xbar) ** 2;
  const lambda = denom > 0 ? Math.max(0, (epsilon - bx) / denom) : 0;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = b[i]! + lambda * (pred[i]! - xbar);
  return { weights: projectToSimplex(v), lambda };
}

const OLMAR_PARAMS: StrategyParamSpec[] = [
  { name: 'window', description: 'moving-average window w in days (5 in Li & Hoi 2012)', default: 5, min: 1, max: 500 },
  {
    name: 'epsilon',
    description: 'reversion threshold epsilon on b . x~ (10 in Li & Hoi 2012)',
    default: 10,
    min: 0,
    max: 1000,
  },
];

export const olmar: StrategyDef = {
  id: 'olmar',
  label: 'On-Line Moving Average Reversion (OLMAR)',
  description:
    'OLMAR-1 (Li & Hoi, "On-line portfolio selection with moving average reversion", ICML 2012): predict the next ' +
    "price relative as the w-day simple moving average of prices over today's price, then take the passive-" +
    'aggressive step b = b_t + lambda (x~ - mean(x~) 1), lambda = max(0, (epsilon - b_t . x~) / ||x~ - mean(x~) 1||^2), ' +
    'projected onto the simplex. Defaults w = 5, epsilon = 10. The moving average reads visible history before ' +
    'the test window when there is some.',
  family: 'online',
  hindsight: false,
  params: OLMAR_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(OLMAR_PARAMS, ctx.params, 'olmar');
    const w = int(p, 'window');
    const epsilon = num(p, 'epsilon');
    let b: Float64Array | undefined;
    return runOnline(
      {
        step(view) {
          const pred = olmarPrediction(view, w);
          b = reversionUpdate(b ?? new Float64Array(view.nAssets).fill(1 / view.nAssets), pred, epsilon).weights;
          return b;
        },
      },
      'olmar',
    );
  },
};
