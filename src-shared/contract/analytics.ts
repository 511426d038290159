/**
 * Tear-sheet analytics of stored runs (src-main/analytics): figures relative to a benchmark, rolling volatility,
 * the return distribution, turnover and cost over time, stress windows, weights over time and risk contribution
 * of one focus run, the stitched out-of-sample record of its settings, and the equal-weight verdict (with the
 * paired test's p-value) of every learned strategy shown. The desk's Backtests panel reads them here; the backtest
 * tear sheet gets the same numbers from the same code.
 *
 * Units: returns, weights, volatilities, turnover and cost are fractions (annualised where the name says so);
 * dates ISO. A figure without a value (NaN, or an infinite ratio) is null.
 */
import { z } from 'zod';
import { Id, IsoDate, method } from './define';

/** A figure; null when it has no finite value. */
const Num = z.number().nullable();

export const AnalyticsRunRef = z.object({
  id: Id,
  strategy: z.string(),
  /** display name */
  name: z.string(),
  seed: z.number().int(),
  windowFrom: IsoDate,
  windowTo: IsoDate,
  /** a hindsight reference (sees the test window in advance): never tradable */
  hindsight: z.boolean(),
  /** a learned strategy (the one the analytics are about; drawn emphasised) */
  learned: z.boolean(),
});
export type AnalyticsRunRef = z.infer<typeof AnalyticsRunRef>;

export const RelativeFigures = z.object({
  days: z.number().int(),
  /** mean daily active return × 252 */
  activeReturn: Num,
  /** std of the daily active return × √252 */
  trackingError: Num,
  informationRatio: Num,
  beta: Num,
  correlation: Num,
  /** Jensen's alpha, annualised */
  alpha: Num,
});

export const StressFigure = z.object({
  id: z.string(),
  label: z.string(),
  from: IsoDate,
  to: IsoDate,
  ret: Num,
  benchmarkRet: Num,
  days: z.number().int(),
  partial: z.boolean(),
});

export const RunAnalytics = AnalyticsRunRef.extend({
  flags: z.array(z.string()),
  /** the concentration guard trips (src-shared/domain/concentration.ts) */
  concentrated: z.boolean(),
  benchmark: AnalyticsRunRef.nullable(),
  relative: RelativeFigures.nullable(),
  dates: z.array(IsoDate),
  /** rolling annualised volatility per date (null until the window fills) */
  rollingVol: z.array(Num),
  /** daily returns counted over the response's `bins` */
  histogram: z.array(z.number().int()),
  distribution: z.object({
    days: z.number().int(),
    mean: Num,
    std: Num,
    skew: Num,
    kurtosis: Num,
    var95: Num,
    cvar95: Num,
    best: Num,
    worst: Num,
  }),
  trading: z.object({
    /** annual one-way turnover, fraction of the book a year */
    annualTurnover: Num,
    /** annual cost drag, fraction of the value a year */
    costDrag: Num,
    months: z.array(z.object({ month: z.string(), turnover: Num, cost: Num })),
  }),
  stress: z.array(StressFigure),
});
export type RunAnalytics = z.infer<typeof RunAnalytics>;

const WeightSeries = z.object({ name: z.string(), values: z.array(Num) });
const RiskPart = z.object({ weight: Num, contribution: Num, share: Num });

export const FocusAnalytics = z.object({
  run: AnalyticsRunRef,
  /** 'held' (a run that does not trade daily) or 'final' (its decisions, held until the next close) */
  weightsSource: z.string(),
  weights: z.object({
    dates: z.array(IsoDate),
    byAsset: z.array(WeightSeries),
    bySector: z.array(WeightSeries),
    /** the strategy's own groups (SAMP-HDRL), null for a strategy without groups */
    byGroup: z.array(WeightSeries).nullable(),
    cash: z.array(Num),
  }),
  /** risk contribution of the last day's weights; null when the prices do not reach back far enough */
  risk: z
    .object({
      date: IsoDate,
      lookbackDays: z.number().int(),
      /** portfolio variance, daily */
      variance: Num,
      /** annualised volatility */
      volatility: Num,
      assets: z.array(RiskPart.extend({ ticker: z.string(), sector: z.string() })),
      sectors: z.array(RiskPart.extend({ sector: z.string() })),
    })
    .nullable(),
});
export type FocusAnalytics = z.infer<typeof FocusAnalytics>;

export const StitchedAnalytics = z.object({
  strategy: z.string(),
  name: z.string(),
  dates: z.array(IsoDate),
  /** value of the record, 1 before its first day */
  values: z.array(Num),
  total: Num,
  segments: z.array(
    z.object({
      from: IsoDate,
      to: IsoDate,
      seeds: z.number().int(),
      days: z.number().int(),
      ret: Num,
      endValue: Num,
      gapDays: z.number().int(),
    }),
  ),
  skipped: z.array(z.object({ from: IsoDate, to: IsoDate })),
  benchmark: z.object({ strategy: z.string(), name: z.string(), values: z.array(Num), total: Num }).nullable(),
});
export type StitchedAnalytics = z.infer<typeof StitchedAnalytics>;

export const LearnedVerdict = z.object({
  strategy: z.string(),
  name: z.string(),
  windowFrom: IsoDate,
  windowTo: IsoDate,
  reference: z.string().nullable(),
  outcome: z.enum(['beats', 'does-not-beat', 'not-comparable', 'no-reference']),
  sharpe: Num,
  ewSharpe: Num,
  cumulativeReturn: Num,
  ewCumulativeReturn: Num,
  seeds: z.number().int(),
  seedsBeating: z.number().int(),
  /** paired block-bootstrap p-value of the Sharpe difference; null when no test could be made */
  pValue: Num,
  pairedDays: z.number().int(),
});
export type LearnedVerdict = z.infer<typeof LearnedVerdict>;

export const AnalyticsCompareResponse = z.object({
  bins: z.array(z.number()),
  rollingDays: z.number().int(),
  runs: z.array(RunAnalytics),
  focus: FocusAnalytics.nullable(),
  stitched: StitchedAnalytics.nullable(),
  verdicts: z.array(LearnedVerdict),
});
export type AnalyticsCompareResponse = z.infer<typeof AnalyticsCompareResponse>;

/** Most runs one analytics request takes (src-main/analytics MAX_ANALYTICS_RUNS). */
export const MAX_ANALYTICS_RUNS = 12;

export const analyticsMethods = {
  'analytics.compare': method(
    'Tear-sheet analytics of 1..12 complete runs of one universe against a benchmark (default equal weight), with the weights and risk of a focus run',
    z
      .object({
        ids: z.array(Id).min(1).max(MAX_ANALYTICS_RUNS),
        /** strategy id of the benchmark (default: equal weight, crp else ubah) */
        benchmark: Id.optional(),
        /** run whose weights over time and risk contribution are shown (default: the first learned run) */
        focus: Id.optional(),
        rollingDays: z.number().int().min(2).max(1000).optional(),
      })
      .strict(),
    AnalyticsCompareResponse,
  ),
  'analytics.verdicts': method(
    'The equal-weight verdict and paired-test p-value of every learned strategy run on a universe (one per group of seeds)',
    z.object({ universe: Id }).strict(),
    z.array(LearnedVerdict),
  ),
};
