/**
 * Dynamic asset grouping of SAMP-HDRL (SAMP-HDRL step 1; the paper: "dynamic asset grouping":
 * K-means on Sortino ratios every 75 trading days; ablation `w/o dc` clusters once).
 *
 * Overview
 * - `groupBySortino(view, opts)`: Sortino score of every asset over the trailing `lookback` days up to the
 *   view's day t (data up to t only), then K-means with k = 2 on the 1-D scores (package `ml-kmeans`).
 *   The cluster with the higher centroid is the high-quality group (mask m2), the other the ordinary
 *   group (mask m1). Both masks partition the universe and both are non-empty.
 * - `regroupSchedule(start, end, every)`: the day indices on which the grouping is recomputed.
 * - `DynamicGrouping`: the stateful helper a strategy (or the trainer) keeps: `at(view)` returns the
 *   grouping in force at the view's day, recomputing it on schedule days (every `every` days from `start`,
 *   or only once at `start` with `static: true`, the `w/o dc` ablation) and recording every regrouping.
 *   It accepts days in any order (training samples days at random): the grouping in force at day t is the
 *   one computed at the last schedule day <= t, from data up to that schedule day only.
 *
 * K-means details (documented choices)
 * - Initialisation `'extremes'` (default): the two initial centroids are the minimum and maximum score, so
 *   the result is fully deterministic and independent of the seed (for 1-D data with k = 2 this start is
 *   also the one Lloyd's algorithm converges from most reliably). `'kmeans++'` uses ml-kmeans' k-means++
 *   with `seed`, also deterministic for a given seed.
 * - Membership is read from the converged centroids: an asset is high-quality iff its score is strictly
 *   above the midpoint of the two centroids. Tie rule: a score exactly on the midpoint goes to the ordinary
 *   group (the high-quality group must be strictly better). The same rule holds inside Lloyd's iterations
 *   with `'extremes'`: ml-kmeans gives an equidistant point to the first centroid, which is the lower one
 *   (e.g. scores [0, 2, 4] give ordinary {0, 2}, high {4}, centroids [1, 4]).
 * - Degenerate case (all scores equal, or K-means leaves a group empty): fall back to a rank split — sort
 *   assets by score descending, equal scores by ascending asset index, the first max(1, floor(n/2)) are
 *   high-quality. `degenerate: true` is reported so the user can see it.
 */
import { kmeans } from 'ml-kmeans';
import type { MarketView } from '../../../market/view';
import { sortinoRatios, type SortinoOptions } from './sortino';

export { sortinoRatios, SORTINO_DEFAULTS, type SortinoOptions } from './sortino';

/** Settings of {@link groupBySortino}. */
export interface GroupingOptions {
  /** Trailing window of daily returns the Sortino score is computed on, in trading days (the paper's window). */
  lookback: number;
  /** Seed for the `'kmeans++'` initialisation (ignored by `'extremes'`, which is deterministic anyway). */
  seed: number;
  /** K-means initialisation: `'extremes'` (min and max score, default) or seeded `'kmeans++'`. */
  init?: 'extremes' | 'kmeans++';
  /** Maximum Lloyd iterations of ml-kmeans. Default 100. */
  maxIterations?: number;
  /** Options passed to {@link sortinoRatios} (target, annualisation, cap). */
  sortino?: SortinoOptions;
}

/** Result of one grouping: masks m1 (ordinary) and m2 (high-quality) over the universe's assets. */
export interface Grouping {
  /** m2: true for high-quality assets */
  high: boolean[];
  /** m1: true for ordinary assets (exactly the complement of `high`) */
  ordinary: boolean[];
  /** annualised Sortino score per asset (the clustered values) */
  scores: Float64Array;
  /** K-means centroids in score units, ascending: [ordinary centroid, high-quality centroid] */
  centroids: number[];
  /** true when the rank-split fallback was used (see the file overview) */
  degenerate: boolean;
}

/**
 * Split the universe into high-quality and ordinary assets by K-means (k = 2) on trailing Sortino ratios
 * (SAMP-HDRL step 1).
 * @param view market view at decision day t; reads daily returns of days max(1, t-lookback+1)..t only
 * @param opts see {@link GroupingOptions}
 * @returns masks m2 (`high`) and m1 (`ordinary`), the scores and the centroids [low, high]
 * @throws RangeError with fewer than 2 assets or fewer than 2 return days in the window
 */
export function groupBySortino(view: MarketView, opts: GroupingOptions): Grouping {
  if (view.nAssets < 2) throw new RangeError('grouping needs at least 2 assets');
  if (!(opts.lookback >= 2)) throw new RangeError(`lookback must be >= 2 days, got ${opts.lookback}`);
  const window = view.returnsWindow(opts.lookback);
  if (window.length < 2) throw new RangeError(`grouping at day ${view.t}: fewer than 2 return days available`);
  const scores = sortinoRatios(window, opts.sortino);
  return clusterScores(scores, opts);
}

/**
 * K-means (k = 2) on given 1-D scores with the tie and degenerate rules of this file's overview.
 * Exposed for tests and for callers that score assets differently.
 * @param scores one finite score per asset (n >= 2)
 */
export function clusterScores(
  scores: Float64Array,
  opts: Pick<GroupingOptions, 'seed' | 'init' | 'maxIterations'>,
): Grouping {
  const n = scores.length;
  if (n < 2) throw new RangeError('clustering needs at least 2 scores');
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of scores) {
    if (!Number.isFinite(s)) throw new RangeError('scores must be finite');
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  let centroids: number[] = [lo, hi];
  let high: boolean[] = [];
  let degenerate = lo === hi;
  if (!degenerate) {
    const data = Array.from(scores, (s) => [s]);
    const init = opts.init ?? 'extremes';
    const res = kmeans(data, 2, {
      initialization: init === 'extremes' ? [[lo], [hi]] : 'kmeans++',
      seed: opts.seed,
      maxIterations: opts.maxIterations ?? 100,
    });
    const c = res.centroids.map((v) => v[0]!).sort((a, b) => a - b);
    centroids = [c[0]!, c[1]!];
    const mid = (centroids[0]! + centroids[1]!) / 2;
    high = Array.from(scores, (s) => s > mid);
    const nHigh = high.filter(Boolean).length;
    if (!(centroids[0]! < centroids[1]!) || nHigh === 0 || nHigh === n) degenerate = true;
  }
  if (degenerate) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
    const nHigh = Math.max(1, Math.floor(n / 2));
    high = new Array<boolean>(n).fill(false);
    for (let k = 0; k < nHigh; k++) high[order[k]!] = true;
    const mean = (sel: boolean) => {
      let s = 0;
      let c = 0;
      for (let i = 0; i < n; i++)
        if (high[i] === sel) {
          s += scores[i]!;
          c++;
        }
      return s / c;
    };
    centroids = [mean(false), mean(true)];
  }
  return { high, ordinary: high.map((h) => !h), scores, centroids, degenerate };
}

/**
 * Day indices on which the grouping is (re)computed: start, start+every, ... <= end
 * (SAMP-HDRL step 1, every 75 trading days by default).
 * @param start first day index (e.g. the first test day); @param end last day index (inclusive)
 * @param every regrouping period in trading days (default 75); @param isStatic only `[start]` (ablation w/o dc)
 */
export function regroupSchedule(start: number, end: number, every = 75, isStatic = false): number[] {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a positive integer, got ${every}`);
  if (end < start) return [];
  if (isStatic) return [start];
  const out: number[] = [];
  for (let d = start; d <= end; d += every) out.push(d);
  return out;
}

/** Settings of {@link DynamicGrouping}. */
export interface DynamicGroupingOptions extends GroupingOptions {
  /** First schedule day (day index into the price matrix), e.g. the first test day or the first training day. */
  start: number;
  /** Regrouping period in trading days. Default 75 (the paper). */
  every?: number;
  /** Ablation `w/o dc`: group once at `start` and keep that grouping forever. Default false. */
  static?: boolean;
}

/** One recorded regrouping: what the user sees on the grouping timeline. */
export interface GroupingRecord {
  /** day index of the schedule day the grouping was computed at (from data up to this day) */
  dayIndex: number;
  date: string;
  high: string[];
  ordinary: string[];
  /** Sortino score per ticker */
  scores: Record<string, number>;
  centroids: number[];
  degenerate: boolean;
}

/**
 * Holds the grouping in force over a run and regroups on schedule (SAMP-HDRL step 1).
 * `at(view)` returns the grouping computed at the last schedule day <= view.t, from `view.at(thatDay)`, so it
 * never reads data after the schedule day. Results are cached per schedule day; `records()` lists them.
 * Use one instance per price matrix (the cache is keyed by day index only). Returned masks are shared: do
 * not mutate them.
 */
export class DynamicGrouping {
  private readonly every: number;
  private readonly cache = new Map<number, { grouping: Grouping; record: GroupingRecord }>();
  constructor(private readonly opts: DynamicGroupingOptions) {
    this.every = opts.every ?? 75;
    if (!Number.isInteger(this.every) || this.every < 1) throw new RangeError(`every must be a positive integer`);
  }

  /** The schedule day whose grouping is in force at day index t (t >= start). */
  scheduleDay(t: number): number {
    const s = this.opts.start;
    if (t < s) throw new RangeError(`day ${t} is before the grouping start ${s}`);
    if (this.opts.static) return s;
    return s + Math.floor((t - s) / this.every) * this.every;
  }

  /** True when day t is a regrouping day (the masks may change at its close). */
  isRegroupDay(t: number): boolean {
    return t >= this.opts.start && this.scheduleDay(t) === t;
  }

  /** Grouping in force at the view's day (computed from data up to its schedule day). */
  at(view: MarketView): Grouping {
    const day = this.scheduleDay(view.t);
    let hit = this.cache.get(day);
    if (!hit) {
      const v = day === view.t ? view : view.at(day);
      const grouping = groupBySortino(v, this.opts);
      const tickers = v.tickers;
      const record: GroupingRecord = {
        dayIndex: day,
        date: v.date,
        high: tickers.filter((_, i) => grouping.high[i]),
        ordinary: tickers.filter((_, i) => grouping.ordinary[i]),
        scores: Object.fromEntries(tickers.map((tk, i) => [tk, grouping.scores[i]!])),
        centroids: grouping.centroids.slice(),
        degenerate: grouping.degenerate,
      };
      hit = { grouping, record };
      this.cache.set(day, hit);
    }
    return hit.grouping;
  }

  /** Every regrouping computed so far, in day order. */
  records(): GroupingRecord[] {
    return [...this.cache.values()].map((h) => h.record).sort((a, b) => a.dayIndex - b.dayIndex);
  }
}
