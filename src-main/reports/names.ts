/**
 * The names a report gives its rows, curves and per-run tables (docs/architecture.md "Reports"): a strategy's label
 * shortened to fit a table column ({@link shortLabel}, {@link fitName}), with ' · seed N' for the run of an
 * allocation report, the test window when the groups of a tear sheet cover several, and what differs ('weekly',
 * 'cost 0.20%', 'eta=0.1') when one strategy ran with several settings ({@link settingsDiff}). Also the
 * rebalancing rule of a run in words, which both the names and the caveats use.
 */
import type { RunRebalance } from '../../src-shared/domain/runConfig';
import type { RunRow } from '../store/runs';
import { pct } from './format';

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
export function windowLabel(r: RunRow, full: boolean): string {
  return full ? `${r.windowFrom}..${r.windowTo}` : `${r.windowFrom.slice(0, 7)}..${r.windowTo.slice(0, 7)}`;
}

/** The run's rebalancing rule ('daily', 'weekly' or a number of trading days; every 1 day is 'daily'). */
export function rebalanceOf(r: RunRow): RunRebalance {
  const v = r.config.rebalance;
  return v === 1 ? 'daily' : v;
}

/** A rebalancing rule in words. */
export function rebalanceWords(rule: RunRebalance): string {
  if (rule === 'daily' || rule === 1) return 'daily, at the close';
  if (rule === 'weekly') return 'weekly (every 5 trading days), at the close';
  return `every ${rule} trading days, at the close`;
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
