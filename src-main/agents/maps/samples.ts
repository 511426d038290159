/**
 * What MAPS learns from (docs/drl-baselines.md "MAPS"): one sample per asset and day, pooled over the assets and
 * shared by all agents (MAPS's agents read the same input).
 *
 *   - state of asset i at day t: its last n daily returns in percent, the Long/Hold/Short baselines' features
 *     (agents/lhs/samples.ts lhsFeatures; reads closes up to t);
 *   - reward: the next day's return R (rules.ts nextReturn), which reads close[t + 1], so it exists only for days
 *     t <= trainEnd - 1; the samples are built through a MarketView ending at trainEnd, which refuses any later row;
 *   - next state (only with gamma > 0): the window at t + 1, which reads nothing past close[t + 1].
 *
 * Periods are the Long/Hold/Short baselines' with a one-day horizon (lhsPeriods): rewarded days from
 * trainStart + n to trainEnd - 1, the last `validationDays` of them (at most half) held out, the training days ending
 * the day before the first validation day, so no training reward reads a close past the first validation close.
 */
import type { MarketView } from '../../market/view';
import { lhsFeatures, lhsPeriods, type LhsPeriods } from '../lhs/samples';
import type { MapsConfig } from './config';
import { nextReturn } from './rules';

/** The periods of trainStart..trainEnd under `cfg`; a RangeError when the window is too short. */
export function mapsPeriods(
  cfg: Pick<MapsConfig, 'window' | 'validationDays'>,
  trainStart: number,
  trainEnd: number,
): LhsPeriods {
  const first = trainStart + cfg.window;
  if (trainEnd - 1 < first)
    throw new RangeError(
      `MAPS needs at least ${cfg.window + 2} training days for a ${cfg.window}-day window, ` +
        `got ${trainEnd - trainStart + 1}`,
    );
  return lhsPeriods({ window: cfg.window, horizon: 1, validationDays: cfg.validationDays }, trainStart, trainEnd);
}

/** Samples of days from..to over every asset; row s = day-major, asset-minor. */
export interface MapsSampleSet {
  /** windows [S * n] */
  x: Float32Array;
  /** next-day returns in percent [S] */
  R: Float32Array;
  /** the next day's windows [S * n] (empty without `next`) */
  xNext: Float32Array;
  /** number of samples S = days x assets */
  count: number;
}

/**
 * The samples of days from..to (inclusive) over every asset of `view`, with the next windows when `next` is set.
 * Each reward reads the next close through the view, so a view ending at trainEnd throws (LookAheadError) rather
 * than reward past it.
 */
export function mapsSamples(view: MarketView, from: number, to: number, window: number, next: boolean): MapsSampleSet {
  const N = view.nAssets;
  const n = window;
  const days = Math.max(0, to - from + 1);
  const count = days * N;
  const x = new Float32Array(count * n);
  const R = new Float32Array(count);
  const xNext = new Float32Array(next ? count * n : 0);
  const rowAt = (d: number) => view.closes(d);
  for (let k = 0; k < days; k++) {
    const t = from + k;
    const now = view.closes(t);
    const later = view.closes(t + 1);
    x.set(lhsFeatures(rowAt, t, N, n), k * N * n);
    if (next) xNext.set(lhsFeatures(rowAt, t + 1, N, n), k * N * n);
    for (let i = 0; i < N; i++) R[k * N + i] = nextReturn(now[i]!, later[i]!);
  }
  return { x, R, xNext, count };
}
