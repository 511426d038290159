/**
 * The HADAPS class charts' pure parts (src-shared/charts/classes.ts): the class allocation read from decision
 * details, the adaptiveness figure and the action scale's effect on hand-computed cases, and the shape of the two
 * ECharts options the desk and the tear sheet draw.
 */
import { describe, expect, it } from 'vitest';
import {
  actionScaleEffect,
  actionScaleOption,
  CASH_CLASS_COLOR,
  classAllocationOf,
  classAllocationOption,
  classBasisText,
  classWeightStd,
  isActionScaleStrategy,
} from '../../src-shared/charts/classes';
import type { DecisionDetail, HadapsDecisionDetail } from '../../src-shared/domain/decision';

/** A HADAPS detail with classes A (X, Y), B (Z) and cash at the given class weights. */
function hadaps(a: number, b: number, cash: number, actionScale = 5): HadapsDecisionDetail {
  return {
    family: 'hadaps',
    variant: 'hadaps',
    basis: 'sector',
    // cash recorded first here: the allocation still puts it last
    classes: [
      { name: 'Cash', weight: cash, tickers: [], intra: [] },
      { name: 'A', weight: a, tickers: ['X', 'Y'], intra: [0.25, 0.75] },
      { name: 'B', weight: b, tickers: ['Z'], intra: [1] },
    ],
    cash,
    actionScale,
    concentration: { inter: 2, final: 3 },
  };
}

describe('classAllocationOf', () => {
  it("reads each class's weight per HADAPS decision day, cash last, and skips days without classes", () => {
    const classic: DecisionDetail = { family: 'classic' };
    const a = classAllocationOf([
      { date: '2000-01-03', detail: hadaps(0.5, 0.3, 0.2) },
      { date: '2000-01-04', detail: classic },
      { date: '2000-01-05', detail: null },
      { date: '2000-01-06', detail: hadaps(0.3, 0.3, 0.4) },
    ]);
    expect(a).toEqual({
      basis: 'sector',
      actionScale: 5,
      dates: ['2000-01-03', '2000-01-06'],
      classes: [
        { name: 'A', tickers: ['X', 'Y'], values: [0.5, 0.3] },
        { name: 'B', tickers: ['Z'], values: [0.3, 0.3] },
        { name: 'Cash', tickers: [], values: [0.2, 0.4] },
      ],
    });
  });

  it('weighs a class missing from a day at 0, and is null for a run without HADAPS details', () => {
    const partial: HadapsDecisionDetail = { ...hadaps(0.6, 0, 0.4), classes: hadaps(0.6, 0, 0.4).classes.slice(0, 2) };
    const a = classAllocationOf([
      { date: '2000-01-03', detail: hadaps(0.5, 0.3, 0.2) },
      { date: '2000-01-04', detail: partial },
    ]);
    expect(a!.classes.find((c) => c.name === 'B')!.values).toEqual([0.3, 0]);
    expect(classAllocationOf([{ date: '2000-01-03', detail: { family: 'classic' } }])).toBeNull();
    expect(classAllocationOf([])).toBeNull();
  });
});

describe('classWeightStd', () => {
  it('is the mean over the classes of each weight path’s population standard deviation', () => {
    // A: 0.5, 0.3 (mean 0.4, std 0.1); B: 0.3, 0.3 (std 0); cash: 0.2, 0.4 (std 0.1) -> (0.1 + 0 + 0.1) / 3
    const a = classAllocationOf([
      { date: '2000-01-03', detail: hadaps(0.5, 0.3, 0.2) },
      { date: '2000-01-04', detail: hadaps(0.3, 0.3, 0.4) },
    ])!;
    expect(classWeightStd(a)).toBeCloseTo(0.2 / 3, 12);
    // three days: A 0.2, 0.4, 0.6 -> variance (0.04 + 0 + 0.04) / 3; cash mirrors it; B still
    const three = {
      dates: ['d1', 'd2', 'd3'],
      classes: [
        { name: 'A', tickers: [], values: [0.2, 0.4, 0.6] },
        { name: 'B', tickers: [], values: [0.3, 0.3, 0.3] },
        { name: 'Cash', tickers: [], values: [0.5, 0.3, 0.1] },
      ],
    };
    expect(classWeightStd(three)).toBeCloseTo((2 * Math.sqrt(0.08 / 3)) / 3, 12);
  });

  it('scores a still allocation 0, a daily swing of the whole book between two classes 0.5, and one day null', () => {
    const still = { dates: ['d1', 'd2'], classes: [{ name: 'A', tickers: [], values: [0.7, 0.7] }] };
    expect(classWeightStd(still)).toBe(0);
    const swing = {
      dates: ['d1', 'd2', 'd3', 'd4'],
      classes: [
        { name: 'A', tickers: [], values: [1, 0, 1, 0] },
        { name: 'Cash', tickers: [], values: [0, 1, 0, 1] },
      ],
    };
    expect(classWeightStd(swing)).toBeCloseTo(0.5, 12);
    expect(classWeightStd({ dates: ['d1'], classes: [{ name: 'A', tickers: [], values: [1] }] })).toBeNull();
  });
});

describe('actionScaleEffect', () => {
  it('groups the method and its sweep by action scale, ascending, with the means of their figures', () => {
    const rows = actionScaleEffect([
      { strategy: 'hadaps-beta/5', actionScale: 5, classStd: 0.3, cumulativeReturn: 0.1 },
      { strategy: 'hadaps', actionScale: 5, classStd: 0.1, cumulativeReturn: 0.2 },
      { strategy: 'hadaps-beta/1', actionScale: 1, classStd: 0.05, cumulativeReturn: null },
      { strategy: 'hadaps-beta/10', actionScale: 10, classStd: null, cumulativeReturn: -0.1 },
      // a variant changes more than the scale: left out
      { strategy: 'hadaps/log-reward', actionScale: 5, classStd: 0.9, cumulativeReturn: 0.9 },
      { strategy: 'crp', actionScale: 2, classStd: 0, cumulativeReturn: 0 },
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ actionScale: 1, runs: 1, classStd: 0.05, cumulativeReturn: null });
    expect(rows[1]!.actionScale).toBe(5);
    expect(rows[1]!.runs).toBe(2);
    expect(rows[1]!.classStd).toBeCloseTo(0.2, 12);
    expect(rows[1]!.cumulativeReturn).toBeCloseTo(0.15, 12);
    expect(rows[2]).toEqual({ actionScale: 10, runs: 1, classStd: null, cumulativeReturn: -0.1 });
  });

  it('shows nothing for one action scale', () => {
    expect(
      actionScaleEffect([
        { strategy: 'hadaps', actionScale: 5, classStd: 0.1, cumulativeReturn: 0.2 },
        { strategy: 'hadaps-beta/5', actionScale: 5, classStd: 0.2, cumulativeReturn: 0.1 },
        { strategy: 'hadaps/flat', actionScale: 3, classStd: 0.2, cumulativeReturn: 0.1 },
      ]),
    ).toEqual([]);
    expect(isActionScaleStrategy('hadaps-beta/10')).toBe(true);
    expect(isActionScaleStrategy('hadaps/inter')).toBe(false);
  });
});

describe('the class chart options', () => {
  const a = classAllocationOf([
    { date: '2000-01-03', detail: hadaps(0.5, 0.3, 0.2) },
    { date: '2000-01-04', detail: hadaps(0.3, 0.3, 0.4) },
  ])!;

  it('stacks one band per class on a 0..100% axis, cash last and grey, zoomable only when asked', () => {
    const o = classAllocationOption(a) as {
      xAxis: { data: string[] };
      yAxis: { min: number; max: number };
      series: { name: string; stack: string; color: string; data: number[]; areaStyle: object }[];
      dataZoom?: unknown;
    };
    expect(o.xAxis.data).toEqual(['2000-01-03', '2000-01-04']);
    expect([o.yAxis.min, o.yAxis.max]).toEqual([0, 1]);
    expect(o.series.map((s) => s.name)).toEqual(['A', 'B', 'Cash']);
    expect(new Set(o.series.map((s) => s.stack)).size).toBe(1);
    expect(o.series.every((s) => s.areaStyle)).toBe(true);
    expect(o.series.map((s) => s.data)).toEqual([
      [0.5, 0.3],
      [0.3, 0.3],
      [0.2, 0.4],
    ]);
    expect(o.series[2]!.color).toBe(CASH_CLASS_COLOR);
    expect(new Set(o.series.map((s) => s.color)).size).toBe(3);
    expect(o.dataZoom).toBeUndefined();
    expect((classAllocationOption(a, { zoom: true }) as { dataZoom?: unknown }).dataZoom).toBeDefined();
  });

  it('draws the action scale against the class-weight std (bars) and the cumulative return (line, right axis)', () => {
    const o = actionScaleOption([
      { actionScale: 1, runs: 1, classStd: 0.05, cumulativeReturn: 0.1 },
      { actionScale: 5, runs: 2, classStd: 0.2, cumulativeReturn: null },
    ]) as {
      xAxis: { data: string[] };
      yAxis: unknown[];
      series: { type: string; yAxisIndex?: number; data: (number | null)[] }[];
    };
    expect(o.xAxis.data).toEqual(['1', '5']);
    expect(o.yAxis).toHaveLength(2);
    expect(o.series.map((s) => [s.type, s.yAxisIndex ?? 0, s.data])).toEqual([
      ['bar', 0, [0.05, 0.2]],
      ['line', 1, [0.1, null]],
    ]);
  });

  it('says where the classes came from in words', () => {
    expect(classBasisText('sector')).toBe("classes from the universe's sectors");
    expect(classBasisText('class')).toContain('asset-class');
    expect(classBasisText('single')).toContain('one class');
  });
});
