/**
 * A run's config: every setting a backtest run used, as src-main/backtest/run.ts writes it into `runs.config`
 * and as the store, the contract (runs.get), the reports and the desk read it back. One schema for the writer
 * (typed with its z.input) and every reader (its z.output): no reader guesses a field's type.
 *
 * Which of these fields make runs the same experiment is settings.ts's business; this file only says what a
 * config holds. Values are stored as JSON, so a missing optional value is null, never undefined.
 */
import { z } from 'zod';
import { SCENARIO_NAMES } from './scenarios';

/** A calendar day as stored everywhere: YYYY-MM-DD. */
export const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** The named walk-forward protocols (their windows: src-main/market/walkforward.ts). */
export const PROTOCOL_NAMES = ['samp', 'rolling', 'hadaps', 'mpls'] as const;
export const RunProtocol = z.enum(PROTOCOL_NAMES);
export type RunProtocol = z.infer<typeof RunProtocol>;

/** A sector scenario's name (scenarios.ts: what each trades). */
export const RunScenarioName = z.enum(SCENARIO_NAMES);
export type RunScenarioName = z.infer<typeof RunScenarioName>;

/** One sector a scenario took in one window. */
export const RunScenarioSector = z.object({
  sector: z.string(),
  /** mean over the sector's members of their annualised volatility of daily returns over the training days */
  volatility: z.number(),
  /** how many members the sector has in the universe (fewer than five: all of them are taken) */
  members: z.number().int(),
  /** the members taken, in the order they were picked (by volatility, see scenarios.ts) */
  tickers: z.array(z.string()),
});
export type RunScenarioSector = z.infer<typeof RunScenarioSector>;

/** Which scenario a run traded and what it chose in the run's window (its tickers are the config's `tickers`). */
export const RunScenario = z.object({
  name: RunScenarioName,
  /** the sectors taken, the most volatile first for volatile-sectors, the calmest first for calm-sectors */
  sectors: z.array(RunScenarioSector),
});
export type RunScenario = z.infer<typeof RunScenario>;

/**
 * The execution-cost model beyond the proportional cost, as a run records it with every default filled in: a
 * half-spread and a square-root market impact charged on each trade (src-main/market/costs.ts says what each
 * setting means, its default and where that comes from). null in a config: the run paid the proportional cost only.
 */
export const RunImpact = z.object({
  /** half the bid-ask spread paid on every unit traded, basis points, for every asset without its own value */
  halfSpreadBp: z.number(),
  /** per-asset half-spreads in basis points, by ticker (empty: the one value above for all) */
  halfSpreadBpByTicker: z.record(z.string(), z.number()),
  /** k of the square-root law: impact = k x daily volatility x sqrt(traded value / average daily traded value) */
  impactK: z.number(),
  /** what the book is worth in the prices' currency at the start of the test window (impact depends on size) */
  bookValue: z.number(),
  /** trailing trading days over which the daily volatility and the average daily traded value are taken */
  window: z.number().int(),
  /** average daily traded value per asset, in the prices' currency, assumed where the data have no volume */
  advProxy: z.number(),
});
export type RunImpact = z.output<typeof RunImpact>;

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
  /** the assets in the order of every stored weight vector (under a scenario: the ones it chose for this window) */
  tickers: z.array(z.string()),
  /** the sector scenario that chose the tickers from the universe; null when the run traded the whole universe */
  scenario: RunScenario.nullable().default(null),
  strategy: z.string(),
  /** the strategy's resolved parameters (defaults filled in) */
  params: z.record(z.string(), ParamValue),
  seed: z.number().int(),
  /** null for an explicit window */
  protocol: RunProtocol.nullable(),
  window: RunWindowConfig,
  /** training days before an explicit window; null under a protocol */
  lookback: z.number().int().nullable(),
  /** proportional cost per unit traded (the commission) */
  cost: z.number(),
  /** the half-spread and market-impact model charged besides the commission; null when the run did without */
  impact: RunImpact.nullable().default(null),
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
