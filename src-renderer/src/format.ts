/**
 * Number formatting used across the desk: percentages, percentage points, basis points, thousands, ISO dates.
 * A figure that rounds to zero at the digits shown is written without a sign ("0.00%", never "-0.00%"): a sign on
 * a zero says a direction the number does not have. `signed` variants put a "+" on positive figures (trades).
 */

/** x.toFixed(digits), with a value that rounds to zero written unsigned. */
function fixedNoNegZero(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A fraction as a percentage: 0.1234 -> "12.34%" ('—' when missing or not finite). */
export function pct(x: number | null | undefined, digits = 2): string {
  if (x == null || !Number.isFinite(x)) return '—';
  return `${fixedNoNegZero(x * 100, digits)}%`;
}
/** A change as a signed percentage: "+1.20%", "-0.40%", "0.00%". */
export function signedPct(x: number | null | undefined, digits = 2): string {
  const s = pct(x, digits);
  return x != null && Number.isFinite(x) && /[1-9]/.test(s) && x > 0 ? `+${s}` : s;
}
/** A difference of two fractions in percentage points: 0.0123 -> "+1.23 pp". */
export function pp(x: number | null | undefined, digits = 1): string {
  if (x == null || !Number.isFinite(x)) return '—';
  const s = fixedNoNegZero(x * 100, digits);
  return `${x > 0 && /[1-9]/.test(s) ? '+' : ''}${s} pp`;
}
export function bps(x: number | null | undefined, digits = 0): string {
  if (x == null || !Number.isFinite(x)) return '—';
  const v = Number(fixedNoNegZero(x * 10_000, digits));
  return `${(v === 0 ? 0 : v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} bp`;
}
export function num(x: number | null | undefined, digits = 2): string {
  if (x == null || !Number.isFinite(x)) return x === Infinity ? '∞' : '—';
  const v = Number(fixedNoNegZero(x, digits));
  return (v === 0 ? 0 : v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
export function int(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '—';
  const v = Math.round(x);
  return (v === 0 ? 0 : v).toLocaleString('en-US');
}
