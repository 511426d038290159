/**
 * Charts of the reports (docs/architecture.md "Reports"): every chart is an ECharts option built by one of the
 * shared builders of src-shared/charts (the performance charts, the analytics charts) from the report model, and
 * rendered to SVG on the server by ECharts, the chart library of the desk. The HTML reports inline that SVG; the PDF
 * reports draw it as vector paths and text (./pdfLayout.ts). So a chart, its ticks and its labels are defined once.
 *
 * The SVG is cleaned for a self-contained, script-free page: no <style> (hover rules only), no xmlns URLs (inline
 * SVG in HTML needs none), no interaction attributes; text is escaped by ECharts itself. A static page cannot
 * scroll a legend, so a legend is laid out in full, on as many rows as it needs, and the plot moves down for them.
 */
import * as echarts from 'echarts';
import { rollingVolOption } from '../../../src-shared/charts/analytics';
import { calendarYearOption, type CurveRun, type PerformanceRun } from '../../../src-shared/charts/performance';
import { SERIES_COLORS } from '../../../src-shared/charts/style';
import type { BacktestReportData, ReportAnalytics, ReportSeries } from '../model';

/** Default chart size in CSS pixels (the SVG scales to the page width through its viewBox). */
export const SVG_CHART_WIDTH = 960;
export const SVG_CHART_HEIGHT = 340;
/** Legend row height, and the approximate width of a character per px of font size, to make room for a wrapped legend. */
const LEGEND_ROW_PX = 22;
const LEGEND_CHAR_EM = 0.55;
const LEGEND_ITEM_EXTRA_PX = 40;

/** Rows a legend of these names takes at this chart width, in this font size (px). */
function legendRows(names: readonly string[], width: number, fontSize: number): number {
  let rows = 1;
  let x = 0;
  const avail = width - 40;
  for (const n of names) {
    const w = LEGEND_ITEM_EXTRA_PX + LEGEND_CHAR_EM * fontSize * n.length;
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

type Option = Record<string, unknown>;

/** A shown legend laid out in full (no scrolling), with the plot moved down by the extra rows it takes. */
function staticLegend(option: Option, width: number): Option {
  const legend = option.legend as Record<string, unknown> | undefined;
  const series = (option.series as { name?: string }[] | undefined) ?? [];
  if (!legend || legend.show === false) return option;
  const fontSize = (legend.textStyle as { fontSize?: number } | undefined)?.fontSize ?? 12;
  const rows = legendRows(
    series.map((s) => s.name ?? ''),
    width,
    fontSize,
  );
  const grid = (option.grid as Record<string, unknown> | undefined) ?? {};
  const top = typeof grid.top === 'number' ? grid.top : 60;
  return {
    ...option,
    legend: { ...legend, type: 'plain', left: 'center', itemWidth: 18, itemHeight: 8 },
    grid: { ...grid, top: top + (rows - 1) * LEGEND_ROW_PX },
  };
}

/**
 * A chart option (a shared builder's) as an `<svg>` element string in the reports' palette and font, without
 * scripts, styles or URLs; tooltips and zooming, which a static page cannot use, are dropped.
 * @param opts.title accessible name of the chart
 */
export function optionSvg(option: Option, opts: { title: string; width?: number; height?: number }): string {
  const width = opts.width ?? SVG_CHART_WIDTH;
  const height = opts.height ?? SVG_CHART_HEIGHT;
  const { tooltip: _t, dataZoom: _z, ...rest } = option;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      color: SERIES_COLORS,
      ...staticLegend(rest, width),
      animation: false,
      textStyle: { fontFamily: 'Helvetica, Arial, sans-serif' },
    });
    return cleanSvg(chart.renderToSVGString(), opts.title);
  } finally {
    chart.dispose();
  }
}

/**
 * Report series as the performance charts draw them. A series' looks (highlighted, equal weight, hindsight) are
 * those of the series of the same name in `looksFrom` (the equity curves, which carry them for the underwater
 * curves too); `highlightFirst` highlights the first series (the run an allocation report is about).
 */
export function curvesOf(
  series: readonly ReportSeries[],
  looksFrom: readonly ReportSeries[] = series,
  highlightFirst = false,
): CurveRun[] {
  const byName = new Map(looksFrom.map((s) => [s.name, s]));
  return series.map((s, i) => ({
    ...looksOf(byName.get(s.name) ?? s, highlightFirst && i === 0),
    dates: s.dates,
    values: s.values,
  }));
}

function looksOf(s: ReportSeries, highlight: boolean): PerformanceRun {
  return {
    name: s.name,
    hindsight: !!s.hindsight,
    learned: highlight || !!s.highlight,
    equalWeight: !!s.equalWeight,
  };
}

/** The tear sheet's calendar-year returns chart (one bar per run and year), or null with no year. */
export function yearlyOption(data: BacktestReportData): Option | null {
  const years = [...new Set(data.yearly.flatMap((p) => p.items.map((y) => y.year)))].sort((a, b) => a - b);
  if (!years.length) return null;
  const byName = new Map(data.equity.map((s) => [s.name, s]));
  return calendarYearOption(
    years.map(String),
    data.yearly.map((p) => {
      const s = byName.get(p.name);
      return {
        ...(s ? looksOf(s, false) : { name: p.name, hindsight: false, learned: false }),
        name: p.name,
        values: years.map((y) => p.items.find((x) => x.year === y)?.ret ?? null),
      };
    }),
  );
}

/** The analytics' rolling volatility of every run, on the union of their dates (a gap where a run has none). */
export function rollingVolOf(a: ReportAnalytics): Option {
  const dates = [...new Set(a.runs.flatMap((r) => r.dates))].sort();
  return rollingVolOption(
    dates,
    a.runs.map((r) => {
      const m = new Map(r.dates.map((d, i) => [d, r.rollingVol[i] ?? null]));
      return { ...r, values: dates.map((d) => m.get(d) ?? null) };
    }),
    a.rollingDays,
  );
}
