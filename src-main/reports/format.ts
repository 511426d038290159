/**
 * Formatting shared by every renderer (docs/architecture.md "Reports"): numbers as PMs read them, metric labels and
 * units (docs/backtest-conventions.md), colours, escaping for HTML, and the text clean-up the PDF needs
 * (pdfkit's standard Helvetica only has the WinAnsi character set).
 *
 * Display rules
 * - Percentages: value * 100 with a fixed number of decimals and '%', a plain ASCII hyphen for minus signs
 *   (so the text can be searched and copied), never "-0.00%".
 * - Non-finite numbers: NaN shows as 'n/a', +Infinity as 'inf', -Infinity as '-inf' (the contract's words).
 */
import {
  METRIC_IDS,
  METRIC_SPECS as DOMAIN_SPECS,
  type MetricUnit as DomainMetricUnit,
} from '../../src-shared/domain/metrics';
import { METRIC_NAMES } from '../metrics';
import type { MetricStat, MetricsRow } from './model';

/** Decimals of weights and trades in tables (0.0345 -> "3.45%"). */
export const WEIGHT_DECIMALS = 2;
/** Decimals of percentage metrics (returns, volatility, drawdowns) in tables. */
export const PCT_METRIC_DECIMALS = 2;
/** Decimals of ratio metrics (Sharpe, Sortino, Omega, Calmar) in tables. */
export const RATIO_DECIMALS = 2;
/** Decimals of monthly and yearly returns in the heatmap (0.0123 -> "1.2%"). */
export const HEATMAP_DECIMALS = 1;
/** Monthly return at which the heatmap colour saturates (fraction). */
export const HEATMAP_SATURATION = 0.08;
/** |trade| below this (fraction of the portfolio) is no trade: left out of the trades list. */
export const TRADE_EPSILON = 1e-9;

/** How a metric is shown. */
export type MetricUnit = DomainMetricUnit;

export interface MetricSpec {
  key: string;
  /** column header */
  label: string;
  unit: MetricUnit;
  /** one-line description for footnotes / tooltips */
  help: string;
}

/** Known metrics with their labels, units and help, from their one definition in src-shared/domain/metrics.ts. */
export const METRIC_SPECS = Object.fromEntries(
  METRIC_IDS.map((id) => [
    id,
    { key: id, label: DOMAIN_SPECS[id].label, unit: DOMAIN_SPECS[id].unit, help: DOMAIN_SPECS[id].help },
  ]),
) as Record<(typeof METRIC_NAMES)[number], MetricSpec>;

/** Spec of any metric key: the known one, or a generic ratio labelled from the camelCase key. */
export function metricSpec(key: string): MetricSpec {
  const known = (METRIC_SPECS as Record<string, MetricSpec>)[key];
  if (known) return known;
  const label = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
  return { key, label, unit: 'ratio', help: label };
}

/**
 * Metric keys of a table: the known metrics present in any row, in METRIC_NAMES order, then the other keys in
 * first-seen order.
 */
export function metricColumns(rows: readonly MetricsRow[]): string[] {
  const present = new Set<string>();
  const extra: string[] = [];
  for (const r of rows) {
    for (const k of Object.keys(r.metrics)) {
      if (!present.has(k)) {
        present.add(k);
        if (!(METRIC_NAMES as readonly string[]).includes(k)) extra.push(k);
      }
    }
  }
  return [...METRIC_NAMES.filter((k) => present.has(k)), ...extra];
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'n/a';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

/** Fixed decimals without a "-0" result: fixed(-0.0001, 2) = "0.00". */
export function fixed(x: number, decimals: number): string {
  const nf = nonFinite(x);
  if (nf !== null) return nf;
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Percentage of a fraction: pct(0.0345) = "3.45%", pct(-0.1, 1) = "-10.0%"; NaN 'n/a', ±inf 'inf'/'-inf'. */
export function pct(x: number, decimals: number = WEIGHT_DECIMALS): string {
  const nf = nonFinite(x);
  if (nf !== null) return nf;
  return `${fixed(x * 100, decimals)}%`;
}

/** Signed percentage (trades): "+0.35%", "-1.20%", "0.00%" for a change that rounds to zero. */
export function signedPct(x: number, decimals: number = WEIGHT_DECIMALS): string {
  const s = pct(x, decimals);
  return /^\d/.test(s) && Number(s.slice(0, -1)) !== 0 ? `+${s}` : s;
}

/** A metric value in its unit: pct -> "12.34%", ratio -> "1.23", days/count -> integer / one decimal. */
export function formatMetric(x: number, unit: MetricUnit): string {
  switch (unit) {
    case 'pct':
      return pct(x, PCT_METRIC_DECIMALS);
    case 'ratio':
      return fixed(x, RATIO_DECIMALS);
    case 'days':
      return fixed(x, 0);
    case 'count':
      return fixed(x, 1);
  }
}

/** Mean and spread of a metric: {mean: "1.23", std: "±0.10" | null}. */
export function formatStat(s: MetricStat | undefined, unit: MetricUnit): { mean: string; std: string | null } {
  if (!s) return { mean: '', std: null };
  return { mean: formatMetric(s.mean, unit), std: s.std === null ? null : `\u00b1${formatMetric(s.std, unit)}` };
}

/** A plain number with up to `sig` significant digits, no exponent for |x| in [1e-4, 1e9). */
export function num(x: number, sig = 4): string {
  const nf = nonFinite(x);
  if (nf !== null) return nf;
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e9) {
    const decimals = Math.max(0, sig - 1 - Math.floor(Math.log10(a)));
    return fixed(x, Math.min(decimals, 12));
  }
  return x.toExponential(sig - 1);
}

/** A config / detail value as one line of text (objects as compact JSON). */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(10))) : num(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/**
 * A config flattened to [dotted key, value text] pairs: nested plain objects become `a.b`, arrays and other
 * values are shown with {@link valueText}.
 */
export function flattenConfig(config: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(config)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype) {
      const inner = flattenConfig(v as Record<string, unknown>, key);
      if (inner.length === 0) out.push([key, '{}']);
      else out.push(...inner);
    } else {
      out.push([key, valueText(v)]);
    }
  }
  return out;
}

/** Display name of an agent id: upper -> "Upper agent", lower1 -> "Lower agent 1"; others as given. */
export function agentLabel(agent: string): string {
  if (agent === 'upper') return 'Upper agent';
  const m = /^lower(\d+)$/.exec(agent);
  if (m) return `Lower agent ${m[1]}`;
  return agent;
}

/** Marker after a strategy name: dagger for hindsight, double dagger for close to equal weight. */
export function strategyMarks(r: Pick<MetricsRow, 'hindsight' | 'closeToEqualWeight'>): string {
  return `${r.hindsight ? '\u2020' : ''}${r.closeToEqualWeight ? '\u2021' : ''}`;
}

/** Footnote of the dagger mark. */
export const HINDSIGHT_NOTE =
  'Hindsight baseline: chosen with knowledge of future prices, not investable; shown as a reference only.';
/** Footnote of the double-dagger mark. */
export const CLOSE_TO_EW_NOTE =
  'Close to equal weight: the policy\u2019s weights stay near 1/N (a possibly collapsed policy).';

/** Short month names, index 0 = January. */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Colour of gains and losses in tables (green / red, print-safe). */
export const GAIN_COLOR = '#17703a';
export const LOSS_COLOR = '#b3261e';

function mix(a: [number, number, number], b: [number, number, number], t: number): string {
  const c = a.map((x, i) => Math.round(x + (b[i]! - x) * t));
  return `#${c.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Heatmap background of a return: white at 0, towards green (gain) or red (loss), saturating at
 * ±{@link HEATMAP_SATURATION}; NaN -> light grey.
 */
export function heatColor(ret: number, saturation: number = HEATMAP_SATURATION): string {
  if (!Number.isFinite(ret)) return '#eeeeee';
  const t = Math.min(1, Math.abs(ret) / saturation) * 0.85;
  return ret >= 0 ? mix([255, 255, 255], [46, 139, 87], t) : mix([255, 255, 255], [200, 50, 40], t);
}

/** Text colour on a heatmap cell: white on strongly coloured cells, ink otherwise. */
export function heatTextColor(ret: number, saturation: number = HEATMAP_SATURATION): string {
  return Number.isFinite(ret) && Math.abs(ret) > 0.6 * saturation ? '#ffffff' : '#1d2330';
}

/** Escape text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Unicode code points outside Latin-1 that WinAnsi (pdfkit's standard fonts) can show. */
const WIN_ANSI_EXTRA = new Set([
  402, 8211, 8212, 8216, 8217, 8218, 8220, 8221, 8222, 8224, 8225, 8226, 8230, 8364, 8240, 8249, 8250, 710, 8482, 338,
  339, 732, 352, 353, 376, 381, 382,
]);
const PDF_REPLACEMENTS: Record<string, string> = {
  '\u2212': '-',
  '\u2248': '~',
  '\u221e': 'inf',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u00a0': ' ',
};

/**
 * Text the standard PDF fonts can show: control characters (newlines, tabs) become spaces, a few common symbols
 * get ASCII stand-ins, any other character outside WinAnsi becomes '?'.
 */
export function pdfText(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 32 || (cp >= 127 && cp < 160)) out += ' ';
    else if (PDF_REPLACEMENTS[ch] !== undefined) out += PDF_REPLACEMENTS[ch];
    else if (cp < 256 || WIN_ANSI_EXTRA.has(cp)) out += ch;
    else out += '?';
  }
  return out;
}
