/**
 * Charts of the HTML reports as inline SVG, rendered server-side by ECharts (docs/architecture.md "Reports"; the same chart
 * library as the renderer's views). The SVG is cleaned for a self-contained, script-free page: no <style>
 * (hover rules only), no xmlns URLs (inline SVG in HTML needs none), no interaction attributes; text is escaped
 * by ECharts itself.
 */
import * as echarts from 'echarts';
import { SERIES_COLORS } from '../format';
import type { ReportSeries } from '../model';

/** Default chart size in CSS pixels (the SVG scales to the page width through its viewBox). */
export const SVG_CHART_WIDTH = 960;
export const SVG_CHART_HEIGHT = 340;
/** Legend row height and approximate text width per character, px, to reserve room for a wrapped legend. */
const LEGEND_ROW_PX = 22;
const LEGEND_CHAR_PX = 6.6;
const LEGEND_ITEM_EXTRA_PX = 40;

/** How the y axis reads: 'growth' = value of 1 invested (2 decimals), 'pct' = fractions shown as percent. */
export type YFormat = 'growth' | 'pct';

export interface SvgChartOptions {
  width?: number;
  height?: number;
  yFormat: YFormat;
  /** accessible name of the chart */
  title: string;
  /** fill the area between the first series and zero (drawdowns) */
  areaFirst?: boolean;
  /** draw the first series thicker (the run against its baselines) */
  emphasizeFirst?: boolean;
}

function utc(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function yLabel(f: YFormat): (v: number) => string {
  return f === 'pct' ? (v) => `${Math.round(v * 1000) / 10}%` : (v) => v.toFixed(2);
}

function legendRows(names: string[], width: number): number {
  let rows = 1;
  let x = 0;
  const avail = width - 40;
  for (const n of names) {
    const w = LEGEND_ITEM_EXTRA_PX + LEGEND_CHAR_PX * n.length;
    if (x > 0 && x + w > avail) {
      rows++;
      x = 0;
    }
    x += w;
  }
  return rows;
}

/** Remove what a static, script-free page does not need from ECharts' SSR output, and name the figure. */
export function cleanSvg(svg: string, title: string): string {
  const aria = title.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/\s(?:xmlns(?::\w+)?|ecmeta_\w+|class|pointer-events|baseProfile|version)="[^"]*"/g, '')
    .replace(/^<svg /, `<svg role="img" aria-label="${aria}" preserveAspectRatio="xMidYMid meet" `)
    .replace(/\n+/g, '\n');
}

function render(option: echarts.EChartsCoreOption, width: number, height: number, title: string): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return cleanSvg(chart.renderToSVGString(), title);
  } finally {
    chart.dispose();
  }
}

/**
 * Line chart of several dated series (equity curves, underwater curves) as inline SVG.
 * @param series one or more series; dates ISO, values growth of 1 or fractions (see opts.yFormat)
 * @returns an `<svg>` element string without scripts, styles or URLs
 */
export function lineChartSvg(series: readonly ReportSeries[], opts: SvgChartOptions): string {
  const width = opts.width ?? SVG_CHART_WIDTH;
  const height = opts.height ?? SVG_CHART_HEIGHT;
  const rows = legendRows(
    series.map((s) => s.name),
    width,
  );
  const fmt = yLabel(opts.yFormat);
  return render(
    {
      animation: false,
      useUTC: true,
      color: SERIES_COLORS,
      textStyle: { fontFamily: 'Helvetica, Arial, sans-serif' },
      legend: {
        show: series.length > 1,
        top: 4,
        left: 'center',
        itemWidth: 18,
        itemHeight: 8,
        icon: 'roundRect',
        textStyle: { fontSize: 12 },
      },
      grid: { left: 64, right: 24, top: series.length > 1 ? 14 + rows * LEGEND_ROW_PX : 16, bottom: 36 },
      xAxis: { type: 'time', axisLabel: { hideOverlap: true, fontSize: 11 }, splitLine: { show: false } },
      yAxis: {
        type: 'value',
        scale: opts.yFormat === 'growth',
        axisLabel: { formatter: fmt, fontSize: 11 },
        splitLine: { lineStyle: { color: '#e3e6ea' } },
      },
      series: series.map((s, i) => ({
        name: s.name,
        type: 'line',
        showSymbol: false,
        sampling: 'lttb',
        data: s.dates.map((d, j) => [utc(d), finiteOrNull(s.values[j]!)]),
        lineStyle: {
          width: opts.emphasizeFirst && i === 0 ? 2.4 : 1.3,
          // hindsight dashed; past the palette, colours repeat and the second round is dotted
          type: s.hindsight ? 'dashed' : i >= SERIES_COLORS.length ? 'dotted' : 'solid',
        },
        ...(opts.areaFirst && i === 0 ? { areaStyle: { opacity: 0.18 } } : {}),
        z: opts.emphasizeFirst && i === 0 ? 3 : 2,
      })),
    },
    width,
    height,
    opts.title,
  );
}

/**
 * Grouped bar chart (e.g. calendar-year returns of several runs) as inline SVG.
 * @param categories x categories (years as text)
 * @param series one bar series per run, values aligned with categories (fractions; null = no bar)
 */
export function barChartSvg(
  categories: readonly string[],
  series: readonly { name: string; values: (number | null)[] }[],
  opts: SvgChartOptions,
): string {
  const width = opts.width ?? SVG_CHART_WIDTH;
  const height = opts.height ?? SVG_CHART_HEIGHT;
  const rows = legendRows(
    series.map((s) => s.name),
    width,
  );
  return render(
    {
      animation: false,
      color: SERIES_COLORS,
      textStyle: { fontFamily: 'Helvetica, Arial, sans-serif' },
      legend: { top: 4, left: 'center', itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 12 } },
      grid: { left: 64, right: 24, top: 14 + rows * LEGEND_ROW_PX, bottom: 36 },
      xAxis: { type: 'category', data: [...categories], axisLabel: { fontSize: 11 } },
      yAxis: {
        type: 'value',
        axisLabel: { formatter: yLabel(opts.yFormat), fontSize: 11 },
        splitLine: { lineStyle: { color: '#e3e6ea' } },
      },
      series: series.map((s) => ({
        name: s.name,
        type: 'bar',
        barMaxWidth: 18,
        data: s.values.map((v) => (v === null ? null : finiteOrNull(v))),
      })),
    },
    width,
    height,
    opts.title,
  );
}

/**
 * Any chart option (the shared builders of src-shared/charts) as inline SVG in the report's palette and font;
 * tooltips and zooming, which a static page cannot use, are dropped.
 */
export function optionSvg(
  option: Record<string, unknown>,
  opts: { title: string; width?: number; height?: number },
): string {
  const { tooltip: _t, dataZoom: _z, ...rest } = option;
  return render(
    { ...rest, animation: false, color: SERIES_COLORS, textStyle: { fontFamily: 'Helvetica, Arial, sans-serif' } },
    opts.width ?? SVG_CHART_WIDTH,
    opts.height ?? SVG_CHART_HEIGHT,
    opts.title,
  );
}
