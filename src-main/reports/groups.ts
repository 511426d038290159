/**
 * The runs a report covers, read and grouped the same way for both report kinds (docs/architecture.md "Reports"):
 * a run must exist and be complete; runs are grouped into experiments and seeds by src-shared/domain/settings.ts
 * (one run per seed: the report's own run for its seed, else the newest), each group named as ./names.ts says and
 * summarised as one metrics row (mean ± std over its seeds by src-shared/domain/stats.ts), its lowest seed giving
 * the curves. Every database read goes through src-main/store; nothing here writes.
 */
import { MAX_REPORT_RUNS } from '../../src-shared/contract/reports';
import { EQUAL_WEIGHT_IDS, experimentIdentity, groupSeeds, meanStd } from '../../src-shared/domain';
import type { DB } from '../store/db';
import { getUniverse, loadPriceMatrix, UnknownUniverseError, type UniverseRow } from '../store/prices';
import { getRun, getRunDays, listRuns, type RunRow } from '../store/runs';
import { listStrategies } from '../strategies/registry';
import { METRIC_NAMES } from '../metrics';
import { indexAtOrAfter, type PriceMatrix } from '../market/prices';
import { fitName, settingsDiff, shortLabel, windowLabel } from './names';
import type { MetricStat, MetricsRow, ReportSeries } from './model';

/** Strategies that hold (near) equal weights, the reference first (src-shared/domain/verdict.ts). */
export const EQUAL_WEIGHT_BASELINES = EQUAL_WEIGHT_IDS;
/** Most runs one backtest report takes (the contract's bound). */
export const REPORT_MAX_RUNS = MAX_REPORT_RUNS;
/** Runs read when looking for the baselines of a window (newest first). */
const PEER_SCAN_LIMIT = 5000;
/** The flag backtest/run.ts writes for a policy that stays near 1/N. */
export const FLAG_CLOSE_TO_EW = 'close-to-equal-weight';

/** Why a report cannot be built: 'not-found' (unknown run, no weights that day) or 'invalid' (bad combination). */
export class ReportInputError extends Error {
  constructor(
    readonly kind: 'not-found' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ReportInputError';
  }
}

/** Options of the builders. */
export interface BuildOptions {
  /** timestamp written as generatedAt (default: now) */
  now?: Date;
}

/** What a report shows of a strategy: its label, family, whether it uses future prices, and its registry rank. */
export interface StrategyMeta {
  label: string;
  family: string;
  hindsight: boolean;
  order: number;
}

/** Every registered strategy's {@link StrategyMeta}, by id. */
export async function strategyMeta(): Promise<Map<string, StrategyMeta>> {
  const all = await listStrategies();
  return new Map(all.map((s, i) => [s.id, { label: s.label, family: s.family, hindsight: s.hindsight, order: i }]));
}
/** A strategy's meta, or a stand-in for an id the registry no longer has (ranked last). */
export function metaOf(meta: Map<string, StrategyMeta>, id: string): StrategyMeta {
  return meta.get(id) ?? { label: id, family: 'unknown', hindsight: false, order: Number.MAX_SAFE_INTEGER };
}

/** The universe of a report. @throws ReportInputError when the id names none */
export function reportUniverse(db: DB, id: string): UniverseRow {
  const u = getUniverse(db, id);
  if (!u) throw new ReportInputError('not-found', `universe ${id} not found`);
  return u;
}

/** The data-source line of a report's header: where the prices came from and when they were loaded. */
export function sourceLine(u: { source: string; createdAt: string }): string {
  const src = u.source.trim() || 'source not recorded';
  return `${src} (loaded ${u.createdAt.slice(0, 10)})`;
}

/** The universe's prices up to a date (nothing later is read). @throws ReportInputError for an unknown universe */
export function prices(db: DB, universe: string, to: string): PriceMatrix {
  try {
    return loadPriceMatrix(db, universe, { to });
  } catch (e) {
    if (e instanceof UnknownUniverseError) throw new ReportInputError('not-found', e.message);
    throw e;
  }
}

/** A run that exists and is complete. @throws ReportInputError otherwise */
export function completeRun(db: DB, id: string): RunRow {
  const r = getRun(db, id);
  if (!r) throw new ReportInputError('not-found', `run ${id} not found`);
  if (r.status !== 'complete')
    throw new ReportInputError('invalid', `run ${id} is ${r.status}; only complete runs have reports`);
  return r;
}

/** Mean and sample standard deviation of a metric over seeds, by the rule of src-shared/domain/stats.ts. */
export function metricStat(values: readonly number[]): MetricStat {
  const { mean, std } = meanStd(values);
  return { mean, std };
}

/** The metrics of METRIC_NAMES a group of runs has, as mean ± std over the runs. */
function metricsOf(runs: readonly RunRow[], stored: Map<string, Record<string, number>>): Record<string, MetricStat> {
  const out: Record<string, MetricStat> = {};
  for (const k of METRIC_NAMES) {
    const vals = runs.map((r) => stored.get(r.id)?.[k]).filter((v): v is number => v !== undefined);
    if (vals.length) out[k] = metricStat(vals); // a NaN (undefined) value is left out, not spread to the mean
  }
  return out;
}

/** Runs that are seeds of one experiment (same settings, same test window), one run per seed. */
export interface RunGroup {
  key: string;
  strategy: string;
  meta: StrategyMeta;
  runs: RunRow[];
  /** lowest seed */
  rep: RunRow;
  name: string;
}

/** Newest first (the order in which a repeated seed is represented by its latest run). */
export const newestFirst = (a: RunRow, b: RunRow) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id);

/**
 * Runs grouped into experiments by src-shared/domain/settings.ts, each seed once: `runs` come in order of
 * preference (the report's own run first, then newest first), so an older repeat of a seed is left out.
 */
export function groupRuns(runs: readonly RunRow[], meta: Map<string, StrategyMeta>): RunGroup[] {
  const groups: RunGroup[] = groupSeeds(runs, experimentIdentity).map(({ key, runs: rs }) => {
    const sorted = [...rs].sort(
      (a, b) => a.seed - b.seed || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    );
    const m = metaOf(meta, sorted[0]!.strategy);
    return { key, strategy: sorted[0]!.strategy, meta: m, runs: sorted, rep: sorted[0]!, name: shortLabel(m.label) };
  });
  groups.sort(
    (a, b) =>
      a.meta.order - b.meta.order ||
      a.strategy.localeCompare(b.strategy) ||
      a.rep.windowFrom.localeCompare(b.rep.windowFrom) ||
      a.key.localeCompare(b.key),
  );
  // names must be unique (they key the series and the per-run tables)
  const windows = new Set(groups.map((g) => `${g.rep.windowFrom}|${g.rep.windowTo}`));
  if (windows.size > 1) {
    // compact windows unless two different windows would read the same
    const compact = new Set(groups.map((g) => windowLabel(g.rep, false)));
    const full = compact.size < windows.size;
    for (const g of groups) g.name = fitName(g.name, ` ${windowLabel(g.rep, full)}`, g.meta.label);
  }
  const first = new Map<string, RunGroup>();
  const count = new Map<string, number>();
  for (const g of groups) {
    const f = first.get(g.name);
    if (!f) {
      first.set(g.name, g);
      continue;
    }
    const k = (count.get(g.name) ?? 1) + 1;
    count.set(g.name, k);
    g.name = fitName(g.name, ` (${settingsDiff(f.rep, g.rep) || `settings ${k}`})`, g.meta.label);
  }
  return groups;
}

/** One metrics row: a group of seeds as mean ± std of each metric, with its marks. */
export function metricsRow(
  name: string,
  runs: readonly RunRow[],
  stored: Map<string, Record<string, number>>,
): MetricsRow {
  return {
    strategy: name,
    hindsight: runs.some((r) => r.hindsight),
    closeToEqualWeight: runs.some((r) => r.flags.includes(FLAG_CLOSE_TO_EW)),
    seeds: runs.length,
    metrics: metricsOf(runs, stored),
  };
}

/**
 * Value series of a run, growth of 1: the stored values, preceded by 1 on the trading day before the window
 * (the value before the first test day, so the first day's return, the initial purchase cost, is part of the
 * curve, its drawdowns and its calendar returns, as it is part of the stored metrics).
 * @param calendar the universe's price dates (ascending), to find the day before the window
 */
export function equitySeries(db: DB, r: RunRow, name: string, calendar: readonly string[]): ReportSeries {
  const d = getRunDays(db, r.id);
  const dates = d.dates.slice();
  const values = d.value.slice();
  const i = dates.length ? indexAtOrAfter(calendar, dates[0]!) : -1;
  if (i > 0) {
    dates.unshift(calendar[i - 1]!);
    values.unshift(1);
  }
  return { name, dates, values, ...(r.hindsight ? { hindsight: true } : {}) };
}

/** The run's config for display: the ticker list as one comma-separated line instead of a JSON array. */
export function configForDisplay(r: RunRow): Record<string, unknown> {
  const t = r.config.tickers;
  return { ...r.config, tickers: `${t.length} assets: ${t.join(', ')}` };
}

/** Every complete run of the universe on exactly this test window. */
export function windowPeers(db: DB, r: Pick<RunRow, 'universe' | 'windowFrom' | 'windowTo'>): RunRow[] {
  return listRuns(db, { universe: r.universe, status: 'complete', limit: PEER_SCAN_LIMIT }).filter(
    (x) => x.windowFrom === r.windowFrom && x.windowTo === r.windowTo,
  );
}
