/**
 * MPLS's desk charts' pure parts (src-shared/charts/mpls.ts): the timeline read from hand-made decision details
 * (fusion weights, sectors, the conservative days and their spans, a module off and why), the words for a module's
 * state, and the shape of the three ECharts options: module weights with the conservative days shaded, the sector
 * allocation, and the graph (nodes by sector, edge width by |rho|, attention in the edge's tooltip).
 */
import { describe, expect, it } from 'vitest';
import {
  CONSERVATIVE_COLOR,
  conservativeSpans,
  edgeWidth,
  EDGE_COLORS,
  MODULE_COLORS,
  moduleStateText,
  moduleWeightsOption,
  mplsGraphOption,
  mplsTimelineOf,
  nodeSize,
  sectorAllocationOption,
  sectorBasisText,
  sectorColors,
} from '../../src-shared/charts/mpls';
import type { MplsGraph } from '../../src-shared/contract/mpls';
import type { DecisionDetail, MplsDecisionDetail } from '../../src-shared/domain/decision';
import { SERIES_COLORS } from '../../src-shared/charts/style';

/** An MPLS detail over sectors A (X, Y) and B (Z): volatility weight v, graph 1 - v, sentiment off. */
function mpls(
  v: number,
  a: number,
  conservative: boolean,
  sentimentReason = 'no news imported for u',
): MplsDecisionDetail {
  return {
    family: 'mpls',
    variant: 'mpls',
    basis: 'sector',
    sectors: [
      { name: 'A', tickers: ['X', 'Y'], weight: a, intra: [0.5, 0.5] },
      { name: 'B', tickers: ['Z'], weight: 1 - a, intra: [1] },
    ],
    modules: [
      { name: 'sentiment', on: false, reason: sentimentReason, weight: 0, proposal: [] },
      { name: 'volatility', on: true, weight: v, proposal: [0.6, 0.4] },
      { name: 'graph', on: true, weight: 1 - v, proposal: [0.3, 0.7] },
    ],
    fused: [0.5, 0.5],
    volatility: { forecast: [0.2, 0.3], uncertainty: conservative ? 2 : 1, threshold: 1.5, conservative },
    cash: 0,
    concentration: { sectors: 2, final: 3 },
  };
}

describe('mplsTimelineOf', () => {
  it('reads the module weights, the sectors and the conservative days of the MPLS days only', () => {
    const classic: DecisionDetail = { family: 'classic' };
    const t = mplsTimelineOf([
      { date: '2000-01-03', detail: mpls(0.7, 0.6, false) },
      { date: '2000-01-04', detail: classic },
      { date: '2000-01-05', detail: mpls(0.4, 0.2, true) },
      { date: '2000-01-06', detail: null },
      { date: '2000-01-07', detail: mpls(0.5, 0.5, true) },
    ])!;
    expect(t.dates).toEqual(['2000-01-03', '2000-01-05', '2000-01-07']);
    expect(t.variant).toBe('mpls');
    expect(t.basis).toBe('sector');
    expect(t.modules).toEqual([
      { name: 'sentiment', on: false, reason: 'no news imported for u', weights: [0, 0, 0] },
      { name: 'volatility', on: true, reason: null, weights: [0.7, 0.4, 0.5] },
      { name: 'graph', on: true, reason: null, weights: [0.30000000000000004, 0.6, 0.5] },
    ]);
    expect(t.sectors).toEqual([
      { name: 'A', tickers: ['X', 'Y'], weights: [0.6, 0.2, 0.5] },
      { name: 'B', tickers: ['Z'], weights: [0.4, 0.8, 0.5] },
    ]);
    expect(t.conservativeDays).toEqual([1, 2]);
  });

  it('is null without an MPLS day', () => {
    expect(mplsTimelineOf([{ date: '2000-01-03', detail: { family: 'classic' } }])).toBeNull();
    expect(mplsTimelineOf([])).toBeNull();
  });

  it('calls a module off when it was off on any day, with that day’s reason', () => {
    const off = mpls(0.5, 0.5, false);
    off.modules[2] = { name: 'graph', on: false, reason: 'switched off', weight: 0, proposal: [] };
    const t = mplsTimelineOf([
      { date: '2000-01-03', detail: mpls(0.5, 0.5, false) },
      { date: '2000-01-04', detail: off },
    ])!;
    expect(t.modules[2]).toEqual({ name: 'graph', on: false, reason: 'switched off', weights: [0.5, 0] });
  });
});

describe('conservativeSpans, sectorBasisText and moduleStateText', () => {
  it('groups consecutive conservative days', () => {
    expect(conservativeSpans({ conservativeDays: [] })).toEqual([]);
    expect(conservativeSpans({ conservativeDays: [0, 1, 2, 5, 7, 8] })).toEqual([
      [0, 2],
      [5, 5],
      [7, 8],
    ]);
  });

  it('says where the sectors came from', () => {
    expect(sectorBasisText('sector')).toBe("the sectors are the universe's sectors");
    expect(sectorBasisText('class')).toBe("the sectors are the universe's asset classes");
    expect(sectorBasisText('single')).toMatch(/^one sector holds every asset/);
  });

  it('says on, or off with the reason', () => {
    expect(moduleStateText({ on: true })).toBe('on');
    expect(moduleStateText({ on: false, reason: 'no news imported for djia30' })).toBe(
      'off: no news imported for djia30',
    );
    expect(moduleStateText({ on: false })).toBe('off: no reason recorded');
  });
});

describe('the timeline charts', () => {
  const t = mplsTimelineOf([
    { date: '2000-01-03', detail: mpls(0.7, 0.6, true) },
    { date: '2000-01-04', detail: mpls(0.4, 0.2, true) },
    { date: '2000-01-05', detail: mpls(0.5, 0.5, false) },
  ])!;

  it('stacks the weights of the modules that were on, shading the conservative days', () => {
    const o = moduleWeightsOption(t, { zoom: true }) as {
      series: { name: string; stack: string; color: string; data: number[]; markArea?: { data: unknown[] } }[];
      yAxis: { min: number; max: number };
      dataZoom?: unknown[];
      graphic?: unknown;
    };
    expect(o.series.map((s) => [s.name, s.stack, s.color])).toEqual([
      ['Volatility', 'modules', MODULE_COLORS.volatility],
      ['Graph', 'modules', MODULE_COLORS.graph],
    ]);
    expect(o.series[0]!.data).toEqual([0.7, 0.4, 0.5]);
    expect(o.series[0]!.markArea!.data).toEqual([
      [{ xAxis: '2000-01-03', name: 'conservative' }, { xAxis: '2000-01-04' }],
    ]);
    expect(JSON.stringify(o.series[0]!.markArea)).toContain(CONSERVATIVE_COLOR);
    expect(o.series[1]!.markArea).toBeUndefined();
    expect([o.yAxis.min, o.yAxis.max]).toEqual([0, 1]);
    expect(o.dataZoom).toHaveLength(1);
    expect(o.graphic).toBeUndefined();
    expect((moduleWeightsOption(t) as { dataZoom?: unknown }).dataZoom).toBeUndefined();
  });

  it('says so when no module was on', () => {
    const none = { ...t, modules: t.modules.map((m) => ({ ...m, on: false, weights: m.weights.map(() => 0) })) };
    const o = moduleWeightsOption(none) as { series: unknown[]; graphic?: { style: { text: string } }[] };
    expect(o.series).toEqual([]);
    expect(o.graphic![0]!.style.text).toBe('no module on: the fused allocation is equal');
  });

  it('stacks the sectors in the run’s order with the sector palette', () => {
    const o = sectorAllocationOption(t) as {
      series: { name: string; stack: string; color: string; data: number[] }[];
      legend: { orient: string; right: number };
    };
    // every sector listed on the right, however many
    expect([o.legend.orient, o.legend.right]).toEqual(['vertical', 0]);
    expect(o.series.map((s) => [s.name, s.stack, s.color, s.data])).toEqual([
      ['A', 'sectors', SERIES_COLORS[0], [0.6, 0.2, 0.5]],
      ['B', 'sectors', SERIES_COLORS[1], [0.4, 0.8, 0.5]],
    ]);
    expect(sectorColors(['A', 'B'])).toEqual([SERIES_COLORS[0], SERIES_COLORS[1]]);
  });
});

describe('mplsGraphOption', () => {
  const g: MplsGraph = {
    id: 'r',
    date: '2000-01-07',
    refreshDate: '2000-01-05',
    corrWindow: 60,
    refreshEvery: 5,
    threshold: 0.3,
    sectors: ['A', 'B'],
    nodes: [
      { ticker: 'Z', sector: 'B', score: 0.5 },
      { ticker: 'X', sector: 'A', score: -3 },
      { ticker: 'Y', sector: 'A', score: 3 },
    ],
    edges: [
      { a: 'X', b: 'Z', rho: -0.8, attention: 0.4, attentionAB: 0.3, attentionBA: 0.5 },
      { a: 'X', b: 'Y', rho: 0.5, attention: 0.2, attentionAB: 0.25, attentionBA: 0.15 },
    ],
    edgeCount: 2,
  };
  const o = mplsGraphOption(g) as {
    legend: { data: string[] };
    tooltip: { formatter: (p: unknown) => string };
    series: {
      type: string;
      layout: string;
      categories: { name: string; itemStyle: { color: string } }[];
      data: { name: string; category: number; value: number; symbolSize: number; tooltip: string }[];
      links: {
        source: string;
        target: string;
        value: number;
        lineStyle: { width: number; color: string; opacity: number };
        tooltip: string;
      }[];
    }[];
  };
  const s = o.series[0]!;

  it('draws every asset as a node of its sector, sector by sector, sized by its score', () => {
    expect([s.type, s.layout]).toEqual(['graph', 'circular']);
    expect(s.categories).toEqual([
      { name: 'A', itemStyle: { color: SERIES_COLORS[0] } },
      { name: 'B', itemStyle: { color: SERIES_COLORS[1] } },
    ]);
    expect(o.legend.data).toEqual(['A', 'B']);
    expect(s.data.map((n) => [n.name, n.category, n.value, n.symbolSize])).toEqual([
      ['X', 0, -3, 8],
      ['Y', 0, 3, 30],
      ['Z', 1, 0.5, 19],
    ]);
    expect(s.data[2]!.tooltip).toContain('Z · B<br/>score +0.50');
    expect(nodeSize(0)).toBe(16);
  });

  it('draws the edges with a width by |rho|, a colour by sign and the attention each way on hover', () => {
    expect(s.links.map((l) => [l.source, l.target, l.value, l.lineStyle.width, l.lineStyle.color])).toEqual([
      ['X', 'Z', -0.8, edgeWidth(-0.8), EDGE_COLORS.negative],
      ['X', 'Y', 0.5, edgeWidth(0.5), EDGE_COLORS.positive],
    ]);
    expect(edgeWidth(-0.8)).toBeCloseTo(5.8, 12);
    expect(edgeWidth(0.8)).toBe(edgeWidth(-0.8));
    // the edge with the most attention is the most opaque
    expect(s.links[0]!.lineStyle.opacity).toBeCloseTo(0.9, 12);
    expect(s.links[1]!.lineStyle.opacity).toBeCloseTo(0.25 + 0.65 * 0.5, 12);
    expect(s.links[0]!.tooltip).toBe('X – Z: correlation −0.80<br/>attention: X on Z 30.0%, Z on X 50.0%');
    expect(o.tooltip.formatter({ dataType: 'edge', data: s.links[1] })).toBe(s.links[1]!.tooltip);
    expect(o.tooltip.formatter({})).toBe('');
  });
});
