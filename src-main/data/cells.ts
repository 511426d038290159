/**
 * Reading single cells and header names of price files: dates, numbers, missing-value tokens, column aliases,
 * tickers and universe ids. Pure functions, no I/O.
 */
import { MISSING_TOKENS, PRICE_MAX, PRICE_MIN } from './settings';

const ISO_DATE =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DAY_FIRST_OR_MONTH_FIRST = /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/;

/** Days in a month of the proleptic Gregorian calendar (month 1..12). */
function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/**
 * Parse a date cell. Takes the trimmed cell text; gives the calendar date as 'YYYY-MM-DD', or an error message.
 * Accepted: YYYY-MM-DD, YYYY/MM/DD (one- or two-digit month and day), YYYYMMDD (CRSP), each optionally followed by a
 * time of day and zone, which is dropped: the date is taken as written, with no time-zone conversion (a daily
 * bar's date is the exchange's trading date). Day-first and month-first dates (03/04/2001) are refused as ambiguous.
 */
export function parseDate(text: string): { ok: true; date: string } | { ok: false; message: string } {
  const m = ISO_DATE.exec(text) ?? COMPACT_DATE.exec(text);
  if (!m) {
    if (DAY_FIRST_OR_MONTH_FIRST.test(text))
      return {
        ok: false,
        message: `ambiguous date "${clip(text)}" (day-first or month-first?): write dates as YYYY-MM-DD`,
      };
    return { ok: false, message: text === '' ? 'empty date' : `unparsable date "${clip(text)}" (expected YYYY-MM-DD)` };
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1800 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo))
    return { ok: false, message: `no such date "${clip(text)}"` };
  return { ok: true, date: `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Result of reading a number cell: a finite number, a missing cell (empty or a NA token), or unparsable text. */
export type NumberCell =
  { kind: 'value'; value: number } | { kind: 'missing'; token: string } | { kind: 'bad'; message: string };

/**
 * Parse a number cell. Takes the trimmed cell text; gives its value (plain decimal or exponent notation, no
 * thousands separators or currency signs), or 'missing' for an empty cell or one of MISSING_TOKENS (NA, NaN,
 * null, #N/A...), or 'bad' with a message.
 */
export function parseNumberCell(text: string): NumberCell {
  if (NUMBER.test(text)) {
    const value = Number(text);
    if (Number.isFinite(value)) return { kind: 'value', value };
    return { kind: 'bad', message: `number out of range "${clip(text)}"` };
  }
  if (MISSING_TOKENS.has(text.toLowerCase())) return { kind: 'missing', token: text };
  if (/^[+-]?inf(inity)?$/i.test(text)) return { kind: 'bad', message: `infinite value "${clip(text)}"` };
  return { kind: 'bad', message: `unparsable number "${clip(text)}"` };
}

/**
 * Why a positive price is implausible: below PRICE_MIN or above PRICE_MAX. Takes the value; gives the reason as
 * the end of a sentence ("is outside ..."), or null for a plausible price.
 */
export function implausiblePriceMessage(value: number): string | null {
  if (value >= PRICE_MIN && value <= PRICE_MAX) return null;
  return `is outside the plausible range ${PRICE_MIN.toExponential()} .. ${PRICE_MAX.toExponential()}`;
}

/** A header name reduced for alias matching: lower case, letters and digits only ("Adj Close" -> "adjclose"). */
export function normalizeHeader(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The bar fields a long or per-ticker file may carry. */
export type BarField = 'open' | 'high' | 'low' | 'close' | 'adj' | 'volume';

/** Header aliases (after normalizeHeader) of the date column. */
export const DATE_ALIASES: ReadonlySet<string> = new Set([
  'date',
  'datetime',
  'timestamp',
  'caldt',
  'datadate',
  'tradedate',
  'tradingdate',
  'asof',
  'day',
]);
/** Header aliases of the ticker column of a long file. */
export const TICKER_ALIASES: ReadonlySet<string> = new Set([
  'ticker',
  'symbol',
  'tic',
  'tsymbol',
  'sym',
  'asset',
  'instrument',
  'code',
]);
/** Header aliases of each bar field (Yahoo, CRSP, pandas and common spellings). No one-letter aliases: C, T and V are tickers. */
export const FIELD_ALIASES: Record<BarField, ReadonlySet<string>> = {
  open: new Set(['open', 'openprc', 'openprice']),
  high: new Set(['high', 'askhi', 'highprice']),
  low: new Set(['low', 'bidlo', 'lowprice']),
  close: new Set(['close', 'prc', 'price', 'last', 'closeprice', 'closingprice', 'pxlast']),
  adj: new Set([
    'adjclose',
    'adjustedclose',
    'closeadj',
    'adjustedcloseprice',
    'adjprice',
    'adjprc',
    'adjclosingprice',
  ]),
  volume: new Set(['volume', 'vol']),
};
/** Columns a per-ticker or long file may have that the import does not store (ignored with a warning). */
export const IGNORED_ALIASES: ReadonlySet<string> = new Set([
  'dividends',
  'stocksplits',
  'splits',
  'capitalgains',
  'dividend',
  'split',
  'ret',
  'return',
  'returns',
  'permno',
  'comnam',
  'name',
  'currency',
]);

/** The bar field a header names, or null. */
export function fieldOf(header: string): BarField | null {
  const n = normalizeHeader(header);
  for (const f of Object.keys(FIELD_ALIASES) as BarField[]) if (FIELD_ALIASES[f].has(n)) return f;
  return null;
}

const TICKER_RE = /^[A-Za-z0-9.^=_&/-]{1,32}$/;

/**
 * Normalise a ticker as written in a header, a cell or a file name: trimmed and upper-cased (so "aapl.csv" and a
 * column "AAPL" name the same asset). Gives the ticker, or null when it is not 1..32 characters of letters, digits
 * and . ^ = _ & / -.
 */
export function normalizeTicker(text: string): string | null {
  const t = text.trim().toUpperCase();
  return TICKER_RE.test(t) ? t : null;
}

/**
 * Universe id from a universe name: lower case, every run of characters other than a-z 0-9 . _ - becomes '-',
 * no leading or trailing '-', at most 64 characters ("My Tech 2020" -> "my-tech-2020"). Empty when nothing is left.
 */
export function universeIdOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 64);
}

/** Shorten a cell for a message. */
export function clip(text: string, n = 40): string {
  return text.length > n ? text.slice(0, n) + '…' : text;
}
