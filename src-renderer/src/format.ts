/** Number formatting used across the desk: percentages, basis points, thousands, ISO dates. */
export function pct(x: number | null | undefined, digits = 2): string {
  if (x == null || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}
export function bps(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '—';
  return `${Math.round(x * 10_000).toLocaleString('en-US')} bp`;
}
export function num(x: number | null | undefined, digits = 2): string {
  if (x == null || !Number.isFinite(x)) return x === Infinity ? '∞' : '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
export function int(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '—';
  return Math.round(x).toLocaleString('en-US');
}
