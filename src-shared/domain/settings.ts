/**
 * Which runs are "the same experiment": the one definition used to group runs into seeds (the desk's Backtests
 * view through the runs.list settingsKey, the reports' metrics rows and tear-sheet groups) and to find the
 * equal-weight runs a learning strategy is compared with.
 *
 * A run's config (written by src-main/backtest/run.ts) is split three ways:
 * - the MARKET: universe, tickers, protocol, lookback, cost, rebalance, riskFreeRate — the data, the walk-forward
 *   set-up and the trading terms. Two strategies are only compared (equal-weight verdict) on the same market.
 * - the SETTINGS: the strategy id (a variant such as 'samp-hdrl/no-dc' is its own id), its resolved params (the
 *   preset included, for the strategies that take one) and the market.
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

function market(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of MARKET_FIELDS) out[f] = config[f] ?? null;
  return out;
}

/** Identity of a run's market: equal for runs that traded the same data on the same terms. */
export function marketIdentity(config: Readonly<Record<string, unknown>>): string {
  return canonicalJson(market(config));
}

/** Identity of a run's settings: strategy, params and market (every window). */
export function settingsIdentity(run: RunSettingsSource): string {
  return canonicalJson({ strategy: run.strategy, params: run.config.params ?? null, market: market(run.config) });
}

/** Identity of a run's experiment: its settings and test window. Runs sharing it are seeds of one experiment. */
export function experimentIdentity(run: RunSettingsSource & { windowFrom: string; windowTo: string }): string {
  return `${settingsIdentity(run)}|${run.windowFrom}|${run.windowTo}`;
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
