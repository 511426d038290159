/**
 * MPLS on the desk (issue 19, docs/mpls.md "Desk"): a run's fusion and sectors over time read from its decision
 * details, the words for a module's state, and the ECharts options of the Backtests view's MPLS charts — the fusion
 * agent's module weights over time, the sector allocation over time, and the graph module at one day. Pure functions
 * of plain data: no DOM, no Node, no ECharts import.
 *
 * The sector allocation is what the high-level agent decided (`MplsDecisionDetail.sectors[].weight`, before the
 * trade rule's no-trade band and trade rate move the book); the module weights are the fusion agent's softmax over
 * the modules on (an off module weighs exactly 0). Days the volatility module turned the fused allocation
 * conservative are shaded on the module-weights chart.
 *
 * Colours: each module keeps one colour everywhere; sectors take the series palette in the run's sector order, in the
 * allocation chart and the graph alike, so a sector reads the same in both.
 */
import type { MplsGraph, MplsTimeline } from '../contract/mpls';
import {
  MPLS_MODULES,
  type ClassBasis,
  type DecisionDetail,
  type MplsDecisionDetail,
  type MplsModuleName,
} from '../domain/decision';
import { axisTooltip, pctText } from './analytics';
import { emptyChartNote, pctTick, SERIES_COLORS } from './style';

/** A module's name as the desk writes it. */
export const MODULE_LABELS: Record<MplsModuleName, string> = {
  sentiment: 'Sentiment',
  volatility: 'Volatility',
  graph: 'Graph',
};

/**
 * A module's colour in every MPLS chart: darker than the series palette, so no module reads as a sector beside it.
 */
export const MODULE_COLORS: Record<MplsModuleName, string> = {
  sentiment: '#5e3c99',
  volatility: '#8c2d04',
  graph: '#01665e',
};

/** The shading of the days the allocation turned conservative. */
export const CONSERVATIVE_COLOR = 'rgba(198, 40, 40, 0.12)';

/** A module's state in words: "on", or "off: <why>". */
export function moduleStateText(m: { on: boolean; reason?: string | null }): string {
  return m.on ? 'on' : `off: ${m.reason ?? 'no reason recorded'}`;
}

/** Where an MPLS run's sectors came from, in words a PM reads (HADAPS's class layout, agents/hadaps/classes.ts). */
export function sectorBasisText(basis: ClassBasis): string {
  return basis === 'class'
    ? "the sectors are the universe's asset classes"
    : basis === 'sector'
      ? "the sectors are the universe's sectors"
      : 'one sector holds every asset (the universe names neither asset classes nor sectors)';
}

/** The colour of each sector: the series palette in the run's sector order. */
export function sectorColors(names: readonly string[]): string[] {
  return names.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]!);
}

/**
 * The timeline of an MPLS run from its decision details (one per decision day, ascending): every day whose detail is
 * an MPLS one gives a point, other days none. Sectors keep the order of the first MPLS day; a sector missing from a
 * day's detail weighs 0 that day. A module is `on` when it was on at every MPLS day, and its `reason` is the first off
 * day's. Null when no day records an MPLS decision.
 */
export function mplsTimelineOf(
  days: readonly { date: string; detail: DecisionDetail | null | undefined }[],
): MplsTimeline | null {
  const mpls = days.flatMap((d) => (d.detail?.family === 'mpls' ? [{ date: d.date, m: d.detail }] : []));
  const first = mpls[0]?.m;
  if (!first) return null;
  const moduleOf = (m: MplsDecisionDetail, name: MplsModuleName) => m.modules.find((x) => x.name === name);
  return {
    variant: first.variant,
    basis: first.basis,
    dates: mpls.map((d) => d.date),
    modules: MPLS_MODULES.map((name) => {
      const states = mpls.map(({ m }) => moduleOf(m, name));
      const off = states.find((s) => !s?.on);
      return {
        name,
        on: off === undefined,
        reason: off === undefined ? null : (off?.reason ?? 'not recorded in the decision'),
        weights: states.map((s) => (s?.on ? s.weight : 0)),
      };
    }),
    sectors: first.sectors.map((s) => ({
      name: s.name,
      tickers: [...s.tickers],
      weights: mpls.map(({ m }) => m.sectors.find((x) => x.name === s.name)?.weight ?? 0),
    })),
    conservativeDays: mpls.flatMap(({ m }, i) => (m.volatility?.conservative ? [i] : [])),
  };
}

/** The runs of consecutive conservative days, as [first, last] indices into the timeline's dates. */
export function conservativeSpans(t: Pick<MplsTimeline, 'conservativeDays'>): [number, number][] {
  const spans: [number, number][] = [];
  for (const i of t.conservativeDays) {
    const last = spans.at(-1);
    if (last && i === last[1] + 1) last[1] = i;
    else spans.push([i, i]);
  }
  return spans;
}

/** A stacked area per band, fractions of 1 on a 0..100% axis: the two timeline charts' common frame. */
function stackedAreas(
  dates: readonly string[],
  bands: { name: string; color: string; values: readonly number[] }[],
  stack: string,
  zoom: boolean,
  legendRight = false,
): Record<string, unknown> {
  return {
    animation: false,
    legend: legendRight
      ? { type: 'scroll', orient: 'vertical', right: 0, top: 'middle', textStyle: { fontSize: 11 } }
      : { type: 'scroll', top: 0, textStyle: { fontSize: 11 } },
    grid: { left: 56, right: legendRight ? 180 : 20, top: legendRight ? 16 : 46, bottom: 30 },
    ...(zoom ? { dataZoom: [{ type: 'inside' }] } : {}),
    tooltip: axisTooltip((v) => pctText(v, 1)),
    xAxis: { type: 'category', data: [...dates], boundaryGap: false },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => pctTick(v) } },
    series: bands.map((b) => ({
      name: b.name,
      type: 'line',
      stack,
      showSymbol: false,
      color: b.color,
      areaStyle: { opacity: 0.8 },
      lineStyle: { width: 0.5 },
      data: [...b.values],
    })),
  };
}

/**
 * The fusion agent's module weights over time: a stacked area per module that was on at some day (MPLS_MODULES
 * order), the conservative days shaded behind them. With no module on, an empty plot that says there was nothing to
 * fuse. `opts.zoom`: zoom and pan inside the plot (the desk).
 */
export function moduleWeightsOption(t: MplsTimeline, opts: { zoom?: boolean } = {}): Record<string, unknown> {
  const shown = t.modules.filter((m) => m.on || m.weights.some((w) => w > 0));
  const option = stackedAreas(
    t.dates,
    shown.map((m) => ({ name: MODULE_LABELS[m.name], color: MODULE_COLORS[m.name], values: m.weights })),
    'modules',
    !!opts.zoom,
  );
  const spans = conservativeSpans(t);
  const series = option.series as Record<string, unknown>[];
  if (series[0] && spans.length)
    series[0].markArea = {
      silent: true,
      label: { show: false },
      itemStyle: { color: CONSERVATIVE_COLOR },
      data: spans.map(([a, b]) => [{ xAxis: t.dates[a], name: 'conservative' }, { xAxis: t.dates[b] }]),
    };
  return shown.length ? option : { ...option, ...emptyChartNote([], 'no module on: the fused allocation is equal') };
}

/**
 * The sector allocation over time: a stacked area per sector in the run's order, each sector's weight as the
 * high-level agent set it at every decision, the sectors listed on the right (all of them in sight, however many).
 * `opts.zoom`: zoom and pan inside the plot (the desk).
 */
export function sectorAllocationOption(t: MplsTimeline, opts: { zoom?: boolean } = {}): Record<string, unknown> {
  const colors = sectorColors(t.sectors.map((s) => s.name));
  return stackedAreas(
    t.dates,
    t.sectors.map((s, i) => ({ name: s.name, color: colors[i]!, values: s.weights })),
    'sectors',
    !!opts.zoom,
    true,
  );
}

/** An edge's width in the graph: wider the stronger the correlation, whatever its sign. */
export function edgeWidth(rho: number): number {
  return 1 + 6 * Math.abs(rho);
}

/** A node's size in the graph: larger the higher the module scores the asset, within 8..30 pixels. */
export function nodeSize(score: number): number {
  return Math.min(30, Math.max(8, 16 + 6 * score));
}

/** Colours of a positive and a negative correlation edge. */
export const EDGE_COLORS = { positive: '#5b7083', negative: '#c62828' } as const;

const signed = (v: number, digits: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;

interface GraphTooltipParam {
  dataType?: string;
  data?: { tooltip?: string };
}

/**
 * The graph module at one day as an ECharts graph: every asset a node coloured by its sector (the legend, on the
 * left, toggles sectors) and sized by its score, laid out on a circle sector by sector; the strongest edges drawn with a width
 * by |rho|, grey for a positive correlation and red for a negative one, more opaque the more attention flows across
 * them. Hovering a node gives its sector and score, an edge its correlation and the attention each way.
 */
export function mplsGraphOption(g: MplsGraph): Record<string, unknown> {
  const colors = sectorColors(g.sectors);
  const order = new Map(g.sectors.map((s, i) => [s, i]));
  const nodes = g.nodes
    .map((n, i) => ({ n, i }))
    .sort((a, b) => (order.get(a.n.sector) ?? 0) - (order.get(b.n.sector) ?? 0) || a.i - b.i)
    .map(({ n }) => n);
  const topAttention = Math.max(0, ...g.edges.map((e) => e.attention));
  return {
    animation: false,
    legend: {
      type: 'scroll',
      orient: 'vertical',
      left: 0,
      top: 'middle',
      textStyle: { fontSize: 11 },
      data: [...g.sectors],
    },
    tooltip: {
      trigger: 'item',
      formatter: (p: GraphTooltipParam) => p.data?.tooltip ?? '',
    },
    series: [
      {
        type: 'graph',
        layout: 'circular',
        circular: { rotateLabel: true },
        top: 40,
        bottom: 40,
        left: 200,
        right: 40,
        roam: true,
        categories: g.sectors.map((name, i) => ({ name, itemStyle: { color: colors[i] } })),
        label: { show: true, position: 'right', fontSize: 10 },
        emphasis: { focus: 'adjacency', lineStyle: { opacity: 1 } },
        data: nodes.map((n) => ({
          name: n.ticker,
          category: order.get(n.sector) ?? 0,
          value: n.score,
          symbolSize: nodeSize(n.score),
          tooltip: `${n.ticker} · ${n.sector}<br/>score ${signed(n.score, 2)} (its coming return as the module predicts it, in standard deviations across the assets)`,
        })),
        links: g.edges.map((e) => ({
          source: e.a,
          target: e.b,
          value: e.rho,
          lineStyle: {
            width: edgeWidth(e.rho),
            color: e.rho >= 0 ? EDGE_COLORS.positive : EDGE_COLORS.negative,
            opacity: topAttention > 0 ? 0.25 + 0.65 * (e.attention / topAttention) : 0.5,
            curveness: 0.2,
          },
          tooltip:
            `${e.a} – ${e.b}: correlation ${signed(e.rho, 2)}<br/>` +
            `attention: ${e.a} on ${e.b} ${pctText(e.attentionAB, 1)}, ${e.b} on ${e.a} ${pctText(e.attentionBA, 1)}`,
        })),
      },
    ],
  };
}
