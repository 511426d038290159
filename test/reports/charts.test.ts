/**
 * One chart definition for every report format: the performance charts are the shared ECharts options of
 * src-shared/charts/performance.ts, rendered to SVG by ECharts (reports/render/svgCharts.ts), inlined by the HTML
 * and drawn into the PDF. The tick labels are ECharts' ticks written exactly (src-shared/charts/style.ts), and the
 * PDF carries the same labels as text.
 */
import { describe, expect, it } from 'vitest';
import { datedLinesOption, drawdownOption, equityOption, type CurveRun } from '../../src-shared/charts/performance';
import { EQUAL_WEIGHT_COLOR, growthTick, pctTick, SERIES_COLORS } from '../../src-shared/charts/style';
import { curvesOf, optionSvg } from '../../src-main/reports/render/svgCharts';
import { renderAllocationPdf, renderBacktestHtml, renderBacktestPdf } from '../../src-main/reports';
import { makeFixture } from './fixture';
import { readPdf, type PdfReadBack } from './pdfText';

const DATES = Array.from({ length: 100 }, (_, i) => new Date(Date.UTC(2000, 0, 3 + i)).toISOString().slice(0, 10));

/** A curve from `from` to `to` in equal steps over {@link DATES}. */
function line(name: string, from: number, to: number, looks: Partial<CurveRun> = {}): CurveRun {
  const values = DATES.map((_, i) => from + ((to - from) * i) / (DATES.length - 1));
  return { name, hindsight: false, learned: false, dates: DATES, values, ...looks };
}

/** The y-axis labels of a one-axis chart's SVG, bottom up as drawn (right-aligned text left of the plot). */
function yLabels(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*text-anchor="end"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

/** The same chart with ECharts' own y-axis labels (no formatter): ECharts' ticks as it writes them. */
function echartsOwnLabels(option: Record<string, unknown>): string[] {
  const { axisLabel: _a, ...yAxis } = option.yAxis as Record<string, unknown>;
  return yLabels(optionSvg({ ...option, yAxis }, { title: 't' }));
}

describe('tick labels', () => {
  it('of a growth axis are the ticks ECharts picks, written exactly with at least 2 decimals', () => {
    // 1.00 -> 1.02: ECharts steps by 0.005, so every other tick needs a third decimal
    const option = equityOption([line('A', 1, 1.02)]);
    const labels = yLabels(optionSvg(option, { title: 'equity' }));
    const own = echartsOwnLabels(option);
    expect(own.map(Number)).toEqual([1, 1.005, 1.01, 1.015, 1.02]);
    expect(labels).toEqual(['1.00', '1.005', '1.01', '1.015', '1.02']);
    // a wider range: 0.25 steps
    const wide = equityOption([line('A', 1, 2)]);
    expect(yLabels(optionSvg(wide, { title: 'equity' })).map(Number)).toEqual(echartsOwnLabels(wide).map(Number));
  });

  it('of a drawdown axis are ECharts ticks as exact percentages', () => {
    // a shallow drawdown: ticks 0.03% apart, which a label rounded to 0.1% would not tell apart
    const option = drawdownOption([line('A', 0, -0.00125)]);
    const labels = yLabels(optionSvg(option, { title: 'drawdown' }));
    const own = echartsOwnLabels(option).map(Number);
    expect(own.length).toBeGreaterThan(3);
    expect(labels).toEqual(own.map((v) => pctTick(v)));
    expect(labels.map((l) => Number(l.slice(0, -1)) / 100)).toEqual(own.map((v) => expect.closeTo(v, 12)));
  });

  it('write a value as it is: no rounding, no float noise, no minus zero', () => {
    expect(growthTick(1.25)).toBe('1.25');
    expect(growthTick(1.75)).toBe('1.75');
    expect(growthTick(1)).toBe('1.00');
    expect(growthTick(0.1 + 0.2)).toBe('0.30');
    expect(pctTick(0.07)).toBe('7%');
    expect(pctTick(-0.025)).toBe('-2.5%');
    expect(pctTick(-0)).toBe('0%');
    expect(pctTick(0.0005, 2)).toBe('0.05%');
    expect(pctTick(3e-7)).toBe('0.00003%');
  });
});

describe('the performance options', () => {
  it('draw the learned run thicker and on top, equal weight in its own colour, hindsight dashed with a dagger', () => {
    const runs = [
      line('Learned', 1, 1.3, { learned: true }),
      line('Equal weight', 1, 1.2, { equalWeight: true }),
      line('Best stock', 1, 1.6, { hindsight: true }),
      line('Momentum', 1, 1.1),
    ];
    const series = equityOption(runs).series as {
      name: string;
      color: string;
      z: number;
      lineStyle: { width: number; type: string };
    }[];
    expect(series.map((s) => s.name)).toEqual(['Learned', 'Equal weight', 'Best stock \u2020', 'Momentum']);
    expect(series[1]!.color).toBe(EQUAL_WEIGHT_COLOR);
    expect(SERIES_COLORS).not.toContain(EQUAL_WEIGHT_COLOR);
    expect(series.map((s) => s.color)).toEqual([
      SERIES_COLORS[0],
      EQUAL_WEIGHT_COLOR,
      SERIES_COLORS[1],
      SERIES_COLORS[2],
    ]);
    expect(Math.max(...series.slice(1).map((s) => s.lineStyle.width))).toBeLessThan(series[0]!.lineStyle.width);
    expect(Math.max(...series.slice(1).map((s) => s.z))).toBeLessThan(series[0]!.z);
    expect(series.map((s) => s.lineStyle.type)).toEqual(['solid', 'solid', 'dashed', 'solid']);
    const svg = optionSvg(equityOption(runs), { title: 'equity' });
    expect(svg).toContain(`stroke="${EQUAL_WEIGHT_COLOR}"`);
    expect(svg).toContain('Best stock \u2020');
  });

  it('past the palette, repeat the colours dotted', () => {
    const runs = Array.from({ length: SERIES_COLORS.length + 1 }, (_, i) => line(`R${i}`, 1, 1 + i / 100));
    const last = (equityOption(runs).series as { color: string; lineStyle: { type: string } }[]).at(-1)!;
    expect(last.color).toBe(SERIES_COLORS[0]);
    expect(last.lineStyle.type).toBe('dotted');
  });

  it("take a report's series looks from its equity curves, for the underwater curves too", () => {
    const { backtest } = makeFixture();
    const curves = curvesOf(backtest.underwater, backtest.equity);
    expect(curves.map((c) => [c.learned, c.equalWeight, c.hindsight])).toEqual([
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ]);
    expect(curvesOf(backtest.equity.slice(1, 2), backtest.equity.slice(1, 2), true)[0]!.learned).toBe(true);
  });
});

/** The items of the page that holds `title`, as text. */
function pageOf(r: PdfReadBack, title: string): string[] {
  const page = r.items.find((i) => i.str === title)?.page;
  expect(page, title).toBeDefined();
  return r.items.filter((i) => i.page === page).map((i) => i.str);
}

describe('the same charts in every format', () => {
  const { allocation, backtest } = makeFixture();

  it("the allocation PDF carries the equity and drawdown charts' tick labels as text, as the SVG has them", async () => {
    // curves from 1 up to 1.37, 1.73 and 2.1: ECharts ticks 1.00, 1.20, ... 2.20 (steps of 0.2, not 0.25)
    const grown = {
      ...allocation,
      equity: allocation.equity.map((s, k) => ({
        ...s,
        values: s.values.map((_, j) => 1 + (1.1 * (k + 1) * j) / (3 * (s.values.length - 1))),
      })),
    };
    const r = await readPdf(await renderAllocationPdf(grown));
    const page = pageOf(r, 'Equity (growth of 1)');
    const equity = yLabels(optionSvg(equityOption(curvesOf(grown.equity, grown.equity, true)), { title: 'e' }));
    const drawdown = yLabels(optionSvg(drawdownOption(curvesOf([grown.drawdown!]), { area: true }), { title: 'd' }));
    expect(equity).toEqual(['1.00', '1.20', '1.40', '1.60', '1.80', '2.00', '2.20']);
    expect(drawdown.length).toBeGreaterThan(3);
    for (const label of [...equity, ...drawdown]) expect(page, label).toContain(label);
    // the legend names every curve
    for (const s of grown.equity) expect(page.join('|')).toContain(s.hindsight ? `${s.name} \u2020` : s.name);
  });

  it('the tear sheet draws the same equity chart in HTML and PDF', async () => {
    const html = renderBacktestHtml(backtest);
    const svg = optionSvg(equityOption(curvesOf(backtest.equity)), { title: 'Equity curves, growth of 1' });
    // (ids of clip paths count the charts rendered so far in the process)
    const ids = (x: string) => x.replace(/\bzr\d+-/g, 'zr-');
    expect(ids(html)).toContain(ids(svg));
    const r = await readPdf(await renderBacktestPdf(backtest));
    const page = pageOf(r, 'Equity (growth of 1)');
    for (const label of yLabels(svg)) expect(page, label).toContain(label);
    const underwater = pageOf(r, 'Underwater (drawdown from the running peak)');
    for (const label of yLabels(
      optionSvg(drawdownOption(curvesOf(backtest.underwater, backtest.equity)), { title: 'u' }),
    ))
      expect(underwater, label).toContain(label);
  });
});

describe('the desk draws the same options, made interactive', () => {
  it('zoom and the log axis are additions to the report option, nothing else changes', () => {
    const runs = [line('A', 1, 2, { learned: true }), line('crp', 1, 1.5, { equalWeight: true })];
    const still = equityOption(runs);
    const desk = equityOption(runs, { zoom: true });
    expect(still.dataZoom).toBeUndefined();
    expect(desk.dataZoom).toEqual([{ type: 'inside' }]);
    // (formatters are new closures each call: compare the data, which is everything but them)
    expect(JSON.stringify({ ...desk, dataZoom: undefined })).toBe(JSON.stringify(still));
    const log = equityOption(runs, { zoom: true, logScale: true });
    expect((log.yAxis as { type: string }).type).toBe('log');
    expect(log.series).toEqual(desk.series);
    // the log axis is drawn with ECharts' ticks, labelled exactly
    const labels = yLabels(optionSvg(equityOption(runs, { logScale: true }), { title: 'log' }));
    expect(labels.length).toBeGreaterThan(1);
    for (const l of labels) expect(growthTick(Number(l))).toBe(l);
    expect(drawdownOption(runs, { zoom: true }).dataZoom).toEqual([{ type: 'inside' }]);
  });

  it('a rolling figure shares the time axis and the run styling of the equity chart', () => {
    const runs = [line('A', 0.5, 1.5, { learned: true }), line('crp', 1, 1, { equalWeight: true })];
    const o = datedLinesOption(runs, (v) => v.toFixed(2));
    const e = equityOption(runs);
    expect(o.xAxis).toEqual(e.xAxis);
    const pick = (x: Record<string, unknown>) =>
      (x.series as { color: string; lineStyle: unknown; z: number }[]).map(({ color, lineStyle, z }) => ({
        color,
        lineStyle,
        z,
      }));
    expect(pick(o)).toEqual(pick(e));
  });
});

describe('an empty chart says why', () => {
  it('a rolling figure with no value in the window carries a note; with values it carries none', () => {
    const empty = line('A', 1, 1, { learned: true });
    const none: CurveRun = { ...empty, values: empty.values.map(() => null) };
    const o = datedLinesOption([none], (v) => v.toFixed(2), { emptyText: 'needs more days' });
    expect((o.graphic as { style: { text: string } }[])[0]!.style.text).toBe('needs more days');
    expect(optionSvg(o, { title: 't' })).toContain('needs more days');
    expect(datedLinesOption([empty], (v) => v.toFixed(2), { emptyText: 'needs more days' }).graphic).toBeUndefined();
    // one value alone draws no line either (a 63-day figure on a 63-day window)
    const one: CurveRun = { ...empty, values: empty.values.map((v, i) => (i === 5 ? v : null)) };
    expect(datedLinesOption([one], (v) => v.toFixed(2), { emptyText: 'needs more days' }).graphic).toBeDefined();
  });
});
