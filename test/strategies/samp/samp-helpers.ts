/** Shared fixtures of the samp-*.test.ts files: a tiny SAMP-HDRL config and a small train/test split. */
import { MarketView } from '../../../src-main/market/view';
import type { PriceMatrix } from '../../../src-main/market/prices';
import type { StrategyDecision, StrategyInstance } from '../../../src-main/strategies/types';
import { sampStrategies } from '../../../src-main/strategies/samp';

/**
 * A tiny SAMP config for tests (small nets, one episode per stage, short logic windows, a 20-day validation period
 * at the end of the 80-day training window, no no-trade band so the fusion identity holds exactly).
 */
export const TINY_OVERRIDES = JSON.stringify({
  window: 8,
  volatilityWindow: 20,
  validationDays: 20,
  noTradeBand: 0,
  minHistory: 40,
  upper: { dModel: 8, heads: 2, layers: 1, ffHidden: 8 },
  lower: { channels: 4, kernel: 5, smallKernel: 3, sparseTaps: 3, sparseDilation: 2, headHidden: 8 },
  critic: { hidden: 8 },
  ddpg: { batchSize: 8, warmup: 16, updateEvery: 4, bufferSize: 500 },
  stage1Episodes: 1,
  stage2Episodes: 1,
  flatEpisodes: 1,
  grouping: { lookback: 30 },
  utility: { window: 30, momentumWindow: 10 },
  rebound: { historyDays: 60 },
});

export const CTX = { trainStart: 120, trainEnd: 199, testStart: 200, testEnd: 299, seed: 3 };

export async function createVariant(
  id: string,
  prices: PriceMatrix,
  extra: Record<string, unknown> = {},
): Promise<StrategyInstance> {
  const def = sampStrategies.find((d) => d.id === id)!;
  const params: Record<string, unknown> = { overrides: TINY_OVERRIDES, ...extra };
  if (def.params.some((p) => p.name === 'regroupEvery')) params.regroupEvery = 30;
  return def.create({ prices, ...CTX, params });
}

export function decideAll(
  inst: StrategyInstance,
  prices: PriceMatrix,
  from = CTX.testStart,
  to = CTX.testEnd,
): StrategyDecision[] {
  const out: StrategyDecision[] = [];
  for (let t = from; t <= to; t++) out.push(inst.decide(new MarketView(prices, t)) as StrategyDecision);
  return out;
}
