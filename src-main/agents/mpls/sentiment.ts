/**
 * MPLS's sentiment module (docs/news.md "The index", docs/mpls.md "Modules"): the universe's scored news turned into
 * a daily sentiment index per sector, and the module the agents read (modules.ts).
 *
 * The index, for each sector of the run's class layout and each trading day t:
 *   - a row counts when its largest probability is at least `confidence` (0.6): the model was sure enough; its
 *     score is positive - negative, in [-1, 1];
 *   - a row names a ticker (it counts for that asset's sector) or a sector (it counts for the layout class of each
 *     asset of that sector; with the 'sector' basis that is the sector itself);
 *   - a row counts on its date's trading day, or on the next trading day when it is dated on a day without prices
 *     (weekend, holiday); rows of the `laggedSources` (social media and earnings items) count `lagDays` trading days
 *     later, as they arrive outside trading hours or are digested slowly; a row dated before the first day of the
 *     prices, or landing after the last, counts nowhere;
 *   - the raw index of a sector on a day is the mean score of the rows counting that day, 0 when none do (no news
 *     is read as neutral news);
 *   - the index is the exponential moving average of the raw index over trading days, ema_0 = raw_0,
 *     ema_t = alpha raw_t + (1 - alpha) ema_{t-1}, alpha = 2 / (span + 1) with span 3.
 * Causal by construction: a row lands on a day on or after its date, so the index at t reads rows dated up to t
 * (lagged rows: before t), never later ones.
 *
 * The module: proposal = softmax over sectors of index / temperature; sector features = [index, log1p(rows counted
 * over the last `countDays` trading days)]; no asset features; first day 0. It is off — not built, its proposal
 * left out of the fusion — when the universe has no news, has news but none scored, or has no scored row that
 * passes the confidence filter on the training days; {@link sentimentModuleFor} says which, in words the desk and
 * the results print.
 */
import type { NewsSource } from '../../../src-shared/contract/news';
import type { PriceMatrix } from '../../market/prices';
import { indexAtOrAfter } from '../../market/prices';
import type { ClassLayout } from '../hadaps/classes';
import type { MplsModule, ModuleDay } from './modules';

/** The sentiment module's settings (docs/news.md "The index"). */
export interface SentimentConfig {
  /** a row counts when its largest probability is at least this */
  confidence: number;
  /** sources whose rows count later */
  laggedSources: readonly NewsSource[];
  /** trading days those rows count later */
  lagDays: number;
  /** span of the EMA in trading days: alpha = 2 / (span + 1) */
  emaSpan: number;
  /** softmax temperature of the proposal (the index is in [-1, 1]) */
  temperature: number;
  /** trading days over which the rows-counted feature sums, today included */
  countDays: number;
}

export const DEFAULT_SENTIMENT_CONFIG: Readonly<SentimentConfig> = Object.freeze({
  confidence: 0.6,
  laggedSources: Object.freeze(['social', 'earnings'] as NewsSource[]),
  lagDays: 1,
  emaSpan: 3,
  temperature: 0.25,
  countDays: 3,
});

/** One scored news row as the index reads it (store/news.ts loads them). */
export interface ScoredNewsItem {
  /** ISO date */
  date: string;
  /** exactly one of ticker and sector is set */
  ticker: string | null;
  sector: string | null;
  source: NewsSource;
  positive: number;
  neutral: number;
  negative: number;
}

/** A universe's news as the module needs it: how many rows there are in all and the scored ones. */
export interface SentimentInput {
  universe: string;
  /** every stored row of the universe */
  total: number;
  /** rows without probabilities yet */
  unscored: number;
  /** the scored rows */
  items: readonly ScoredNewsItem[];
}

/** The daily index of every sector (see the file overview). */
export interface SentimentIndex {
  /** [T][S]: the raw daily mean score */
  raw: Float64Array[];
  /** [T][S]: its EMA, the index */
  ema: Float64Array[];
  /** [T][S]: rows counted on each day */
  counted: Int32Array[];
}

/** Refuse settings the index cannot use (RangeError naming the setting). */
export function checkSentimentConfig(cfg: SentimentConfig): void {
  const bad = (what: string, v: number) => new RangeError(`sentiment ${what} out of range: ${v}`);
  if (!(cfg.confidence >= 0 && cfg.confidence <= 1)) throw bad('confidence (0..1)', cfg.confidence);
  if (!(Number.isInteger(cfg.lagDays) && cfg.lagDays >= 0)) throw bad('lag (whole trading days >= 0)', cfg.lagDays);
  if (!(cfg.emaSpan >= 1)) throw bad('EMA span (>= 1)', cfg.emaSpan);
  if (!(cfg.temperature > 0 && Number.isFinite(cfg.temperature))) throw bad('temperature (> 0)', cfg.temperature);
  if (!(Number.isInteger(cfg.countDays) && cfg.countDays >= 1)) throw bad('count window (>= 1)', cfg.countDays);
}

/** Does a row pass the confidence filter? */
export function confident(item: ScoredNewsItem, confidence: number): boolean {
  return Math.max(item.positive, item.neutral, item.negative) >= confidence;
}

/** The trading day (index into `dates`) a row counts on, or null when it counts nowhere (see the file overview). */
export function landingDay(item: ScoredNewsItem, dates: readonly string[], cfg: SentimentConfig): number | null {
  if (!dates.length || item.date < dates[0]!) return null;
  const d = indexAtOrAfter(dates, item.date) + (cfg.laggedSources.includes(item.source) ? cfg.lagDays : 0);
  return d < dates.length ? d : null;
}

/**
 * The layout classes a row counts for: its ticker's class, or the classes of the assets of its sector (sector names
 * compared case-insensitively); empty when the layout holds neither.
 */
function classResolver(
  prices: Pick<PriceMatrix, 'tickers' | 'assets'>,
  layout: ClassLayout,
): (item: ScoredNewsItem) => readonly number[] {
  const byTicker = new Map<string, number[]>();
  const bySector = new Map<string, Set<number>>();
  prices.tickers.forEach((t, i) => {
    const c = layout.classOf[i]!;
    byTicker.set(t, [c]);
    const sector = (prices.assets?.[i]?.sector ?? '').trim().toLowerCase();
    if (!sector) return;
    let s = bySector.get(sector);
    if (!s) bySector.set(sector, (s = new Set()));
    s.add(c);
  });
  const none: readonly number[] = [];
  const sectorClasses = new Map([...bySector].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]));
  return (item) =>
    item.ticker !== null
      ? (byTicker.get(item.ticker) ?? none)
      : (sectorClasses.get((item.sector ?? '').trim().toLowerCase()) ?? none);
}

/**
 * The daily sentiment index of every sector of `layout` over the dates of `prices` (see the file overview). Takes
 * the scored rows, the prices' dates, tickers and asset metadata, the layout and the settings; gives raw index, EMA
 * and rows counted, [T][S].
 */
export function sentimentIndex(
  items: readonly ScoredNewsItem[],
  prices: Pick<PriceMatrix, 'dates' | 'tickers' | 'assets'>,
  layout: ClassLayout,
  cfg: SentimentConfig = DEFAULT_SENTIMENT_CONFIG,
): SentimentIndex {
  checkSentimentConfig(cfg);
  const T = prices.dates.length;
  const S = layout.classes.length;
  const sum = Array.from({ length: T }, () => new Float64Array(S));
  const counted = Array.from({ length: T }, () => new Int32Array(S));
  const classesOf = classResolver(prices, layout);
  for (const it of items) {
    if (!confident(it, cfg.confidence)) continue;
    const d = landingDay(it, prices.dates, cfg);
    if (d === null) continue;
    const score = it.positive - it.negative;
    for (const c of classesOf(it)) {
      sum[d]![c]! += score;
      counted[d]![c]!++;
    }
  }
  const alpha = 2 / (cfg.emaSpan + 1);
  const raw = sum.map((row, t) => row.map((s, c) => (counted[t]![c]! ? s / counted[t]![c]! : 0)));
  const ema: Float64Array[] = [];
  raw.forEach((row, t) => {
    const prev = ema[t - 1];
    ema.push(prev ? row.map((r, c) => alpha * r + (1 - alpha) * prev[c]!) : row.slice());
  });
  return { raw, ema, counted };
}

/** Why the module is off for a universe, from its counts alone (null: it may be on); one home for these words. */
export function sentimentAvailability(universe: string, total: number, scored: number): string | null {
  if (total === 0) return `no news imported for ${universe}`;
  if (scored === 0)
    return `news imported but not scored: run hdrl news score --universe ${universe} --model DIR (or import pre-scored rows)`;
  return null;
}

/** The sentiment module over one price matrix (see the file overview); build it with {@link sentimentModuleFor}. */
class SentimentModule implements MplsModule {
  readonly name = 'sentiment' as const;
  readonly sectorWidth = 2;
  readonly assetWidth = 0;
  readonly firstDay = 0;
  private readonly recent: Int32Array[];

  constructor(
    readonly index: SentimentIndex,
    private readonly cfg: SentimentConfig,
  ) {
    // rows counted over the last countDays trading days, today included
    this.recent = index.counted.map((_, t) => {
      const s = new Int32Array(index.counted[t]!.length);
      for (let u = Math.max(0, t - cfg.countDays + 1); u <= t; u++) index.counted[u]!.forEach((n, c) => (s[c]! += n));
      return s;
    });
  }

  day(t: number): ModuleDay {
    const ema = this.index.ema[t];
    if (!ema) throw new RangeError(`sentiment module: day ${t} outside 0..${this.index.ema.length - 1}`);
    const S = ema.length;
    const z = Array.from(ema, (v) => v / this.cfg.temperature);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const total = e.reduce((a, b) => a + b, 0);
    const proposal = Float64Array.from(e, (v) => v / total);
    const sectorFeatures = new Float32Array(S * 2);
    for (let c = 0; c < S; c++) {
      sectorFeatures[c * 2] = ema[c]!;
      sectorFeatures[c * 2 + 1] = Math.log1p(this.recent[t]![c]!);
    }
    return { proposal, sectorFeatures, assetFeatures: new Float32Array(0) };
  }
}

/** What sentimentModuleFor gives: the module, or why it is off. */
export type SentimentModuleResult = { module: MplsModule; index: SentimentIndex } | { off: true; reason: string };

/**
 * The sentiment module of a run, or why it is off (see the file overview). Takes the universe's news (store/news.ts
 * `sentimentInput`), the run's prices (dates, tickers, asset sectors), its class layout, the training days
 * (price-matrix indices, inclusive: the module is off when no confident row counts on them) and the settings.
 */
export function sentimentModuleFor(
  news: SentimentInput,
  prices: Pick<PriceMatrix, 'dates' | 'tickers' | 'assets'>,
  layout: ClassLayout,
  train: { first: number; last: number },
  cfg: SentimentConfig = DEFAULT_SENTIMENT_CONFIG,
): SentimentModuleResult {
  const off = sentimentAvailability(news.universe, news.total, news.items.length);
  if (off !== null) return { off: true, reason: off };
  const index = sentimentIndex(news.items, prices, layout, cfg);
  let inTraining = 0;
  for (let t = Math.max(0, train.first); t <= Math.min(train.last, index.counted.length - 1); t++)
    for (const n of index.counted[t]!) inTraining += n;
  if (inTraining === 0) {
    const from = prices.dates[Math.max(0, train.first)] ?? '?';
    const to = prices.dates[Math.min(train.last, prices.dates.length - 1)] ?? '?';
    return {
      off: true,
      reason: `no news in the training days (${from} .. ${to}) passes the confidence filter (largest probability >= ${cfg.confidence}) for a sector of the universe`,
    };
  }
  return { module: new SentimentModule(index, cfg), index };
}

/** What a trained MPLS model keeps of its sentiment module: its settings (it learns nothing; the news is read anew). */
export interface SentimentArtifact {
  kind: 'sentiment';
  config: SentimentConfig;
}

/** The artifact of a module built with `cfg`. */
export function sentimentArtifact(cfg: SentimentConfig = DEFAULT_SENTIMENT_CONFIG): SentimentArtifact {
  checkSentimentConfig(cfg);
  return { kind: 'sentiment', config: { ...cfg, laggedSources: [...cfg.laggedSources] } };
}

/**
 * The module of a stored model, over the news stored now: the same index rule and settings as when it was trained,
 * without the training-days condition (the model decided with the module on). Off, with the reason, when the
 * universe has no scored news any more.
 */
export function sentimentModuleFrom(
  artifact: SentimentArtifact,
  news: SentimentInput,
  prices: Pick<PriceMatrix, 'dates' | 'tickers' | 'assets'>,
  layout: ClassLayout,
): SentimentModuleResult {
  if (artifact.kind !== 'sentiment') throw new Error(`not a sentiment module artifact: ${String(artifact.kind)}`);
  const off = sentimentAvailability(news.universe, news.total, news.items.length);
  if (off !== null) return { off: true, reason: off };
  const index = sentimentIndex(news.items, prices, layout, artifact.config);
  return { module: new SentimentModule(index, artifact.config), index };
}
