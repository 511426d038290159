/**
 * ECharts options of the analytics charts, one builder per chart, shared by the desk (components/EChart.vue draws
 * them on a canvas, with tooltips) and the HTML tear sheet (src-main/reports/render/svgCharts.ts renders them to
 * SVG on the server). Pure functions of plain data: no DOM, no Node, no ECharts import (an option is a plain
 * object).
 *
 * Conventions: fractions on every value axis, shown as percentages; the learned strategy drawn thicker and on top;
 * hindsight references dashed and marked with a dagger in the legend; every tooltip formats its numbers.
 */
import { emptyChartNote, growthTick, pctTick } from './style';

/** A run as a chart draws it. */
export interface ChartRun {
  name: string;
  hindsight: boolean;
  learned: boolean;
}

/** A percentage with `digits` decimals ('—' for no value). */
export function pctText(v: number | null | undefined, digits = 1): string {
  return v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`;
}

/** The legend name of a run: a dagger for a hindsight reference. */
export function runLabel(r: ChartRun): string {
  return r.hindsight ? `${r.name} \u2020` : r.name;
}

function lineStyle(r: ChartRun) {
  return { width: r.learned ? 2.6 : 1.3, type: r.hindsight ? 'dashed' : 'solid' };
}

/** Percent tick labels with at least `digits` decimals, exact (./style.ts). */
const AXIS_PCT = (digits: number) => ({ formatter: (v: number) => pctTick(v, digits) });

interface TooltipParam {
  seriesName: string;
  value: unknown;
  axisValueLabel?: string;
  marker?: string;
}

/** An axis tooltip listing each series with its value formatted by `fmt`. */
export function axisTooltip(fmt: (v: number | null) => string) {
  return {
    trigger: 'axis',
    formatter: (ps: TooltipParam | TooltipParam[]) => {
      const list = Array.isArray(ps) ? ps : [ps];
      const head = list[0]?.axisValueLabel ?? '';
      return [
        head,
        ...list.map(
          (p) =>
            `${p.marker ?? ''}${p.seriesName}: ${fmt(Array.isArray(p.value) ? (p.value[1] as number) : (p.value as number | null))}`,
        ),
      ].join('<br/>');
    },
  };
}

const base = (legendTop = true) => ({
  animation: false,
  legend: { type: 'scroll', top: legendTop ? 0 : undefined, textStyle: { fontSize: 11 } },
  grid: { left: 56, right: 20, top: 46, bottom: 30, containLabel: false },
});

/** Rolling annualised volatility of each run, on a shared date axis. */
export function rollingVolOption(
  dates: readonly string[],
  runs: readonly (ChartRun & { values: readonly (number | null)[] })[],
  days: number,
): Record<string, unknown> {
  return {
    ...base(),
    ...emptyChartNote(
      runs.map((r) => r.values),
      `A ${days}-day rolling figure needs more than ${days} days of returns`,
    ),
    tooltip: axisTooltip((v) => pctText(v, 1)),
    xAxis: { type: 'category', data: [...dates], boundaryGap: false },
    yAxis: { type: 'value', name: `ann. vol, ${days} d`, nameTextStyle: { fontSize: 10 }, axisLabel: AXIS_PCT(0) },
    series: runs.map((r) => ({
      name: runLabel(r),
      type: 'line',
      showSymbol: false,
      data: [...r.values],
      lineStyle: lineStyle(r),
      z: r.learned ? 3 : 2,
    })),
  };
}

/** The distribution of daily returns: each run's share of days per bin (shared bins), as lines over the bin centres. */
export function distributionOption(
  bins: readonly number[],
  runs: readonly (ChartRun & { counts: readonly number[] })[],
): Record<string, unknown> {
  const centres = bins.slice(0, -1).map((b, i) => (b + bins[i + 1]!) / 2);
  const w = bins.length > 1 ? bins[1]! - bins[0]! : 0;
  return {
    ...base(),
    tooltip: {
      trigger: 'axis',
      formatter: (ps: TooltipParam | TooltipParam[]) => {
        const list = Array.isArray(ps) ? ps : [ps];
        const x = Array.isArray(list[0]?.value) ? (list[0]!.value as number[])[0]! : 0;
        return [
          `daily return ${pctText(x - w / 2, 2)} to ${pctText(x + w / 2, 2)}`,
          ...list.map((p) => `${p.marker ?? ''}${p.seriesName}: ${pctText((p.value as number[])[1]!, 1)} of days`),
        ].join('<br/>');
      },
    },
    xAxis: {
      type: 'value',
      name: 'daily return',
      nameLocation: 'middle',
      nameGap: 22,
      nameTextStyle: { fontSize: 10 },
      axisLabel: AXIS_PCT(1),
      min: bins[0],
      max: bins[bins.length - 1],
    },
    yAxis: { type: 'value', name: 'share of days', nameTextStyle: { fontSize: 10 }, axisLabel: AXIS_PCT(0) },
    grid: { left: 56, right: 20, top: 46, bottom: 40 },
    series: runs.map((r) => {
      const total = r.counts.reduce((s, c) => s + c, 0) || 1;
      return {
        name: runLabel(r),
        type: 'line',
        step: 'middle',
        showSymbol: false,
        data: centres.map((c, i) => [c, r.counts[i]! / total]),
        lineStyle: lineStyle(r),
        z: r.learned ? 3 : 2,
      };
    }),
  };
}

/** Weights over time as stacked areas (a part per series, cash on top), fractions of the book. */
export function weightsOption(
  dates: readonly string[],
  parts: readonly { name: string; values: readonly (number | null)[] }[],
  cash: readonly (number | null)[],
): Record<string, unknown> {
  const all = [...parts, { name: 'Cash', values: cash }];
  return {
    ...base(),
    tooltip: axisTooltip((v) => pctText(v, 1)),
    xAxis: { type: 'category', data: [...dates], boundaryGap: false },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: AXIS_PCT(0) },
    series: all.map((p) => ({
      name: p.name,
      type: 'line',
      stack: 'book',
      showSymbol: false,
      areaStyle: { opacity: 0.75 },
      lineStyle: { width: 0.5 },
      data: [...p.values],
      ...(p.name === 'Cash' ? { color: '#b9c1cc' } : {}),
    })),
  };
}

/** Turnover (bars, left axis) and cost (line, right axis) month by month. */
export function tradingOption(
  months: readonly { month: string; turnover: number | null; cost: number | null }[],
): Record<string, unknown> {
  return {
    ...base(),
    tooltip: axisTooltip((v) => pctText(v, 2)),
    grid: { left: 56, right: 56, top: 46, bottom: 30 },
    xAxis: { type: 'category', data: months.map((m) => m.month) },
    yAxis: [
      { type: 'value', name: 'turnover / month', nameTextStyle: { fontSize: 10 }, axisLabel: AXIS_PCT(0) },
      {
        type: 'value',
        name: 'cost / month',
        nameTextStyle: { fontSize: 10 },
        axisLabel: AXIS_PCT(2),
        splitLine: { show: false },
      },
    ],
    series: [
      { name: 'One-way turnover', type: 'bar', data: months.map((m) => m.turnover), barMaxWidth: 18 },
      { name: 'Cost', type: 'line', yAxisIndex: 1, data: months.map((m) => m.cost), showSymbol: true, symbolSize: 4 },
    ],
  };
}

/** Share of the portfolio variance against share of the book, one pair of bars per item (asset or sector). */
export function riskOption(
  items: readonly { name: string; weight: number | null; share: number | null }[],
): Record<string, unknown> {
  const names = items.map((i) => i.name);
  return {
    ...base(),
    tooltip: axisTooltip((v) => pctText(v, 1)),
    grid: { left: 110, right: 20, top: 34, bottom: 30 },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: { fontSize: 10 } },
    xAxis: { type: 'value', axisLabel: AXIS_PCT(0) },
    series: [
      { name: 'Share of variance', type: 'bar', data: items.map((i) => i.share), barMaxWidth: 10 },
      { name: 'Weight', type: 'bar', data: items.map((i) => i.weight), barMaxWidth: 10 },
    ],
  };
}

/** The stitched out-of-sample record (and equal weight's over the same windows), growth of 1, windows marked. */
export function stitchedOption(
  dates: readonly string[],
  record: ChartRun & { values: readonly (number | null)[] },
  benchmark: { name: string; values: readonly (number | null)[] } | null,
  windowStarts: readonly string[],
): Record<string, unknown> {
  return {
    ...base(),
    tooltip: axisTooltip((v) => (v == null ? '—' : v.toFixed(3))),
    xAxis: { type: 'category', data: [...dates], boundaryGap: false },
    yAxis: {
      type: 'value',
      scale: true,
      name: 'growth of 1',
      nameTextStyle: { fontSize: 10 },
      axisLabel: { formatter: growthTick },
    },
    series: [
      {
        name: runLabel(record),
        type: 'line',
        showSymbol: false,
        data: [...record.values],
        lineStyle: lineStyle(record),
        z: 3,
        markLine: {
          symbol: 'none',
          silent: true,
          label: { show: false },
          lineStyle: { type: 'dotted', color: '#8a94a6' },
          data: windowStarts.slice(1).map((d) => ({ xAxis: d })),
        },
      },
      ...(benchmark
        ? [
            {
              name: benchmark.name,
              type: 'line',
              showSymbol: false,
              data: [...benchmark.values],
              lineStyle: { width: 1.3 },
            },
          ]
        : []),
    ],
  };
}
