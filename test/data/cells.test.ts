import { describe, expect, it } from 'vitest';
import {
  fieldOf,
  normalizeHeader,
  normalizeTicker,
  parseDate,
  parseNumberCell,
  universeIdOf,
} from '../../src-main/data/cells';
import { detectFormat, sniffDelimiter } from '../../src-main/data/reader';

describe('parseDate', () => {
  it('accepts ISO, slashed, compact and timestamped dates, as written', () => {
    expect(parseDate('2001-01-02')).toEqual({ ok: true, date: '2001-01-02' });
    expect(parseDate('2001/1/2')).toEqual({ ok: true, date: '2001-01-02' });
    expect(parseDate('20010102')).toEqual({ ok: true, date: '2001-01-02' });
    expect(parseDate('2001-01-02T23:30:00-05:00')).toEqual({ ok: true, date: '2001-01-02' });
    expect(parseDate('2001-01-02 00:00:00')).toEqual({ ok: true, date: '2001-01-02' });
    expect(parseDate('2000-02-29')).toEqual({ ok: true, date: '2000-02-29' });
  });
  it('refuses impossible, ambiguous and garbage dates', () => {
    expect(parseDate('2001-02-29').ok).toBe(false); // not a leap year
    expect(parseDate('1900-02-29').ok).toBe(false); // century rule
    expect(parseDate('2001-13-01').ok).toBe(false);
    const amb = parseDate('03/04/2001');
    expect(amb.ok).toBe(false);
    expect(!amb.ok && amb.message).toMatch(/ambiguous/);
    expect(parseDate('yesterday').ok).toBe(false);
    expect(parseDate('').ok).toBe(false);
  });
});

describe('parseNumberCell', () => {
  it('reads plain and exponent notation', () => {
    expect(parseNumberCell('12.5')).toEqual({ kind: 'value', value: 12.5 });
    expect(parseNumberCell('-3')).toEqual({ kind: 'value', value: -3 });
    expect(parseNumberCell('.5')).toEqual({ kind: 'value', value: 0.5 });
    expect(parseNumberCell('1e3')).toEqual({ kind: 'value', value: 1000 });
  });
  it('treats empty cells and NA spellings as missing, case-insensitively', () => {
    for (const t of ['', 'NA', 'nan', 'NaN', 'null', 'NULL', '#N/A', 'None', 'n/a'])
      expect(parseNumberCell(t).kind).toBe('missing');
  });
  it('refuses separators, currency, infinities and overflow', () => {
    for (const t of ['1,234.5', '$12', '12.3x', 'Infinity', '-inf', '1e999', '12 5'])
      expect(parseNumberCell(t).kind).toBe('bad');
  });
});

describe('headers, tickers, universe ids', () => {
  it('maps header aliases to bar fields', () => {
    expect(normalizeHeader('Adj Close')).toBe('adjclose');
    expect(fieldOf('Adj Close')).toBe('adj');
    expect(fieldOf('adj_close')).toBe('adj');
    expect(fieldOf('adjclose')).toBe('adj');
    expect(fieldOf('PRC')).toBe('close');
    expect(fieldOf('Close')).toBe('close');
    expect(fieldOf('VOL')).toBe('volume');
    expect(fieldOf('C')).toBeNull(); // a ticker (Citigroup), not a field
  });
  it('normalises tickers and refuses bad ones', () => {
    expect(normalizeTicker(' brk-b ')).toBe('BRK-B');
    expect(normalizeTicker('^gspc')).toBe('^GSPC');
    expect(normalizeTicker('BB B')).toBeNull();
    expect(normalizeTicker('')).toBeNull();
    expect(normalizeTicker('X'.repeat(33))).toBeNull();
  });
  it('derives universe ids from names', () => {
    expect(universeIdOf('My Tech 2020')).toBe('my-tech-2020');
    expect(universeIdOf('djia30')).toBe('djia30');
    expect(universeIdOf('  S&P 500 (large) ')).toBe('s-p-500-large');
    expect(universeIdOf('***')).toBe('');
  });
});

describe('format detection', () => {
  it('tells wide, long and per-ticker layouts apart', () => {
    expect(detectFormat(['date', 'AA', 'C', 'T'])).toBe('wide');
    expect(detectFormat(['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'])).toBe('per-ticker');
    expect(detectFormat(['Date', 'Open', 'High', 'Low', 'Close', 'Volume', 'Dividends', 'Stock Splits'])).toBe(
      'per-ticker',
    );
    expect(detectFormat(['date', 'ticker', 'close'])).toBe('long');
    expect(detectFormat(['PERMNO', 'date', 'TICKER', 'PRC', 'VOL'])).toBe('long');
    expect(detectFormat(['', 'AAPL', 'MSFT'])).toBe('wide');
  });
  it('sniffs the delimiter from the header line', () => {
    expect(sniffDelimiter('date,A,B\n1;2;3')).toBe(',');
    expect(sniffDelimiter('date;A;B\n2001-01-01;1,5;2')).toBe(';');
    expect(sniffDelimiter('date\tA\tB\n')).toBe('\t');
    expect(sniffDelimiter('"a;b",c\n')).toBe(',');
  });
});
