import { describe, expect, it } from 'vitest';
import {
  addCalendar,
  explicitWindow,
  fullCalendarYears,
  parseSpan,
  protocolWindows,
  walkForward,
} from '../../src-main/market/walkforward';
import { loadDjia } from '../helpers/data';

/** n consecutive weekdays from 2020-01-01 (a Wednesday). */
function weekdays(n: number, start = '2020-01-01'): string[] {
  const out: string[] = [];
  let t = Date.parse(start + 'T00:00:00Z');
  while (out.length < n) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
    t += 86_400_000;
  }
  return out;
}

describe('walkForward in trading days', () => {
  const dates = weekdays(30);
  it('train 10 / test 5 / step 5: test windows start at 10, 15, 20, 25', () => {
    const w = walkForward(dates, { train: { days: 10 }, test: { days: 5 } });
    expect(w.map((x) => [x.trainStart, x.trainEnd, x.testStart, x.testEnd])).toEqual([
      [0, 9, 10, 14],
      [5, 14, 15, 19],
      [10, 19, 20, 24],
      [15, 24, 25, 29],
    ]);
    expect(w.every((x) => !x.trainTruncated)).toBe(true);
  });
  it('step smaller than test, partial last window only on request, from moves the start', () => {
    const w = walkForward(dates, { train: { days: 10 }, test: { days: 8 }, step: { days: 7 } });
    expect(w.map((x) => x.testStart)).toEqual([10, 17]); // 24..31 would pass the end
    const p = walkForward(dates, { train: { days: 10 }, test: { days: 8 }, step: { days: 7 }, allowPartial: true });
    expect(p.map((x) => [x.testStart, x.testEnd])).toEqual([
      [10, 17],
      [17, 24],
      [24, 29],
    ]);
    const f = walkForward(dates, { train: { days: 10 }, test: { days: 5 }, from: dates[20] });
    expect(f.map((x) => x.testStart)).toEqual([20, 25]);
  });
  it('mixing day and calendar spans is refused', () => {
    expect(() => walkForward(dates, { train: { days: 10 }, test: { months: 1 } })).toThrow(/not both/);
  });
});

describe('calendar helpers', () => {
  it('addCalendar clamps the day of month', () => {
    expect(addCalendar('2020-01-31', 1)).toBe('2020-02-29');
    expect(addCalendar('2021-01-31', 1)).toBe('2021-02-28');
    expect(addCalendar('1998-01-01', -36)).toBe('1995-01-01');
    expect(addCalendar('2000-12-15', 1)).toBe('2001-01-15');
  });
  it('parseSpan', () => {
    expect(parseSpan('252d')).toEqual({ days: 252 });
    expect(parseSpan('63')).toEqual({ days: 63 });
    expect(parseSpan('3y')).toEqual({ years: 3 });
    expect(parseSpan('1mo')).toEqual({ months: 1 });
    expect(() => parseSpan('x')).toThrow(RangeError);
  });
});

describe('protocols on the DJIA data (1990-12-31 .. 2001-01-02)', () => {
  const { dates } = loadDjia();
  it('full calendar years are 1991..2000', () => {
    expect(fullCalendarYears(dates)).toEqual([1991, 1992, 1993, 1994, 1995, 1996, 1997, 1998, 1999, 2000]);
  });
  it('samp: test 1998, 1999, 2000, each trained on the three calendar years before', () => {
    const w = protocolWindows(dates, 'samp');
    expect(w.map((x) => x.label)).toEqual(['1998', '1999', '2000']);
    for (const x of w) {
      const y = Number(x.label);
      expect(dates[x.testStart]!.slice(0, 4)).toBe(String(y));
      expect(dates[x.testStart - 1]!.slice(0, 4)).toBe(String(y - 1)); // first trading day of the year
      expect(dates[x.testEnd]!.slice(0, 4)).toBe(String(y));
      expect(dates[x.testEnd + 1]!.slice(0, 4)).toBe(String(y + 1)); // last trading day of the year
      expect(dates[x.trainStart]!.slice(0, 4)).toBe(String(y - 3));
      expect(dates[x.trainStart - 1]!.slice(0, 4)).toBe(String(y - 4));
      expect(x.trainEnd).toBe(x.testStart - 1);
      expect(x.trainTruncated).toBe(false);
    }
  });
  it('rolling: test 1994..2000, seven one-year windows, each trained on the three calendar years before; samp is its last three', () => {
    const w = protocolWindows(dates, 'rolling');
    expect(w.map((x) => x.label)).toEqual(['1994', '1995', '1996', '1997', '1998', '1999', '2000']);
    for (const x of w) {
      const y = Number(x.label);
      expect(dates[x.testStart]!.slice(0, 4)).toBe(String(y));
      expect(dates[x.testStart - 1]!.slice(0, 4)).toBe(String(y - 1));
      expect(dates[x.testEnd + 1]!.slice(0, 4)).toBe(String(y + 1));
      expect(dates[x.trainStart]!.slice(0, 4)).toBe(String(y - 3));
      expect(dates[x.trainStart - 1]!.slice(0, 4)).toBe(String(y - 4));
      expect(x.trainEnd).toBe(x.testStart - 1);
      expect(x.trainTruncated).toBe(false);
    }
    const samp = protocolWindows(dates, 'samp');
    expect(w.slice(4).map(({ index: _i, ...rest }) => rest)).toEqual(samp.map(({ index: _i, ...rest }) => rest));
    // eight years would need 1990 as a training year, which the data do not fully hold
    const eight = protocolWindows(dates, 'rolling', { rollingYears: 8 });
    expect(eight[0]!.label).toBe('1993');
    expect(eight[0]!.trainTruncated).toBe(true);
  });
  it('hadaps: 96 monthly windows 1993-01 .. 2000-12, each trained on the 2 calendar years before', () => {
    const w = protocolWindows(dates, 'hadaps');
    expect(w.length).toBe(96);
    expect(w[0]!.label).toBe('1993-01');
    expect(w[95]!.label).toBe('2000-12');
    for (const x of w) {
      expect(dates[x.testStart]!.slice(0, 7)).toBe(x.label);
      expect(dates[x.testEnd]!.slice(0, 7)).toBe(x.label);
      expect(dates[x.testEnd + 1]!.slice(0, 7)).not.toBe(x.label);
      expect(x.trainEnd).toBe(x.testStart - 1);
      const [y, mo] = x.label.split('-').map(Number) as [number, number];
      expect(dates[x.trainStart]! >= `${y - 2}-${String(mo).padStart(2, '0')}-01`).toBe(true);
      expect(dates[x.trainStart - 1]! < `${y - 2}-${String(mo).padStart(2, '0')}-01`).toBe(true);
    }
    // consecutive months, no gap, no overlap
    for (let i = 1; i < w.length; i++) expect(w[i]!.testStart).toBe(w[i - 1]!.testEnd + 1);
  });
  it('protocol windows can be restricted with from/to', () => {
    expect(protocolWindows(dates, 'hadaps', { from: '1999-01-01', to: '1999-12-31' }).map((x) => x.label)).toEqual(
      Array.from({ length: 12 }, (_, i) => `1999-${String(i + 1).padStart(2, '0')}`),
    );
    expect(protocolWindows(dates, 'samp', { from: '1999-01-01' }).map((x) => x.label)).toEqual(['1999', '2000']);
  });
});

describe('mpls and explicit windows', () => {
  it('mpls: chronological 70 / 10 / 20 of 100 days', () => {
    const dates = weekdays(100);
    const [w] = protocolWindows(dates, 'mpls');
    expect(w).toMatchObject({
      trainStart: 0,
      trainEnd: 69,
      validationStart: 70,
      validationEnd: 79,
      testStart: 80,
      testEnd: 99,
    });
  });
  it('explicit from/to with a lookback', () => {
    const dates = weekdays(30);
    expect(explicitWindow(dates, dates[20], dates[25], 10)).toMatchObject({
      trainStart: 10,
      trainEnd: 19,
      testStart: 20,
      testEnd: 25,
      trainTruncated: false,
    });
    expect(explicitWindow(dates, dates[5], undefined, 10)).toMatchObject({
      trainStart: 0,
      trainEnd: 4,
      testStart: 5,
      testEnd: 29,
      trainTruncated: true,
    });
    // from on a weekend: the next trading day; to on a weekend: the previous one
    expect(explicitWindow(dates, '2020-01-04', '2020-01-12', 0)).toMatchObject({ testStart: 3, testEnd: 7 }); // Mon 01-06 .. Fri 01-10;
    expect(explicitWindow(dates, undefined, undefined, 5)).toMatchObject({ trainStart: 0, trainEnd: -1, testStart: 0 });
    expect(() => explicitWindow(dates, '2030-01-01', undefined)).toThrow(/no trading day/);
  });
  it('samp needs three full years', () => {
    expect(() => protocolWindows(weekdays(300), 'samp')).toThrow(/full calendar years/);
  });
});
