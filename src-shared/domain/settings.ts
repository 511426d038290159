/**
 * Which runs are "the same experiment": the one definition used to group runs into seeds (the desk's Backtests
 * view through the runs.list settingsKey, the reports' metrics rows and tear-sheet groups) and to find the
 * equal-weight runs a learning strategy is compared with.
 *
 * A run's config (written by src-main/backtest/run.ts) is split three ways:
 * - the MARKET: universe, tickers, sector scenario (its name), protocol, lookback, cost, the spread-and-impact
 *   model (null without it), rebalance, riskFreeRate — the data, the walk-forward set-up and the trading terms. Two strategies are only compared (equal-weight
 *   verdict) on the same market.
 * - the SETTINGS: the strategy id (a variant such as 'samp-hdrl/no-dc' is its own id), its resolved params (the
 *   preset included, for the strategies that take one) and the market. A scenario chooses its tickers anew in
 *   every window, so under a scenario the settings hold its name and not the tickers: the windows of one scenario
 *   run are one setting even when the chosen stocks change from window to window.
 * - the EXPERIMENT: the settings and the test window. Runs of one experiment differ by their seed only; they are
 *   the runs a mean ± std is taken over.
 *
 * Left out on purpose: the seed (what an experiment varies); the request's top-level `preset` (it reaches a
 * strategy only through its params, so a baseline run with --preset quick is the same experiment as one
 * without); `ewThreshold` (it only decides the close-to-equal-weight flag, not a weight or a figure); the train
 * and validation dates and the window label (they follow from the protocol or lookback, the test window and the
 * data). Values are compared as stored (missing = null); objects compare by content, whatever their key order.
 */

/** The config fields that make up a run's market (see the file overview). */
export const MARKET_FIELDS = [
  'universe',
  'tickers',
  'protocol',
  'lookback',
  'cost',
  'impact',
  'rebalance',
  'riskFreeRate',
] as const;

/** What the keys below need of a run (a stored run row or the contract's run summary with its config). */
export interface RunSettingsSource {
  strategy: string;
  config: Readonly<Record<string, unknown>>;
}

/** JSON with the keys of every object sorted, so equal content gives equal text; undefined becomes null. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

/** The name of the sector scenario a config traded (runConfig.ts RunScenario), or null for the whole universe. */
export function scenarioName(config: Readonly<Record<string, unknown>>): string | null {
  const s = config.scenario;
  if (s && typeof s === 'object' && 'name' in s && typeof s.name === 'string') return s.name;
  return null;
}

/**
 * A config's market. `inWindow` = compared within one test window: the tickers always count. Across windows a
 * scenario's tickers are left out (the scenario chose them for that window; its name stands for them).
 */
function market(config: Readonly<Record<string, unknown>>, inWindow: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of MARKET_FIELDS) out[f] = config[f] ?? null;
  const scenario = scenarioName(config);
  out.scenario = scenario;
  if (scenario !== null && !inWindow) out.tickers = null;
  return out;
}

/**
 * Identity of a run's market within its test window: equal for runs that traded the same data on the same terms.
 * Every caller compares runs of one test window.
 */
export function marketIdentity(config: Readonly<Record<string, unknown>>): string {
  return canonicalJson(market(config, true));
}

/** Identity of a run's settings: strategy, params and market (every window). */
export function settingsIdentity(run: RunSettingsSource): string {
  return canonicalJson({
    strategy: run.strategy,
    params: run.config.params ?? null,
    market: market(run.config, false),
  });
}

/**
 * Identity of a run's experiment: its settings and test window (and, under a scenario, the tickers it chose
 * there). Runs sharing it are seeds of one experiment.
 */
export function experimentIdentity(run: RunSettingsSource & { windowFrom: string; windowTo: string }): string {
  const tickers = scenarioName(run.config) !== null ? `|${canonicalJson(run.config.tickers)}` : '';
  return `${settingsIdentity(run)}|${run.windowFrom}|${run.windowTo}${tickers}`;
}

/** Runs of one key, one per seed. */
export interface SeedGroup<R> {
  key: string;
  /** one run per seed, in the order given */
  runs: R[];
  /** further runs of a seed already in `runs` (repeats of the same experiment and seed), left out of the figures */
  repeats: R[];
}

/**
 * Runs grouped by `keyOf`, each seed counted once: the first run of a seed in the given order stands for it and
 * later ones are repeats (callers pass the runs newest first, or the run a report is about first). Groups come in
 * the order of their first run.
 */
export function groupSeeds<R extends { seed: number }>(runs: readonly R[], keyOf: (r: R) => string): SeedGroup<R>[] {
  const groups = new Map<string, SeedGroup<R>>();
  for (const r of runs) {
    const key = keyOf(r);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, runs: [], repeats: [] }));
    if (g.runs.some((x) => x.seed === r.seed)) g.repeats.push(r);
    else g.runs.push(r);
  }
  return [...groups.values()];
}
