/**
 * src-renderer/src/components/sort.ts, the sort state behind every SortableTh table: figures compare as numbers,
 * ISO dates as dates, a missing value (null, NaN) goes last in both directions, and a column starts in its natural
 * direction (figures largest first, text and dates ascending).
 */
import { describe, expect, it } from 'vitest';
import { naturalDirOf, useSort, type SortColumn } from '../../src-renderer/src/components/sort';

const COLS: SortColumn<'ticker' | 'bars' | 'first'>[] = [
  { key: 'ticker', label: 'Ticker', num: false },
  { key: 'bars', label: 'Bars', num: true },
  { key: 'first', label: 'First', num: false },
];
const rows = [
  { ticker: 'B', bars: 9, first: '2000-02-01' },
  { ticker: 'A', bars: 10, first: null },
  { ticker: 'D', bars: Number.NaN, first: '1999-12-31' },
  { ticker: 'C', bars: 100, first: '2000-01-03' },
];

describe('useSort', () => {
  it('sorts figures as numbers (100 after 9 and 10) and puts a missing one last in both directions', () => {
    const s = useSort<'ticker' | 'bars' | 'first'>('ticker', 1, naturalDirOf(COLS));
    s.toggle('bars');
    expect(s.dir.value).toBe(-1);
    expect(s.sorted(rows, (r, k) => r[k]).map((r) => r.ticker)).toEqual(['C', 'A', 'B', 'D']);
    s.toggle('bars');
    expect(s.sorted(rows, (r, k) => r[k]).map((r) => r.ticker)).toEqual(['B', 'A', 'C', 'D']);
  });

  it('sorts ISO dates by date, a missing date last either way; a text column starts ascending', () => {
    const s = useSort<'ticker' | 'bars' | 'first'>('bars', -1, naturalDirOf(COLS));
    s.toggle('first');
    expect(s.dir.value).toBe(1);
    expect(s.sorted(rows, (r, k) => r[k]).map((r) => r.ticker)).toEqual(['D', 'C', 'B', 'A']);
    s.toggle('first');
    expect(s.sorted(rows, (r, k) => r[k]).map((r) => r.ticker)).toEqual(['B', 'C', 'D', 'A']);
    s.toggle('ticker');
    expect([s.key.value, s.dir.value]).toEqual(['ticker', 1]);
  });
});
