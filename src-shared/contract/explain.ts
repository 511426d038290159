/**
 * Market regimes and explanations: regime labels of a universe's equal-weight index with a volatility forecast,
 * and (per run) rebound flags, concentration and per-agent attributions.
 */
import { z } from 'zod';
import { Id, IsoDate, method } from './define';

export const TrendRegime = z.enum(['bull', 'bear', 'sideways']);
export const VolRegime = z.enum(['calm', 'normal', 'stressed']);

export const RegimesRequest = z.object({ universe: Id, from: IsoDate.optional(), to: IsoDate.optional() }).strict();
export const RegimesResponse = z.object({
  universe: Id,
  dates: z.array(IsoDate),
  /** equal-weight index, 1 on the first date */
  index: z.array(z.number()),
  trend: z.array(TrendRegime),
  volatility: z.array(VolRegime),
  changes: z.array(z.object({ date: IsoDate, kind: z.enum(['trend', 'vol']), from: z.string(), to: z.string() })),
  /** one-day-ahead volatility forecast of the index, annualised, with its uncertainty band (null until enough history) */
  volForecast: z.object({
    model: z.string(),
    sigma: z.array(z.number().nullable()),
    lower: z.array(z.number().nullable()),
    upper: z.array(z.number().nullable()),
    realised: z.array(z.number().nullable()),
    garch: z.object({ omega: z.number(), alpha: z.number(), beta: z.number(), fitFrom: IsoDate, fitTo: IsoDate }),
  }),
  shares: z.object({ trend: z.record(z.string(), z.number()), volatility: z.record(z.string(), z.number()) }),
  /** the documented rules, for the view's legend */
  rules: z.array(z.string()),
});
export type RegimesResponse = z.infer<typeof RegimesResponse>;

export const explainMethods = {
  'market.regimes': method('Trend and volatility regimes of a universe\'s equal-weight index, with a volatility forecast band', RegimesRequest, RegimesResponse),
};
