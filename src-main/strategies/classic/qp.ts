/**
 * A thin, 0-indexed wrapper around the `quadprog` package (Goldfarb & Idnani 1983 dual active-set method),
 * the QP solver behind mean-variance, minimum variance, maximum Sharpe (Markowitz
 * mean-variance, long-only, solved as a QP) and the A-norm projection of ONS.
 */
import quadprog from 'quadprog';

export interface LinearConstraint {
  /** coefficients a (length n) */
  a: ArrayLike<number>;
  /** right-hand side b */
  b: number;
}

export interface QpProblem {
  /** symmetric positive-definite matrix D, n x n row-major (length n*n) */
  D: ArrayLike<number>;
  /** linear term d (length n): the objective is 1/2 x'Dx - d'x */
  d: ArrayLike<number>;
  /** equality constraints a'x = b */
  eq?: LinearConstraint[];
  /** inequality constraints a'x >= b */
  ineq?: LinearConstraint[];
  /** add x_i >= 0 for every i */
  nonNegative?: boolean;
}

export class QpError extends Error {
  constructor(message: string) {
    super(`quadprog: ${message}`);
    this.name = 'QpError';
  }
}

/**
 * Solve min_x 1/2 x'Dx - d'x subject to the given equalities, inequalities and (optionally) x >= 0.
 * Takes n x n D (row-major, must be positive definite), d; gives the minimiser x as a Float64Array of length n.
 * Throws QpError when quadprog reports inconsistent constraints or a D that is not positive definite.
 */
export function solveQp(p: QpProblem): Float64Array {
  const n = p.d.length;
  if (p.D.length !== n * n) throw new RangeError(`solveQp: D has ${p.D.length} entries, expected ${n * n}`);
  const eq = p.eq ?? [];
  const ineq = p.ineq ?? [];
  const q = eq.length + ineq.length + (p.nonNegative ? n : 0);
  const Dmat: number[][] = [[]];
  const dvec: number[] = [0];
  const Amat: number[][] = [[]];
  for (let i = 1; i <= n; i++) {
    const row: number[] = [0];
    for (let j = 1; j <= n; j++) row.push(p.D[(i - 1) * n + (j - 1)]!);
    Dmat.push(row);
    dvec.push(p.d[i - 1]!);
    Amat.push(new Array<number>(q + 1).fill(0));
  }
  const bvec: number[] = [0];
  let col = 0;
  for (const c of [...eq, ...ineq]) {
    col++;
    for (let i = 1; i <= n; i++) Amat[i]![col] = c.a[i - 1]!;
    bvec.push(c.b);
  }
  if (p.nonNegative) {
    for (let k = 1; k <= n; k++) {
      col++;
      Amat[k]![col] = 1;
      bvec.push(0);
    }
  }
  if (q === 0) {
    // quadprog needs at least one constraint column; add the vacuous 0'x >= -1
    for (let i = 1; i <= n; i++) Amat[i]![1] = 0;
    bvec.push(-1);
  }
  const res = quadprog.solveQP(Dmat, dvec, Amat, bvec, eq.length);
  if (res.message) throw new QpError(res.message);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = res.solution[i + 1]!;
    if (!Number.isFinite(v)) throw new QpError('non-finite solution');
    x[i] = v;
  }
  return x;
}

/**
 * Minimise 1/2 x'Dx - d'x over the simplex {x >= 0, sum x = 1}. Takes D (n x n row-major, positive definite)
 * and d; gives x (length n). Negative rounding residue (~1e-16) is clamped and the result renormalised.
 */
export function solveQpOnSimplex(D: ArrayLike<number>, d: ArrayLike<number>): Float64Array {
  const n = d.length;
  const x = solveQp({ D, d, eq: [{ a: new Float64Array(n).fill(1), b: 1 }], nonNegative: true });
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (x[i]! < 0) x[i] = 0;
    s += x[i]!;
  }
  for (let i = 0; i < n; i++) x[i] = x[i]! / s;
  return x;
}

/** In-place Cholesky factorisation of the k x k row-major matrix a (lower triangle). Gives false if not positive definite. */
function cholesky(a: Float64Array, k: number): boolean {
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j]!;
    for (let p = 0; p < j; p++) d -= a[j * k + p]! * a[j * k + p]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j]!;
      for (let p = 0; p < j; p++) s -= a[i * k + p]! * a[j * k + p]!;
      a[i * k + j] = s / ljj;
    }
  }
  return true;
}

/** Solve L L' y = rhs in place (rhs overwritten by y), L from cholesky(). */
function cholSolve(l: Float64Array, k: number, rhs: Float64Array): void {
  for (let i = 0; i < k; i++) {
    let s = rhs[i]!;
    for (let p = 0; p < i; p++) s -= l[i * k + p]! * rhs[p]!;
    rhs[i] = s / l[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = rhs[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * rhs[p]!;
    rhs[i] = s / l[i * k + i]!;
  }
}

/**
 * Minimise 1/2 z'Hz - c'z over the simplex by a primal active-set method (Nocedal & Wright, "Numerical
 * Optimization", 2nd ed., Algorithm 16.3) specialised to the constraints 1'z = 1, z >= 0: each iteration solves
 * the equality-constrained problem on the free set by Cholesky, then either steps to the first blocking bound or,
 * at a stationary point, releases the bound with the most negative multiplier. Warm-started from `init` (a point
 * on the simplex, default uniform), it typically needs one or two small factorisations when the support barely
 * changes, far cheaper than quadprog's dual method from scratch; this is what makes the daily Newton steps of
 * ONS, FTL, FTRL and CORN affordable. Falls back to quadprog if the iteration cap is hit or a free block is not
 * positive definite. Takes H (n x n row-major, positive definite), c; gives z on the simplex.
 */
export function solveSimplexQp(H: ArrayLike<number>, c: ArrayLike<number>, init?: ArrayLike<number>): Float64Array {
  const n = c.length;
  const z = init ? Float64Array.from(init) : new Float64Array(n).fill(1 / n);
  const free = new Uint8Array(n);
  let s0 = 0;
  for (let j = 0; j < n; j++) {
    if (!(z[j]! > 1e-15)) z[j] = 0;
    else free[j] = 1;
    s0 += z[j]!;
  }
  if (!(s0 > 0)) {
    z.fill(1 / n);
    free.fill(1);
  } else for (let j = 0; j < n; j++) z[j] = z[j]! / s0;
  // on the simplex c'z and (c - k 1)'z differ by the constant k: centring c removes a large common offset (the
  // Newton models of the log-optimal problem have c ~ number of rows) that would otherwise drown the step in rounding
  let cMean = 0;
  for (let j = 0; j < n; j++) cMean += c[j]!;
  cMean /= n;
  const cc = new Float64Array(n);
  for (let j = 0; j < n; j++) cc[j] = c[j]! - cMean;
  const grad = new Float64Array(n);
  const idx = new Int32Array(n);
  const L = new Float64Array(n * n);
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  const maxIter = 10 * n + 50;
  let hScale = 0;
  for (let j = 0; j < n; j++) hScale = Math.max(hScale, Math.abs(H[j * n + j]!));
  let fullStep = false;
  for (let it = 0; it < maxIter; it++) {
    let gScale = 0;
    for (let i = 0; i < n; i++) {
      let s = -cc[i]!;
      const off = i * n;
      for (let j = 0; j < n; j++) s += H[off + j]! * z[j]!;
      grad[i] = s;
      gScale = Math.max(gScale, Math.abs(s));
    }
    let k = 0;
    for (let j = 0; j < n; j++) if (free[j]) idx[k++] = j;
    for (let a = 0; a < k; a++) {
      const ia = idx[a]! * n;
      for (let b = 0; b <= a; b++) L[a * k + b] = H[ia + idx[b]!]!;
    }
    if (!cholesky(L, k)) return solveQpOnSimplex(H, c);
    for (let a = 0; a < k; a++) {
      u[a] = -grad[idx[a]!]!;
      v[a] = 1;
    }
    cholSolve(L, k, u);
    cholSolve(L, k, v);
    let su = 0;
    let sv = 0;
    for (let a = 0; a < k; a++) {
      su += u[a]!;
      sv += v[a]!;
    }
    const nu = su / sv;
    let pmax = 0;
    for (let a = 0; a < k; a++) {
      u[a] = u[a]! - nu * v[a]!; // u now holds the step p on the free set
      pmax = Math.max(pmax, Math.abs(u[a]!));
    }
    // after a full (unblocked) step the point minimises the model on this free set: what is left of p is rounding
    if (pmax <= 1e-13 || fullStep) {
      fullStep = false;
      // stationary on the free set: multipliers of the active bounds are grad_j + nu
      let worst = -1;
      let worstVal = -1e-12 * Math.max(1, gScale, hScale);
      for (let j = 0; j < n; j++) {
        if (free[j]) continue;
        const mu = grad[j]! + nu;
        if (mu < worstVal) {
          worstVal = mu;
          worst = j;
        }
      }
      if (worst < 0) {
        let s = 0;
        for (let j = 0; j < n; j++) {
          if (z[j]! < 0) z[j] = 0;
          s += z[j]!;
        }
        for (let j = 0; j < n; j++) z[j] = z[j]! / s;
        return z;
      }
      free[worst] = 1;
      continue;
    }
    let alpha = 1;
    let block = -1;
    for (let a = 0; a < k; a++) {
      const p = u[a]!;
      if (p < 0) {
        const r = -z[idx[a]!]! / p;
        if (r < alpha) {
          alpha = r;
          block = idx[a]!;
        }
      }
    }
    for (let a = 0; a < k; a++) z[idx[a]!]! += alpha * u[a]!;
    if (block >= 0) {
      z[block] = 0;
      free[block] = 0;
    } else fullStep = true;
  }
  return solveQpOnSimplex(H, c);
}
