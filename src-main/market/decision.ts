/**
 * What the engine (simulate.ts) asks of a strategy each day and what it gets back, and how a caller that created an
 * instance ends it. The strategy side of the interface (definitions, context, parameters) is strategies/types.ts,
 * which builds on these two.
 *
 * Ending an instance: a learned strategy opens ONNX Runtime sessions when it is created (its policy, MPLS's modules),
 * native memory that no garbage collector frees. Whoever creates an instance runs it through {@link usingInstance},
 * which calls its `dispose` once the caller is done with it, whether the run completed, failed or was cancelled.
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
  /**
   * Release what the instance holds (ONNX Runtime sessions). Called once, after the last decide, whatever way the
   * run ended; decide is not called after it. Instances that hold nothing native leave it out. A strategy whose
   * `create` fails releases what it had opened itself: the caller never gets an instance to dispose.
   */
  dispose?(): void | Promise<void>;
}

/**
 * Run `use` with an instance, then dispose of it (see the file overview). When `use` throws, its error is the one
 * that propagates (a failure to release after it would only hide why the run failed); when it returns, a failure
 * to release fails the call, so a leak is never silent.
 */
export async function usingInstance<T>(
  inst: StrategyInstance,
  use: (inst: StrategyInstance) => T | Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await use(inst);
  } catch (e) {
    try {
      await inst.dispose?.();
    } catch {
      // the run's own error says what went wrong; see the doc comment
    }
    throw e;
  }
  await inst.dispose?.();
  return result;
}
