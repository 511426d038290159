/**
 * Summaries of backtest results for tables and exports: one row per strategy with the mean and sample standard
 * deviation of each metric over its seeds and windows (method.md "Seeds": report mean and spread), the
 * hindsight mark and how many of its runs carry each flag. The rules they apply (mean ± std and its NaN rule,
 * metric titles and digits, the equal-weight verdict) live in src-shared/domain; this file lays out the tables.
 */
import { equalWeightReference, equalWeightVerdict, meanStd, METRIC_SPECS, verdictPhrase, type MeanStd, type VerdictFigures } from '../../src-shared/domain';
import { METRIC_NAMES, type MetricName } from '../metrics';
import type { BacktestRunResult } from './run';

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
    const perSeed = (pick: (r: BacktestRunResult) => number) => meanStd([...bySeed.values()].map((rs) => meanStd(rs.map(pick)).mean));
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
const figures = (r: BacktestRunResult): VerdictFigures => ({ sharpe: r.metrics!.sharpe, cumulativeReturn: r.metrics!.cumulativeReturn });
const completed = (rs: readonly BacktestRunResult[], id: string) => rs.filter((r) => r.strategy === id && r.status === 'complete' && r.metrics);

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
  const header = ['strategy', ...windows.map((w) => `sharpe ${w.label || w.from.slice(0, 4)}`), 'sharpe all', 'cum ret all', `runs beating ${ew ?? 'EW'}`];
  const rows = ids.map((id) => {
    const cells = perWindow.map((sums) => {
      const s = sums.find((x) => x.strategy === id);
      return s ? formatSpread('sharpe', s.metrics.sharpe) : '-';
    });
    const o = overall.find((x) => x.strategy === id)!;
    const runs = completed(results, id);
    const beating = ew === undefined ? 0 : inWindow.reduce((k, rs) => k + equalWeightVerdict(completed(rs, id).map(figures), completed(rs, ew).map(figures)).seedsBeating, 0);
    return [id === ew ? `${id} (equal weight)` : id, ...cells, formatSpread('sharpe', o.metrics.sharpe), formatSpread('cumulativeReturn', o.metrics.cumulativeReturn), id === ew ? '' : `${beating}/${runs.length}`];
  });
  return [`| ${header.join(' | ')} |`, `|${header.map((_, k) => (k === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
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
  const header = ['strategy', 'runs', ...metrics.map((m) => METRIC_SPECS[m].title), 'flags'];
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
  const header = ['strategy', 'runs', ...metrics.map((m) => METRIC_SPECS[m].title), 'flags'];
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
 * For every learning strategy and test window: does it beat equal weight (crp, else ubah) by the rule of
 * src-shared/domain/verdict.ts (mean Sharpe and mean cumulative return both higher)? One plain sentence each,
 * used by the CLI table and the results document.
 */
export function equalWeightVerdicts(results: readonly BacktestRunResult[], learning: ReadonlySet<string>, markdown = false): string[] {
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
        `${w.from.slice(0, 4)}: ${b(`${id} ${verdictPhrase(v.outcome)} equal weight`)} (${ew}): Sharpe ${formatSpread('sharpe', v.sharpe)} vs ${formatMetric('sharpe', v.ewSharpe.mean)}, cumulative return ${formatSpread('cumulativeReturn', v.cumulativeReturn)} vs ${formatMetric('cumulativeReturn', v.ewCumulativeReturn.mean)}`,
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
