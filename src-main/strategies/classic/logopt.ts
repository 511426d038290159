/**
 * Log-optimal (growth-optimal) portfolio over a set of price-relative vectors:
 *
 *   maximise  f(b) = sum_i log(b . x_i) - (l2 / 2) ||b||^2   over the simplex,
 *
 * the problem behind BCRP (Cover 1991), FTL / FTRL and each CORN expert (Li, Hoi & Gopalkrishnan 2011)
 * (a classic baseline, docs/architecture.md "Strategies"). Two solvers:
 * - 'newton': projected Newton. Each step minimises the local quadratic model over the simplex (warm-started
 *   active-set QP, qp.ts solveSimplexQp),
 *   then an Armijo backtracking line search on f. Stops on the Frank-Wolfe duality gap
 *   max_j g_j - g'b <= tol * (number of rows), which bounds f* - f(b) (f concave), so "converged" is certified.
 *   The curvature may be the exact Hessian or a caller-supplied approximation (quasi-Newton, used by FTL).
 * - 'multiplicative': Cover's (1984) fixed-point iteration b_j <- b_j g_j / (g'b), monotone in f, cheap
 *   (O(rows x n) per step) but only linearly convergent; used with a warm start and an iteration cap. l2 must be 0.
 */
import { solveSimplexQp } from './qp';

export interface LogOptimalOptions {
  /** starting point on the simplex (default uniform) */
  init?: ArrayLike<number>;
  /** stop when the Frank-Wolfe gap per row is <= tol (default 1e-10: 1e-10 of log-growth per day) */
  tol?: number;
  /** iteration cap (default 100 for newton, 1000 for multiplicative) */
  maxIter?: number;
  /** L2 regularisation weight lambda >= 0 (FTRL); default 0 */
  l2?: number;
  method?: 'newton' | 'multiplicative';
  /** newton only: a fixed n x n positive semi-definite curvature matrix used instead of the exact Hessian */
  curvature?: Float64Array;
}

export interface LogOptimalResult {
  /** the maximiser found, on the simplex */
  weights: Float64Array;
  /** f at weights */
  objective: number;
  /** Frank-Wolfe gap at weights (an upper bound on f* - f) */
  gap: number;
  iterations: number;
}

/**
 * Evaluate f(b) and its gradient g (written into `grad`) over `rows`. Gives f; -Infinity when some b.x_i <= 0.
 * `r` (length rows.length) receives b.x_i.
 */
export function logObjective(
  rows: readonly Float64Array[],
  b: Float64Array,
  l2: number,
  grad: Float64Array | null,
  r: Float64Array,
): number {
  const n = b.length;
  const m = rows.length;
  let f = 0;
  if (grad) grad.fill(0);
  for (let i = 0; i < m; i++) {
    const x = rows[i]!;
    let s = 0;
    for (let j = 0; j < n; j++) s += b[j]! * x[j]!;
    if (!(s > 0)) return -Infinity;
    r[i] = s;
    f += Math.log(s);
    if (grad) {
      const inv = 1 / s;
      for (let j = 0; j < n; j++) grad[j]! += x[j]! * inv;
    }
  }
  if (l2 > 0) {
    let q = 0;
    for (let j = 0; j < n; j++) q += b[j]! * b[j]!;
    f -= 0.5 * l2 * q;
    if (grad) for (let j = 0; j < n; j++) grad[j]! -= l2 * b[j]!;
  }
  return f;
}

/**
 * H += w (x - xbar 1)(x - xbar 1)' on the upper triangle (xbar = mean of x; `xc` is scratch of length n). On the
 * simplex every step d has 1'd = 0, so d'x x'd = d'(x - xbar 1)(x - xbar 1)'d: the centred outer products give the
 * same Newton model as the raw Hessian while dropping its huge, irrelevant curvature along 1 (relatives are ~1,
 * so x x' is nearly 1 1'), which would otherwise ruin the conditioning of the QP. Call symmetrise() afterwards.
 */
export function addCenteredOuter(H: Float64Array, x: Float64Array, w: number, xc: Float64Array): void {
  const n = x.length;
  let mean = 0;
  for (let a = 0; a < n; a++) mean += x[a]!;
  mean /= n;
  for (let a = 0; a < n; a++) xc[a] = x[a]! - mean;
  for (let a = 0; a < n; a++) {
    const xa = xc[a]! * w;
    if (xa === 0) continue;
    const off = a * n;
    for (let c = a; c < n; c++) H[off + c]! += xa * xc[c]!;
  }
}

/** Copy the upper triangle of the n x n row-major H onto its lower triangle. */
export function symmetrise(H: Float64Array, n: number): void {
  for (let a = 0; a < n; a++) for (let c = 0; c < a; c++) H[a * n + c] = H[c * n + a]!;
}

function fwGap(g: Float64Array, b: Float64Array): number {
  let gmax = -Infinity;
  let gb = 0;
  for (let j = 0; j < b.length; j++) {
    if (g[j]! > gmax) gmax = g[j]!;
    gb += g[j]! * b[j]!;
  }
  return gmax - gb;
}

/**
 * Maximise sum_i log(b . x_i) - (l2/2)||b||^2 over the simplex. Takes rows x_i (price relatives, each length n,
 * entries > 0) and options; gives the maximiser, its objective, the final Frank-Wolfe gap and the iterations used.
 * With no rows it gives the uniform portfolio (l2 > 0 or not: uniform is then the maximiser).
 */
export function logOptimalPortfolio(
  rows: readonly Float64Array[],
  n: number,
  opts: LogOptimalOptions = {},
): LogOptimalResult {
  const m = rows.length;
  const l2 = opts.l2 ?? 0;
  const method = opts.method ?? 'newton';
  const tol = (opts.tol ?? 1e-10) * Math.max(1, m);
  let b = opts.init ? Float64Array.from(opts.init) : new Float64Array(n).fill(1 / n);
  if (m === 0) return { weights: new Float64Array(n).fill(1 / n), objective: 0, gap: 0, iterations: 0 };
  const g = new Float64Array(n);
  const r = new Float64Array(m);
  let f = logObjective(rows, b, l2, g, r);
  if (!Number.isFinite(f)) {
    b = new Float64Array(n).fill(1 / n);
    f = logObjective(rows, b, l2, g, r);
  }
  let gap = fwGap(g, b);
  let it = 0;
  if (method === 'multiplicative') {
    if (l2 !== 0) throw new RangeError('logOptimalPortfolio: the multiplicative method needs l2 = 0');
    const maxIter = opts.maxIter ?? 1000;
    while (gap > tol && it < maxIter) {
      it++;
      // b_j <- b_j g_j / (g'b); g'b = m exactly when l2 = 0
      let s = 0;
      for (let j = 0; j < n; j++) {
        b[j] = b[j]! * g[j]!;
        s += b[j]!;
      }
      for (let j = 0; j < n; j++) b[j] = b[j]! / s;
      f = logObjective(rows, b, l2, g, r);
      gap = fwGap(g, b);
    }
    return { weights: b, objective: f, gap, iterations: it };
  }

  const maxIter = opts.maxIter ?? 100;
  const H = new Float64Array(n * n);
  const lin = new Float64Array(n);
  const trial = new Float64Array(n);
  const xc = new Float64Array(n);
  let rTrial = new Float64Array(m);
  let gTrial = new Float64Array(n);
  let rCur = r;
  let gCur = g;
  while (gap > tol && it < maxIter) {
    it++;
    // curvature: the Hessian sum_i x_i x_i' / r_i^2 (+ l2 I) in its centred form (see addCenteredOuter), or the
    // supplied approximation
    if (opts.curvature) H.set(opts.curvature);
    else {
      H.fill(0);
      for (let i = 0; i < m; i++) addCenteredOuter(H, rows[i]!, 1 / (rCur[i]! * rCur[i]!), xc);
      symmetrise(H, n);
    }
    let trace = 0;
    for (let a = 0; a < n; a++) {
      H[a * n + a]! += l2;
      trace += H[a * n + a]!;
    }
    // a tiny ridge keeps the model strictly convex when rows < n (rank-deficient Hessian)
    const ridge = 1e-10 * (trace / n) + 1e-14;
    for (let a = 0; a < n; a++) H[a * n + a]! += ridge;
    // model: maximise g'(z-b) - 1/2 (z-b)'H(z-b)  <=>  minimise 1/2 z'Hz - (g + Hb)'z on the simplex
    for (let a = 0; a < n; a++) {
      let s = gCur[a]!;
      for (let c = 0; c < n; c++) s += H[a * n + c]! * b[c]!;
      lin[a] = s;
    }
    let z: Float64Array;
    try {
      z = solveSimplexQp(H, lin, b);
    } catch {
      break; // numerical trouble in the QP: keep the current (feasible) point
    }
    let slope = 0;
    for (let a = 0; a < n; a++) slope += gCur[a]! * (z[a]! - b[a]!);
    if (!(slope > 0)) break;
    let step = 1;
    let accepted = false;
    let ft = -Infinity;
    for (let k = 0; k < 50; k++) {
      for (let a = 0; a < n; a++) trial[a] = b[a]! + step * (z[a]! - b[a]!);
      ft = logObjective(rows, trial, l2, gTrial, rTrial);
      if (ft >= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    b = Float64Array.from(trial);
    f = ft;
    [gCur, gTrial] = [gTrial, gCur];
    [rCur, rTrial] = [rTrial, rCur];
    gap = fwGap(gCur, b);
  }
  // clean rounding residue
  let s = 0;
  for (let a = 0; a < n; a++) {
    if (b[a]! < 0) b[a] = 0;
    s += b[a]!;
  }
  for (let a = 0; a < n; a++) b[a] = b[a]! / s;
  return { weights: b, objective: f, gap, iterations: it };
}
