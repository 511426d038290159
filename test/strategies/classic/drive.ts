/** Test helpers for the classic baselines: build a StrategyContext and drive a strategy day by day without the engine. */
import { MarketView } from '../../../src-main/market/view';
import { priceRelatives, type PriceMatrix } from '../../../src-main/market/prices';
import type { StrategyContext, StrategyDecision, StrategyDef } from '../../../src-main/strategies/types';

export function makeCtx(
  m: PriceMatrix,
  opts: {
    params?: Record<string, unknown>;
    testStart?: number;
    testEnd?: number;
    seed?: number;
    hindsight?: boolean;
  } = {},
): StrategyContext {
  const testStart = opts.testStart ?? 0;
  const testEnd = opts.testEnd ?? m.dates.length - 1;
  const ctx: StrategyContext = {
    prices: m,
    trainStart: 0,
    trainEnd: testStart - 1,
    testStart,
    testEnd,
    seed: opts.seed ?? 7,
    params: opts.params ?? {},
  };
  if (opts.hindsight) ctx.future = priceRelatives(m).slice(testStart + 1, testEnd + 1);
  return ctx;
}

export function weightsOf(d: Float64Array | StrategyDecision): Float64Array {
  return d instanceof Float64Array ? d : d.weights;
}

/**
 * Create `def` and call decide at every close testStart..to (default testEnd - 1), as the engine does.
 * Gives the weights of each decision, in order.
 */
export async function drive(
  def: StrategyDef,
  m: PriceMatrix,
  opts: { params?: Record<string, unknown>; testStart?: number; testEnd?: number; to?: number; seed?: number } = {},
): Promise<Float64Array[]> {
  const ctx = makeCtx(m, { ...opts, hindsight: def.hindsight });
  const inst = await def.create(ctx);
  const out: Float64Array[] = [];
  const to = opts.to ?? ctx.testEnd - 1;
  for (let t = ctx.testStart; t <= to; t++) out.push(Float64Array.from(weightsOf(inst.decide(new MarketView(m, t)))));
  return out;
}
