/**
 * CORN-K: CORrelation-driven Nonparametric learning, top-K combination (Li, Hoi & Gopalkrishnan, "CORN:
 * Correlation-driven nonparametric learning approach for portfolio selection", ACM TIST 2(3), 2011)
 * (a classic baseline, docs/architecture.md "Strategies").
 *
 * Expert (w, rho), for w = 1..maxWindow and rho = (l-1)/rhoLevels, l = 1..rhoLevels: at day t, collect every past
 * day i whose preceding w-day window of price relatives (days i-w..i-1, flattened over assets) has Pearson
 * correlation >= rho with the latest window (days t-w+1..t); its portfolio is the log-optimal portfolio over the
 * relatives x_i of those days, argmax sum_i log(b . x_i) (uniform when no day qualifies). CORN-K tracks each
 * expert's wealth and holds the wealth-weighted mix of the `topK` richest experts.
 *
 * As in the paper, the similarity search covers the whole history by default: every visible day, history before the
 * test window included (it is information available at the decision date); `maxHistory` can bound it to the last
 * so many days. A day's work grows with the days searched (correlations O(t n), curvature sums O(t n^2)), so a run
 * of T days costs O(T^2) in the days; on the bundled 30-stock data (2,529 days) that is seconds, not minutes.
 *
 * Documented simplification, to bound cost (the paper solves each expert to optimality with a generic NLP solver,
 * which is far too slow here):
 * - each expert's log-optimal portfolio is computed by at most `solverIterations` projected quasi-Newton steps,
 *   warm-started from that expert's previous portfolio, stopping earlier at a Frank-Wolfe gap of `tolerance` per row
 *   (the gap bounds the shortfall in log growth, so a converged expert is certified). The curvature is the Hessian
 *   at the uniform portfolio, shared by the nested experts of one window (see step 3 below), with an Armijo line
 *   search on the true objective, so it changes the speed of convergence, not the point converged to.
 * Correlations are computed incrementally: a day's row of inner products with the searched history is computed once
 * and reused by every window and threshold.
 */
import type { MarketView } from '../../market/view';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { logOptimalPortfolio } from './logopt';
import { runOnline } from './online';
import { int, num, readParams } from './params';

const CORN_PARAMS: StrategyParamSpec[] = [
  {
    name: 'maxWindow',
    description: 'windows w = 1..maxWindow days (5 in Li et al. 2011, CORN-K)',
    default: 5,
    min: 1,
    max: 60,
  },
  {
    name: 'rhoLevels',
    description: 'correlation thresholds rho = 0, 1/P, ..., (P-1)/P for P = rhoLevels (10 in Li et al. 2011)',
    default: 10,
    min: 1,
    max: 100,
  },
  {
    name: 'topK',
    description:
      "number of best experts (by wealth) combined; 5 = 10% of the 50 experts, the setting of the authors' OLPS toolbox (Li, Sahoo & Hoi, JMLR 2016)",
    default: 5,
    min: 1,
    max: 6000,
  },
  {
    name: 'maxHistory',
    description:
      'days searched back for similar windows: 0 = the whole visible history (Li et al. 2011); k > 0 = the last k ' +
      'days only (a cost bound)',
    default: 0,
    min: 0,
    max: 100000,
  },
  {
    name: 'solverIterations',
    description: 'cap on projected quasi-Newton steps per expert per day (warm-started; cost bound)',
    default: 5,
    min: 1,
    max: 1000,
  },
  {
    name: 'tolerance',
    description: "stop an expert's solve once the Frank-Wolfe gap per row is below this",
    default: 1e-7,
    min: 0,
    max: 1,
  },
];

/**
 * Pearson correlation of two flattened windows from their sums: N entries, sums s1, s2, sums of squares q1, q2
 * and cross sum c. Gives NaN when either window is constant (the day is then never similar).
 */
export function windowCorrelation(N: number, s1: number, s2: number, q1: number, q2: number, c: number): number {
  const v1 = q1 - (s1 * s1) / N;
  const v2 = q2 - (s2 * s2) / N;
  if (!(v1 > 1e-300) || !(v2 > 1e-300)) return NaN;
  return (c - (s1 * s2) / N) / Math.sqrt(v1 * v2);
}

interface Expert {
  w: number;
  rho: number;
  weights: Float64Array;
  logWealth: number;
}

export const corn: StrategyDef = {
  id: 'corn',
  label: 'CORN-K (correlation-driven nonparametric)',
  description:
    'CORN-K (Li, Hoi & Gopalkrishnan, "CORN: Correlation-driven nonparametric learning approach for portfolio ' +
    'selection", ACM TIST 2011): for each window w and correlation threshold rho, find the past days whose ' +
    'preceding w-day pattern of price relatives correlates with the latest w days at least rho, and take the ' +
    'log-optimal portfolio of what happened next; hold the wealth-weighted mix of the topK best of these ' +
    'experts. Defaults w = 1..5, rho in {0, 0.1, ..., 0.9}, topK = 5; the search covers the whole history, as in ' +
    'the paper (maxHistory bounds it). Simplified to bound cost: each expert takes a few warm-started Newton ' +
    'steps per day.',
  family: 'online',
  hindsight: false,
  params: CORN_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(CORN_PARAMS, ctx.params, 'corn');
    const W = int(p, 'maxWindow');
    const P = int(p, 'rhoLevels');
    const topK = int(p, 'topK');
    const maxHistoryParam = int(p, 'maxHistory');
    const maxHistory = maxHistoryParam > 0 ? maxHistoryParam : Infinity; // 0: the whole history
    const maxIter = int(p, 'solverIterations');
    const tol = num(p, 'tolerance');

    // per-day caches (absolute day index), filled lazily through the view
    const rel: (Float64Array | undefined)[] = []; // x_d
    const rsum: number[] = []; // sum_j (x_dj - 1)
    const rsq: number[] = []; // sum_j (x_dj - 1)^2
    const dots = new Map<number, Float64Array>(); // day a -> D(a, b) = (x_a - 1).(x_b - 1) for b in [dotLo(a), a], offset by dotLo(a)
    const dotLo = new Map<number, number>();
    const outers = new Map<number, Float64Array>(); // day i -> packed upper triangle of c_i c_i' / mean(x_i)^2
    let experts: Expert[] | undefined;

    const outer = (view: MarketView, d: number): Float64Array => {
      let o = outers.get(d);
      if (o) return o;
      const x = relative(view, d);
      const n = x.length;
      let mean = 0;
      for (let j = 0; j < n; j++) mean += x[j]!;
      mean /= n;
      const wgt = 1 / (mean * mean);
      o = new Float64Array((n * (n + 1)) / 2);
      let a = 0;
      for (let i = 0; i < n; i++) {
        const ci = (x[i]! - mean) * wgt;
        for (let j = i; j < n; j++) o[a++] = ci * (x[j]! - mean);
      }
      outers.set(d, o);
      // days that left the search range are never needed again
      if (Number.isFinite(maxHistory)) outers.delete(d - maxHistory - 1);
      return o;
    };

    const relative = (view: MarketView, d: number): Float64Array => {
      let x = rel[d];
      if (!x) {
        x = view.relatives(d);
        rel[d] = x;
        let s = 0;
        let q = 0;
        for (let j = 0; j < x.length; j++) {
          const r = x[j]! - 1;
          s += r;
          q += r * r;
        }
        rsum[d] = s;
        rsq[d] = q;
      }
      return x;
    };

    const dotRow = (view: MarketView, a: number): { row: Float64Array; lo: number } => {
      let row = dots.get(a);
      if (row) return { row, lo: dotLo.get(a)! };
      const lo = Math.max(1, a - maxHistory - W);
      row = new Float64Array(a - lo + 1);
      const xa = relative(view, a);
      const n = xa.length;
      for (let b = lo; b <= a; b++) {
        const xb = relative(view, b);
        let s = 0;
        for (let j = 0; j < n; j++) s += (xa[j]! - 1) * (xb[j]! - 1);
        row[b - lo] = s;
      }
      dots.set(a, row);
      dotLo.set(a, lo);
      // rows older than the largest window are never read again
      dots.delete(a - W - 1);
      dotLo.delete(a - W - 1);
      return { row, lo };
    };

    return runOnline(
      {
        step(view: MarketView, x: Float64Array) {
          const n = view.nAssets;
          const t = view.t;
          if (!experts) {
            experts = [];
            for (let w = 1; w <= W; w++)
              for (let l = 1; l <= P; l++)
                experts.push({ w, rho: (l - 1) / P, weights: new Float64Array(n).fill(1 / n), logWealth: 0 });
          }
          // 1. wealth of each expert over day t, with the portfolio it chose yesterday
          for (const e of experts) {
            let r = 0;
            for (let j = 0; j < n; j++) r += e.weights[j]! * x[j]!;
            e.logWealth += Math.log(r);
          }
          // 2. correlations of every candidate day's preceding window with the latest window, all w at once
          const iLo = Math.max(2, t - maxHistory + 1); // candidate i needs day i-1 >= 1
          const count = Math.max(0, t - iLo + 1);
          const C = new Float64Array(count);
          const S1 = new Float64Array(count);
          const Q1 = new Float64Array(count);
          let S2 = 0;
          let Q2 = 0;
          const corrs: Float64Array[] = [];
          for (let w = 1; w <= W; w++) {
            const a = t - w + 1; // newest window gains day a
            const cw = new Float64Array(count).fill(NaN);
            if (a >= 1) {
              relative(view, a);
              S2 += rsum[a]!;
              Q2 += rsq[a]!;
              const { row, lo } = dotRow(view, a);
              for (let k = 0; k < count; k++) {
                const i = iLo + k;
                const b = i - w; // candidate window gains day b
                if (b < 1) continue;
                relative(view, b);
                C[k]! += row[b - lo]!;
                S1[k]! += rsum[b]!;
                Q1[k]! += rsq[b]!;
                cw[k] = windowCorrelation(w * n, S1[k]!, S2, Q1[k]!, Q2, C[k]!);
              }
            }
            corrs.push(cw);
          }
          // 3. each expert's log-optimal portfolio over the days that followed similar windows. The Newton
          //    curvature is shared: every candidate day i contributes O_i = c_i c_i' / mean(x_i)^2 (c_i = x_i centred,
          //    i.e. the Hessian term at the uniform portfolio), summed per correlation bucket, so the experts of one
          //    window get their (nested) curvatures by a running sum instead of an O(rows x n^2) Hessian each.
          const packed = (n * (n + 1)) / 2;
          const bucketSums = new Float64Array(P * packed);
          const running = new Float64Array(packed);
          const curvature = new Float64Array(n * n);
          for (let w = 1; w <= W; w++) {
            const cw = corrs[w - 1]!;
            const rowsByBucket: Float64Array[][] = Array.from({ length: P }, () => []);
            bucketSums.fill(0);
            for (let k = 0; k < count; k++) {
              const c = cw[k]!;
              if (!(c >= 0)) continue; // NaN or below the lowest threshold rho = 0
              let q = Math.min(P - 1, Math.floor(c * P));
              while (q > 0 && c < q / P) q--; // keep bucket membership identical to the test c >= (l-1)/P
              while (q < P - 1 && c >= (q + 1) / P) q++;
              const day = iLo + k;
              rowsByBucket[q]!.push(relative(view, day));
              const o = outer(view, day);
              const off = q * packed;
              for (let a = 0; a < packed; a++) bucketSums[off + a]! += o[a]!;
            }
            running.fill(0);
            const rows: Float64Array[] = [];
            for (let l = P; l >= 1; l--) {
              const q = l - 1; // expert rho = (l-1)/P takes buckets q..P-1
              const off = q * packed;
              for (let a = 0; a < packed; a++) running[a]! += bucketSums[off + a]!;
              for (const r of rowsByBucket[q]!) rows.push(r);
              const e = experts[(w - 1) * P + (l - 1)]!;
              if (rows.length === 0) {
                e.weights = new Float64Array(n).fill(1 / n);
                continue;
              }
              let a = 0;
              for (let i = 0; i < n; i++)
                for (let j = i; j < n; j++) {
                  curvature[i * n + j] = running[a]!;
                  curvature[j * n + i] = running[a]!;
                  a++;
                }
              e.weights = logOptimalPortfolio(rows, n, { init: e.weights, maxIter, tol, curvature }).weights;
            }
          }
          // 4. wealth-weighted mix of the topK richest experts
          const ranked = experts
            .map((e, k) => k)
            .sort((u, v) => experts![v]!.logWealth - experts![u]!.logWealth || u - v);
          const chosen = ranked.slice(0, Math.min(topK, ranked.length));
          const maxLog = experts[chosen[0]!]!.logWealth;
          const b = new Float64Array(n);
          let z = 0;
          for (const k of chosen) {
            const e = experts[k]!;
            const a = Math.exp(e.logWealth - maxLog);
            z += a;
            for (let j = 0; j < n; j++) b[j]! += a * e.weights[j]!;
          }
          for (let j = 0; j < n; j++) b[j] = b[j]! / z;
          return b;
        },
      },
      'corn',
    );
  },
};
