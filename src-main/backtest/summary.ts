/**
 * Summaries of backtest results for tables and exports: one row per strategy with the mean and sample standard
 * deviation of each metric over its seeds and windows (method.md "Seeds": report mean and spread), the
 * hindsight mark and how many of its runs carry each flag.
 */
import { METRIC_NAMES, type MetricName } from '../metrics';
import type { BacktestRunResult } from './run';

export interface Spread {
  mean: number;
  /** sample standard deviation (n - 1); NaN for a single value */
  std: number;
  /** number of values averaged (NaN values are left out; ±Infinity is kept and makes the mean infinite) */
  n: number;
}

/** Mean and sample std of the non-NaN values. */
export function spread(values: readonly number[]): Spread {
  const v = values.filter((x) => !Number.isNaN(x));
  const n = v.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2 || !Number.isFinite(mean)) return { mean, std: Number.NaN, n };
  const ss = v.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

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
    for (const name of METRIC_NAMES) metrics[name] = spread(ok.map((r) => r.metrics![name]));
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
      ewDistance: spread(ok.map((r) => r.ewDistance)),
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
    const perSeed = (pick: (r: BacktestRunResult) => number) => spread([...bySeed.values()].map((rs) => spread(rs.map(pick)).mean));
    const metrics = {} as Record<MetricName, Spread>;
    for (const name of METRIC_NAMES) metrics[name] = perSeed((r) => r.metrics![name]);
    return { ...base, metrics, ewDistance: perSeed((r) => r.ewDistance) };
  });
}

/** The equal-weight reference of a set of results: crp, else ubah (undefined when neither ran). */
function equalWeightId(results: readonly BacktestRunResult[]): string | undefined {
  return ['crp', 'ubah'].find((id) => results.some((r) => r.strategy === id && r.status === 'complete'));
}

/**
 * The learning strategies against equal weight at a glance (markdown): Sharpe per test window and over all
 * windows (mean ± std over seeds), cumulative return over all windows, and in how many of its runs (seed x window)
 * a strategy beat equal weight's run of the same window on both Sharpe and cumulative return.
 */
export function glanceTable(results: readonly BacktestRunResult[], learning: ReadonlySet<string>): string {
  const ew = equalWeightId(results);
  const windows = [...new Map(results.map((r) => [`${r.window.from}..${r.window.to}`, r.window])).values()];
  const ids = [...new Set(results.map((r) => r.strategy))].filter((id) => learning.has(id) || id === ew);
  if (!ids.some((id) => learning.has(id))) return '';
  const ewRun = new Map(results.filter((r) => r.strategy === ew && r.status === 'complete' && r.metrics).map((r) => [`${r.window.from}..${r.window.to}`, r.metrics!]));
  const perWindow = windows.map((w) => summarizeByStrategy(results.filter((r) => r.window.from === w.from && r.window.to === w.to)));
  const overall = summarizeSeedsOverWindows(results);
  const header = ['strategy', ...windows.map((w) => `sharpe ${w.label || w.from.slice(0, 4)}`), 'sharpe all', 'cum ret all', `runs beating ${ew ?? 'EW'}`];
  const rows = ids.map((id) => {
    const cells = perWindow.map((sums) => {
      const s = sums.find((x) => x.strategy === id);
      return s ? formatSpread('sharpe', s.metrics.sharpe) : '-';
    });
    const o = overall.find((x) => x.strategy === id)!;
    const runs = results.filter((r) => r.strategy === id && r.status === 'complete' && r.metrics);
    const beating = runs.filter((r) => {
      const e = ewRun.get(`${r.window.from}..${r.window.to}`);
      return e !== undefined && r.metrics!.sharpe > e.sharpe && r.metrics!.cumulativeReturn > e.cumulativeReturn;
    }).length;
    return [id === ew ? `${id} (equal weight)` : id, ...cells, formatSpread('sharpe', o.metrics.sharpe), formatSpread('cumulativeReturn', o.metrics.cumulativeReturn), id === ew ? '' : `${beating}/${runs.length}`];
  });
  return [`| ${header.join(' | ')} |`, `|${header.map((_, k) => (k === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** How a metric is shown in tables: as a percentage or a plain number, with its column title. */
export const METRIC_DISPLAY: Record<MetricName, { title: string; percent: boolean; digits: number }> = {
  cumulativeReturn: { title: 'cum ret', percent: true, digits: 1 },
  annualReturn: { title: 'ann ret', percent: true, digits: 1 },
  annualVolatility: { title: 'ann vol', percent: true, digits: 1 },
  sharpe: { title: 'sharpe', percent: false, digits: 2 },
  sortino: { title: 'sortino', percent: false, digits: 2 },
  omega: { title: 'omega', percent: false, digits: 2 },
  calmar: { title: 'calmar', percent: false, digits: 2 },
  maxDrawdown: { title: 'max dd', percent: true, digits: 1 },
  maxDrawdownDays: { title: 'dd days', percent: false, digits: 0 },
  var95: { title: 'VaR95', percent: true, digits: 2 },
  cvar95: { title: 'CVaR95', percent: true, digits: 2 },
  turnover: { title: 'turnover', percent: true, digits: 2 },
  avgHoldings: { title: 'holdings', percent: false, digits: 1 },
  hitRate: { title: 'hit rate', percent: true, digits: 1 },
};

/** "12.3%" / "1.23" / "inf" / "-" for one number. */
export function formatMetric(name: MetricName, v: number): string {
  if (Number.isNaN(v)) return '-';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const d = METRIC_DISPLAY[name];
  return d.percent ? `${(v * 100).toFixed(d.digits)}%` : v.toFixed(d.digits);
}

/** "mean ± std" (or just the mean when there is no spread). */
export function formatSpread(name: MetricName, s: Spread): string {
  const m = formatMetric(name, s.mean);
  if (s.n < 2 || Number.isNaN(s.std)) return m;
  const d = METRIC_DISPLAY[name];
  const sd = d.percent ? `${(s.std * 100).toFixed(d.digits)}%` : s.std.toFixed(d.digits);
  return `${m} ± ${sd}`;
}

/** Plain-text table: columns padded to their widest cell, first column left-aligned, others right-aligned. */
export function textTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(header), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

/** The default columns of the backtest table. */
export const TABLE_METRICS: MetricName[] = ['cumulativeReturn', 'annualReturn', 'annualVolatility', 'sharpe', 'sortino', 'maxDrawdown', 'calmar', 'turnover', 'avgHoldings'];

/**
 * The metrics table printed by `hdrl backtest`: one row per strategy, mean ± std over seeds and windows,
 * hindsight strategies marked with '*', flags (≈EW = close to equal weight) with their run counts, and notes.
 */
export function metricsTable(summaries: readonly StrategySummary[], metrics: MetricName[] = TABLE_METRICS): string {
  const header = ['strategy', 'runs', ...metrics.map((m) => METRIC_DISPLAY[m].title), 'flags'];
  const rows = summaries.map((s) => [
    `${s.strategy}${s.hindsight ? ' *' : ''}`,
    `${s.runs}${s.failed ? ` (+${s.failed} failed)` : ''}`,
    ...metrics.map((m) => formatSpread(m, s.metrics[m])),
    Object.entries(s.flags)
      .map(([f, c]) => `${f === 'close-to-equal-weight' ? '≈EW' : f} ${c}/${s.runs}`)
      .join(', '),
  ]);
  const notes: string[] = [];
  if (summaries.some((s) => s.hindsight)) notes.push('* hindsight: sees the test window in advance; a reference, not a tradable strategy');
  if (summaries.some((s) => s.flags['close-to-equal-weight'])) notes.push('≈EW: target weights stay close to equal weight (mean daily L1 distance < threshold)');
  if (summaries.some((s) => s.runs > 1)) notes.push('values: mean ± sample std over seeds and windows');
  return textTable(header, rows) + (notes.length ? '\n' + notes.map((n) => `  ${n}`).join('\n') : '');
}

/** Markdown table of strategy summaries (same figures as metricsTable). */
export function markdownTable(summaries: readonly StrategySummary[], metrics: MetricName[] = TABLE_METRICS): string {
  const header = ['strategy', 'runs', ...metrics.map((m) => METRIC_DISPLAY[m].title), 'flags'];
  const rows = summaries.map((s) => [
    `${s.strategy}${s.hindsight ? ' †' : ''}`,
    `${s.runs}${s.failed ? ` (+${s.failed} failed)` : ''}`,
    ...metrics.map((m) => formatSpread(m, s.metrics[m])),
    Object.entries(s.flags)
      .map(([f, c]) => `${f === 'close-to-equal-weight' ? '≈EW' : f} ${c}/${s.runs}`)
      .join(', '),
  ]);
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/**
 * For every learning strategy and test window: did it beat equal weight (crp, else ubah) on both Sharpe and
 * cumulative return? One plain sentence each, used by the CLI table and the results document.
 */
export function equalWeightVerdicts(results: readonly BacktestRunResult[], learning: ReadonlySet<string>, markdown = false): string[] {
  const windows = [...new Map(results.map((r) => [`${r.window.from}..${r.window.to}`, r.window])).values()];
  const b = (x: string) => (markdown ? `**${x}**` : x);
  const out: string[] = [];
  for (const w of windows) {
    const sums = summarizeByStrategy(results.filter((r) => r.window.from === w.from && r.window.to === w.to));
    const ew = sums.find((s) => s.strategy === 'crp') ?? sums.find((s) => s.strategy === 'ubah');
    if (!ew) continue;
    for (const s of sums) {
      if (!learning.has(s.strategy) || !s.runs) continue;
      const ewSh = ew.metrics.sharpe.mean;
      const ewCr = ew.metrics.cumulativeReturn.mean;
      const beats = s.metrics.sharpe.mean > ewSh && s.metrics.cumulativeReturn.mean > ewCr;
      out.push(
        `${w.from.slice(0, 4)}: ${b(`${s.strategy} ${beats ? 'beats' : 'does not beat'} equal weight`)} (${ew.strategy}): Sharpe ${formatSpread('sharpe', s.metrics.sharpe)} vs ${formatMetric('sharpe', ewSh)}, cumulative return ${formatSpread('cumulativeReturn', s.metrics.cumulativeReturn)} vs ${formatMetric('cumulativeReturn', ewCr)}`,
      );
    }
  }
  return out;
}

/**
 * A results document written by `hdrl backtest --markdown FILE`: the command that produced it, one table per
 * test window and one over all windows (mean ± std over seeds), and for every learning strategy a plain
 * statement of whether it beat equal weight in each window.
 */
export function resultsMarkdown(results: readonly BacktestRunResult[], o: { command: string; codeVersion: string; learning: ReadonlySet<string> }): string {
  const windows = [...new Map(results.map((r) => [`${r.window.from}..${r.window.to}`, r.window])).values()];
  const out: string[] = [
    '# Results',
    '',
    `Written by \`${o.command}\` on ${new Date().toISOString().slice(0, 10)} (code ${o.codeVersion}). Every figure below was computed by that command; nothing is edited by hand.`,
    'Values are mean ± sample standard deviation over seeds. In the "All windows" table each seed is first averaged over the test windows, so its ± is the spread between seeds. † marks hindsight references (not tradable). ≈EW marks runs whose weights stay close to equal weight.',
    '',
  ];
  const glance = glanceTable(results, o.learning);
  if (glance) out.push('## At a glance', '', 'The learning strategies beside equal weight (Sharpe by test window, mean ± std over seeds; the last column counts the seed × window runs that beat the equal-weight run of the same window on both Sharpe and cumulative return).', '', glance, '');
  for (const w of windows) {
    const rs = results.filter((r) => r.window.from === w.from && r.window.to === w.to);
    out.push(`## Test window ${w.from} to ${w.to}`, '', markdownTable(summarizeByStrategy(rs)), '');
  }
  if (windows.length > 1) out.push('## All windows', '', markdownTable(summarizeSeedsOverWindows(results)), '');
  const verdicts = equalWeightVerdicts(results, o.learning, true);
  if (verdicts.length) out.push('## Against equal weight', '', ...verdicts.map((v) => `- ${v}.`), '');
  return out.join('\n');
}
