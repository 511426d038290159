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
import type { MarketView } from '../market/view';
import type { PriceMatrix } from '../market/prices';
import type { DecisionDetailInput } from '../../src-shared/domain/decision';

export interface StrategyDecision {
  /** target weights over the risky assets, >= 0, sum <= 1 (rest is cash) */
  weights: Float64Array;
  /** per-agent weights for hierarchical strategies (e.g. upper, lower1, lower2), same length as weights */
  agents?: Record<string, Float64Array>;
  /** what the strategy records about this decision, shown to the user (src-shared/domain/decision.ts: one shape per family) */
  detail?: DecisionDetailInput;
}

export interface StrategyInstance {
  decide(view: MarketView): Float64Array | StrategyDecision;
}

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
  hindsight: boolean;
  params: StrategyParamSpec[];
  create(ctx: StrategyContext): StrategyInstance | Promise<StrategyInstance>;
}
