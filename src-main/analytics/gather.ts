/**
 * The analytics of stored runs, read from the database and computed with the pure functions of this folder: the
 * one place the desk's Backtests panel (services/analytics.ts) and the backtest tear sheet (reports/tearSheet.ts) get
 * them from, so both show the same numbers.
 *
 * What is compared with what
 * - Benchmark of a run: a run of the benchmark strategy (default: equal weight, crp else ubah; or a strategy the
 *   caller names) on the same test window and market (src-shared/domain/settings.ts), its lowest seed. The
 *   relative figures (relative.ts) and the stress windows' benchmark column use it over the dates both have.
 * - Focus run: the one run whose weights over time and risk contribution are shown (a panel of 30 stacked
 *   weights per run would be unreadable): the caller's choice, else the first learned run that is not a hindsight
 *   reference, else the first run that is not one, else the first run.
 *   Weights are the book held after each close: the stored 'held' rows of a run that does not rebalance daily,
 *   else its target ('final') rows, which it then holds. Risk contribution uses the last day's weights and the
 *   covariance of the assets' daily returns over the RISK_LOOKBACK_DAYS trading days up to that day.
 * - Stitched record: every complete run of the universe with the focus run's settings (strategy, params and
 *   market), one book of seeds per test window, windows chained (stitch.ts); beside it the equal-weight record of
 *   the same windows and market where every window has one.
 * - Verdicts: every learned strategy's group of seeds (one experiment) against equal weight on the same window and
 *   market, by the rule of src-shared/domain/verdict.ts, with the p-value of the paired block-bootstrap test of
 *   the Sharpe ratios (src-main/backtest/summary.ts pairedTests over the seeds' book, metrics/paired.ts).
 *
 * Why this file is long: it is the one reader behind two consumers (the desk panel and the tear sheet); splitting
 * the reads from the assembly would give each block two places to change.
 */
import {
  equalWeightReference,
  equalWeightVerdict,
  experimentIdentity,
  groupSeeds,
  isConcentrated,
  marketIdentity,
  settingsIdentity,
  type VerdictOutcome,
} from '../../src-shared/domain';
import { MAX_ANALYTICS_RUNS } from '../../src-shared/contract/analytics';
import { pairedTests } from '../backtest/summary';
import type { BacktestRunResult } from '../backtest/run';
import type { Metrics } from '../metrics';
import { indexAtOrAfter, type PriceMatrix } from '../market/prices';
import type { DB } from '../store/db';
import { loadPriceMatrix } from '../store/prices';
import {
  getRun,
  getRunAgents,
  getRunDays,
  getRunGroupings,
  getRunMetrics,
  getRunWeightSeries,
  listRuns,
  type RunDays,
  type RunRow,
} from '../store/runs';
import { listStrategies } from '../strategies/registry';
import { alignByDate, relativeStats, type RelativeStats } from './relative';
import { covarianceMatrix, RISK_LOOKBACK_DAYS, riskContribution, type RiskContribution } from './risk';
import {
  distributionStats,
  histogram,
  histogramEdges,
  ROLLING_VOL_DAYS,
  rollingVolatility,
  tradingOverTime,
  type DistributionStats,
  type TradingOverTime,
} from './series';
import { stitchWindows, type StitchSegment } from './stitch';
import { stressReturns, type StressResult } from './stress';
import { weightsOverTime, type GroupsOfDay, type WeightsOverTime } from './weights';

/** Runs one analytics request takes (they are drawn on one chart each): the contract's bound. */
export { MAX_ANALYTICS_RUNS };
/** Runs read when looking for benchmarks and other windows (newest first). */
const SCAN_LIMIT = 5000;
/** The SAMP-HDRL groups as every report and view names them. */
const SAMP_GROUP_NAMES = { high: 'High-quality', ordinary: 'Ordinary' } as const;

/** Why analytics cannot be computed: an unknown run ('not-found') or a bad request ('invalid'). */
export class AnalyticsInputError extends Error {
  constructor(
    readonly kind: 'not-found' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'AnalyticsInputError';
  }
}

export interface RunRef {
  id: string;
  strategy: string;
  /** display name */
  name: string;
  seed: number;
  windowFrom: string;
  windowTo: string;
  hindsight: boolean;
  learned: boolean;
}

export interface RunAnalyticsBlock extends RunRef {
  flags: string[];
  concentrated: boolean;
  /** the run the relative figures compare with; null when none ran (or this run is it) */
  benchmark: RunRef | null;
  relative: RelativeStats | null;
  dates: string[];
  /** rolling annualised volatility, one per date (null until the window fills) */
  rollingVol: (number | null)[];
  /** counts over the response's shared bins */
  histogram: number[];
  distribution: DistributionStats;
  trading: TradingOverTime;
  stress: (StressResult & { benchmarkRet: number | null })[];
}

export interface FocusAnalytics {
  run: RunRef;
  /** 'held' or 'final' (see the file overview) */
  weightsSource: string;
  weights: WeightsOverTime;
  risk: (RiskContribution & { date: string; lookbackDays: number }) | null;
}

export interface StitchedAnalytics {
  strategy: string;
  name: string;
  dates: string[];
  values: number[];
  total: number;
  segments: StitchSegment[];
  skipped: { from: string; to: string }[];
  /** equal weight over the same windows, on the same dates where it has them (null: not every window has one) */
  benchmark: { strategy: string; name: string; values: (number | null)[]; total: number } | null;
}

export interface VerdictAnalytics {
  strategy: string;
  name: string;
  windowFrom: string;
  windowTo: string;
  /** equal weight's strategy id; null when none ran on the same window and market */
  reference: string | null;
  outcome: VerdictOutcome | 'no-reference';
  sharpe: number;
  ewSharpe: number;
  cumulativeReturn: number;
  ewCumulativeReturn: number;
  seeds: number;
  seedsBeating: number;
  /** paired block-bootstrap p-value of "same Sharpe ratio as equal weight"; NaN when there is no test */
  pValue: number;
  pairedDays: number;
}

export interface RunsAnalytics {
  /** bin edges of every run's histogram, fractions */
  bins: number[];
  rollingDays: number;
  runs: RunAnalyticsBlock[];
  focus: FocusAnalytics | null;
  stitched: StitchedAnalytics | null;
  verdicts: VerdictAnalytics[];
}

export interface AnalyticsOptions {
  /** strategy id of the benchmark (default: equal weight, crp else ubah) */
  benchmark?: string;
  /** run id whose weights and risk are shown (default: see the file overview) */
  focus?: string;
  /** display names by run id (default: the strategy's label, with the test year when windows differ) */
  names?: ReadonlyMap<string, string>;
  rollingDays?: number;
  /**
   * the seeds that stand with each run in its verdict, by run id (default: every complete seed of its
   * experiment in the database); a report passes the seeds it was asked for
   */
  seeds?: ReadonlyMap<string, readonly string[]>;
}

interface Meta {
  label: string;
  learned: boolean;
  hindsight: boolean;
}

async function strategyMeta(): Promise<Map<string, Meta>> {
  return new Map(
    (await listStrategies()).map((s) => [
      s.id,
      { label: s.label, learned: s.family === 'learning', hindsight: s.hindsight },
    ]),
  );
}

/** Reads shared by one request: runs of the universe, their days and metrics, the prices, cached. */
class Reader {
  private days = new Map<string, RunDays>();
  private metrics = new Map<string, Record<string, number>>();
  private peers: RunRow[] | null = null;
  private prices: PriceMatrix | null = null;
  constructor(
    readonly db: DB,
    readonly universe: string,
    readonly meta: Map<string, Meta>,
  ) {}
  daysOf(id: string): RunDays {
    let d = this.days.get(id);
    if (!d) this.days.set(id, (d = getRunDays(this.db, id)));
    return d;
  }
  metricsOf(id: string): Record<string, number> {
    let m = this.metrics.get(id);
    if (!m) this.metrics.set(id, (m = getRunMetrics(this.db, id)));
    return m;
  }
  /** complete runs of the universe, newest first */
  all(): RunRow[] {
    return (this.peers ??= listRuns(this.db, { universe: this.universe, status: 'complete', limit: SCAN_LIMIT }));
  }
  price(): PriceMatrix {
    return (this.prices ??= loadPriceMatrix(this.db, this.universe));
  }
  /** trading days of the universe in [from, to] */
  tradingDaysIn(from: string, to: string): number {
    const d = this.price().dates;
    return indexAtOrAfter(d, to + '\u0000') - indexAtOrAfter(d, from);
  }
  sectors(): Map<string, string> {
    return new Map((this.price().assets ?? []).map((a) => [a.ticker, a.sector]));
  }
  meta_(strategy: string): Meta {
    return this.meta.get(strategy) ?? { label: strategy, learned: false, hindsight: false };
  }
  /** one run per seed of `strategy` on r's window and market, lowest seed first */
  seedsOf(strategy: string, r: RunRow): RunRow[] {
    const market = marketIdentity(r.config);
    const same = this.all().filter(
      (x) =>
        x.strategy === strategy &&
        x.windowFrom === r.windowFrom &&
        x.windowTo === r.windowTo &&
        marketIdentity(x.config) === market,
    );
    return groupSeeds(same, () => strategy)[0]?.runs.sort((a, b) => a.seed - b.seed) ?? [];
  }
}

function refOf(r: RunRow, rd: Reader, names?: ReadonlyMap<string, string>, yearInName = false): RunRef {
  const m = rd.meta_(r.strategy);
  return {
    id: r.id,
    strategy: r.strategy,
    name: names?.get(r.id) ?? `${m.label}${yearInName ? ` ${r.windowFrom.slice(0, 4)}` : ''}`,
    seed: r.seed,
    windowFrom: r.windowFrom,
    windowTo: r.windowTo,
    hindsight: r.hindsight || m.hindsight,
    learned: m.learned,
  };
}

/** The benchmark run of `r` (see the file overview), or undefined. */
function benchmarkOf(r: RunRow, rd: Reader, strategy?: string): RunRow | undefined {
  const id = strategy ?? equalWeightReference((x) => rd.seedsOf(x, r).length > 0);
  return id ? rd.seedsOf(id, r)[0] : undefined;
}

function runBlock(
  r: RunRow,
  rd: Reader,
  o: AnalyticsOptions,
  yearInName: boolean,
  rolling: number,
): Omit<RunAnalyticsBlock, 'histogram'> & { ret: number[] } {
  const d = rd.daysOf(r.id);
  const b = benchmarkOf(r, rd, o.benchmark);
  const bench = b && b.id !== r.id ? b : undefined;
  const bd = bench ? rd.daysOf(bench.id) : undefined;
  let relative: RelativeStats | null = null;
  if (bd) {
    const al = alignByDate({ dates: d.dates, ret: d.ret }, { dates: bd.dates, ret: bd.ret });
    relative = relativeStats(al.a, al.b, { riskFree: r.config.riskFreeRate });
  }
  const benchStress = bd
    ? new Map(stressReturns(bd.dates, bd.ret, (f, t) => rd.tradingDaysIn(f, t)).map((s) => [s.id, s]))
    : null;
  const m = rd.metricsOf(r.id);
  return {
    ...refOf(r, rd, o.names, yearInName),
    flags: r.flags,
    concentrated: isConcentrated({
      maxWeight: m.maxWeight ?? Number.NaN,
      minEffectiveN: m.minEffectiveN ?? Number.NaN,
    }),
    benchmark: bench ? refOf(bench, rd, o.names, yearInName) : null,
    relative,
    dates: d.dates,
    ret: d.ret,
    rollingVol: rollingVolatility(d.ret, rolling),
    distribution: distributionStats(d.ret),
    trading: tradingOverTime(d.dates, d.turnover, d.cost),
    stress: stressReturns(d.dates, d.ret, (f, t) => rd.tradingDaysIn(f, t)).map((s) => {
      // the benchmark's return over the same days of the window (its own days; both runs trade the same calendar)
      const bs = benchStress?.get(s.id);
      return { ...s, benchmarkRet: bs ? bs.ret : null };
    }),
  };
}

function focusOf(r: RunRow, rd: Reader, o: AnalyticsOptions, yearInName: boolean): FocusAnalytics {
  const source = getRunAgents(rd.db, r.id).includes('held') ? 'held' : 'final';
  const rows = getRunWeightSeries(rd.db, r.id, source);
  const tickers = r.config.tickers;
  const timeline = getRunGroupings(rd.db, r.id);
  const groupsAt = timeline.length
    ? (date: string): GroupsOfDay | undefined => {
        let g: (typeof timeline)[number] | undefined;
        for (const x of timeline) if (x.date <= date) g = x;
        return g
          ? new Map([
              [SAMP_GROUP_NAMES.high, g.grouping.high],
              [SAMP_GROUP_NAMES.ordinary, g.grouping.ordinary],
            ])
          : undefined;
      }
    : undefined;
  const sectors = rd.sectors();
  const weights = weightsOverTime(
    rows.map((x) => x.date),
    rows.map((x) => x.weights),
    tickers,
    sectors,
    groupsAt,
  );
  // risk: the last day's target weights, the covariance of the assets' returns up to that day
  let risk: FocusAnalytics['risk'] = null;
  const last = getRunWeightSeries(rd.db, r.id, 'final').at(-1);
  const m = rd.price();
  const t = last ? indexAtOrAfter(m.dates, last.date) : -1;
  const cols = tickers.map((tk) => m.tickers.indexOf(tk));
  if (last && m.dates[t] === last.date && t >= 2 && cols.every((c) => c >= 0)) {
    const start = Math.max(1, t - RISK_LOOKBACK_DAYS + 1);
    const rets: Float64Array[] = [];
    for (let k = start; k <= t; k++)
      rets.push(Float64Array.from(cols, (c) => m.close[k]![c]! / m.close[k - 1]![c]! - 1));
    risk = {
      ...riskContribution(last.weights.subarray(0, tickers.length), covarianceMatrix(rets), tickers, sectors),
      date: last.date,
      lookbackDays: rets.length,
    };
  }
  return { run: refOf(r, rd, o.names, yearInName), weightsSource: source, weights, risk };
}

function stitchedOf(r: RunRow, rd: Reader): StitchedAnalytics {
  const settings = settingsIdentity(r);
  const mine = rd.all().filter((x) => settingsIdentity(x) === settings);
  const windows = groupSeeds(mine, experimentIdentity).map((g) => ({
    from: g.runs[0]!.windowFrom,
    to: g.runs[0]!.windowTo,
    seeds: g.runs.map((x) => ({ dates: rd.daysOf(x.id).dates, ret: rd.daysOf(x.id).ret })),
    rep: g.runs[0]!,
  }));
  const between = (a: string, b: string) => Math.max(0, rd.tradingDaysIn(a, b) - 2);
  const rec = stitchWindows(windows, between);
  const used = windows.filter((w) => rec.segments.some((s) => s.from === w.from && s.to === w.to));
  let benchmark: StitchedAnalytics['benchmark'] = null;
  const ewWindows = used.map((w) => {
    const id = equalWeightReference((x) => rd.seedsOf(x, w.rep).length > 0);
    return id
      ? {
          id,
          from: w.from,
          to: w.to,
          seeds: rd.seedsOf(id, w.rep).map((x) => ({ dates: rd.daysOf(x.id).dates, ret: rd.daysOf(x.id).ret })),
        }
      : null;
  });
  if (used.length && ewWindows.every((w) => w !== null)) {
    const ew = stitchWindows(
      ewWindows as { from: string; to: string; seeds: { dates: string[]; ret: number[] }[] }[],
      between,
    );
    const at = new Map(ew.dates.map((d, i) => [d, ew.values[i]!]));
    const ids = [...new Set(ewWindows.map((w) => w!.id))];
    benchmark = {
      strategy: ids.join('/'),
      name: ids.map((x) => rd.meta_(x).label).join(' / '),
      values: rec.dates.map((d) => at.get(d) ?? null),
      total: ew.total,
    };
  }
  return {
    strategy: r.strategy,
    name: rd.meta_(r.strategy).label,
    dates: rec.dates,
    values: rec.values,
    total: rec.total,
    segments: rec.segments,
    skipped: rec.skipped,
    benchmark,
  };
}

/** A stored run as the paired test of backtest/summary.ts takes it. */
function asResult(r: RunRow, rd: Reader): BacktestRunResult {
  const m = rd.meta_(r.strategy);
  return {
    runId: r.id,
    strategy: r.strategy,
    label: m.label,
    hindsight: r.hindsight,
    seed: r.seed,
    window: {
      label: r.config.window.label,
      from: r.windowFrom,
      to: r.windowTo,
      trainFrom: r.trainFrom,
      trainTo: r.trainTo,
    },
    status: 'complete',
    metrics: rd.metricsOf(r.id) as Metrics,
    ewDistance: Number.NaN,
    flags: r.flags,
    timings: r.timings,
  };
}

/** The verdict of one learned group of seeds (see the file overview). */
function verdictOf(
  group: readonly RunRow[],
  rd: Reader,
  names?: ReadonlyMap<string, string>,
  yearInName = false,
): VerdictAnalytics {
  const r = group[0]!;
  const ref = refOf(r, rd, names, yearInName);
  const reference = equalWeightReference((x) => rd.seedsOf(x, r).length > 0) ?? null;
  const figures = (x: RunRow) => ({
    sharpe: rd.metricsOf(x.id).sharpe ?? Number.NaN,
    cumulativeReturn: rd.metricsOf(x.id).cumulativeReturn ?? Number.NaN,
  });
  const ew = reference ? rd.seedsOf(reference, r) : [];
  const v = equalWeightVerdict(group.map(figures), ew.map(figures));
  let pValue = Number.NaN;
  let pairedDays = 0;
  if (reference) {
    const rows = pairedTests(
      [...group, ...ew].map((x) => asResult(x, rd)),
      new Set([r.strategy]),
      (x) => (x.runId ? rd.daysOf(x.runId) : undefined),
      { riskFree: r.config.riskFreeRate },
    );
    const row = rows.find((x) => x.window !== 'all');
    if (row) {
      pValue = row.test.bootstrap.p;
      pairedDays = row.test.days;
    }
  }
  return {
    strategy: r.strategy,
    name: ref.name,
    windowFrom: r.windowFrom,
    windowTo: r.windowTo,
    reference,
    outcome: reference ? v.outcome : 'no-reference',
    sharpe: v.sharpe.mean,
    ewSharpe: v.ewSharpe.mean,
    cumulativeReturn: v.cumulativeReturn.mean,
    ewCumulativeReturn: v.ewCumulativeReturn.mean,
    seeds: group.length,
    seedsBeating: v.seedsBeating,
    pValue,
    pairedDays,
  };
}

/** The seeds of r's experiment among the complete runs of its universe (r's own seed represented by r). */
function groupOf(r: RunRow, rd: Reader): RunRow[] {
  const key = experimentIdentity(r);
  const runs = [r, ...rd.all().filter((x) => x.id !== r.id && experimentIdentity(x) === key)];
  return groupSeeds(runs, () => key)[0]!.runs.sort((a, b) => a.seed - b.seed);
}

function completeRun(db: DB, id: string): RunRow {
  const r = getRun(db, id);
  if (!r) throw new AnalyticsInputError('not-found', `run ${id} not found`);
  if (r.status !== 'complete')
    throw new AnalyticsInputError('invalid', `run ${id} is ${r.status}; only complete runs have analytics`);
  return r;
}

/**
 * The analytics of runs `ids` (1..MAX_ANALYTICS_RUNS complete runs of one universe; see the file overview).
 * @throws AnalyticsInputError unknown or incomplete run, runs of several universes, a focus that is not among them
 */
export async function runsAnalytics(db: DB, ids: readonly string[], o: AnalyticsOptions = {}): Promise<RunsAnalytics> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new AnalyticsInputError('invalid', 'analytics need at least one run');
  if (unique.length > MAX_ANALYTICS_RUNS)
    throw new AnalyticsInputError(
      'invalid',
      `analytics take at most ${MAX_ANALYTICS_RUNS} runs at once, got ${unique.length}`,
    );
  const runs = unique.map((id) => completeRun(db, id));
  const universes = [...new Set(runs.map((r) => r.universe))];
  if (universes.length > 1)
    throw new AnalyticsInputError(
      'invalid',
      `the runs belong to different universes (${universes.join(', ')}); analytics compare runs of one`,
    );
  if (o.focus !== undefined && !unique.includes(o.focus))
    throw new AnalyticsInputError('invalid', `the focus run ${o.focus} is not one of the runs asked for`);
  const rolling = o.rollingDays ?? ROLLING_VOL_DAYS;
  if (!Number.isInteger(rolling) || rolling < 2)
    throw new AnalyticsInputError(
      'invalid',
      `the rolling window must be a whole number of at least 2 days, got ${rolling}`,
    );
  const rd = new Reader(db, universes[0]!, await strategyMeta());
  if (o.benchmark !== undefined && !rd.meta.has(o.benchmark))
    throw new AnalyticsInputError('invalid', `unknown benchmark strategy "${o.benchmark}"`);
  const yearInName = new Set(runs.map((r) => `${r.windowFrom}|${r.windowTo}`)).size > 1;

  const blocks = runs.map((r) => runBlock(r, rd, o, yearInName, rolling));
  const bins = histogramEdges(blocks.map((b) => b.ret));
  const focusRun =
    runs.find((r) => r.id === o.focus) ??
    runs.find((r) => rd.meta_(r.strategy).learned && !r.hindsight) ??
    runs.find((r) => !r.hindsight && !rd.meta_(r.strategy).hindsight) ??
    runs[0]!;
  const learnedGroups = new Map<string, RunRow[]>();
  for (const r of runs)
    if (rd.meta_(r.strategy).learned)
      learnedGroups.set(
        experimentIdentity(r),
        o.seeds?.has(r.id) ? o.seeds.get(r.id)!.map((id) => completeRun(db, id)) : groupOf(r, rd),
      );
  return {
    bins,
    rollingDays: rolling,
    runs: blocks.map(({ ret, ...b }) => ({ ...b, histogram: histogram(ret, bins) })),
    focus: focusOf(focusRun, rd, o, yearInName),
    stitched: stitchedOf(focusRun, rd),
    verdicts: [...learnedGroups.values()].map((g) => verdictOf(g, rd, o.names, yearInName)),
  };
}

/**
 * The verdict of every learned strategy's experiment (group of seeds) among the complete runs of a universe,
 * newest test window first (see the file overview).
 */
export async function learnedVerdicts(db: DB, universe: string): Promise<VerdictAnalytics[]> {
  if (!db.prepare('SELECT 1 FROM universes WHERE id = ?').get(universe))
    throw new AnalyticsInputError('not-found', `universe ${universe} not found`);
  const rd = new Reader(db, universe, await strategyMeta());
  const learned = rd.all().filter((r) => rd.meta_(r.strategy).learned);
  const groups = groupSeeds(learned, experimentIdentity).map((g) => g.runs.sort((a, b) => a.seed - b.seed));
  return groups
    .map((g) => verdictOf(g, rd))
    .sort((a, b) => b.windowFrom.localeCompare(a.windowFrom) || a.strategy.localeCompare(b.strategy));
}

/** A group of seeds as a report shows it: its display name and its runs, the lowest seed first. */
export interface NamedGroup {
  name: string;
  runIds: readonly string[];
}

function groupOptions(groups: readonly NamedGroup[]): Pick<AnalyticsOptions, 'names' | 'seeds'> {
  return {
    names: new Map(groups.map((g) => [g.runIds[0]!, g.name])),
    seeds: new Map(groups.map((g) => [g.runIds[0]!, g.runIds])),
  };
}

/**
 * The analytics of a tear sheet's groups of seeds: each group's first run stands for it (the report's curves are
 * drawn from the same run), the verdicts are over the group's seeds. Only the first MAX_ANALYTICS_RUNS groups
 * are taken (`left` counts the others).
 */
export async function reportAnalytics(
  db: DB,
  groups: readonly NamedGroup[],
): Promise<RunsAnalytics & { left: number }> {
  const taken = groups.slice(0, MAX_ANALYTICS_RUNS);
  const out = await runsAnalytics(
    db,
    taken.map((g) => g.runIds[0]!),
    groupOptions(taken),
  );
  return { ...out, left: groups.length - taken.length };
}

/** The verdicts of the learned groups among `groups` alone (an allocation report's first page). */
export async function groupVerdicts(db: DB, groups: readonly NamedGroup[]): Promise<VerdictAnalytics[]> {
  if (groups.length === 0) return [];
  const runs = groups.map((g) => completeRun(db, g.runIds[0]!));
  const rd = new Reader(db, runs[0]!.universe, await strategyMeta());
  const names = groupOptions(groups).names;
  return groups
    .filter((_, i) => rd.meta_(runs[i]!.strategy).learned)
    .map((g) =>
      verdictOf(
        g.runIds.map((id) => completeRun(db, id)),
        rd,
        names,
      ),
    );
}
