/**
 * The one interface every strategy implements, classic or learned. The backtest engine (market/simulate.ts)
 * drives it; nothing else decides weights.
 *
 * Conventions (see README "Market conventions"):
 * - `decide(view)` is called at the close of every day t of the test window, in order, with a view that
 *   can read rows 0..t only. It returns target weights for the n risky assets, each >= 0, summing to <= 1;
 *   the remainder is held in cash (return 0). Classic strategies return weights that sum to 1.
 * - The engine calls decide every day so that online learners see every price relative, but trades only on
 *   rebalancing days; on other days the weights drift.
 * - A hindsight strategy (bcrp, beststock) is given the whole test window up front through `future`; it is
 *   marked in every table and is the only kind exempt from the look-ahead test.
 */
import type { SentimentInput } from '../agents/mpls/sentiment';
import type { PriceMatrix } from '../market/prices';
import type { LearnedGroup } from '../../src-shared/domain/strategyGroups';
import type { StrategyInstance } from '../market/decision';

// the daily decision is the engine's side of the interface, so it lives with the engine (market/decision.ts, with
// usingInstance, which ends an instance)
export type { StrategyDecision, StrategyInstance } from '../market/decision';

export interface StrategyContext {
  /** the full price matrix; strategies must read it only through views (see MarketView) */
  prices: PriceMatrix;
  /** index of the last training day (inclusive); -1 when there is no training window */
  trainEnd: number;
  /** index of the first training day */
  trainStart: number;
  /** index of the first test day (decisions start at its close) */
  testStart: number;
  /** index of the last test day */
  testEnd: number;
  seed: number;
  /** validated parameters of the strategy */
  params: Record<string, unknown>;
  /** progress reporting for long fits (training) */
  progress?: (p: { fraction: number; message: string; figures?: Record<string, number> }) => void;
  signal?: AbortSignal;
  /** only for hindsight strategies: relatives over the test window, known in advance */
  future?: Float64Array[];
  /**
   * The stored news of `prices.universe`, as MPLS's sentiment module reads them (every scored row, with the counts
   * of all rows and of unscored ones); read on the first call. Whoever starts the run and has the data gives it
   * (the backtest: from its database, a universe without stored news giving none); absent when the run has no
   * news to read, and the strategy then runs without them and says so.
   */
  news?: () => SentimentInput;
  /**
   * The stored closes of the database's universes, for strategies that read other series as inputs (the learned
   * three-level Level 1's macro series: a universe of rates, spreads or index levels, one ticker a series). Whoever
   * starts the run and has a database gives it (the backtest: backtest/models.ts runSeries, each universe read on its
   * first use and kept for the backtest); absent when the run has no database. A strategy reading it must read a
   * series only up to the date of the day it decides on: the matrix holds the whole stored history.
   */
  series?: SeriesReader;
}

/** StrategyContext.series: another universe's stored closes by id, and the ids there are. */
export interface SeriesReader {
  /** the universe's price matrix (store/prices.ts loadPriceMatrix), undefined when the database does not hold it */
  read(universe: string): PriceMatrix | undefined;
  /** the ids of the universes the database holds, for an error naming the choices */
  universes(): string[];
}

export interface StrategyParamSpec {
  name: string;
  description: string;
  default: number | string | boolean;
  min?: number;
  max?: number;
  choices?: string[];
}

export interface StrategyDef {
  id: string;
  label: string;
  /** one paragraph: the published definition this implements, with its reference */
  description: string;
  family: 'benchmark' | 'classic' | 'online' | 'learning';
  /** a learned strategy's group in the desk's picker (src-shared/domain/strategyGroups.ts); every learned one has one */
  group?: LearnedGroup;
  hindsight: boolean;
  params: StrategyParamSpec[];
  create(ctx: StrategyContext): StrategyInstance | Promise<StrategyInstance>;
}

/**
 * A learned strategy's decision opened for explanation (explain/agents.ts forms players from it and runs SHAP):
 * the decision's input, background inputs from the training window, and a batch evaluator of the agents.
 */
export interface ExplainablePolicy {
  tickers: string[];
  /** features per asset (L time steps), layout [asset * L + step], oldest step first */
  window: number;
  /** agents this policy has and which assets each may hold (mask) */
  agents: { name: string; mask: boolean[] }[];
  /** the decision's input */
  x: Float64Array;
  /** reference inputs from the training window */
  background: Float64Array[];
  /** outputs (weights over all assets) of every agent for a batch of inputs */
  evaluate(rows: Float64Array[]): Record<string, Float64Array[]>;
}
