/**
 * A run's config: every setting a backtest run used, as src-main/backtest/run.ts writes it into `runs.config`
 * and as the store, the contract (runs.get), the reports and the desk read it back. One schema for the writer
 * (typed with its z.input) and every reader (its z.output): no reader guesses a field's type.
 *
 * Which of these fields make runs the same experiment is settings.ts's business; this file only says what a
 * config holds. Values are stored as JSON, so a missing optional value is null, never undefined.
 */
import { z } from 'zod';

/** A calendar day as stored everywhere: YYYY-MM-DD. */
export const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** The named walk-forward protocols (their windows: src-main/market/walkforward.ts). */
export const PROTOCOL_NAMES = ['samp', 'rolling', 'hadaps', 'mpls'] as const;
export const RunProtocol = z.enum(PROTOCOL_NAMES);
export type RunProtocol = z.infer<typeof RunProtocol>;

/** Rebalancing: every day, every week, or every N trading days. */
export const RunRebalance = z.union([z.enum(['daily', 'weekly']), z.number().int().min(1)]);
export type RunRebalance = z.infer<typeof RunRebalance>;

/** A strategy parameter's value, after the registry resolved it. */
export const ParamValue = z.union([z.number(), z.string(), z.boolean()]);

/** The windows of one run: its test window, the training window before it and, for mpls, the validation part. */
export const RunWindowConfig = z.object({
  /** short label: "1998", "1993-01", "test", "1999-01-04..1999-12-31" */
  label: z.string(),
  from: IsoDay,
  to: IsoDay,
  trainFrom: IsoDay.nullable(),
  trainTo: IsoDay.nullable(),
  validationFrom: IsoDay.nullable(),
  validationTo: IsoDay.nullable(),
  /** the data held less training history than the protocol asks for */
  trainTruncated: z.boolean(),
});

export const RunConfig = z.object({
  universe: z.string(),
  /** the assets in the order of every stored weight vector */
  tickers: z.array(z.string()),
  strategy: z.string(),
  /** the strategy's resolved parameters (defaults filled in) */
  params: z.record(z.string(), ParamValue),
  seed: z.number().int(),
  /** null for an explicit window */
  protocol: RunProtocol.nullable(),
  window: RunWindowConfig,
  /** training days before an explicit window; null under a protocol */
  lookback: z.number().int().nullable(),
  /** proportional cost per unit traded */
  cost: z.number(),
  rebalance: RunRebalance,
  /** annual risk-free rate */
  riskFreeRate: z.number(),
  /** the request's preset (it reaches a strategy through its params only); null when none was asked */
  preset: z.string().nullable(),
  /** mean daily L1 distance from equal weight under which the run is flagged close to equal weight */
  ewThreshold: z.number(),
});
/** A run's config as read back (the schema's output). */
export type RunConfig = z.output<typeof RunConfig>;
/** A run's config as the backtest writes it (the schema's input). */
export type RunConfigInput = z.input<typeof RunConfig>;
