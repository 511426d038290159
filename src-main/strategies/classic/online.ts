/**
 * The driving loop shared by the online (follow-the-winner / follow-the-loser / pattern-matching) baselines.
 *
 * Protocol (src-main/strategies/types.ts): the engine calls decide(view) at the close of every test day in order.
 * On the first call an online learner holds the uniform portfolio b_1 (or its own start). On each later call at
 * day t it reads the newest price relative x_t = close_t / close_{t-1} — the outcome of the portfolio it chose
 * the day before — updates, and returns b_{t+1}. If the engine skips days, the learner catches up by replaying
 * every missed relative in order (each with a view truncated at that day, so no look-ahead). A repeated call at
 * the same day returns the same weights; a call at an earlier day is an error.
 */
import type { MarketView } from '../../market/view';
import type { StrategyDecision, StrategyInstance } from '../types';
import type { ClassicDecisionDetailInput } from '../../../src-shared/domain/decision';
import { finalizeWeights, uniformWeights } from './simplex';

export interface OnlineLearner {
  /** portfolio chosen at the close of the first decision day (default: uniform) */
  start?(view: MarketView): Float64Array;
  /**
   * Observe x = view.relatives(view.t) (the newest relative, already computed) and return the next portfolio.
   * `view` can read rows 0..t only.
   */
  step(view: MarketView, x: Float64Array): Float64Array;
  /** optional extras for the decision (shown to the user) */
  detail?(): ClassicDecisionDetailInput | undefined;
}

/** Wrap an OnlineLearner as a StrategyInstance (see the protocol above). `who` names the strategy in errors. */
export function runOnline(learner: OnlineLearner, who: string): StrategyInstance {
  let last = -1;
  let current: Float64Array | undefined;
  return {
    decide(view: MarketView): Float64Array | StrategyDecision {
      if (current === undefined) {
        current = finalizeWeights(learner.start ? learner.start(view) : uniformWeights(view.nAssets), who);
        last = view.t;
      } else if (view.t < last) {
        throw new RangeError(
          `${who}: decide called for day ${view.t} after day ${last}; an online learner moves forward only`,
        );
      } else {
        for (let d = last + 1; d <= view.t; d++) {
          const v = d === view.t ? view : view.at(d);
          current = finalizeWeights(learner.step(v, v.relatives(d)), who);
        }
        last = view.t;
      }
      const detail = learner.detail?.();
      const weights = Float64Array.from(current);
      return detail ? { weights, detail } : weights;
    },
  };
}
