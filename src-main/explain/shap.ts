/**
 * Kernel SHAP for the SAMP-HDRL agents (SAMP-HDRL step 8: SHAP values per agent — the upper agent
 * over input blocks (asset x time), each lower agent over the assets of its group). Model-agnostic: the
 * caller wraps a network output (e.g. one asset's weight, or the group's capital) as a scalar function.
 *
 * Overview
 * - Players: disjoint groups of feature indices (default: one player per feature). Features in no player
 *   are held at x's values throughout (they are not explained).
 * - Value of a coalition S (interventional, as in Kernel SHAP): v(S) = mean over background rows b of
 *   f(z), z_j = x_j for j in a player of S (or in no player), z_j = b_j otherwise. baseValue = v(empty),
 *   fx = v(all) = f(x). With every feature in some player, baseValue = E f(background).
 * - Exact mode (players <= exactMaxPlayers): v of all 2^M coalitions and the Shapley formula
 *   phi_i = sum_{S not containing i} |S|! (M - |S| - 1)! / M! * (v(S + i) - v(S)). Efficiency holds to
 *   rounding error.
 * - Sampled mode: `nSamples` coalitions drawn from the Shapley kernel distribution (size s with probability
 *   proportional to (M-1) / (s (M - s)), then a uniform subset of that size), in complementary pairs (S and
 *   its complement; paired sampling), seeded (`seed`). Duplicates are merged with their counts as weights.
 *   phi solves the weighted least squares of v(S) - v(empty) ~ sum_{i in S} phi_i under the efficiency
 *   constraint sum phi = fx - baseValue (enforced exactly by eliminating the last player). For an additive
 *   model the regression is exact, whatever the sample.
 * - The model is called in batches of at most `batchSize` rows.
 * - Several outputs of one model (e.g. every class weight of a policy layer) are explained together by
 *   {@link kernelShapOutputs}: the coalitions, their rows and the regression's matrix are shared, only the
 *   values and the right-hand sides differ per output, so each output costs no extra model call.
 *   {@link kernelShap} is its one-output case.
 */
import { CholeskyDecomposition, Matrix, pseudoInverse } from 'ml-matrix';
import seedrandom from 'seedrandom';

/** A scalar model: either a per-row function or `{ batch }` evaluating many rows at once (faster). */
export type ShapModel = ((x: Float64Array) => number) | { batch: (X: Float64Array[]) => Float64Array };

/**
 * A model of several outputs: `batch` answers one column per output, each with a value per row
 * ({@link kernelShapOutputs}).
 */
export interface ShapOutputsModel {
  outputs: number;
  batch: (X: Float64Array[]) => Float64Array[];
}

/** Settings of {@link kernelShap}. */
export interface ShapSettings {
  /** Enumerate all 2^M coalitions exactly when the number of players M is at most this. Default 12. */
  exactMaxPlayers: number;
  /** Sampled mode: number of coalitions drawn (complementary pairs count as two). Default 2048. */
  nSamples: number;
  /** Seed of the coalition sampler. Default 0. */
  seed: number;
  /** Maximum rows per model call. Default 4096. */
  batchSize: number;
}

export const SHAP_DEFAULTS: ShapSettings = { exactMaxPlayers: 12, nSamples: 2048, seed: 0, batchSize: 4096 };

/** Result of {@link kernelShap}. */
export interface ShapResult {
  /** v(empty) = E f(background) (with unexplained features at x) */
  baseValue: number;
  /** f(x) */
  fx: number;
  /** one attribution per player; sums to fx - baseValue */
  values: Float64Array;
  players: number[][];
  exact: boolean;
  /** distinct coalitions whose value was computed (including empty and full) */
  coalitions: number;
  /** model rows evaluated */
  evaluations: number;
}

/** Evaluate a {@link ShapModel} on rows, in batches of at most `batchSize`. */
export function evaluateModel(
  model: ShapModel,
  rows: Float64Array[],
  batchSize = SHAP_DEFAULTS.batchSize,
): Float64Array {
  const out = new Float64Array(rows.length);
  if (typeof model === 'function') {
    rows.forEach((r, k) => (out[k] = model(r)));
    return out;
  }
  for (let k = 0; k < rows.length; k += batchSize) {
    const part = rows.slice(k, k + batchSize);
    const y = model.batch(part);
    if (y.length !== part.length)
      throw new RangeError(`model.batch returned ${y.length} values for ${part.length} rows`);
    out.set(y, k);
  }
  return out;
}

function validatePlayers(players: number[][], d: number): void {
  const seen = new Uint8Array(d);
  for (const p of players) {
    if (p.length === 0) throw new RangeError('a player has no feature');
    for (const j of p) {
      if (!Number.isInteger(j) || j < 0 || j >= d) throw new RangeError(`feature index ${j} out of range 0..${d - 1}`);
      if (seen[j]) throw new RangeError(`feature ${j} belongs to two players`);
      seen[j] = 1;
    }
  }
}

/** Evaluate a {@link ShapOutputsModel} on rows, in batches: one column per output. */
function evaluateOutputs(model: ShapOutputsModel, rows: Float64Array[], batchSize: number): Float64Array[] {
  const out = Array.from({ length: model.outputs }, () => new Float64Array(rows.length));
  for (let k = 0; k < rows.length; k += batchSize) {
    const part = rows.slice(k, k + batchSize);
    const cols = model.batch(part);
    if (cols.length !== model.outputs)
      throw new RangeError(`model.batch returned ${cols.length} outputs, expected ${model.outputs}`);
    cols.forEach((y, o) => {
      if (y.length !== part.length)
        throw new RangeError(`model.batch returned ${y.length} values of output ${o} for ${part.length} rows`);
      out[o]!.set(y, k);
    });
  }
  return out;
}

/**
 * v(S) of every output for a list of coalitions (membership arrays over players), averaged over the background:
 * one array per output, one value per coalition.
 */
function coalitionValues(
  model: ShapOutputsModel,
  x: Float64Array,
  background: readonly Float64Array[],
  players: number[][],
  coalitions: Uint8Array[],
  batchSize: number,
): Float64Array[] {
  const B = background.length;
  const out = Array.from({ length: model.outputs }, () => new Float64Array(coalitions.length));
  // base rows: background with unexplained features set to x
  const covered = new Uint8Array(x.length);
  for (const p of players) for (const j of p) covered[j] = 1;
  const base = background.map((b) => {
    const r = Float64Array.from(b);
    for (let j = 0; j < x.length; j++) if (!covered[j]) r[j] = x[j]!;
    return r;
  });
  const perChunk = Math.max(1, Math.floor(batchSize / B));
  for (let c0 = 0; c0 < coalitions.length; c0 += perChunk) {
    const c1 = Math.min(coalitions.length, c0 + perChunk);
    const rows: Float64Array[] = [];
    for (let c = c0; c < c1; c++) {
      const S = coalitions[c]!;
      for (let b = 0; b < B; b++) {
        const r = Float64Array.from(base[b]!);
        for (let i = 0; i < players.length; i++) if (S[i]) for (const j of players[i]!) r[j] = x[j]!;
        rows.push(r);
      }
    }
    const ys = evaluateOutputs(model, rows, batchSize);
    ys.forEach((y, o) => {
      for (let c = c0; c < c1; c++) {
        let s = 0;
        for (let b = 0; b < B; b++) s += y[(c - c0) * B + b]!;
        out[o]![c] = s / B;
      }
    });
  }
  return out;
}

/** log of n! for the Shapley weights */
function logFactorials(n: number): Float64Array {
  const lf = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) lf[k] = lf[k - 1]! + Math.log(k);
  return lf;
}

/**
 * Kernel SHAP attributions of f at x against a background set (rules in the file overview).
 * @param model scalar model (per-row or batch)
 * @param x the input explained (length d)
 * @param background reference rows (length d each, at least one)
 * @param players disjoint groups of feature indices; default one per feature
 * @returns baseValue, fx and one value per player (same order as `players`)
 */
export function kernelShap(
  model: ShapModel,
  x: Float64Array,
  background: readonly Float64Array[],
  players?: number[][],
  settings: Partial<ShapSettings> = {},
): ShapResult {
  const s = { ...SHAP_DEFAULTS, ...settings };
  const one: ShapOutputsModel = { outputs: 1, batch: (X) => [evaluateModel(model, X, s.batchSize)] };
  return kernelShapOutputs(one, x, background, players, s)[0]!;
}

/**
 * Kernel SHAP attributions of every output of a model at x, over one set of coalitions (file overview): the
 * result of output o is what {@link kernelShap} gives for that output alone with the same settings.
 * @returns one result per output, in the model's order
 */
export function kernelShapOutputs(
  model: ShapOutputsModel,
  x: Float64Array,
  background: readonly Float64Array[],
  players?: number[][],
  settings: Partial<ShapSettings> = {},
): ShapResult[] {
  const s = { ...SHAP_DEFAULTS, ...settings };
  const d = x.length;
  if (!(Number.isInteger(model.outputs) && model.outputs >= 1))
    throw new RangeError(`a model needs at least one output, got ${model.outputs}`);
  if (background.length === 0) throw new RangeError('kernelShap needs at least one background row');
  for (const b of background) if (b.length !== d) throw new RangeError('background rows must have the length of x');
  const P = players ?? Array.from({ length: d }, (_, j) => [j]);
  validatePlayers(P, d);
  const M = P.length;
  if (M === 0) throw new RangeError('no players');
  const O = model.outputs;

  if (M <= s.exactMaxPlayers || M < 2) {
    const n = 1 << M;
    const coalitions: Uint8Array[] = [];
    for (let mask = 0; mask < n; mask++) {
      const S = new Uint8Array(M);
      for (let i = 0; i < M; i++) S[i] = (mask >> i) & 1;
      coalitions.push(S);
    }
    const vs = coalitionValues(model, x, background, P, coalitions, s.batchSize);
    const lf = logFactorials(M);
    const w = new Float64Array(M); // weight of a coalition of size k not containing i
    for (let k = 0; k < M; k++) w[k] = Math.exp(lf[k]! + lf[M - k - 1]! - lf[M]!);
    return vs.map((v) => {
      const values = new Float64Array(M);
      for (let mask = 0; mask < n; mask++) {
        let size = 0;
        for (let m = mask; m; m &= m - 1) size++;
        for (let i = 0; i < M; i++) {
          if ((mask >> i) & 1) continue;
          values[i] = values[i]! + w[size]! * (v[mask | (1 << i)]! - v[mask]!);
        }
      }
      return {
        baseValue: v[0]!,
        fx: v[n - 1]!,
        values,
        players: P,
        exact: true,
        coalitions: n,
        evaluations: n * background.length,
      };
    });
  }

  // sampled mode
  const rng = seedrandom(String(s.seed));
  const sizeWeights: number[] = [];
  for (let k = 1; k < M; k++) sizeWeights.push(1 / (k * (M - k)));
  const totalW = sizeWeights.reduce((a, b) => a + b, 0);
  const drawSize = () => {
    let u = rng() * totalW;
    for (let k = 1; k < M; k++) {
      u -= sizeWeights[k - 1]!;
      if (u <= 0) return k;
    }
    return M - 1;
  };
  const counts = new Map<string, { S: Uint8Array; count: number }>();
  const add = (S: Uint8Array) => {
    const key = S.join('');
    const hit = counts.get(key);
    if (hit) hit.count++;
    else counts.set(key, { S, count: 1 });
  };
  const idx = Array.from({ length: M }, (_, i) => i);
  const nPairs = Math.max(1, Math.floor(s.nSamples / 2));
  for (let p = 0; p < nPairs; p++) {
    const k = drawSize();
    for (let a = 0; a < k; a++) {
      const b = a + Math.floor(rng() * (M - a));
      const tmp = idx[a]!;
      idx[a] = idx[b]!;
      idx[b] = tmp;
    }
    const S = new Uint8Array(M);
    for (let a = 0; a < k; a++) S[idx[a]!] = 1;
    add(S);
    add(S.map((v) => 1 - v));
  }
  const entries = [...counts.values()];
  const empty = new Uint8Array(M);
  const full = new Uint8Array(M).fill(1);
  const vs = coalitionValues(model, x, background, P, [empty, full, ...entries.map((e) => e.S)], s.batchSize);
  // WLS with phi_M = delta - sum_{i<M} phi_i:  y - z_M delta = sum_{i<M} (z_i - z_M) phi_i
  // the matrix depends on the coalitions only; each output is one column of the right-hand side
  const q = M - 1;
  const A = Matrix.zeros(q, q);
  const rhs = Matrix.zeros(q, O);
  const row = new Float64Array(q);
  entries.forEach((e, k) => {
    const zM = e.S[M - 1]!;
    for (let i = 0; i < q; i++) row[i] = e.S[i]! - zM;
    const y = vs.map((v) => v[k + 2]! - v[0]! - zM * (v[1]! - v[0]!));
    const wgt = e.count;
    for (let i = 0; i < q; i++) {
      if (row[i] === 0) continue;
      for (let j = 0; j < q; j++) if (row[j] !== 0) A.set(i, j, A.get(i, j) + wgt * row[i]! * row[j]!);
      for (let o = 0; o < O; o++) rhs.set(i, o, rhs.get(i, o) + wgt * row[i]! * y[o]!);
    }
  });
  let sol: Matrix;
  const chol = new CholeskyDecomposition(A);
  if (chol.isPositiveDefinite()) sol = chol.solve(rhs);
  else sol = pseudoInverse(A).mmul(rhs);
  return vs.map((v, o) => {
    const baseValue = v[0]!;
    const fx = v[1]!;
    const values = new Float64Array(M);
    let sum = 0;
    for (let i = 0; i < q; i++) {
      values[i] = sol.get(i, o);
      sum += values[i]!;
    }
    values[M - 1] = fx - baseValue - sum;
    return {
      baseValue,
      fx,
      values,
      players: P,
      exact: false,
      coalitions: entries.length + 2,
      evaluations: (entries.length + 2) * background.length,
    };
  });
}

/**
 * Mean absolute attribution per player over several explanations (e.g. every decision day of a run):
 * the usual global SHAP importance. @param results explanations with the same players
 */
export function meanAbsShap(results: readonly ShapResult[]): Float64Array {
  if (results.length === 0) return new Float64Array(0);
  const M = results[0]!.values.length;
  const out = new Float64Array(M);
  for (const r of results) for (let i = 0; i < M; i++) out[i] = out[i]! + Math.abs(r.values[i]!) / results.length;
  return out;
}
