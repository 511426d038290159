/**
 * What the Long/Hold/Short classifiers learn from (docs/drl-baselines.md "MLP and CNN Long/Hold/Short
 * classifiers"): one sample per asset and day, pooled over the assets (one classifier serves them all).
 *
 *   - features of asset i at day t: its last n daily returns in percent, 100 (close[d] / close[d - 1] - 1) for
 *     d = t - n + 1..t, oldest first (0 for days before the first row). Percent returns need no statistic fitted
 *     to the data and are of order one for stocks, the scale the networks' initialisation expects;
 *   - label of asset i at day t: the class of close[t + h] / close[t] (classes.ts labelOf). It reads a close h days
 *     AFTER t, so it exists only for days t <= trainEnd - h: the samples are built through a MarketView ending at
 *     trainEnd, which refuses any later row.
 *
 * Periods of a training window trainStart..trainEnd (`lhsPeriods`): labelled days run from
 * first = trainStart + n (the first day with n returns inside the window) to trainEnd - h. The last
 * `validationDays` of them (at most half) are the validation days; the training days end h days before the first
 * validation day, so no training label reads a close after the first close the validation sees, and no validation
 * label is learned from.
 */
import type { MarketView } from '../../market/view';
import { CLASS_COUNT, labelOf } from './classes';
import type { LhsConfig } from './config';

/**
 * Asset windows at day t (see the file overview), layout [i * n + j], Float32Array [N * n]. Reads rows <= t only.
 */
export function lhsFeatures(
  rowAt: (day: number) => ArrayLike<number>,
  t: number,
  nAssets: number,
  n: number,
): Float32Array {
  const out = new Float32Array(nAssets * n);
  for (let j = 0; j < n; j++) {
    const d = t - n + 1 + j;
    if (d < 1) continue;
    const now = rowAt(d);
    const before = rowAt(d - 1);
    for (let i = 0; i < nAssets; i++) out[i * n + j] = 100 * (now[i]! / before[i]! - 1);
  }
  return out;
}

/** The labelled days of a training window (see the file overview). */
export interface LhsPeriods {
  /** first labelled day */
  first: number;
  /** last training day: its label reads the close of `validationStart` (or of trainEnd without validation) */
  trainLast: number;
  /** first validation day (trainEnd - h + 1 when there is none) */
  validationStart: number;
  /** last validation day, trainEnd - h */
  validationLast: number;
  /** number of validation days */
  validationDays: number;
}

/** The periods of trainStart..trainEnd under `cfg`; a RangeError when the window is too short. */
export function lhsPeriods(
  cfg: Pick<LhsConfig, 'window' | 'horizon' | 'validationDays'>,
  trainStart: number,
  trainEnd: number,
): LhsPeriods {
  const first = trainStart + cfg.window;
  const lastLabelled = trainEnd - cfg.horizon;
  const labelled = lastLabelled - first + 1;
  const validationDays = Math.max(0, Math.min(cfg.validationDays, Math.floor(labelled / 2)));
  const validationStart = lastLabelled - validationDays + 1;
  const trainLast = validationDays > 0 ? validationStart - cfg.horizon : lastLabelled;
  if (trainLast < first)
    throw new RangeError(
      `the Long/Hold/Short classifiers need more than ${trainEnd - trainStart + 1} training days for a ` +
        `${cfg.window}-day window, a ${cfg.horizon}-day horizon and ${validationDays} validation days ` +
        `(first labelled day ${first}, last training day ${trainLast})`,
    );
  return { first, trainLast, validationStart, validationLast: lastLabelled, validationDays };
}

/** Samples of days from..to over every asset: x [S * n] (row s = day-major, asset-minor), labels y [S]. */
export interface LhsSampleSet {
  x: Float32Array;
  y: Uint8Array;
  /** number of samples S = days x assets */
  count: number;
  /** the day of each sample (tests: no label reads past the view) */
  days: Int32Array;
}

/**
 * The samples of days from..to (inclusive) over every asset of `view`. Each label reads the close h days later
 * through the view, so a view ending at trainEnd throws (LookAheadError) rather than label past it.
 */
export function lhsSamples(
  view: MarketView,
  from: number,
  to: number,
  cfg: Pick<LhsConfig, 'window' | 'horizon' | 'threshold'>,
): LhsSampleSet {
  const N = view.nAssets;
  const n = cfg.window;
  const dayCount = Math.max(0, to - from + 1);
  const count = dayCount * N;
  const x = new Float32Array(count * n);
  const y = new Uint8Array(count);
  const days = new Int32Array(count);
  const rowAt = (d: number) => view.closes(d);
  for (let k = 0; k < dayCount; k++) {
    const t = from + k;
    const now = view.closes(t);
    const later = view.closes(t + cfg.horizon);
    x.set(lhsFeatures(rowAt, t, N, n), k * N * n);
    for (let i = 0; i < N; i++) {
      y[k * N + i] = labelOf(later[i]! / now[i]!, cfg.threshold);
      days[k * N + i] = t;
    }
  }
  return { x, y, count, days };
}

/** How many labels of each class (Long, Hold, Short). */
export function classCounts(y: ArrayLike<number>): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (let s = 0; s < y.length; s++) c[y[s]! as 0 | 1 | 2]++;
  return c;
}

/**
 * The loss weight of each class: with `balance`, n / (3 n_c) over the labels y (so every class present weighs the
 * same in total; a class absent from y gets 0, it has no sample to weigh), else 1 for each.
 */
export function classWeights(y: ArrayLike<number>, balance: boolean): [number, number, number] {
  if (!balance) return [1, 1, 1];
  const c = classCounts(y);
  return c.map((k) => (k > 0 ? y.length / (CLASS_COUNT * k) : 0)) as [number, number, number];
}

/**
 * The validation score of predicted classes against labels: with `balance`, the balanced accuracy (the mean over
 * the classes present in y of the share of their samples predicted right), else the plain accuracy. NaN without
 * samples.
 */
export function classificationScore(pred: ArrayLike<number>, y: ArrayLike<number>, balance: boolean): number {
  if (pred.length !== y.length) throw new RangeError(`${pred.length} predictions for ${y.length} labels`);
  if (y.length === 0) return Number.NaN;
  if (!balance) {
    let right = 0;
    for (let s = 0; s < y.length; s++) if (pred[s] === y[s]) right++;
    return right / y.length;
  }
  const total = [0, 0, 0];
  const right = [0, 0, 0];
  for (let s = 0; s < y.length; s++) {
    total[y[s]!]!++;
    if (pred[s] === y[s]) right[y[s]!]!++;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < CLASS_COUNT; c++)
    if (total[c]! > 0) {
      sum += right[c]! / total[c]!;
      present++;
    }
  return sum / present;
}
