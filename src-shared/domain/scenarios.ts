/**
 * The sector scenarios of the HADAPS paper (seed 001), chosen per walk-forward window from its training days
 * (src-main/market/scenarios.ts): `volatile-sectors` trades the two sectors whose members were the most volatile,
 * `calm-sectors` the two least volatile, up to five stocks from each; cash is always there besides.
 * Plain constants (no zod), so the desk's backtest form can list them; runConfig.ts builds the stored schema on them.
 */
export const SCENARIO_NAMES = ['volatile-sectors', 'calm-sectors'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
/** How many sectors a scenario takes. */
export const SCENARIO_SECTORS = 2;
/** How many stocks a scenario takes from each of its sectors at most (a smaller sector gives all it has). */
export const SCENARIO_STOCKS_PER_SECTOR = 5;
/** What each scenario trades, in a reader's words. */
export const SCENARIO_DESCRIPTIONS: Record<ScenarioName, string> = {
  'volatile-sectors': `the ${SCENARIO_SECTORS} sectors whose stocks were the most volatile over the training days, up to ${SCENARIO_STOCKS_PER_SECTOR} stocks each (the most volatile of a larger sector), and cash`,
  'calm-sectors': `the ${SCENARIO_SECTORS} sectors whose stocks were the least volatile over the training days, up to ${SCENARIO_STOCKS_PER_SECTOR} stocks each (the calmest of a larger sector), and cash`,
};
