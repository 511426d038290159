/**
 * ECharts options of the performance charts, one builder per chart: the equity curves (growth of 1), the
 * drawdown (underwater) curves and the calendar-year returns of several strategies. The HTML and PDF reports
 * render them to SVG on the server (src-main/reports/render/svgCharts.ts); the desk can draw the same options on a
 * canvas (components/EChart.vue). Pure functions of plain data: no DOM, no Node, no ECharts import.
 *
 * Conventions (as ./analytics.ts): the learned strategy (or the run a report is about) drawn thicker and on top;
 * hindsight references dashed and marked with a dagger in the legend; the equal-weight reference in its own colour
 * (./style.ts EQUAL_WEIGHT_COLOR), which no other series takes; past the palette, colours repeat and the second
 * round is dotted. Dates lie on a time axis, so curves of different windows share one chart. Tick labels: ./style.ts.
 */
import { axisTooltip, runLabel, type ChartRun } from './analytics';
import { emptyChartNote, EQUAL_WEIGHT_COLOR, growthTick, pctTick, SERIES_COLORS, utcTime } from './style';

/** A run as a performance chart draws it. */
export interface PerformanceRun extends ChartRun {
  /** the equal-weight reference (crp, else ubah) */
  equalWeight?: boolean;
}

/** A dated curve: `values[i]` belongs to `dates[i]` (ISO dates, ascending); null or a non-finite value is a gap. */
export interface CurveRun extends PerformanceRun {
  dates: readonly string[];
  values: readonly (number | null)[];
}

/** The colour and line of each run: the palette in order for all but the equal-weight reference. */
function looks(runs: readonly PerformanceRun[]): { color: string; width: number; type: string; z: number }[] {
  let k = 0;
  return runs.map((r) => {
    const i = r.equalWeight ? -1 : k++;
    const color = i < 0 ? EQUAL_WEIGHT_COLOR : SERIES_COLORS[i % SERIES_COLORS.length]!;
    const type = r.hindsight ? 'dashed' : i >= SERIES_COLORS.length ? 'dotted' : 'solid';
    return {
      color,
      width: r.learned ? 2.6 : r.equalWeight ? 1.8 : 1.3,
      type,
      z: r.learned ? 4 : r.equalWeight ? 3 : 2,
    };
  });
}

const finiteOrNull = (v: number | null | undefined): number | null => (v != null && Number.isFinite(v) ? v : null);

const base = (runs: readonly unknown[]) => ({
  animation: false,
  useUTC: true,
  legend: { show: runs.length > 1, type: 'scroll', top: 0, textStyle: { fontSize: 12 } },
  grid: { left: 64, right: 28, top: runs.length > 1 ? 36 : 16, bottom: 30 },
});

function curveSeries(runs: readonly CurveRun[], area: boolean) {
  const look = looks(runs);
  return runs.map((r, i) => ({
    name: runLabel(r),
    type: 'line',
    showSymbol: false,
    sampling: 'lttb',
    color: look[i]!.color,
    data: r.dates.map((d, j) => [utcTime(d), finiteOrNull(r.values[j])]),
    lineStyle: { width: look[i]!.width, type: look[i]!.type },
    z: look[i]!.z,
    ...(area ? { areaStyle: { opacity: 0.18 } } : {}),
  }));
}

const timeAxis = { type: 'time', axisLabel: { hideOverlap: true, fontSize: 11 }, splitLine: { show: false } };

/** How the desk draws a chart that a report draws fixed: zoomable (wheel and drag), and for equity a log axis. */
export interface InteractiveOptions {
  /** zoom and pan inside the plot (the desk; a report is a still picture) */
  zoom?: boolean;
}

const zoomed = (opts: InteractiveOptions) => (opts.zoom ? { dataZoom: [{ type: 'inside' }] } : {});

/**
 * A log-scale growth axis from the data's low to its high, each rounded outwards to a multiple of 0.05 (so the end
 * labels read 0.85 and 1.25, not 10^0.1), labelled exactly like the linear axis.
 */
const logGrowthAxis = {
  type: 'log',
  axisLabel: { formatter: growthTick, fontSize: 11 },
  splitLine: { lineStyle: { color: '#e3e6ea' } },
  min: (v: { min: number }) => Math.max(0.05, Math.floor(v.min * 20) / 20),
  max: (v: { max: number }) => Math.ceil(v.max * 20) / 20,
};

/**
 * Equity curves, growth of 1 (the axis starts near the lowest value, not at 0).
 * @param opts.logScale a log axis, so equal returns look equal at any level (long windows)
 */
export function equityOption(
  runs: readonly CurveRun[],
  opts: InteractiveOptions & { logScale?: boolean } = {},
): Record<string, unknown> {
  return {
    ...base(runs),
    ...zoomed(opts),
    tooltip: axisTooltip((v) => (v == null ? '\u2014' : v.toFixed(3))),
    xAxis: timeAxis,
    yAxis: opts.logScale
      ? logGrowthAxis
      : {
          type: 'value',
          scale: true,
          axisLabel: { formatter: growthTick, fontSize: 11 },
          splitLine: { lineStyle: { color: '#e3e6ea' } },
        },
    series: curveSeries(runs, false),
  };
}

/**
 * Drawdown (underwater) curves: fractions <= 0 of the running peak, shown as percentages.
 * @param opts.area fill between the curve and zero (one run's drawdown)
 */
export function drawdownOption(
  runs: readonly CurveRun[],
  opts: InteractiveOptions & { area?: boolean } = {},
): Record<string, unknown> {
  return {
    ...base(runs),
    ...zoomed(opts),
    tooltip: axisTooltip((v) => (v == null ? '\u2014' : pctTick(Math.round(v * 10000) / 10000, 2))),
    xAxis: timeAxis,
    yAxis: {
      type: 'value',
      max: 0,
      axisLabel: { formatter: (v: number) => pctTick(v), fontSize: 11 },
      splitLine: { lineStyle: { color: '#e3e6ea' } },
    },
    series: curveSeries(runs, opts.area ?? false),
  };
}

/**
 * Any dated figure of several runs as lines on the same time axis as the equity and drawdown charts (e.g. a rolling
 * Sharpe ratio), so charts of one window zoom together. `tick` labels the value axis and the tooltip.
 */
export function datedLinesOption(
  runs: readonly CurveRun[],
  tick: (v: number) => string,
  opts: InteractiveOptions & { emptyText?: string } = {},
): Record<string, unknown> {
  return {
    ...base(runs),
    ...zoomed(opts),
    ...(opts.emptyText
      ? emptyChartNote(
          runs.map((r) => r.values),
          opts.emptyText,
        )
      : {}),
    tooltip: axisTooltip((v) => (v == null ? '\u2014' : tick(v))),
    xAxis: timeAxis,
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { formatter: tick, fontSize: 11 },
      splitLine: { lineStyle: { color: '#e3e6ea' } },
    },
    series: curveSeries(runs, false),
  };
}

/** Calendar-year returns, one bar per run and year (fractions; null: no bar, the run does not cover the year). */
export function calendarYearOption(
  years: readonly string[],
  runs: readonly (PerformanceRun & { values: readonly (number | null)[] })[],
): Record<string, unknown> {
  const look = looks(runs);
  return {
    ...base(runs),
    legend: { show: runs.length > 0, type: 'scroll', top: 0, textStyle: { fontSize: 12 } },
    grid: { left: 64, right: 28, top: 36, bottom: 30 },
    tooltip: axisTooltip((v) => (v == null ? '\u2014' : pctTick(Math.round(v * 10000) / 10000, 2))),
    xAxis: { type: 'category', data: [...years], axisLabel: { fontSize: 11 } },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (v: number) => pctTick(v), fontSize: 11 },
      splitLine: { lineStyle: { color: '#e3e6ea' } },
    },
    series: runs.map((r, i) => ({
      name: runLabel(r),
      type: 'bar',
      barMaxWidth: 18,
      color: look[i]!.color,
      data: r.values.map(finiteOrNull),
    })),
  };
}
