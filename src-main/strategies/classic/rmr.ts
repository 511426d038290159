/**
 * Robust Median Reversion (Huang, Zhou, Li, Hoi & Zhou, "Robust median reversion strategy for online portfolio
 * selection", IJCAI 2013 / IEEE TKDE 2016) (a classic baseline, docs/architecture.md "Strategies").
 */
import type { MarketView } from '../../market/view';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { reversionUpdate } from './olmar';
import { runOnline } from './online';
import { int, num, readParams } from './params';

export interface L1MedianOptions {
  /** iteration cap (200, as in the RMR authors' code) */
  maxIter?: number;
  /** stop when ||y_new - y||_1 <= tol ||y||_1 (1e-9) */
  tol?: number;
  /** a point closer than this to the iterate counts as coinciding with it (1e-15) */
  zeroTol?: number;
}

/**
 * L1-median (spatial median) of points p_k in R^n: argmin_y sum_k ||p_k - y||_2, by the modified Weiszfeld
 * iteration of Vardi & Zhang (2000) as used by RMR: T(y) = sum p_k/d_k / sum 1/d_k over points with d_k > 0,
 * y' = (1 - r) T(y) + r y with r = min(1, eta / ||R(y)||), eta = 1 when y coincides with a point, R(y) =
 * sum (p_k - y)/d_k. Starts from the coordinate-wise median. Gives a new array of length n.
 */
export function l1Median(points: readonly ArrayLike<number>[], opts: L1MedianOptions = {}): Float64Array {
  const m = points.length;
  if (m === 0) throw new RangeError('l1Median: no points');
  const n = points[0]!.length;
  const maxIter = opts.maxIter ?? 200;
  const tol = opts.tol ?? 1e-9;
  const zeroTol = opts.zeroTol ?? 1e-15;
  // coordinate-wise median start
  let y = new Float64Array(n);
  const col = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) col[k] = points[k]![i]!;
    col.sort();
    y[i] = m % 2 ? col[(m - 1) >> 1]! : 0.5 * (col[m / 2 - 1]! + col[m / 2]!);
  }
  const Tnum = new Float64Array(n);
  const R = new Float64Array(n);
  for (let it = 0; it < maxIter; it++) {
    Tnum.fill(0);
    R.fill(0);
    let Tden = 0;
    let eta = 0;
    for (let k = 0; k < m; k++) {
      const p = points[k]!;
      let d2 = 0;
      for (let i = 0; i < n; i++) d2 += (p[i]! - y[i]!) ** 2;
      const d = Math.sqrt(d2);
      if (d >= zeroTol) {
        const inv = 1 / d;
        Tden += inv;
        for (let i = 0; i < n; i++) {
          Tnum[i]! += p[i]! * inv;
          R[i]! += (p[i]! - y[i]!) * inv;
        }
      } else eta = 1;
    }
    if (Tden === 0) break; // every point coincides with y
    let rnorm = 0;
    for (let i = 0; i < n; i++) rnorm += R[i]! * R[i]!;
    rnorm = Math.sqrt(rnorm);
    const r = rnorm === 0 ? 0 : Math.min(1, eta / rnorm);
    const next = new Float64Array(n);
    let diff = 0;
    let ynorm = 0;
    for (let i = 0; i < n; i++) {
      next[i] = (1 - r) * (Tnum[i]! / Tden) + r * y[i]!;
      diff += Math.abs(next[i]! - y[i]!);
      ynorm += Math.abs(y[i]!);
    }
    y = next;
    if (diff <= tol * ynorm) break;
  }
  return y;
}

/**
 * RMR prediction x^_{t+1} = L1med(p_{t-w+1..t}) / p_t. Prices are first divided by today's close (so today's
 * point is the all-ones vector), which makes the prediction independent of each asset's price level; the
 * authors' code instead rescales prices to 1 on the first day of the data set. With fewer than w visible closes
 * it uses those available. Gives a new array.
 */
export function rmrPrediction(view: MarketView, w: number, opts?: L1MedianOptions): Float64Array {
  const pt = view.closes();
  const n = view.nAssets;
  const pts = view.closeWindow(w).map((r) => {
    const q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = r[i]! / pt[i]!;
    return q;
  });
  return l1Median(pts, opts);
}

const RMR_PARAMS: StrategyParamSpec[] = [
  {
    name: 'window',
    description: 'number of recent closes w in the L1-median (5 in Huang et al. 2013)',
    default: 5,
    min: 1,
    max: 500,
  },
  {
    name: 'epsilon',
    description: 'reversion threshold epsilon (5 in Huang et al. 2013)',
    default: 5,
    min: 0,
    max: 1000,
  },
  {
    name: 'maxIter',
    description: "cap on modified-Weiszfeld iterations for the L1-median (200 in the authors' code)",
    default: 200,
    min: 1,
    max: 100000,
  },
  {
    name: 'tol',
    description: "relative L1 stopping tolerance of the L1-median iteration (1e-9 in the authors' code)",
    default: 1e-9,
    min: 0,
    max: 1,
  },
];

export const rmr: StrategyDef = {
  id: 'rmr',
  label: 'Robust Median Reversion (RMR)',
  description:
    'Robust Median Reversion (Huang, Zhou, Li, Hoi & Zhou, IJCAI 2013; IEEE TKDE 2016): predict the next price ' +
    'relative robustly as the L1-median of the last w prices (modified Weiszfeld algorithm of Vardi & Zhang 2000) ' +
    "over today's price, then take the OLMAR-style step b = b_t + lambda (x^ - mean(x^) 1), lambda = " +
    'max(0, (epsilon - b_t . x^) / ||x^ - mean(x^) 1||^2), projected onto the simplex. Defaults w = 5, epsilon = 5.',
  family: 'online',
  hindsight: false,
  params: RMR_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(RMR_PARAMS, ctx.params, 'rmr');
    const w = int(p, 'window');
    const epsilon = num(p, 'epsilon');
    const lopts = { maxIter: int(p, 'maxIter'), tol: num(p, 'tol') };
    let b: Float64Array | undefined;
    return runOnline(
      {
        step(view) {
          const pred = rmrPrediction(view, w, lopts);
          b = reversionUpdate(b ?? new Float64Array(view.nAssets).fill(1 / view.nAssets), pred, epsilon).weights;
          return b;
        },
      },
      'rmr',
    );
  },
};
