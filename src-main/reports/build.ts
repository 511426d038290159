/**
 * Fill the report models (./model) from the database (docs/architecture.md "Reports": an allocation
 * report for a date or a run, and a backtest tear sheet over chosen runs). The renderers never read the
 * database; everything a report shows is gathered here.
 *
 * Allocation report of run R at date d (default: R's last decision date)
 * - Weights: R's stored final target weights at d (store/runs.ts getRunWeightsAt), in the run's ticker order.
 * - Previous weights are the weights held after the close of the previous test day, DRIFTED with the price
 *   relatives of d (docs/backtest-conventions.md: w^drift = yesterday's weights after the day's price
 *   moves; market/simulate.ts "Drift"): w_drift,i = b_i x_i / g, g = sum_i b_i x_i + b_cash (1 + rf_d), with
 *   b the held weights of the previous test day (the 'held' agent of a run with non-daily rebalancing, else
 *   its final target), x_i = close_i(d) / close_i(d-1) and rf_d the daily risk-free rate of the run's config.
 *   On the first test day the portfolio comes from cash (previous risky weights 0, cash 1). So `trade` is the
 *   order the simulator placed at the close of d, and half the sum of |trade| over assets and cash is the
 *   one-way turnover stored for d (on rebalancing days). Only prices up to d are read.
 * - Groups: a run whose detail at d carries SAMP-HDRL groups ({high, ordinary} ticker lists) is grouped as the
 *   strategy grouped it, "High-quality" then "Ordinary"; any other run by sector (largest total first).
 *   Rows inside a group: largest target weight first.
 * - Regime at d: src-main/explain/regimes.ts labelRegimes over the universe's prices from the first stored
 *   date up to d (the same labels market.regimes gives for d: the labeller is causal).
 * - Rebound: the state the run recorded in its detail (`detail.rebound`, SAMP-HDRL step 5), else none.
 * - Agents: for each stored agent (upper, lower1, lower2, ...; not 'final' or 'held') the concentration of its
 *   risky weights at d (explain/concentration.ts: HHI of the renormalised weights and 1/HHI), and its top
 *   drivers when an explanation of (R, d, agent) is stored in the `explanations` table (none otherwise; the
 *   caveats then say they were not computed).
 * - Metrics: R first (one seed), then every other COMPLETE run of the same universe and the same test window,
 *   grouped into experiments and seeds by src-shared/domain/settings.ts (one run per seed: R for its own seed,
 *   else the newest; mean ± std over seeds by src-shared/domain/stats.ts; the group of R itself, R included,
 *   follows R when it has other seeds). Order: the registry's strategy order.
 * - Equal weight: a learning run's caveats give the verdict of src-shared/domain/verdict.ts for R's group of
 *   seeds against crp (else ubah) run on the same window and market: higher mean Sharpe AND higher mean
 *   cumulative return, and how many seeds beat it.
 * - Equity: R's value series, then the lowest seed of up to {@link REPORT_MAX_EQUITY_BASELINES} baseline
 *   groups (equal-weight baselines first). Drawdown: R's values against their running peak.
 * - Caveats: written from R's config and the comparison (see {@link allocationCaveats}).
 *
 * Backtest tear sheet over runs R1..Rk: the runs are grouped as above (experiment, one run per seed, the newest);
 * each group gives one metrics row (mean ± std over its seeds) and its lowest seed gives the curves, the
 * monthly / yearly returns, the worst drawdowns and the last target weights (previous weights drifted as above).
 *
 * Names: a row, a curve and the per-run tables share one name, the strategy's label shortened to fit a table
 * column ({@link shortLabel}, {@link fitName}), with ' · seed N' for the run of an allocation report, the test
 * window when the groups of a tear sheet cover several, and what differs ('weekly', 'cost 0.20%', 'eta=0.1')
 * when one strategy ran with several settings.
 *
 * Why this file is long: it is the one place that reads the database for a report, by design (the renderers
 * never do). The allocation report and the tear sheet share the run grouping, the drift of held weights and the
 * caveats, so they are built side by side.
 *
 * Why this file is long: it gathers everything both report kinds show from the database, so the renderers never query; each section's gathering is short, and there are many sections.
 */
import { MAX_REPORT_RUNS } from '../../src-shared/contract/reports';
import {
  EQUAL_WEIGHT_IDS,
  equalWeightReference,
  equalWeightVerdict as verdictOf,
  experimentIdentity,
  groupSeeds,
  marketIdentity,
  meanStd,
  type EqualWeightVerdict,
} from '../../src-shared/domain';
import { driftWeights, previousWeights, priceRelatives } from '../../src-shared/domain/portfolio';
import { reboundFlagSeries, sampDetail } from '../../src-shared/domain/decision';
import type { RunRebalance } from '../../src-shared/domain/runConfig';
import type { DB } from '../store/db';
import { loadPriceMatrix, UnknownUniverseError } from '../store/prices';
import {
  getRun,
  getRunDays,
  getRunMetrics,
  getRunWeightsAt,
  listRuns,
  type RunRow,
  type RunWeightsAt,
} from '../store/runs';
import { listStrategies } from '../strategies/registry';
import { labelRegimes } from '../explain/regimes';
import { getStoredExplanation } from '../explain/runExplain';
import { concentration } from '../explain/concentration';
import { dailyRate, METRIC_NAMES, TRADING_DAYS_PER_YEAR } from '../metrics';
import { indexAtOrAfter, type PriceMatrix } from '../market/prices';
import { groupVerdicts, reportAnalytics } from '../analytics/gather';
import { drawdownSeries, tearSheetParts } from './derive';
import { fixed, pct } from './format';
import type {
  AgentSummary,
  AllocationGroup,
  AllocationReportData,
  AllocationRow,
  BacktestReportData,
  DriverValue,
  MetricStat,
  MetricsRow,
  ReportRebound,
  ReportRegime,
  ReportSeries,
  RunHoldings,
} from './model';

/** Top drivers kept per agent from a stored explanation (largest |value| first). */
export const REPORT_TOP_DRIVERS = 10;
/** Baseline equity curves drawn beside the run in an allocation report (the metrics table lists all). */
export const REPORT_MAX_EQUITY_BASELINES = 6;
/** Strategies that hold (near) equal weights, the reference first (src-shared/domain/verdict.ts). */
export const EQUAL_WEIGHT_BASELINES = EQUAL_WEIGHT_IDS;
/** Most runs one backtest report takes (the contract's bound). */
export const REPORT_MAX_RUNS = MAX_REPORT_RUNS;
/** Runs read when looking for the baselines of a window (newest first). */
const PEER_SCAN_LIMIT = 5000;
/** Fewest price dates up to the report date for which a regime label is given (as market.regimes). */
export const REGIME_MIN_DATES = 30;
/** The flag backtest/run.ts writes for a policy that stays near 1/N. */
const FLAG_CLOSE_TO_EW = 'close-to-equal-weight';
/** Group names of SAMP-HDRL groupings. */
export const HIGH_GROUP = 'High-quality';
export const ORDINARY_GROUP = 'Ordinary';

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

// ---------------------------------------------------------------------------------------------------------
// shared pieces

interface StrategyMeta {
  label: string;
  family: string;
  hindsight: boolean;
  order: number;
}

async function strategyMeta(): Promise<Map<string, StrategyMeta>> {
  const all = await listStrategies();
  return new Map(all.map((s, i) => [s.id, { label: s.label, family: s.family, hindsight: s.hindsight, order: i }]));
}

/**
 * Longest strategy name the report tables keep whole (characters). The PDF metrics table's first column holds
 * about 38 characters of 7.5 pt bold Helvetica and cuts longer text with an ellipsis, after which the marks
 * (dagger, double dagger) still need room.
 */
export const REPORT_NAME_MAX = 36;
/** Labels longer than this are shortened by {@link shortLabel}. */
export const REPORT_LABEL_MAX = 29;

/**
 * A strategy label short enough for a table row: the label when at most {@link REPORT_LABEL_MAX} characters;
 * else without its trailing parenthesis ('Risk parity (equal risk contribution)' -> 'Risk parity') when that
 * is short enough; else the abbreviation in the parenthesis ('Passive Aggressive Mean Reversion (PAMR)' ->
 * 'PAMR'); else the label as it is.
 */
export function shortLabel(label: string): string {
  if (label.length <= REPORT_LABEL_MAX) return label;
  const m = /^(.*?)\s*\(([^()]*)\)$/.exec(label);
  if (!m) return label;
  if (m[1]!.length <= REPORT_LABEL_MAX && m[1]!.length > 0) return m[1]!;
  if (/^[A-Z][A-Z0-9-]*$/.test(m[2]!)) return m[2]!;
  return label;
}

/**
 * `base + suffix` within {@link REPORT_NAME_MAX} characters: as it is when it fits, else with the label's
 * abbreviation ('Uniform constant rebalanced (UCRP)' -> 'UCRP') as the base, else with the base cut (with an
 * ellipsis). The suffix (seed, window) is what tells two rows apart, so it is the part always kept.
 * @param label the strategy's full label, for its abbreviation
 */
export function fitName(base: string, suffix = '', label = base): string {
  if (base.length + suffix.length <= REPORT_NAME_MAX) return base + suffix;
  const abbr = /\(([A-Z][A-Z0-9-]*)\)$/.exec(label)?.[1];
  if (abbr && abbr.length + suffix.length <= REPORT_NAME_MAX) return abbr + suffix;
  const keep = Math.max(1, REPORT_NAME_MAX - suffix.length - 1);
  return `${base.slice(0, keep).trimEnd()}\u2026${suffix}`;
}

/** Compact window label: 'YYYY-MM..YYYY-MM', or the full dates when `full`. */
function windowLabel(r: RunRow, full: boolean): string {
  return full ? `${r.windowFrom}..${r.windowTo}` : `${r.windowFrom.slice(0, 7)}..${r.windowTo.slice(0, 7)}`;
}

function metaOf(meta: Map<string, StrategyMeta>, id: string): StrategyMeta {
  return meta.get(id) ?? { label: id, family: 'unknown', hindsight: false, order: Number.MAX_SAFE_INTEGER };
}

/** The run's rebalancing rule ('daily', 'weekly' or a number of trading days; every 1 day is 'daily'). */
function rebalanceOf(r: RunRow): RunRebalance {
  const v = r.config.rebalance;
  return v === 1 ? 'daily' : v;
}

/** A rebalancing rule in words. */
export function rebalanceWords(rule: RunRebalance): string {
  if (rule === 'daily' || rule === 1) return 'daily, at the close';
  if (rule === 'weekly') return 'weekly (every 5 trading days), at the close';
  return `every ${rule} trading days, at the close`;
}

function universeInfo(db: DB, id: string): { id: string; name: string; source: string; createdAt: string } {
  const u = db.prepare('SELECT id, name, source, created_at AS createdAt FROM universes WHERE id = ?').get(id) as
    { id: string; name: string; source: string; createdAt: string } | undefined;
  if (!u) throw new ReportInputError('not-found', `universe ${id} not found`);
  return u;
}

function sourceLine(u: { source: string; createdAt: string }): string {
  const src = u.source.trim() || 'source not recorded';
  return `${src} (loaded ${u.createdAt.slice(0, 10)})`;
}

function prices(db: DB, universe: string, to: string): PriceMatrix {
  try {
    return loadPriceMatrix(db, universe, { to });
  } catch (e) {
    if (e instanceof UnknownUniverseError) throw new ReportInputError('not-found', e.message);
    throw e;
  }
}

function completeRun(db: DB, id: string): RunRow {
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
interface RunGroup {
  key: string;
  strategy: string;
  meta: StrategyMeta;
  runs: RunRow[];
  /** lowest seed */
  rep: RunRow;
  name: string;
}

/** Newest first (the order in which a repeated seed is represented by its latest run). */
const newestFirst = (a: RunRow, b: RunRow) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id);

/**
 * Runs grouped into experiments by src-shared/domain/settings.ts, each seed once: `runs` come in order of
 * preference (the report's own run first, then newest first), so an older repeat of a seed is left out.
 */
function groupRuns(runs: readonly RunRow[], meta: Map<string, StrategyMeta>): RunGroup[] {
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

/** What run b sets differently from run a, in a few words ('weekly', 'cost 0.20%', 'eta=0.1'); '' when nothing. */
export function settingsDiff(a: RunRow, b: RunRow): string {
  const out: string[] = [];
  const ca = a.config;
  const cb = b.config;
  if (rebalanceOf(a) !== rebalanceOf(b)) {
    const r = rebalanceOf(b);
    out.push(r === 'daily' ? 'daily' : r === 'weekly' ? 'weekly' : `every ${r} d`);
  }
  if (ca.cost !== cb.cost) out.push(`cost ${pct(cb.cost, 2)}`);
  if (ca.riskFreeRate !== cb.riskFreeRate) out.push(`rf ${pct(cb.riskFreeRate, 1)}`);
  if (ca.lookback !== cb.lookback) out.push(cb.lookback === null ? 'no lookback' : `lookback ${cb.lookback}`);
  if (ca.protocol !== cb.protocol) out.push(cb.protocol ?? 'explicit window');
  const pa = ca.params;
  const pb = cb.params;
  for (const k of [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort()) {
    const v = pb[k];
    if (pa[k] !== v) out.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v ?? null)}`);
  }
  return out.join(', ');
}

function metricsRow(name: string, runs: readonly RunRow[], stored: Map<string, Record<string, number>>): MetricsRow {
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
function equitySeries(db: DB, r: RunRow, name: string, calendar: readonly string[]): ReportSeries {
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
function configForDisplay(r: RunRow): Record<string, unknown> {
  const t = r.config.tickers;
  return { ...r.config, tickers: `${t.length} assets: ${t.join(', ')}` };
}

/** Every complete run of the universe on exactly this test window. */
function windowPeers(db: DB, r: Pick<RunRow, 'universe' | 'windowFrom' | 'windowTo'>): RunRow[] {
  return listRuns(db, { universe: r.universe, status: 'complete', limit: PEER_SCAN_LIMIT }).filter(
    (x) => x.windowFrom === r.windowFrom && x.windowTo === r.windowTo,
  );
}

// ---------------------------------------------------------------------------------------------------------
// holdings at a date

/** Target weights of a run at a date with the drifted previous weights (file overview). */
export interface HoldingsAt {
  date: string;
  groups: AllocationGroup[];
  cashWeight: number;
  previousCashWeight: number;
  /** the previous test day (null on the first one: the portfolio came from cash) */
  previousDate: string | null;
  at: RunWeightsAt;
}

/** Weights drifted over one day: the one definition in src-shared/domain/portfolio.ts (as market/simulate.ts). */
export { driftWeights };

/**
 * The grouped target weights of a run at `date` (default: its last decision) with previous weights drifted to
 * the date (see the file overview).
 * @throws ReportInputError when the run has no weights that day
 */
export function holdingsAt(db: DB, run: RunRow, date?: string, m?: PriceMatrix): HoldingsAt {
  const at = getRunWeightsAt(db, run.id, date);
  if (!at || !at.agents.final)
    throw new ReportInputError('not-found', `weights of run ${run.id}${date ? ` on ${date}` : ''}`);
  const names = run.config.tickers;
  const final = at.agents.final;
  const n = names.length;
  const px = m && m.dates[m.dates.length - 1] === at.date ? m : prices(db, run.universe, at.date);
  const assets = new Map((px.assets ?? []).map((a) => [a.ticker, a]));

  // previous held weights, drifted over at.date
  let prev: Float64Array;
  if (!at.previous) prev = previousWeights(null, null, n);
  else {
    const prevAt = rebalanceOf(run) === 'daily' ? null : getRunWeightsAt(db, run.id, at.previous.date);
    const held = prevAt?.agents.held ?? at.previous.weights;
    const t = px.dates.length - 1;
    const cols = names.map((tk) => px.tickers.indexOf(tk));
    if (t < 1 || px.dates[t - 1] !== at.previous.date || cols.some((c) => c < 0)) {
      throw new ReportInputError(
        'invalid',
        `the prices of ${run.universe} no longer hold ${at.previous.date} and ${at.date} for every asset of run ${run.id}`,
      );
    }
    const rel = priceRelatives(
      cols.map((c) => px.close[t - 1]![c]!),
      cols.map((c) => px.close[t]![c]!),
    );
    prev = previousWeights(held, rel, n, 1 + dailyRate(run.config.riskFreeRate, TRADING_DAYS_PER_YEAR));
  }

  const rows = names.map((tk, i): AllocationRow & { group: string } => {
    const a = assets.get(tk);
    const weight = final[i]!;
    const previousWeight = prev[i]!;
    return {
      ticker: tk,
      name: a?.name ?? '',
      sector: a?.sector ?? '',
      weight,
      previousWeight,
      trade: weight - previousWeight,
      group: '',
    };
  });
  const samp = sampDetail(at.detail)?.groups;
  if (samp) {
    const high = new Set(samp.high);
    const ord = new Set(samp.ordinary);
    for (const r of rows) r.group = high.has(r.ticker) ? HIGH_GROUP : ord.has(r.ticker) ? ORDINARY_GROUP : 'Other';
  } else for (const r of rows) r.group = r.sector || 'Other';
  const by = new Map<string, AllocationRow[]>();
  for (const { group, ...r } of rows) by.set(group, [...(by.get(group) ?? []), r]);
  let groups: AllocationGroup[] = [...by.entries()].map(([name, rs]) => ({
    name,
    rows: rs.sort((a, b) => b.weight - a.weight || a.ticker.localeCompare(b.ticker)),
    total: rs.reduce((s, r) => s + r.weight, 0),
  }));
  if (samp) {
    const order = [HIGH_GROUP, ORDINARY_GROUP, 'Other'];
    groups = groups.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  } else groups = groups.sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  return {
    date: at.date,
    groups,
    cashWeight: final[n] ?? Math.max(0, 1 - final.reduce((s, v) => s + v, 0)),
    previousCashWeight: prev[n]!,
    previousDate: at.previous?.date ?? null,
    at,
  };
}

// ---------------------------------------------------------------------------------------------------------
// regime, rebound, agents

/** The regime labels of the universe at the last date of `m` (prices up to that date only), null with too few dates. */
export function regimeAt(m: PriceMatrix): ReportRegime | null {
  if (m.dates.length < REGIME_MIN_DATES) return null;
  const l = labelRegimes(m);
  const t = l.dates.length - 1;
  return { trend: l.trend[t]!, volatility: l.vol[t]!, date: l.dates[t]! };
}

/**
 * The rebound state a run recorded at the date (SAMP-HDRL step 5: `detail.rebound` with per-series states,
 * flagsToday and thresholds); null for a strategy without a detector.
 */
export function reboundOf(at: RunWeightsAt): ReportRebound | null {
  const r = sampDetail(at.detail)?.rebound;
  if (!r) return null;
  if (!r.enabled) return { flagged: false, detail: { detector: 'off (ablation)' } };
  const flaggedSeries = [...new Set([...r.flagsToday.map(reboundFlagSeries), ...at.reboundFlags.map((f) => f.group)])];
  const detail: Record<string, unknown> = {};
  detail['flags today'] = flaggedSeries.length ? flaggedSeries.join(', ') : 'none';
  detail['risky cap active'] = r.capped ? 'yes' : 'no';
  if (r.capped && r.reasons.length) detail['cap reason'] = r.reasons.join('; ');
  for (const s of ['market', 'high', 'ordinary'] as const) {
    const st = r[s];
    // the detector stores the drawdown as a fall (>= 0); reports show drawdowns as negative fractions
    if (st) detail[s === 'high' ? 'high-quality' : s] = `${st.phase}, dd ${pct(-st.drawdown, 1)}`;
  }
  detail['drawdown threshold'] = pct(r.thresholds.drawdownThreshold, 1);
  detail['rise threshold'] = pct(r.thresholds.riseThreshold, 1);
  detail['min days held'] = r.thresholds.minDays;
  return { flagged: flaggedSeries.length > 0, detail };
}

const AGENT_ORDER = ['upper', 'lower1', 'lower2'];

/** The strongest drivers first (largest |value|, then by name), at most {@link REPORT_TOP_DRIVERS}; NaN values left out. */
export function topDrivers(values: readonly DriverValue[]): DriverValue[] {
  return values
    .filter((d) => !Number.isNaN(d.value))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.player.localeCompare(b.player))
    .slice(0, REPORT_TOP_DRIVERS);
}

/**
 * The stored explanation of a run's decision at a date (explain/runExplain.ts, the one writer of the
 * `explanations` table: one row per decision holding every agent) as top drivers per agent: the attribution of
 * each agent's weight on the explained asset to the assets' input windows.
 */
function storedDrivers(db: DB, runId: string, date: string): Map<string, DriverValue[]> {
  const out = new Map<string, DriverValue[]>();
  const stored = getStoredExplanation(db, runId, date);
  for (const a of stored?.agents ?? []) {
    if (a.players === 'assets')
      out.set(
        a.agent,
        topDrivers(a.values.map((v) => ({ player: `${v.player} (weight on ${a.ticker})`, value: v.value }))),
      );
  }
  return out;
}

/**
 * Per-agent summaries at a date: the concentration of each stored agent's risky weights (renormalised, as
 * explain/concentration.ts) and the stored top drivers (SAMP-HDRL step 8).
 * @param n number of risky assets (agent rows hold n weights + cash)
 */
export function agentSummaries(
  db: DB,
  runId: string,
  at: RunWeightsAt,
  n: number,
): { agents: AgentSummary[]; explained: boolean } {
  const names = Object.keys(at.agents)
    .filter((a) => a !== 'final' && a !== 'held')
    .sort((a, b) => {
      const ia = AGENT_ORDER.indexOf(a);
      const ib = AGENT_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
    });
  const drivers = names.length ? storedDrivers(db, runId, at.date) : new Map<string, DriverValue[]>();
  const agents = names.map((a): AgentSummary => {
    const c = concentration(at.agents[a]!.subarray(0, n).map((v) => Math.max(0, v)));
    return {
      agent: a,
      topDrivers: drivers.get(a) ?? [],
      concentration: { effectiveN: c.effectiveN, herfindahl: c.hhi },
    };
  });
  return { agents, explained: agents.some((a) => a.topDrivers.length > 0) };
}

// ---------------------------------------------------------------------------------------------------------
// caveats

/** A learning strategy's runs against equal weight on their window: the reference used and the verdict. */
export interface EqualWeightComparison {
  reference: string;
  verdict: EqualWeightVerdict;
}

/**
 * The equal-weight verdict (src-shared/domain/verdict.ts) of a learning strategy's runs, one per seed, on their
 * test window: against crp, else ubah, among the complete `peers` of that window that ran on the same market
 * (data and trading terms, src-shared/domain/settings.ts), each seed once. Null when no such baseline ran.
 * @param stored metrics by run id, for the runs and the peers
 */
export function equalWeightComparison(
  runs: readonly RunRow[],
  peers: readonly RunRow[],
  stored: ReadonlyMap<string, Record<string, number>>,
): EqualWeightComparison | null {
  const market = marketIdentity(runs[0]!.config);
  const same = peers.filter((r) => r.status === 'complete' && marketIdentity(r.config) === market).sort(newestFirst);
  const ewRuns = (id: string) =>
    groupSeeds(
      same.filter((r) => r.strategy === id),
      experimentIdentity,
    ).flatMap((g) => g.runs);
  const reference = equalWeightReference((id) => ewRuns(id).length > 0);
  if (!reference) return null;
  const figures = (r: RunRow) => ({
    sharpe: stored.get(r.id)?.sharpe ?? Number.NaN,
    cumulativeReturn: stored.get(r.id)?.cumulativeReturn ?? Number.NaN,
  });
  return { reference, verdict: verdictOf(runs.map(figures), ewRuns(reference).map(figures)) };
}

/**
 * The caveat that says whether a learning run (or group of seeds) beats equal weight on its window, with the
 * figures the rule compares and, for several seeds, how many of them beat it.
 * @param name display name of the learning run (or group)
 */
export function equalWeightCaveat(name: string, c: EqualWeightComparison | null): string {
  if (!c)
    return `${name}: no equal-weight baseline (crp or ubah) was run on this test window with the same data and trading terms, so whether it beats equal weight is not shown; run one to compare.`;
  const v = c.verdict;
  if (v.outcome === 'not-comparable')
    return `${name}: Sharpe ratio or cumulative return undefined, so it cannot be compared with equal weight (${c.reference}).`;
  const figures = `Sharpe ${fixed(v.sharpe.mean, 2)} vs ${fixed(v.ewSharpe.mean, 2)}, cumulative return ${pct(v.cumulativeReturn.mean, 2)} vs ${pct(v.ewCumulativeReturn.mean, 2)}`;
  const seeds = v.seeds > 1 ? `; ${v.seedsBeating} of ${v.seeds} seeds beat it on both` : '';
  if (v.outcome === 'beats') return `${name} beats equal weight (${c.reference}) on this window: ${figures}${seeds}.`;
  const oneOfTwo = v.sharpe.mean > v.ewSharpe.mean || v.cumulativeReturn.mean > v.ewCumulativeReturn.mean;
  const why = oneOfTwo
    ? 'Beating equal weight takes a higher Sharpe ratio and a higher cumulative return; one of the two is not enough.'
    : 'On this evidence the learning strategy adds nothing over holding every asset equally.';
  return `${name} does NOT beat equal weight (${c.reference}) on this window: ${figures}${seeds}. ${why}`;
}

function costCaveat(cost: number): string {
  return `Transaction costs assumed: ${pct(cost, 2)} of the value traded in risky assets (proportional, charged once per unit moved; no spread, market impact or taxes beyond it).`;
}

function rebalanceCaveat(rule: RunRebalance): string {
  if (rule === 'daily')
    return 'Rebalanced daily: the target weights of a date are traded at that close and held over the next trading day.';
  return `Rebalanced ${rebalanceWords(rule)}: on other days the target is recorded but not traded and the holdings drift with prices.`;
}

const LOOK_AHEAD_CAVEAT =
  'Decisions use data up to each close only (look-ahead test in the suite: changing every price after a date leaves the decisions up to it unchanged).';
const PAST_PERFORMANCE_CAVEAT =
  'Past performance, in a backtest above all, does not guarantee future results; a backtest ignores liquidity, capacity and execution delays.';
const HINDSIGHT_CAVEAT =
  'Rows marked \u2020 are hindsight references (they use future prices) and cannot be invested in.';

/**
 * Caveats of an allocation report, from the run's config and the comparison: cost, rebalancing, no look-ahead,
 * seeds and their spread, hindsight, explanations, the equal-weight verdict of a learning run, past performance.
 */
function allocationCaveats(p: {
  run: RunRow;
  meta: StrategyMeta;
  name: string;
  ownGroup: RunRow[];
  rows: MetricsRow[];
  /** name of the run's group of seeds (the run's own name when it is the only seed) */
  groupName: string;
  ew: EqualWeightComparison | null;
  stored: Map<string, Record<string, number>>;
  date: string;
  agentsWithoutDrivers: boolean;
  regime: ReportRegime | null;
}): string[] {
  const { run, meta } = p;
  const out = [costCaveat(run.config.cost), rebalanceCaveat(rebalanceOf(run)), LOOK_AHEAD_CAVEAT];
  const rf = run.config.riskFreeRate;
  out.push(
    `Cash earns ${rf === 0 ? 'nothing (risk-free rate 0)' : `a risk-free rate of ${pct(rf, 2)} a year`}; Sharpe and Sortino use the same rate.`,
  );
  const seeds = p.ownGroup.length;
  if (seeds <= 1)
    out.push(
      `This report shows seed ${run.seed}, the only complete seed of this strategy and settings on this window: the spread over seeds is unknown.`,
    );
  else {
    const sh = metricStat(p.ownGroup.map((r) => p.stored.get(r.id)?.sharpe ?? Number.NaN));
    const spread =
      sh.std === 0
        ? 'identical across seeds (a deterministic strategy)'
        : `Sharpe ${fixed(sh.mean, 2)} \u00b1 ${fixed(sh.std ?? Number.NaN, 2)} (mean \u00b1 standard deviation)`;
    out.push(
      `This report shows seed ${run.seed} of ${seeds} complete seeds of this strategy and settings on this window: ${spread}.`,
    );
  }
  if (run.flags.includes(FLAG_CLOSE_TO_EW))
    out.push(
      'This run is flagged \u2021 close to equal weight: its daily weights stay near 1/N, so the policy may have collapsed to equal weighting.',
    );
  if (run.hindsight)
    out.push('This run is itself a hindsight reference (it uses future prices): it is not an investable strategy.');
  if (p.rows.some((r) => r.hindsight)) out.push(HINDSIGHT_CAVEAT);
  if (meta.family === 'learning') out.push(equalWeightCaveat(p.groupName, p.ew));
  if (p.agentsWithoutDrivers)
    out.push(
      'Agent top drivers: not computed (no explanation is stored for this run and date); the concentration figures are computed from the stored agent weights.',
    );
  if (p.date < run.windowTo)
    out.push(
      `The weights are those of ${p.date}; the metrics and curves cover the whole test window ${run.windowFrom} to ${run.windowTo}, days after ${p.date} included.`,
    );
  if (p.regime)
    out.push(
      'The market regime is a label of the universe\u2019s equal-weight index computed from prices up to the report date; it describes, it does not forecast.',
    );
  out.push(PAST_PERFORMANCE_CAVEAT);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// builders

/**
 * The allocation report of a run at a date (rules in the file overview).
 * @param db the database
 * @param runId a complete run
 * @param date ISO date of a decision of the run (default: its last decision date)
 * @throws ReportInputError unknown run, incomplete run, no decision on that date
 */
export async function buildAllocationReport(
  db: DB,
  runId: string,
  date?: string,
  opts: BuildOptions = {},
): Promise<AllocationReportData> {
  const run = completeRun(db, runId);
  const meta = await strategyMeta();
  const me = metaOf(meta, run.strategy);
  const u = universeInfo(db, run.universe);
  const probe = getRunWeightsAt(db, run.id, date);
  if (!probe) throw new ReportInputError('not-found', `weights of run ${runId}${date ? ` on ${date}` : ''}`);
  const m = prices(db, run.universe, probe.date);
  const h = holdingsAt(db, run, probe.date, m);
  const n = run.config.tickers.length;

  // metrics: the run, its own group (other seeds), then every other group of the window
  const peers = [run, ...windowPeers(db, run).filter((r) => r.id !== run.id)]; // the run stands for its seed
  const stored = new Map(peers.map((r) => [r.id, getRunMetrics(db, r.id)]));
  const groups = groupRuns(peers, meta);
  const own = groups.find((g) => g.runs.some((r) => r.id === run.id))!;
  const runName = fitName(shortLabel(me.label), ` \u00b7 seed ${run.seed}`, me.label);
  const rows: MetricsRow[] = [metricsRow(runName, [run], stored)];
  if (own.runs.length > 1)
    rows.push(metricsRow(fitName(own.name, `, ${own.runs.length} seeds`, own.meta.label), own.runs, stored));
  const others = groups.filter((g) => g !== own);
  for (const g of others) rows.push(metricsRow(g.name, g.runs, stored));

  // equity: the run, then baselines (equal weight first)
  const equity: ReportSeries[] = [equitySeries(db, run, runName, m.dates)];
  const ranked = [...others].sort((a, b) => ewRank(a.strategy) - ewRank(b.strategy));
  for (const g of ranked.slice(0, REPORT_MAX_EQUITY_BASELINES)) equity.push(equitySeries(db, g.rep, g.name, m.dates));
  const dd: ReportSeries = { name: runName, dates: equity[0]!.dates, values: drawdownSeries(equity[0]!.values) };

  const regime = regimeAt(m);
  const { agents, explained } = agentSummaries(db, run.id, h.at, n);
  const caveats = allocationCaveats({
    run,
    meta: me,
    name: runName,
    ownGroup: own.runs,
    rows,
    groupName: own.runs.length > 1 ? rows[1]!.strategy : runName,
    ew: me.family === 'learning' ? equalWeightComparison(own.runs, peers, stored) : null,
    stored,
    date: h.date,
    agentsWithoutDrivers: agents.length > 0 && !explained,
    regime,
  });
  return {
    kind: 'allocation',
    header: {
      universe: { id: u.id, name: u.name },
      dataSource: sourceLine(u),
      strategy: { id: run.strategy, label: me.label },
      config: configForDisplay(run),
      seed: run.seed,
      codeVersion: run.codeVersion,
      runId: run.id,
      date: h.date,
      window: { from: run.windowFrom, to: run.windowTo },
      backend: run.backend,
      generatedAt: (opts.now ?? new Date()).toISOString(),
    },
    groups: h.groups,
    cashWeight: h.cashWeight,
    previousCashWeight: h.previousCashWeight,
    regime,
    rebound: reboundOf(h.at),
    agents,
    metrics: rows,
    equity,
    drawdown: dd,
    caveats,
    // analytics (issue 17): the verdict of the run's group of seeds, for the first page
    verdicts: await groupVerdicts(
      db,
      me.family === 'learning'
        ? [{ name: own.runs.length > 1 ? rows[1]!.strategy : runName, runIds: own.runs.map((r) => r.id) }]
        : [],
    ),
  };
}

function ewRank(strategy: string): number {
  const i = (EQUAL_WEIGHT_BASELINES as readonly string[]).indexOf(strategy);
  return i < 0 ? EQUAL_WEIGHT_BASELINES.length : i;
}

/**
 * The backtest tear sheet over chosen runs (rules in the file overview): one metrics row per group of seeds,
 * curves, monthly / yearly returns, worst drawdowns and last weights of each group's lowest seed.
 * @param db the database
 * @param runIds 1..REPORT_MAX_RUNS complete runs of one universe
 * @throws ReportInputError unknown or incomplete run, runs of different universes, no run or too many
 */
export async function buildBacktestReport(
  db: DB,
  runIds: readonly string[],
  opts: BuildOptions = {},
): Promise<BacktestReportData> {
  const ids = [...new Set(runIds)];
  if (ids.length === 0) throw new ReportInputError('invalid', 'a backtest report needs at least one run');
  if (ids.length > REPORT_MAX_RUNS)
    throw new ReportInputError('invalid', `a backtest report takes at most ${REPORT_MAX_RUNS} runs`);
  const runs = ids.map((id) => completeRun(db, id));
  const universes = [...new Set(runs.map((r) => r.universe))];
  if (universes.length > 1)
    throw new ReportInputError(
      'invalid',
      `the runs belong to different universes (${universes.join(', ')}); a tear sheet covers one`,
    );
  const meta = await strategyMeta();
  const u = universeInfo(db, universes[0]!);
  const stored = new Map(runs.map((r) => [r.id, getRunMetrics(db, r.id)]));
  const groups = groupRuns([...runs].sort(newestFirst), meta);

  const metrics = groups.map((g) => metricsRow(g.name, g.runs, stored));
  const calendar = prices(
    db,
    u.id,
    runs
      .map((r) => r.windowTo)
      .sort()
      .at(-1)!,
  ).dates;
  const equity = groups.map((g) => equitySeries(db, g.rep, g.name, calendar));
  const parts = equity.map((e) => ({ name: e.name, p: tearSheetParts(e) }));
  const byEnd = new Map<string, PriceMatrix>(); // prices up to each window end, loaded once
  const lastWeights: RunHoldings[] = groups.map((g) => {
    let pm = byEnd.get(g.rep.windowTo);
    if (!pm) byEnd.set(g.rep.windowTo, (pm = prices(db, u.id, g.rep.windowTo)));
    const h = holdingsAt(db, g.rep, undefined, pm);
    return { run: g.name, date: h.date, groups: h.groups, cashWeight: h.cashWeight };
  });

  // caveats
  const costs = [...new Set(runs.map((r) => r.config.cost))];
  const rules = [...new Set(runs.map(rebalanceOf))];
  const caveats: string[] = [];
  caveats.push(
    costs.length === 1
      ? costCaveat(costs[0]!)
      : `The runs assume different transaction costs (${costs.map((c) => pct(c, 2)).join(', ')}); compare them with care.`,
  );
  caveats.push(
    rules.length === 1
      ? rebalanceCaveat(rules[0]!)
      : `The runs rebalance differently (${rules.map(rebalanceWords).join('; ')}).`,
  );
  caveats.push(LOOK_AHEAD_CAVEAT);
  if (groups.some((g) => g.runs.length > 1))
    caveats.push(
      'Metrics are mean \u00b1 standard deviation over the selected seeds of each strategy; curves, monthly returns, drawdowns and last weights show its lowest seed.',
    );
  else caveats.push('Every strategy is shown with one seed: the spread over seeds is unknown.');
  if (metrics.some((r) => r.hindsight)) caveats.push(HINDSIGHT_CAVEAT);
  if (metrics.some((r) => r.closeToEqualWeight))
    caveats.push('Rows marked \u2021 stay close to equal weight (a possibly collapsed policy).');
  const peerCache = new Map<string, { peers: RunRow[]; stored: Map<string, Record<string, number>> }>();
  for (const g of groups) {
    if (g.meta.family !== 'learning') continue;
    const wk = `${g.rep.windowFrom}|${g.rep.windowTo}`;
    let pc = peerCache.get(wk);
    if (!pc) {
      const peers = windowPeers(db, g.rep);
      pc = { peers, stored: new Map(peers.map((r) => [r.id, getRunMetrics(db, r.id)])) };
      peerCache.set(wk, pc);
    }
    caveats.push(
      equalWeightCaveat(g.name, equalWeightComparison(g.runs, pc.peers, new Map([...pc.stored, ...stored]))),
    );
  }
  caveats.push(PAST_PERFORMANCE_CAVEAT);

  const from = runs.map((r) => r.windowFrom).sort()[0]!;
  const to = runs
    .map((r) => r.windowTo)
    .sort()
    .at(-1)!;
  const versions = [...new Set(runs.map((r) => r.codeVersion))];
  return {
    kind: 'backtest',
    header: {
      universe: { id: u.id, name: u.name },
      window: { from, to },
      cost: costs[0]!,
      rebalance: rules.length === 1 ? rebalanceWords(rules[0]!) : 'mixed (see caveats)',
      generatedAt: (opts.now ?? new Date()).toISOString(),
      dataSource: sourceLine(u),
      codeVersion: versions.join(', '),
    },
    metrics,
    equity,
    underwater: parts.map((x) => x.p.underwater),
    monthly: parts.map((x) => ({ name: x.name, items: x.p.monthly })),
    yearly: parts.map((x) => ({ name: x.name, items: x.p.yearly })),
    worstDrawdowns: parts.map((x) => ({ name: x.name, items: x.p.worstDrawdowns })),
    lastWeights,
    caveats,
    // analytics (issue 17): the sections of src-main/analytics over the same groups, verdicts for the first page
    ...(await reportAnalytics(
      db,
      groups.map((g) => ({ name: g.name, runIds: g.runs.map((r) => r.id) })),
    ).then((analytics) => ({ analytics, verdicts: analytics.verdicts }))),
  };
}
