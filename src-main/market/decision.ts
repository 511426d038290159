/**
 * What the engine (simulate.ts) asks of a strategy each day and what it gets back. The strategy side of the
 * interface (definitions, context, parameters) is strategies/types.ts, which builds on these two.
 */
import type { DecisionDetailInput } from '../../src-shared/domain/decision';
import type { MarketView } from './view';

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
