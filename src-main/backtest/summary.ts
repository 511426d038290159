/**
 * Summaries of backtest results for tables and exports: one row per strategy with the mean and sample standard
 * deviation of each metric over its seeds and windows (docs/backtest-conventions.md "Runs": mean and spread over seeds), the
 * hindsight mark and how many of its runs carry each flag; the learned strategies before and after costs; the
 * paired test of each learned strategy's Sharpe ratio against equal weight's on the same days; what a sector
 * scenario traded in each window; what the spread-and-impact model charged, when a run paid it; and the results
 * document with the caveats a reader needs. The rules they apply (mean ± std and its NaN rule, metric titles and
 * digits, the equal-weight verdict, the concentration guard) live in src-shared/domain, the statistics in
 * src-main/metrics; this file lays out the tables.
 *
 * Why this file is long: the summary rows, the before/after-costs table, the paired tests and the results
 * document are one layout over the same grouped runs; each piece is short, and they share the grouping and the
 * column rules, which would otherwise be passed between files.
 */
import {
  concentrationNote,
  equalWeightReference,
  equalWeightVerdict,
  FLAG_CONCENTRATED,
  meanStd,
  METRIC_SPECS,
  verdictPhrase,
  type MeanStd,
  type VerdictFigures,
} from '../../src-shared/domain';
import { SCENARIO_DESCRIPTIONS, SCENARIO_SECTORS, SCENARIO_STOCKS_PER_SECTOR } from '../../src-shared/domain/scenarios';
import { DEFAULT_UNIVERSE_ID } from '../data/bundled';
import { actionScaleSection, detailsFromResults, type DetailsOf } from './actionScale';
import { METRIC_NAMES, type MetricName } from '../metrics';
import {
  PAIRED_DEFAULTS,
  sharpeDifferenceTest,
  type PairedSettings,
  type SharpeDifferenceTest,
} from '../metrics/paired';
import { FLAG_CLOSE_TO_EW, type BacktestRunResult } from './run';

/** Mean ± std of a metric over runs (src-shared/domain/stats.ts: NaN left out and counted, std null for one value). */
export type Spread = MeanStd;

export interface StrategySummary {
  strategy: string;
  label: string;
  hindsight: boolean;
  /** complete runs summarised */
  runs: number;
  failed: number;
  seeds: number;
  windows: number;
  metrics: Record<MetricName, Spread>;
  ewDistance: Spread;
  /** flag -> number of runs carrying it */
  flags: Record<string, number>;
}

/** Group results by strategy (first-seen order) and summarise each group. */
export function summarizeByStrategy(results: readonly BacktestRunResult[]): StrategySummary[] {
  const groups = new Map<string, BacktestRunResult[]>();
  for (const r of results) {
    const g = groups.get(r.strategy) ?? [];
    g.push(r);
    groups.set(r.strategy, g);
  }
  const out: StrategySummary[] = [];
  for (const [strategy, rs] of groups) {
    const ok = rs.filter((r) => r.status === 'complete' && r.metrics);
    const metrics = {} as Record<MetricName, Spread>;
    for (const name of METRIC_NAMES) metrics[name] = meanStd(ok.map((r) => r.metrics![name]));
    const flags: Record<string, number> = {};
    for (const r of ok) for (const f of r.flags) flags[f] = (flags[f] ?? 0) + 1;
    out.push({
      strategy,
      label: rs[0]!.label,
      hindsight: rs[0]!.hindsight,
      runs: ok.length,
      failed: rs.length - ok.length,
      seeds: new Set(rs.map((r) => r.seed)).size,
      windows: new Set(rs.map((r) => `${r.window.from}..${r.window.to}`)).size,
      metrics,
      ewDistance: meanStd(ok.map((r) => r.ewDistance)),
      flags,
    });
  }
  return out;
}

/**
 * Over all windows, seed by seed: each seed's metrics averaged over the windows it completed, then the mean and
 * sample std of those per-seed averages — so the spread is the one between seeds, not the one between market
 * regimes (which the per-window tables show). Counts and flags are those of summarizeByStrategy.
 */
export function summarizeSeedsOverWindows(results: readonly BacktestRunResult[]): StrategySummary[] {
  return summarizeByStrategy(results).map((base) => {
    const bySeed = new Map<number, BacktestRunResult[]>();
    for (const r of results) {
      if (r.strategy !== base.strategy || r.status !== 'complete' || !r.metrics) continue;
      bySeed.set(r.seed, [...(bySeed.get(r.seed) ?? []), r]);
    }
    const perSeed = (pick: (r: BacktestRunResult) => number) =>
      meanStd([...bySeed.values()].map((rs) => meanStd(rs.map(pick)).mean));
    const metrics = {} as Record<MetricName, Spread>;
    for (const name of METRIC_NAMES) metrics[name] = perSeed((r) => r.metrics![name]);
    return { ...base, metrics, ewDistance: perSeed((r) => r.ewDistance) };
  });
}

/** The equal-weight reference of a set of results (crp, else ubah, among strategies with a complete run). */
function equalWeightId(results: readonly BacktestRunResult[]): string | undefined {
  return equalWeightReference((id) => results.some((r) => r.strategy === id && r.status === 'complete'));
}

const windowKey = (r: BacktestRunResult) => `${r.window.from}..${r.window.to}`;
const figures = (r: BacktestRunResult): VerdictFigures => ({
  sharpe: r.metrics!.sharpe,
  cumulativeReturn: r.metrics!.cumulativeReturn,
});
const completed = (rs: readonly BacktestRunResult[], id: string) =>
  rs.filter((r) => r.strategy === id && r.status === 'complete' && r.metrics);

/**
 * The learning strategies against equal weight at a glance (markdown): Sharpe per test window and over all
 * windows (mean ± std over seeds), cumulative return over all windows, and in how many of its runs (seed x window)
 * a strategy beat equal weight in the same window on both Sharpe and cumulative return (the seed count of the
 * equal-weight verdict, src-shared/domain/verdict.ts, summed over windows).
 */
export function glanceTable(results: readonly BacktestRunResult[], learning: ReadonlySet<string>): string {
  const ew = equalWeightId(results);
  const windows = [...new Map(results.map((r) => [windowKey(r), r.window])).values()];
  const ids = [...new Set(results.map((r) => r.strategy))].filter((id) => learning.has(id) || id === ew);
  if (!ids.some((id) => learning.has(id))) return '';
  const inWindow = windows.map((w) => results.filter((r) => r.window.from === w.from && r.window.to === w.to));
  const perWindow = inWindow.map((rs) => summarizeByStrategy(rs));
  const overall = summarizeSeedsOverWindows(results);
  const header = [
    'strategy',
    ...windows.map((w) => `sharpe ${w.label || w.from.slice(0, 4)}`),
    'sharpe all',
    'cum ret all',
    `runs beating ${ew ?? 'EW'}`,
  ];
  const rows = ids.map((id) => {
    const cells = perWindow.map((sums) => {
      const s = sums.find((x) => x.strategy === id);
      return s ? formatSpread('sharpe', s.metrics.sharpe) : '-';
    });
    const o = overall.find((x) => x.strategy === id)!;
    const runs = completed(results, id);
    const beating =
      ew === undefined
        ? 0
        : inWindow.reduce(
            (k, rs) =>
              k + equalWeightVerdict(completed(rs, id).map(figures), completed(rs, ew).map(figures)).seedsBeating,
            0,
          );
    return [
      id === ew ? `${id} (equal weight)` : id,
      ...cells,
      formatSpread('sharpe', o.metrics.sharpe),
      formatSpread('cumulativeReturn', o.metrics.cumulativeReturn),
      id === ew ? '' : `${beating}/${runs.length}`,
    ];
  });
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, k) => (k === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** "12.3%" / "1.23" / "inf" / "-" for one number, in the metric's unit and compact digits (METRIC_SPECS). */
export function formatMetric(name: MetricName, v: number): string {
  if (Number.isNaN(v)) return '-';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const d = METRIC_SPECS[name];
  return d.unit === 'pct' ? `${(v * 100).toFixed(d.digits)}%` : v.toFixed(d.digits);
}

/** "mean ± std", or the mean alone when there is no spread (one value). */
export function formatSpread(name: MetricName, s: Spread): string {
  const m = formatMetric(name, s.mean);
  if (s.std === null) return m;
  const d = METRIC_SPECS[name];
  const sd = d.unit === 'pct' ? `${(s.std * 100).toFixed(d.digits)}%` : s.std.toFixed(d.digits);
  return `${m} ± ${sd}`;
}

/** How a table names a run flag: ≈EW for close-to-equal-weight, the flag itself otherwise. */
export function flagLabel(flag: string): string {
  return flag === FLAG_CLOSE_TO_EW ? '≈EW' : flag;
}

/** "≈EW 2/3, concentrated 1/3": each flag with the share of the strategy's runs that carry it. */
function flagCell(s: StrategySummary): string {
  return Object.entries(s.flags)
    .map(([f, c]) => `${flagLabel(f)} ${c}/${s.runs}`)
    .join(', ');
}

/** Plain-text table: columns padded to their widest cell, first column left-aligned, others right-aligned. */
export function textTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(header), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

/** Markdown table from a header and rows; the first `left` columns left-aligned, the others right-aligned. */
function mdTable(header: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i < left ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/**
 * The default columns of the backtest table. Turnover is shown a year at a time (daily one-way x 252) beside the
 * cost drag, the share of the value the costs took in a year.
 */
export const TABLE_METRICS: MetricName[] = [
  'cumulativeReturn',
  'annualReturn',
  'annualVolatility',
  'sharpe',
  'sortino',
  'maxDrawdown',
  'calmar',
  'annualTurnover',
  'costDrag',
  'avgHoldings',
  'avgCash',
];

/** The three parts of the cost drag (market/costs.ts), shown right after it when a run paid spread and impact. */
export const COST_SPLIT_METRICS: MetricName[] = ['costCommission', 'costSpread', 'costImpact'];

/** `metrics` with the cost split after the cost drag when any of the results paid the spread-and-impact model. */
function withCostSplit(metrics: readonly MetricName[], results: readonly BacktestRunResult[]): MetricName[] {
  const at = metrics.indexOf('costDrag');
  if (at < 0 || !results.some((r) => r.impact)) return [...metrics];
  return [...metrics.slice(0, at + 1), ...COST_SPLIT_METRICS, ...metrics.slice(at + 1)];
}

/** The columns of the backtest table for these results: TABLE_METRICS, with the cost split when the model ran. */
export function tableMetrics(results: readonly BacktestRunResult[]): MetricName[] {
  return withCostSplit(TABLE_METRICS, results);
}

/**
 * The columns of a results document's tables: the backtest table's, then the Omega ratio (the HADAPS paper's fourth
 * figure beside cumulative return, Sharpe and Sortino) and the daily 95% VaR and CVaR (historical, metrics/index.ts),
 * the tail figures the MPLS paper reports and a PM reads beside the drawdown.
 */
export function documentMetrics(results: readonly BacktestRunResult[]): MetricName[] {
  return [...tableMetrics(results), 'omega', 'var95', 'cvar95'];
}

/** An amount of money with thousands separators: 100,000,000. */
const money = (v: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(v);

/**
 * What the spread-and-impact model charged, in a reader's words: its settings, then where the average daily traded
 * value came from — the data's volume, or the proxy (said as such, with the share of trades it priced). Empty when
 * no run paid the model.
 */
export function impactLines(results: readonly BacktestRunResult[]): string[] {
  const s = results.find((r) => r.impact)?.impact;
  if (!s) return [];
  const own = Object.entries(s.halfSpreadBpByTicker)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tk, v]) => `${tk} ${v} bp`);
  const lines = [
    `Execution costs: besides the commission, every trade paid a half-spread of ${s.halfSpreadBp} bp${own.length ? ` (${own.join(', ')})` : ''} and a square-root market impact of ${s.impactK} x daily volatility x sqrt(traded value / average daily traded value) on a book of ${money(s.bookValue)} at the start of each window, volatility and traded value over the trailing ${s.window} days; the cost drag is split into commission, spread and impact.`,
  ];
  const shares = results.flatMap((r) =>
    r.status === 'complete' && r.advProxyShare !== undefined && !Number.isNaN(r.advProxyShare) ? [r.advProxyShare] : [],
  );
  const proxy = `a proxy of ${money(s.advProxy)} a day per asset`;
  if (shares.length && shares.every((x) => x === 1))
    lines.push(
      `The average daily traded value is ${proxy} for every trade: the data have no volume, so the impact figures are only as good as that assumption (impact scales with 1 / sqrt of it).`,
    );
  else if (shares.some((x) => x > 0)) {
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    lines.push(
      `The average daily traded value is the data's close x volume, except for ${(mean * 100).toFixed(1)}% of the trades (mean over runs), where too few days had a volume and ${proxy} stood in.`,
    );
  } else if (shares.length) lines.push("The average daily traded value is the data's close x volume for every trade.");
  return lines;
}

/** The notes under a table of strategy summaries: what each mark and flag in it means. */
function tableNotes(summaries: readonly StrategySummary[], hindsightMark: string): string[] {
  const notes: string[] = [];
  if (summaries.some((s) => s.hindsight))
    notes.push(`${hindsightMark} hindsight: sees the test window in advance; a reference, not a tradable strategy`);
  if (summaries.some((s) => s.flags[FLAG_CLOSE_TO_EW]))
    notes.push('≈EW: target weights stay close to equal weight (mean daily L1 distance < threshold)');
  if (summaries.some((s) => s.flags[FLAG_CONCENTRATED])) notes.push(`${FLAG_CONCENTRATED}: ${concentrationNote()}`);
  return notes;
}

/**
 * What the ± of a table of strategy summaries is taken across, said plainly: across test windows it is how much a
 * figure moved from one market period to the next, across seeds it is training noise — two different things
 * that read alike. `windowLabels` (the test windows' labels) lets it say "years" when every window is one.
 * Strategies with different seed or window counts are named with theirs. Empty when no row has a spread.
 */
export function spreadNote(summaries: readonly StrategySummary[], windowLabels: readonly string[] = []): string {
  const years = windowLabels.length > 0 && windowLabels.every((l) => /^\d{4}$/.test(l));
  const windows = (k: number) => (years ? `${k} test years` : `${k} test windows`);
  const across = (s: StrategySummary) =>
    s.seeds > 1 && s.windows > 1
      ? `${s.seeds} seeds x ${windows(s.windows)}`
      : s.seeds > 1
        ? `${s.seeds} seeds`
        : windows(s.windows);
  const spread = summaries.filter((s) => s.runs > 1);
  if (!spread.length) return '';
  const kinds = [...new Set(spread.map(across))];
  const meaning: string[] = [];
  if (spread.some((s) => s.windows > 1))
    meaning.push(
      `across ${years ? 'years' : 'windows'} it is how much the figure moved from one ${years ? 'year' : 'window'} to the next, not an uncertainty of the estimate`,
    );
  if (spread.some((s) => s.seeds > 1))
    meaning.push('across seeds it is the training noise of the same strategy on the same data');
  let where: string;
  if (kinds.length === 1) {
    where = `across the ${kinds[0]}`;
    if (windowLabels.length > 1 && windowLabels.length <= 6 && spread.every((s) => s.windows > 1))
      where += ` (${windowLabels.join(', ')})`;
    if (!spread.some((s) => s.seeds > 1)) where += ', one seed each';
  } else
    where = `across ${kinds
      .map(
        (k) =>
          `${k} (${spread
            .filter((s) => across(s) === k)
            .map((s) => s.strategy)
            .join(', ')})`,
      )
      .join('; ')}`;
  return `± is the sample std ${where}: ${meaning.join('; ')}`;
}

/**
 * The metrics table printed by `hdrl backtest`: one row per strategy, mean ± std over its runs (the note says
 * across what: spreadNote), hindsight strategies marked with '*', flags (≈EW = close to equal weight,
 * concentrated) with their run counts, and notes. The annual return is left out where it repeats the cumulative
 * return in every row (test windows of one year), with a note saying so.
 */
export function metricsTable(
  summaries: readonly StrategySummary[],
  metrics: MetricName[] = TABLE_METRICS,
  windowLabels: readonly string[] = [],
): string {
  const same = (s: StrategySummary) =>
    formatSpread('annualReturn', s.metrics.annualReturn) ===
    formatSpread('cumulativeReturn', s.metrics.cumulativeReturn);
  const dropAnnual =
    metrics.includes('annualReturn') &&
    metrics.includes('cumulativeReturn') &&
    summaries.length > 0 &&
    summaries.every(same);
  const shown = dropAnnual ? metrics.filter((m) => m !== 'annualReturn') : metrics;
  const header = ['strategy', 'runs', ...shown.map((m) => METRIC_SPECS[m].title), 'flags'];
  const rows = summaries.map((s) => [
    `${s.strategy}${s.hindsight ? ' *' : ''}`,
    `${s.runs}${s.failed ? ` (+${s.failed} failed)` : ''}`,
    ...shown.map((m) => formatSpread(m, s.metrics[m])),
    flagCell(s),
  ]);
  const notes = tableNotes(summaries, '*');
  const spread = spreadNote(summaries, windowLabels);
  if (spread) notes.push(spread);
  if (dropAnnual)
    notes.push(
      `${METRIC_SPECS.annualReturn.title} is not shown: it equals ${METRIC_SPECS.cumulativeReturn.title} in every row (test windows of one year)`,
    );
  return textTable(header, rows) + (notes.length ? '\n' + notes.map((n) => `  ${n}`).join('\n') : '');
}

/** Markdown table of strategy summaries (same figures as metricsTable; the document's intro explains the marks). */
export function markdownTable(summaries: readonly StrategySummary[], metrics: MetricName[] = TABLE_METRICS): string {
  const header = ['strategy', 'runs', ...metrics.map((m) => METRIC_SPECS[m].title), 'flags'];
  const rows = summaries.map((s) => [
    `${s.strategy}${s.hindsight ? ' †' : ''}`,
    `${s.runs}${s.failed ? ` (+${s.failed} failed)` : ''}`,
    ...metrics.map((m) => formatSpread(m, s.metrics[m])),
    flagCell(s),
  ]);
  return mdTable(header, rows, 2);
}

/** The columns of the before-and-after-costs table: net and gross figures side by side, then what trading cost. */
export const COST_METRICS: MetricName[] = [
  'sharpe',
  'grossSharpe',
  'sortino',
  'grossSortino',
  'omega',
  'grossOmega',
  'cumulativeReturn',
  'grossCumulativeReturn',
  'annualTurnover',
  'costDrag',
];

/**
 * The learned strategies (and equal weight, for reference) before and after costs, over all their runs (each seed
 * averaged over its windows first, as summarizeSeedsOverWindows): Sharpe, Sortino and Omega ratios and cumulative
 * return net and gross of costs, annual turnover and cost drag; then the concentration guard's figures at their worst
 * over the runs (the largest single weight and the fewest effective holdings of any day of any run) and how many runs it
 * flagged; with the spread-and-impact model, the cost drag's three parts after it. Markdown or plain text; empty
 * when no learned strategy ran.
 */
export function costsTable(
  results: readonly BacktestRunResult[],
  learning: ReadonlySet<string>,
  markdown = false,
): string {
  const ew = equalWeightId(results);
  const summaries = summarizeSeedsOverWindows(results).filter((s) => learning.has(s.strategy) || s.strategy === ew);
  if (!summaries.some((s) => learning.has(s.strategy))) return '';
  const worst = (id: string, pick: (r: BacktestRunResult) => number, max: boolean) => {
    const v = completed(results, id)
      .map(pick)
      .filter((x) => !Number.isNaN(x));
    return v.length ? (max ? Math.max(...v) : Math.min(...v)) : Number.NaN;
  };
  const shown = withCostSplit(COST_METRICS, results);
  const header = [
    'strategy',
    'runs',
    ...shown.map((m) => METRIC_SPECS[m].title),
    `${METRIC_SPECS.maxWeight.title} (worst)`,
    `${METRIC_SPECS.minEffectiveN.title} (worst)`,
    FLAG_CONCENTRATED,
  ];
  const rows = summaries.map((s) => [
    s.strategy === ew ? `${s.strategy} (equal weight)` : s.strategy,
    String(s.runs),
    ...shown.map((m) => formatSpread(m, s.metrics[m])),
    formatMetric(
      'maxWeight',
      worst(s.strategy, (r) => r.metrics!.maxWeight, true),
    ),
    formatMetric(
      'minEffectiveN',
      worst(s.strategy, (r) => r.metrics!.minEffectiveN, false),
    ),
    `${s.flags[FLAG_CONCENTRATED] ?? 0}/${s.runs}`,
  ]);
  return markdown ? mdTable(header, rows, 2) : textTable(header, rows);
}

/** A test window's name in tables and verdicts: its protocol's label ("1998", "1993-01", "test"), else its first year. */
const windowName = (w: BacktestRunResult['window']) => w.label || w.from.slice(0, 4);

/**
 * For every learning strategy and test window: does it beat equal weight (crp, else ubah) by the rule of
 * src-shared/domain/verdict.ts (mean Sharpe and mean cumulative return both higher)? One plain sentence each,
 * used by the CLI table and the results document.
 */
export function equalWeightVerdicts(
  results: readonly BacktestRunResult[],
  learning: ReadonlySet<string>,
  markdown = false,
): string[] {
  const windows = [...new Map(results.map((r) => [windowKey(r), r.window])).values()];
  const b = (x: string) => (markdown ? `**${x}**` : x);
  const out: string[] = [];
  for (const w of windows) {
    const rs = results.filter((r) => r.window.from === w.from && r.window.to === w.to);
    const ew = equalWeightReference((id) => completed(rs, id).length > 0);
    if (!ew) continue;
    const ewRuns = completed(rs, ew).map(figures);
    for (const id of new Set(rs.map((r) => r.strategy))) {
      const runs = completed(rs, id);
      if (!learning.has(id) || !runs.length) continue;
      const v = equalWeightVerdict(runs.map(figures), ewRuns);
      out.push(
        `${windowName(w)}: ${b(`${id} ${verdictPhrase(v.outcome)} equal weight`)} (${ew}): Sharpe ${formatSpread('sharpe', v.sharpe)} vs ${formatMetric('sharpe', v.ewSharpe.mean)}, cumulative return ${formatSpread('cumulativeReturn', v.cumulativeReturn)} vs ${formatMetric('cumulativeReturn', v.ewCumulativeReturn.mean)}`,
      );
    }
  }
  return out;
}

/** A run's daily net returns with their dates (a SimulationResult has both; so do a stored run's days). */
export interface DailyReturns {
  dates: readonly string[];
  ret: ArrayLike<number>;
}

/** Where the paired test finds a run's daily returns: undefined when they are not at hand. */
export type ReturnsOf = (r: BacktestRunResult) => DailyReturns | undefined;

/** The daily returns kept in the results themselves (runBacktest with keepSeries). */
export const returnsFromResults: ReturnsOf = (r) => r.sim;

/** Windows up to which the paired table has a row per window (beyond: only the row over all test days). */
export const PAIRED_WINDOW_ROWS = 12;

/** The paired test of one learned strategy against equal weight over one window, or over all of them. */
export interface PairedRow {
  strategy: string;
  /** equal weight's strategy id (crp or ubah) */
  reference: string;
  /** the window's label ('1998'), or 'all' for every test day of every window */
  window: string;
  /** seed runs whose daily returns were averaged */
  seeds: number;
  test: SharpeDifferenceTest;
}

/** Mean over `series` of the returns of each date they all have, in date order. */
function meanOnCommonDates(series: readonly DailyReturns[]): { dates: string[]; ret: number[] } {
  const sums = new Map<string, { s: number; k: number }>();
  for (const x of series)
    for (let i = 0; i < x.dates.length; i++) {
      const e = sums.get(x.dates[i]!) ?? { s: 0, k: 0 };
      e.s += x.ret[i]!;
      e.k++;
      sums.set(x.dates[i]!, e);
    }
  const dates = [...sums.keys()].filter((d) => sums.get(d)!.k === series.length).sort();
  return { dates, ret: dates.map((d) => sums.get(d)!.s / series.length) };
}

/**
 * Each learned strategy's Sharpe ratio against equal weight's on the same days (metrics/paired.ts: stationary
 * block bootstrap, Jobson-Korkie-Memmel as the cross-check), per test window (up to PAIRED_WINDOW_ROWS windows)
 * and over every test day of every window.
 *
 * Several seeds are tested as ONE strategy: its daily return is the mean of its seeds' returns that day (the book
 * of a PM who split the money evenly over the seeds' models), so one p-value answers "does this strategy beat
 * equal weight" without a test per seed. The spread between seeds is not part of this test; it is in the
 * tables. Equal weight's runs are averaged the same way (they are identical for every seed). Only dates that every
 * averaged run has are used; a window where the strategy or equal weight has no daily returns at hand is left
 * out. "all" joins the windows' days in date order.
 */
export function pairedTests(
  results: readonly BacktestRunResult[],
  learning: ReadonlySet<string>,
  returnsOf: ReturnsOf = returnsFromResults,
  settings: PairedSettings = {},
): PairedRow[] {
  // in date order, so "all" strings the days together in the order they happened, whatever the order of the results
  const windows = [...new Map(results.map((r) => [windowKey(r), r.window])).values()].sort(
    (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to),
  );
  const out: PairedRow[] = [];
  const withSeries = (rs: readonly BacktestRunResult[]) =>
    rs.map(returnsOf).filter((x): x is DailyReturns => !!x && x.dates.length > 0);
  for (const id of new Set(results.map((r) => r.strategy))) {
    if (!learning.has(id)) continue;
    const all = { a: [] as number[], b: [] as number[], seeds: 0, windows: 0, reference: '' };
    const rows: PairedRow[] = [];
    for (const w of windows) {
      const rs = results.filter((r) => r.window.from === w.from && r.window.to === w.to);
      const ew = equalWeightReference((x) => completed(rs, x).length > 0);
      if (!ew) continue;
      const mine = withSeries(completed(rs, id));
      const theirs = withSeries(completed(rs, ew));
      if (!mine.length || !theirs.length) continue;
      const strat = meanOnCommonDates(mine);
      const refSeries = meanOnCommonDates(theirs);
      const ref = new Map(refSeries.dates.map((d, i) => [d, refSeries.ret[i]!] as const));
      const a: number[] = [];
      const b: number[] = [];
      strat.dates.forEach((d, i) => {
        const x = ref.get(d);
        if (x !== undefined) {
          a.push(strat.ret[i]!);
          b.push(x);
        }
      });
      if (a.length < 3) continue;
      rows.push({
        strategy: id,
        reference: ew,
        window: windowName(w),
        seeds: mine.length,
        test: sharpeDifferenceTest(a, b, settings),
      });
      all.a.push(...a);
      all.b.push(...b);
      all.seeds = Math.max(all.seeds, mine.length);
      all.windows++;
      all.reference = all.reference && all.reference !== ew ? 'crp/ubah' : ew;
    }
    if (windows.length <= PAIRED_WINDOW_ROWS) out.push(...rows);
    if (all.windows > 1 || (all.windows === 1 && windows.length > PAIRED_WINDOW_ROWS))
      out.push({
        strategy: id,
        reference: all.reference,
        window: 'all',
        seeds: all.seeds,
        test: sharpeDifferenceTest(all.a, all.b, settings),
      });
  }
  return out;
}

/** A p-value with three decimals, '<0.001' below that, '-' when there is none. */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return '-';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/**
 * The paired tests as a markdown table: per learned strategy and window, the Sharpe ratio of the seeds' mean daily
 * returns and equal weight's, their difference with its bootstrap interval, and the p-values of the bootstrap
 * and of Jobson-Korkie-Memmel. Empty when there is no row.
 */
export function pairedTable(rows: readonly PairedRow[]): string {
  if (!rows.length) return '';
  const conf = Math.round(rows[0]!.test.confidence * 100);
  const header = [
    'strategy',
    'test',
    'days',
    'seeds',
    'sharpe',
    'sharpe EW',
    'difference',
    `${conf}% interval`,
    'p (bootstrap)',
    'p (JK-Memmel)',
  ];
  const f = (x: number) => formatMetric('sharpe', x);
  const body = rows.map((r) => [
    r.strategy,
    r.window,
    String(r.test.days),
    String(r.seeds),
    f(r.test.sharpe),
    `${f(r.test.benchmarkSharpe)} (${r.reference})`,
    f(r.test.difference),
    `${f(r.test.bootstrap.low)} to ${f(r.test.bootstrap.high)}`,
    formatP(r.test.bootstrap.p),
    formatP(r.test.jobsonKorkie.p),
  ]);
  return mdTable(header, body, 2);
}

/**
 * What a reader must know about the data before reading any figure: survivorship of the universe's members, and
 * how little a few test windows say. `universe` is the id of the universe the runs traded.
 */
export function caveats(results: readonly BacktestRunResult[], universe?: string): string[] {
  const windows = new Set(results.map(windowKey)).size;
  const seeds = Math.max(
    0,
    ...[...new Set(results.map((r) => r.strategy))].map(
      (id) => new Set(results.filter((r) => r.strategy === id).map((r) => r.seed)).size,
    ),
  );
  const survivorship =
    universe === DEFAULT_UNIVERSE_ID
      ? '**Survivorship.** The bundled universe is the 30 members of the Dow Jones Industrial Average of 2001, traded back to 1991: companies that were chosen because they had done well up to 2001. Every strategy that holds them is flattered by that choice, the learned ones and equal weight alike; figures on these data are comparisons between strategies, not returns a PM could have expected at the time.'
      : "**Survivorship.** The universe is a fixed list of assets. If that list was drawn up after the test years (today's index members, say), it holds the survivors, and every strategy that holds them is flattered by that choice, the learned ones and equal weight alike.";
  const few =
    windows > 1
      ? `**Few windows.** The figures come from ${windows} test windows. The ± over seeds measures how much training varies within one window; it says nothing about whether an ordering of strategies would hold in another market regime, which only more windows can show. A ranking that changes from one window to the next is not settled, however small the ± within each window.`
      : '**One window.** The figures come from a single test window. The ± over seeds measures how much training varies within it; it says nothing about another market regime.';
  return [survivorship, '', few + (seeds > 1 ? '' : ' With one seed there is no spread at all.')];
}

/**
 * What a sector scenario traded: a sentence naming it, then one line per test window with its sectors (their
 * training volatility and size) and the stocks taken, and a note when a sector was too small to give five. Empty
 * when the results ran on the whole universe.
 */
export function scenarioLines(results: readonly BacktestRunResult[]): string[] {
  const byWindow = new Map<string, { label: string; scenario: NonNullable<BacktestRunResult['scenario']> }>();
  for (const r of results) {
    const key = windowKey(r);
    if (r.scenario && !byWindow.has(key)) byWindow.set(key, { label: r.window.label, scenario: r.scenario });
  }
  const first = byWindow.values().next().value;
  if (!first) return [];
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const lines = [
    `Scenario ${first.scenario.name}: ${SCENARIO_DESCRIPTIONS[first.scenario.name]}. The stocks are chosen anew for each test window, from its training days only, and every strategy of a window traded the same ones:`,
  ];
  let short = 0;
  for (const { label, scenario } of byWindow.values()) {
    const parts = scenario.sectors.map((sec) => {
      const size =
        sec.members > SCENARIO_STOCKS_PER_SECTOR
          ? `${sec.tickers.length} of ${sec.members} members`
          : sec.members === 1
            ? 'its only member'
            : `all ${sec.members} members`;
      return `${sec.sector} (volatility ${pct(sec.volatility)}; ${size}): ${sec.tickers.join(', ')}`;
    });
    if (scenario.tickers.length < SCENARIO_SECTORS * SCENARIO_STOCKS_PER_SECTOR) short++;
    lines.push(`- ${label}: ${parts.join('; ')}`);
  }
  if (short)
    lines.push(
      `In ${short} of ${byWindow.size} windows the scenario holds fewer than ${SCENARIO_SECTORS * SCENARIO_STOCKS_PER_SECTOR} stocks: a sector with fewer than ${SCENARIO_STOCKS_PER_SECTOR} members in the universe gives all it has.`,
    );
  return lines;
}

/** Options of {@link resultsMarkdown}. */
export interface ResultsDocumentOptions {
  command: string;
  codeVersion: string;
  learning: ReadonlySet<string>;
  /** the universe the runs traded (for the survivorship caveat) */
  universe?: string;
  /** where the paired test finds each run's daily returns; default: the results' own series */
  returnsOf?: ReturnsOf;
  /** settings of the paired test (risk-free rate as the runs', resamples, block length, seed) */
  paired?: PairedSettings;
  /** where the action scale's section finds each run's decision details; default: the results' own simulations */
  detailsOf?: DetailsOf;
}

/**
 * A results document written by `hdrl backtest --markdown FILE`: the command that produced it, the caveats
 * (survivorship, few windows), the sector scenario's stocks per window when one was asked, the learned strategies at a glance, their paired test against equal weight, their
 * figures before and after costs with the concentration guard, one table per test window and one over all
 * windows (mean ± std over seeds), the action scale's effect where HADAPS ran at two or more scales, and for every learning strategy a plain statement of whether it beat equal
 * weight in each window.
 */
export function resultsMarkdown(results: readonly BacktestRunResult[], o: ResultsDocumentOptions): string {
  const windows = [...new Map(results.map((r) => [`${r.window.from}..${r.window.to}`, r.window])).values()];
  const out: string[] = [
    '# Results',
    '',
    `Written by \`${o.command}\` on ${new Date().toISOString().slice(0, 10)} (code ${o.codeVersion}). Every figure below was computed by that command; nothing is edited by hand.`,
    `Values are mean ± sample standard deviation over seeds. In the "All windows" table each seed is first averaged over the test windows, so its ± is the spread between seeds. † marks hindsight references (not tradable). ≈EW marks runs whose weights stay close to equal weight; ${FLAG_CONCENTRATED} marks runs where ${concentrationNote()}. Returns and Sharpe ratios are net of costs unless a column says gross.`,
    '',
    '## Read with care',
    '',
    ...caveats(results, o.universe),
    '',
  ];
  const scenario = scenarioLines(results);
  if (scenario.length) out.push('## Sector scenario', '', ...scenario, '');
  const pricing = impactLines(results);
  if (pricing.length) out.push('## Execution costs', '', pricing.join(' '), '');
  const glance = glanceTable(results, o.learning);
  if (glance)
    out.push(
      '## At a glance',
      '',
      'The learning strategies beside equal weight (Sharpe by test window, mean ± std over seeds; the last column counts the seed × window runs that beat the equal-weight run of the same window on both Sharpe and cumulative return).',
      '',
      glance,
      '',
    );
  const pairedRows = pairedTests(results, o.learning, o.returnsOf ?? returnsFromResults, o.paired);
  const paired = pairedTable(pairedRows);
  if (!paired && glance)
    out.push(
      '## Against equal weight, day by day',
      '',
      'No paired test: the daily returns of the learned strategies and of equal weight were not at hand for any window.',
      '',
    );
  if (paired) {
    const block =
      o.paired?.blockLength !== undefined
        ? `${o.paired.blockLength} days`
        : 'n^(1/3) days for n test days, rounded: 6 for one year, 9 for three';
    out.push(
      '## Against equal weight, day by day',
      '',
      `Is a learned strategy's Sharpe ratio higher than equal weight's on the same days, beyond what chance gives? Each strategy's seeds are tested as one book: its daily return is the mean of its seeds' returns that day, so "sharpe" here is that book's Sharpe ratio (it can exceed the mean of the seeds' Sharpe ratios, as averaging over seeds smooths the returns). The difference is tested with a stationary block bootstrap (${o.paired?.resamples ?? PAIRED_DEFAULTS.resamples} resamples of blocks of consecutive days, mean block length ${block}, the same days drawn for both strategies, seeded so the figures repeat); the interval is the bootstrap's, and Jobson-Korkie with Memmel's correction, which assumes independent normal days, is a cross-check. "all" tests every test day of every window at once.`,
      '',
      paired,
      '',
      `A p-value is the chance of a difference at least this large if the two Sharpe ratios were equal. This table holds ${pairedRows.length} tests${pairedRows.length > 1 ? ', and where no strategy differs from equal weight about one in twenty of them still falls below 0.05 by chance; no correction for that is applied' : ''}.${pairedRows.some((r) => r.window === 'all') && pairedRows.some((r) => r.window !== 'all') ? ' The "all" rows reuse the days of the window rows, so they are not further evidence.' : ''}`,
      '',
    );
  }
  const costs = costsTable(results, o.learning, true);
  if (costs)
    out.push(
      '## Before and after costs',
      '',
      `Net figures are what the strategy earned after paying costs; gross figures are the same decisions with every day's cost added back. Turnover is one-way, a year of it (daily × 252); cost drag is a year of costs as a share of the value. "max weight" and "min eff N" are the worst single day of any run (largest single-stock weight; fewest effective holdings, 1 / Σw² of the stock weights); ${FLAG_CONCENTRATED} counts the runs where ${concentrationNote()}.`,
      '',
      costs,
      '',
    );
  for (const w of windows) {
    const rs = results.filter((r) => r.window.from === w.from && r.window.to === w.to);
    out.push(
      `## Test window ${w.from} to ${w.to}`,
      '',
      markdownTable(summarizeByStrategy(rs), documentMetrics(results)),
      '',
    );
  }
  if (windows.length > 1)
    out.push('## All windows', '', markdownTable(summarizeSeedsOverWindows(results), documentMetrics(results)), '');
  out.push(...actionScaleSection(results, o.detailsOf ?? detailsFromResults));
  const verdicts = equalWeightVerdicts(results, o.learning, true);
  if (verdicts.length) out.push('## Against equal weight', '', ...verdicts.map((v) => `- ${v}.`), '');
  return out.join('\n');
}
