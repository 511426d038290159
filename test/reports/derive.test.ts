import { describe, expect, it } from 'vitest';
import {
  drawdownSeries,
  monthlyReturns,
  returnsFromValues,
  tearSheetParts,
  worstDrawdowns,
  yearlyReturns,
} from '../../src-main/reports/derive';

describe('monthlyReturns / yearlyReturns', () => {
  // returns earned on each date
  const dates = ['2019-12-30', '2019-12-31', '2020-01-30', '2020-01-31', '2020-02-03', '2020-02-28', '2020-03-02'];
  const r = [0.02, -0.01, 0.1, -0.1, 0.02, 0.03, -0.05];

  it('compounds the days of each calendar month', () => {
    const m = monthlyReturns(dates, r);
    expect(m.map((x) => [x.year, x.month])).toEqual([
      [2019, 12],
      [2020, 1],
      [2020, 2],
      [2020, 3],
    ]);
    // Dec 2019: 1.02 * 0.99 - 1 = 0.0098
    expect(m[0]!.ret).toBeCloseTo(0.0098, 12);
    // Jan 2020: 1.1 * 0.9 - 1 = -0.01 (not 0: compounding, not summing)
    expect(m[1]!.ret).toBeCloseTo(-0.01, 12);
    // Feb 2020: 1.02 * 1.03 - 1 = 0.0506
    expect(m[2]!.ret).toBeCloseTo(0.0506, 12);
    expect(m[3]!.ret).toBeCloseTo(-0.05, 12);
  });

  it('compounds the days of each calendar year', () => {
    const y = yearlyReturns(dates, r);
    expect(y.map((x) => x.year)).toEqual([2019, 2020]);
    expect(y[0]!.ret).toBeCloseTo(0.0098, 12);
    // 2020: 1.1 * 0.9 * 1.02 * 1.03 * 0.95 - 1 = 0.99 * 1.0506 * 0.95 - 1 = 0.9880893 - 1 = -0.0119107
    expect(y[1]!.ret).toBeCloseTo(-0.0119107, 12);
  });

  it('reads year and month from the string (no time-zone shift on the 1st or the 31st)', () => {
    const m = monthlyReturns(['2021-03-31', '2021-04-01'], [0.01, 0.02]);
    expect(m.map((x) => [x.year, x.month])).toEqual([
      [2021, 3],
      [2021, 4],
    ]);
    expect(m[0]!.ret).toBeCloseTo(0.01, 15);
    expect(m[1]!.ret).toBeCloseTo(0.02, 15);
  });

  it('rejects mismatched lengths and malformed dates; empty in, empty out', () => {
    expect(() => monthlyReturns(['2020-01-01'], [0.1, 0.2])).toThrow(RangeError);
    expect(() => monthlyReturns(['01/02/2020'], [0.1])).toThrow(RangeError);
    expect(() => yearlyReturns(['2020-13-01'], [0.1])).toThrow(RangeError);
    expect(monthlyReturns([], [])).toEqual([]);
  });

  it('a NaN return makes its month NaN, not the neighbours', () => {
    const m = monthlyReturns(['2020-01-31', '2020-02-03', '2020-03-02'], [0.01, Number.NaN, 0.02]);
    expect(m[0]!.ret).toBeCloseTo(0.01, 12);
    expect(m[1]!.ret).toBeNaN();
    expect(m[2]!.ret).toBeCloseTo(0.02, 12);
  });
});

describe('drawdownSeries', () => {
  it('is value / running peak - 1', () => {
    const dd = drawdownSeries([100, 110, 99, 105, 110, 120, 90]);
    expect(dd[0]).toBe(0);
    expect(dd[1]).toBe(0);
    expect(dd[2]).toBeCloseTo(-0.1, 12); // 99 / 110 - 1
    expect(dd[3]).toBeCloseTo(105 / 110 - 1, 12); // -0.04545...
    expect(dd[4]).toBe(0);
    expect(dd[5]).toBe(0);
    expect(dd[6]).toBeCloseTo(-0.25, 12); // 90 / 120 - 1
  });
  it('is NaN from a NaN value on', () => {
    const dd = drawdownSeries([1, 2, Number.NaN, 3]);
    expect(dd.slice(0, 2)).toEqual([0, 0]);
    expect(dd[2]).toBeNaN();
    expect(dd[3]).toBeNaN();
  });
});

describe('worstDrawdowns', () => {
  const values = [100, 110, 99, 105, 110, 120, 90, 100, 130, 125];
  const dates = values.map((_, i) => `2020-01-${String(i + 1).padStart(2, '0')}`);

  it('finds the episodes peak -> trough -> recovery, deepest first', () => {
    const w = worstDrawdowns(values, dates);
    expect(w).toHaveLength(3);
    // peak 120 (index 5) -> trough 90 (6) -> back to >= 120 at 130 (8): -25 %, 3 trading days
    expect(w[0]).toEqual({
      start: '2020-01-06',
      trough: '2020-01-07',
      end: '2020-01-09',
      depth: 90 / 120 - 1,
      days: 3,
    });
    // peak 110 (1) -> trough 99 (2) -> recovered at 110 (4): -10 %, 3 days (a return to the peak level counts)
    expect(w[1]).toEqual({
      start: '2020-01-02',
      trough: '2020-01-03',
      end: '2020-01-05',
      depth: 99 / 110 - 1,
      days: 3,
    });
    // peak 130 (8) -> 125 (9), not recovered: days to the last date = 1
    expect(w[2]).toEqual({ start: '2020-01-09', trough: '2020-01-10', end: null, depth: 125 / 130 - 1, days: 1 });
    expect(w[0]!.depth).toBeCloseTo(-0.25, 12);
  });

  it('keeps k and breaks ties by the earlier start', () => {
    expect(worstDrawdowns(values, dates, 1)).toHaveLength(1);
    const tie = worstDrawdowns([10, 9, 10, 9, 10], ['a', 'b', 'c', 'd', 'e'] as string[], 5);
    expect(tie.map((d) => d.start)).toEqual(['a', 'c']);
    expect(tie[0]!.depth).toBeCloseTo(-0.1, 12);
  });

  it('the trough is the lowest point before recovery, not the first dip', () => {
    const w = worstDrawdowns([100, 95, 97, 80, 90, 101], ['d0', 'd1', 'd2', 'd3', 'd4', 'd5']);
    expect(w).toEqual([{ start: 'd0', trough: 'd3', end: 'd5', depth: 80 / 100 - 1, days: 5 }]);
    expect(w[0]!.depth).toBeCloseTo(-0.2, 15);
  });

  it('a monotone rise has no drawdown; NaN is refused', () => {
    expect(worstDrawdowns([1, 2, 3], ['a', 'b', 'c'])).toEqual([]);
    expect(() => worstDrawdowns([1, Number.NaN], ['a', 'b'])).toThrow(RangeError);
    expect(() => worstDrawdowns([1, 2], ['a'])).toThrow(RangeError);
  });
});

describe('tearSheetParts', () => {
  it('derives returns from values on dates[1..] and keeps the hindsight mark', () => {
    const dates = ['2020-01-30', '2020-01-31', '2020-02-03', '2020-02-04'];
    const values = [1, 1.1, 0.99, 1.089];
    expect(returnsFromValues(values).map((x) => Number(x.toFixed(12)))).toEqual([0.1, -0.1, 0.1]);
    const p = tearSheetParts({ name: 'x', dates, values, hindsight: true });
    // January: only 2020-01-31 earned a return (+10 %); February: 0.9 * 1.1 - 1 = -0.01
    expect(p.monthly.map((m) => [m.month, Number(m.ret.toFixed(12))])).toEqual([
      [1, 0.1],
      [2, -0.01],
    ]);
    expect(p.yearly).toHaveLength(1);
    expect(p.yearly[0]!.ret).toBeCloseTo(0.089, 12);
    expect(p.underwater.hindsight).toBe(true);
    expect(p.underwater.values[2]).toBeCloseTo(-0.1, 12);
    expect(p.worstDrawdowns).toEqual([
      { start: '2020-01-31', trough: '2020-02-03', end: null, depth: 0.99 / 1.1 - 1, days: 2 },
    ]);
  });
});
