/**
 * Robust Median Reversion (Huang, Zhou, Li, Hoi & Zhou, "Robust median reversion strategy for online portfolio
 * selection", IJCAI 2013 / IEEE TKDE 2016) (a classic baseline, docs/architecture.md "Strategies").
 *
 * Follows the authors' own code by default: the L1-median of the last w prices rescaled to 1 on the first day of the
 * data, divided by today's rescaled price, a fallback to the last price relative while the window is not yet full,
 * the Vardi-Zhang iteration with the authors' start, cap and stopping rule, and the OLMAR step with their epsilon.
 * Parameter `normalise` keeps the desk's earlier variant (prices over today's close), see rmrPrediction.
 */
import type { MarketView } from '../../market/view';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { reversionUpdate } from './olmar';
import { runOnline } from './online';
import { int, num, readParams, str } from './params';

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
 * sum (p_k - y)/d_k. Starts from the coordinate-wise median; stops after maxIter steps or once a step moves y by at
 * most tol ||y||_1 (both in L1), as the authors' code does. When every point coincides with y, y is the median and
 * is kept (the authors' code would step to the origin there). Gives a new array of length n.
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
 * Which prices the L1-median is taken over. 'first-day': each asset's closes divided by its close on the first day
 * of the price data (row 0), i.e. every series rescaled to start at 1, the way the authors' code (and the reference
 * library) build prices from the price relatives; the default. 'today': closes divided by today's close, so that
 * today's point is the all-ones vector (the desk's default before it followed the authors).
 */
export type RmrNormalise = 'first-day' | 'today';
export const RMR_NORMALISE: readonly RmrNormalise[] = ['first-day', 'today'];

/**
 * RMR prediction of the next price relative from the closes visible in `view`. Gives a new array.
 *
 * 'first-day' (the authors' algorithm): with q = p / p_0 the closes rescaled to 1 on the first day of the data,
 * x^_{t+1} = L1med(q_{t-w+1..t}) / q_t. While fewer than w + 1 closes are visible (t < w) the prediction is the
 * newest price relative x_t, as in the authors' code.
 *
 * 'today': x^_{t+1} = L1med(p_{t-w+1..t} / p_t), over the closes available while fewer than w are visible. The
 * L1-median is not invariant to rescaling one asset's prices, so the two differ whenever the assets have moved
 * apart since the first day; this one makes the prediction independent of where the data begin.
 */
export function rmrPrediction(
  view: MarketView,
  w: number,
  normalise: RmrNormalise = 'first-day',
  opts?: L1MedianOptions,
): Float64Array {
  const pt = view.closes();
  const n = view.nAssets;
  if (normalise === 'today') {
    const pts = view.closeWindow(w).map((r) => {
      const q = new Float64Array(n);
      for (let i = 0; i < n; i++) q[i] = r[i]! / pt[i]!;
      return q;
    });
    return l1Median(pts, opts);
  }
  if (view.t < w) return view.relatives(view.t);
  const p0 = view.closes(0);
  const pts = view.closeWindow(w).map((r) => {
    const q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = r[i]! / p0[i]!;
    return q;
  });
  const med = l1Median(pts, opts);
  for (let i = 0; i < n; i++) med[i] = (med[i]! * p0[i]!) / pt[i]!;
  return med;
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
    name: 'normalise',
    description:
      "prices the L1-median is taken over: 'first-day' = each close over the asset's close on the first day of " +
      "the data (the authors' code; before w + 1 closes exist the prediction is the last price relative), " +
      "'today' = each close over today's close (independent of where the data begin; the desk's default before " +
      'it followed the authors)',
    default: 'first-day',
    choices: [...RMR_NORMALISE],
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
    "over today's price, prices rescaled to 1 on the first day of the data as in the authors' code (before w + 1 " +
    'closes exist: the last price relative), then take the OLMAR-style step b = b_t + lambda (x^ - mean(x^) 1), ' +
    'lambda = max(0, (epsilon - b_t . x^) / ||x^ - mean(x^) 1||^2), projected onto the simplex. Defaults w = 5, ' +
    "epsilon = 5; normalise = 'today' divides the prices by today's close instead.",
  family: 'online',
  hindsight: false,
  params: RMR_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(RMR_PARAMS, ctx.params, 'rmr');
    const w = int(p, 'window');
    const epsilon = num(p, 'epsilon');
    const normalise = str(p, 'normalise') as RmrNormalise;
    const lopts = { maxIter: int(p, 'maxIter'), tol: num(p, 'tol') };
    let b: Float64Array | undefined;
    return runOnline(
      {
        step(view) {
          const pred = rmrPrediction(view, w, normalise, lopts);
          b = reversionUpdate(b ?? new Float64Array(view.nAssets).fill(1 / view.nAssets), pred, epsilon).weights;
          return b;
        },
      },
      'rmr',
    );
  },
};
