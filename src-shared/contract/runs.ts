/**
 * Strategies and backtest runs: list the strategies, start a backtest as a job, browse stored runs (metrics,
 * value and drawdown series, the weights of any date with per-agent weights and the previous decision).
 * Weights are always in the run's ticker order (`tickers`), risky assets only, with the cash weight apart.
 */
import { z } from 'zod';
import { ClassBasis, DecisionDetail, ReboundFlag, SampGroups, ThreeLevelVariant } from '../domain/decision';
import { RunConfig, RunProtocol, RunScenarioName } from '../domain/runConfig';
import { LEARNED_GROUPS } from '../domain/strategyGroups';
import { Id, IsoDate, method, ShortText } from './define';
import { JobInfo } from './jobs';

/** A metric value: a number, 'inf' / '-inf' for an infinite ratio (e.g. Sortino with no losing day), null when undefined (NaN). */
export const MetricValue = z.union([z.number(), z.literal('inf'), z.literal('-inf')]).nullable();
export type MetricValue = z.infer<typeof MetricValue>;

export const StrategyParamInfo = z.object({
  name: z.string(),
  description: z.string(),
  default: z.union([z.number(), z.string(), z.boolean()]),
  min: z.number().optional(),
  max: z.number().optional(),
  choices: z.array(z.string()).optional(),
});

export const StrategyInfo = z.object({
  id: Id,
  label: z.string(),
  family: z.enum(['benchmark', 'classic', 'online', 'learning']),
  /** a learned strategy's group in the desk's picker (src-shared/domain/strategyGroups.ts) */
  group: z.enum(LEARNED_GROUPS).optional(),
  /** true for references that see the test window in advance (BCRP, best stock): never tradable */
  hindsight: z.boolean(),
  description: z.string(),
  params: z.array(StrategyParamInfo),
});
export type StrategyInfo = z.infer<typeof StrategyInfo>;

export const RunStatus = z.enum(['running', 'complete', 'failed', 'cancelled', 'killed']);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunSummary = z.object({
  id: Id,
  universe: z.string(),
  strategy: z.string(),
  seed: z.number().int(),
  status: RunStatus,
  /** test window */
  windowFrom: IsoDate,
  windowTo: IsoDate,
  trainFrom: IsoDate.nullable(),
  trainTo: IsoDate.nullable(),
  hindsight: z.boolean(),
  /** e.g. 'close-to-equal-weight', 'train-truncated' */
  flags: z.array(z.string()),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  /** metrics by name (empty unless complete) */
  metrics: z.record(z.string(), MetricValue),
  /**
   * Fingerprint of every setting of the run except the seed (universe, tickers, strategy, params, window, costs,
   * rebalance, ...): runs with the same key are seeds of one experiment, and a second run of the same key and seed
   * is a repeat.
   */
  settingsKey: z.string(),
  /** the settings a reader tells experiments apart by: "cost 0.10% · daily · quick" */
  settingsText: z.string(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunInfo = RunSummary.extend({
  /** every setting the run used (universe, tickers, params, window, cost, rebalance, ...) */
  config: RunConfig,
  codeVersion: z.string(),
  backend: z.string().nullable(),
  pid: z.number().int().nullable(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  timings: z.record(z.string(), z.number()),
  /** agents with stored weights ('final' first) */
  agents: z.array(z.string()),
});
export type RunInfo = z.infer<typeof RunInfo>;

export const RunSeries = z.object({
  id: Id,
  dates: z.array(IsoDate),
  /** portfolio value, 1 before the first test day */
  values: z.array(z.number()),
  /** net daily simple returns */
  returns: z.array(z.number()),
  /** drawdown from the running peak, <= 0 */
  drawdown: z.array(z.number()),
  /** one-way turnover traded each day */
  turnover: z.array(z.number()),
  /** cost paid each day, fraction of the value */
  cost: z.array(z.number()),
});
export type RunSeries = z.infer<typeof RunSeries>;

const WeightVector = z.object({ weights: z.array(z.number()), cash: z.number() });

export const RunWeights = z.object({
  id: Id,
  date: IsoDate,
  tickers: z.array(z.string()),
  /** the portfolio's target weights decided at the close of `date` */
  final: WeightVector,
  /** per-agent weights (e.g. upper, lower1, lower2) and, for non-daily rebalancing, 'held' */
  agents: z.record(z.string(), WeightVector),
  /** what the strategy recorded with this decision (one shape per strategy family); null when nothing */
  detail: DecisionDetail.nullable(),
  /** the SAMP-HDRL grouping in force at `date` (the last regrouping on or before it); null for other strategies */
  grouping: SampGroups.nullable(),
  /** rebounds confirmed on `date`, by the series they were raised on */
  reboundFlags: z.array(z.object({ group: z.string(), detail: ReboundFlag })),
  /** the previous test day's decision (trades = final - previous), null on the first day */
  previous: WeightVector.extend({ date: IsoDate }).nullable(),
});
export type RunWeights = z.infer<typeof RunWeights>;

/**
 * A HADAPS run's class allocation over its decision days: each class's weight as the inter-class layer set it
 * (`HadapsDecisionDetail.classes[].weight`, before the no-trade band), cash last. Built by
 * src-shared/charts/classes.ts classAllocationOf, drawn by its classAllocationOption.
 */
export const ClassAllocation = z.object({
  basis: ClassBasis,
  /** beta, the action scale the run's policy decided with */
  actionScale: z.number(),
  dates: z.array(IsoDate),
  /** every class of the run, cash last: `values[i]` is its weight on `dates[i]` */
  classes: z.array(z.object({ name: z.string(), tickers: z.array(z.string()), values: z.array(z.number()) })),
});
export type ClassAllocation = z.infer<typeof ClassAllocation>;

/**
 * A three-level run over its test days (issue 20, docs/three-level.md "The desk"): per class what each level set —
 * the strategic weight, the tactical tilt and their sum, the target — beside the class's weight in the book after
 * the day's trade, with the day's cost and how far the book stood from the execution level's target. Built by
 * src-shared/charts/threeLevel.ts threeLevelTimelineOf, drawn by its threeLevelClassOption.
 */
export const ThreeLevelTimeline = z.object({
  variant: ThreeLevelVariant,
  basis: ClassBasis,
  /** the bound of a tilt per class (a share of the book) the run decided under */
  maxTilt: z.number(),
  dates: z.array(IsoDate),
  /** indices into `dates` of the days Level 1 decided (the first day, then every strategic period) */
  strategicDays: z.array(z.number().int()),
  /** indices into `dates` of the days a new execution period began (Level 2 decided; two-levels: yearly) */
  tacticalDays: z.array(z.number().int()),
  /** every class, cash last: the levels' class weights and the book's, `values[i]` on `dates[i]` */
  classes: z.array(
    z.object({
      name: z.string(),
      tickers: z.array(z.string()),
      strategic: z.array(z.number()),
      tilt: z.array(z.number()),
      target: z.array(z.number()),
      executed: z.array(z.number()),
    }),
  ),
  /**
   * the tracking gap: half the summed absolute difference, over the assets and cash, between the book and the
   * period's target drifted with prices (what Level 3 trades towards), before and after the day's trade
   */
  gapBefore: z.array(z.number()),
  gap: z.array(z.number()),
  /** cost paid each day, a fraction of the value (runs.series' cost) */
  cost: z.array(z.number()),
  /** one-way turnover traded each day (runs.series' turnover) */
  turnover: z.array(z.number()),
  /** the run's cost drag a year split into its parts (run metrics costCommission, costSpread, costImpact) */
  costSplit: z.object({ commission: z.number(), spread: z.number(), impact: z.number() }).nullable(),
});
export type ThreeLevelTimeline = z.infer<typeof ThreeLevelTimeline>;

/** The spread-and-impact settings a backtest request may give (runConfig.ts RunImpact; absent fields: defaults). */
export const BacktestImpactRequest = z
  .object({
    halfSpreadBp: z.number().min(0).max(1000).optional(),
    halfSpreadBpByTicker: z
      .record(Id, z.number().min(0).max(1000))
      .refine((r) => Object.keys(r).length <= 5000, 'at most 5000 tickers')
      .optional(),
    impactK: z.number().min(0).max(100).optional(),
    bookValue: z.number().positive().max(1e15).optional(),
    window: z.number().int().min(2).max(10_000).optional(),
    advProxy: z.number().positive().max(1e15).optional(),
  })
  .strict();
export type BacktestImpactRequest = z.infer<typeof BacktestImpactRequest>;

export const BacktestStartRequest = z
  .object({
    universe: Id,
    strategies: z.array(Id).min(1).max(100),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    /** training days before an explicit window */
    lookback: z.number().int().min(0).max(100_000).optional(),
    protocol: RunProtocol.optional(),
    /** a sector scenario: each window trades the stocks it chooses from the window's training days */
    scenario: RunScenarioName.optional(),
    cost: z.number().min(0).max(0.5).optional(),
    /**
     * charge a half-spread and a square-root market impact besides the proportional cost, for every strategy of the
     * run (src-main/market/costs.ts: meanings and defaults); `{}` takes every default
     */
    impact: BacktestImpactRequest.optional(),
    rebalance: z.union([z.enum(['daily', 'weekly']), z.number().int().min(1).max(10_000)]).optional(),
    riskFreeRate: z.number().min(-0.5).max(1).optional(),
    seeds: z.number().int().min(1).max(100).optional(),
    seedFirst: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    params: z
      .record(Id, z.record(z.string().max(64), z.union([z.number(), z.string().max(256), z.boolean()])))
      .optional(),
    preset: ShortText.optional(),
    ewThreshold: z.number().min(0).max(2).optional(),
    /** train the learned strategies' models in this many processes first, then backtest reusing them (default 1) */
    workers: z.number().int().min(1).max(64).optional(),
  })
  .strict();
export type BacktestStartRequest = z.infer<typeof BacktestStartRequest>;

export const runMethods = {
  'strategies.list': method(
    'Every registered strategy with its parameters',
    z.object({}).strict(),
    z.array(StrategyInfo),
  ),
  'runs.list': method(
    'Stored runs, newest first',
    z
      .object({
        universe: Id.optional(),
        strategy: Id.optional(),
        status: RunStatus.optional(),
        limit: z.number().int().min(1).max(5000).optional(),
      })
      .strict(),
    z.array(RunSummary),
  ),
  'runs.get': method('One run: config, metrics, flags, status', z.object({ id: Id }).strict(), RunInfo),
  'runs.series': method(
    'Value, return, drawdown, turnover and cost per test day of a run',
    z.object({ id: Id }).strict(),
    RunSeries,
  ),
  'runs.weights': method(
    'Weights of a run at a date (default: its last), per agent, with the detail and the previous decision',
    z.object({ id: Id, date: IsoDate.optional() }).strict(),
    RunWeights,
  ),
  'runs.classes': method(
    "A HADAPS run's class allocation over its decision days (null for a run that records no classes)",
    z.object({ id: Id }).strict(),
    ClassAllocation.nullable(),
  ),
  'runs.threeLevel': method(
    "A three-level run's levels over its test days: per class the strategic target, the tilt and the executed weight, with the day's cost and tracking gap (null for a run of another family)",
    z.object({ id: Id }).strict(),
    ThreeLevelTimeline.nullable(),
  ),
  'runs.start': method(
    'Start a backtest as a job (kind "backtest"); its runs appear in runs.list as they complete',
    BacktestStartRequest,
    JobInfo,
  ),
  'runs.delete': method(
    'Delete a run and everything it stored (refused while it runs)',
    z.object({ id: Id }).strict(),
    z.object({ id: Id, deleted: z.boolean() }),
  ),
};
