/**
 * Permutation importance per player group — a model-agnostic cross-check of the SHAP attributions
 * (SAMP-HDRL step 8: explanations per agent; this is the second opinion the Agents view can show).
 *
 * Overview
 * - Data: rows X (e.g. the agent's inputs on every decision day of a run) and the same players as SHAP
 *   (disjoint groups of feature indices).
 * - For each player g and each of `nRepeats` seeded permutations pi of the rows, the features of g are
 *   replaced jointly by those of row pi(k) (the group's columns move together, keeping their internal
 *   structure). Importance:
 *     - without a target: mean_k |f(X_perm)_k - f(X)_k| (how much the output relies on g);
 *     - with a target y: MSE(f(X_perm), y) - MSE(f(X), y) (loss increase).
 *   The value is the mean over repeats, `std` its standard deviation across repeats.
 * - `spearman(a, b)` compares the ranking with mean |SHAP| (meanAbsShap in shap.ts).
 */
import seedrandom from 'seedrandom';
import { evaluateModel, type ShapModel } from './shap';

/** Settings of {@link permutationImportance}. */
export interface PermutationSettings {
  /** Number of random permutations per player. Default 5. */
  nRepeats: number;
  /** Seed of the permutations. Default 0. */
  seed: number;
  /** Maximum rows per model call. Default 4096. */
  batchSize: number;
}

export const PERMUTATION_DEFAULTS: PermutationSettings = { nRepeats: 5, seed: 0, batchSize: 4096 };

/** Result of {@link permutationImportance}. */
export interface PermutationResult {
  /** one importance per player (output units, or squared output units with a target) */
  importance: Float64Array;
  /** standard deviation across repeats */
  std: Float64Array;
  /** f on the unpermuted rows */
  baseline: Float64Array;
  /** MSE on the unpermuted rows when a target is given */
  baselineLoss?: number;
}

/**
 * Permutation importance of each player (rules in the file overview).
 * @param model scalar model; @param X rows (n >= 2), equal lengths; @param players disjoint feature groups
 * @param target optional y per row (enables the loss-increase variant)
 */
export function permutationImportance(
  model: ShapModel,
  X: readonly Float64Array[],
  players: number[][],
  settings: Partial<PermutationSettings> = {},
  target?: ArrayLike<number>,
): PermutationResult {
  const s = { ...PERMUTATION_DEFAULTS, ...settings };
  const n = X.length;
  if (n < 2) throw new RangeError('permutation importance needs at least 2 rows');
  if (target && target.length !== n) throw new RangeError('target length differs from X');
  const rng = seedrandom(String(s.seed));
  const baseline = evaluateModel(model, X.slice(), s.batchSize);
  const mse = (p: Float64Array) => {
    let acc = 0;
    for (let k = 0; k < n; k++) acc += (p[k]! - target![k]!) ** 2;
    return acc / n;
  };
  const baselineLoss = target ? mse(baseline) : undefined;
  const M = players.length;
  const importance = new Float64Array(M);
  const std = new Float64Array(M);
  const perm = Array.from({ length: n }, (_, k) => k);
  for (let g = 0; g < M; g++) {
    const scores: number[] = [];
    for (let r = 0; r < s.nRepeats; r++) {
      for (let k = n - 1; k > 0; k--) {
        const j = Math.floor(rng() * (k + 1));
        const t = perm[k]!;
        perm[k] = perm[j]!;
        perm[j] = t;
      }
      const rows = X.map((row, k) => {
        const z = Float64Array.from(row);
        const src = X[perm[k]!]!;
        for (const j of players[g]!) z[j] = src[j]!;
        return z;
      });
      const p = evaluateModel(model, rows, s.batchSize);
      if (target) scores.push(mse(p) - baselineLoss!);
      else {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += Math.abs(p[k]! - baseline[k]!);
        scores.push(acc / n);
      }
    }
    const m = scores.reduce((a, b) => a + b, 0) / scores.length;
    importance[g] = m;
    std[g] = Math.sqrt(scores.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, scores.length - 1));
  }
  return { importance, std, baseline, ...(baselineLoss !== undefined ? { baselineLoss } : {}) };
}

function ranks(a: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: a.length }, (_, i) => i).sort((i, j) => a[i]! - a[j]!);
  const r = new Float64Array(a.length);
  let k = 0;
  while (k < idx.length) {
    let e = k;
    while (e + 1 < idx.length && a[idx[e + 1]!] === a[idx[k]!]) e++;
    const avg = (k + e) / 2 + 1; // average rank for ties
    for (let q = k; q <= e; q++) r[idx[q]!] = avg;
    k = e + 1;
  }
  return r;
}

/** Spearman rank correlation of two equal-length vectors (average ranks for ties); NaN if undefined. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError('spearman: lengths differ');
  const n = a.length;
  const ra = ranks(a);
  const rb = ranks(b);
  const ma = ra.reduce((x, y) => x + y, 0) / n;
  const mb = rb.reduce((x, y) => x + y, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i]! - ma) * (rb[i]! - mb);
    saa += (ra[i]! - ma) ** 2;
    sbb += (rb[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}
