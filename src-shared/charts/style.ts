/**
 * How every shared chart reads (src-shared/charts): the series palette, the colour kept for the equal-weight
 * reference, and the axis tick labels. Plain data and pure functions, no ECharts import.
 *
 * Tick labels show the tick's value exactly. ECharts picks the ticks (round steps of 1, 2, 3 or 5 times a power of
 * ten, already rounded to the step's precision); a label shows as many decimals as its value needs, never fewer than
 * the axis asks for, so a tick at 1.25 reads '1.25' and one at 1.005 reads '1.005', never a rounded neighbour.
 */

/** Series colours (Okabe-Ito based, colour-blind safe, dark enough to print); series i takes SERIES_COLORS[i % n]. */
export const SERIES_COLORS = [
  '#0b5fa5',
  '#d55e00',
  '#009e73',
  '#cc79a7',
  '#e69f00',
  '#56b4e9',
  '#6b6b6b',
  '#8c564b',
  '#b8860b',
];

/** The equal-weight reference's colour: near black, which no other series takes. */
export const EQUAL_WEIGHT_COLOR = '#1d2330';

/** Most decimals a tick label shows (float noise below this is not part of a tick's value). */
const MAX_TICK_DECIMALS = 10;

/** Decimals of a number's shortest exact writing (1.25 -> 2, 3e-7 -> 7, 12 -> 0). */
function decimalsOf(x: number): number {
  const [mantissa = '', exp] = String(Math.abs(x)).split('e');
  const frac = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, frac - Number(exp ?? 0));
}

/** `v` with at least `minDecimals` decimals and as many more as its value needs; no '-0'. */
function exactTick(v: number, minDecimals: number): string {
  if (!Number.isFinite(v)) return '';
  const clean = Number(v.toPrecision(12)); // 0.07 * 100 = 7.000000000000001 -> 7
  const s = clean.toFixed(Math.min(MAX_TICK_DECIMALS, Math.max(minDecimals, decimalsOf(clean))));
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Tick label of a growth-of-1 axis: at least 2 decimals ('1.00', '1.25', '1.005'). */
export function growthTick(v: number): string {
  return exactTick(v, 2);
}

/** Tick label of an axis of fractions, as a percentage with at least `minDecimals` decimals ('-5%', '2.5%'). */
export function pctTick(v: number, minDecimals = 0): string {
  const s = exactTick(v * 100, minDecimals);
  return s === '' ? '' : `${s}%`;
}

/** An ISO date 'YYYY-MM-DD' as UTC milliseconds (a time axis' value; ECharts shows it with useUTC). */
export function utcTime(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/**
 * A note in the middle of a line chart none of whose series has two values to draw a line between (e.g. a 63-day
 * rolling figure over a window of 63 days or fewer), so an empty plot says why it is empty; nothing otherwise.
 */
export function emptyChartNote(
  series: readonly (readonly (number | null | undefined)[])[],
  text: string,
): { graphic?: Record<string, unknown>[] } {
  const drawable = series.some((v) => v.filter((x) => x != null && Number.isFinite(x)).length >= 2);
  if (drawable) return {};
  return {
    graphic: [
      { type: 'text', left: 'center', top: 'middle', style: { text, fill: '#6b7280', fontSize: 12 }, silent: true },
    ],
  };
}
