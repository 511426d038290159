/**
 * Reading price files for an import: detects each file's layout from its header (wide, long or per-ticker),
 * parses it with csv-parse's streaming API (or its sync API for the small bundled file) and collects every cell
 * into compact per-ticker series, reporting problems with file, line and column as it goes. The raw text is
 * never kept: only parsed numbers, dates (as indices into one dictionary) and line numbers.
 *
 * Bounds: only regular files within MAX_IMPORT_FILE_BYTES are read (files.ts), at most MAX_TICKERS tickers per
 * import (a wider header is refused from its first line, before csv-parse splits it), at most MAX_RECORD_CHARS
 * per record; prices outside PRICE_MIN .. PRICE_MAX are errors unless allowed. Renames (old ticker -> new) apply
 * to every ticker as it is read: header, ticker cell or per-ticker file name.
 *
 * Why this file is long: the three layouts share one streaming pass — the same cell collector, date dictionary,
 * rename map, bounds and problem reporting — and are told apart only by the header. Split by layout, each part
 * would need that state passed in and out; kept together, one reader proves every bound once.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse, type Parser } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { ImportFormat } from '../../src-shared/contract/data';
import { JobCancelled } from '../jobs/context';
import {
  DATE_ALIASES,
  IGNORED_ALIASES,
  TICKER_ALIASES,
  clip,
  fieldOf,
  implausiblePriceMessage,
  normalizeHeader,
  normalizeTicker,
  parseDate,
  parseNumberCell,
  type BarField,
} from './cells';
import { openUserFile, readHead, readUserFile, statUserFile, UserFileError } from './files';
import { ProblemSink } from './problems';
import { CELL_BAD, CELL_EMPTY, CELL_NA, CELL_VALUE, TickerSeries, type OptionalField } from './series';
import { MAX_IMPORT_FILE_BYTES, MAX_RECORD_CHARS, MAX_TICKERS } from './settings';

/** One file of an import, as read. */
export interface FileInfo {
  index: number;
  /** the path as given (used in problem locations) */
  path: string;
  absPath: string;
  bytes: number;
  sha256: string;
  /** layout detected from the header (null when the header could not be read) */
  detected: ImportFormat | null;
  /** layout used: the override when one was given, else the detected one */
  format: ImportFormat | null;
  rows: number;
  delimiter: string;
}

/** Everything read from an import's files: the date dictionary, one series per ticker, the problems. */
export interface Collected {
  files: FileInfo[];
  /** date dictionary: ISO dates in order of first appearance */
  dates: string[];
  series: Map<string, TickerSeries>;
  problems: ProblemSink;
  rows: number;
}

/** How the collector reads cells: a forced layout, implausible prices allowed (warned, not refused), renames. */
export interface CollectOptions {
  format?: ImportFormat;
  /** prices outside PRICE_MIN .. PRICE_MAX are warnings instead of errors */
  allowImplausible?: boolean;
  /** old ticker -> new ticker (both normalised), applied to every ticker read */
  rename?: ReadonlyMap<string, string>;
}

export interface ReadOptions extends CollectOptions {
  signal?: AbortSignal;
  /** fraction of all bytes read so far, 0..1 */
  onProgress?: (fraction: number, message: string) => void;
}

/** Index of the date column: the first header named like a date; for a wide file, else an unnamed first column. */
export function dateColumnOf(header: readonly string[], format: ImportFormat): number {
  const named = header.findIndex((h) => DATE_ALIASES.has(normalizeHeader(h)));
  if (named >= 0) return named;
  // a wide file written from a data frame may have an unnamed first column holding the dates
  if (format === 'wide' && ['', 'index', 'unnamed0'].includes(normalizeHeader(header[0] ?? ''))) return 0;
  return -1;
}

/**
 * Layout of a file from its header: long when a column names a ticker (ticker, symbol...); per-ticker when the
 * columns besides the date are all bar fields (Open, High, Low, Close, Adj Close, Volume and aliases; Dividends and
 * Stock Splits tolerated) with a close or adjusted close among them; wide otherwise (one column per ticker).
 */
export function detectFormat(header: readonly string[]): ImportFormat {
  const named = header.findIndex((h) => DATE_ALIASES.has(normalizeHeader(h)));
  const others = header.filter((_, i) => i !== named);
  if (others.some((h) => TICKER_ALIASES.has(normalizeHeader(h)))) return 'long';
  const kinds = others.map((h) => fieldOf(h) ?? (IGNORED_ALIASES.has(normalizeHeader(h)) ? 'ignored' : null));
  if ((kinds.includes('close') || kinds.includes('adj')) && kinds.every((k) => k !== null)) return 'per-ticker';
  return 'wide';
}

/** Choose the delimiter from the first line: the most frequent of , ; and tab outside quotes (comma on a tie). */
export function sniffDelimiter(firstChunk: string): string {
  const nl = firstChunk.search(/\r?\n/);
  const line = nl < 0 ? firstChunk : firstChunk.slice(0, nl);
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]!++;
  }
  let best = ',';
  for (const d of [';', '\t']) if (counts[d]! > counts[best]!) best = d;
  return best;
}

interface FieldCols {
  close?: number;
  adj?: number;
  open?: number;
  high?: number;
  low?: number;
  volume?: number;
}

/** Per-file reading state. */
interface FileState {
  info: FileInfo;
  header: string[] | null;
  headerLine: number;
  dateCol: number;
  /** wide: one entry per ticker column */
  wideCols: { col: number; series: TickerSeries; values: number }[];
  /** long / per-ticker */
  tickerCol: number;
  fieldCols: FieldCols;
  fieldValues: Partial<Record<BarField, number>>;
  perTicker: TickerSeries | null;
  seenDates: Set<string>;
  prevDate: string | null;
  lastByTicker: Map<TickerSeries, string>;
  asc: number;
  desc: number;
  firstDesc: { line: number; date: string; prev: string } | null;
  fatal: boolean;
}

/** The collector behind both the streaming and the sync reader. */
export class Collector {
  readonly files: FileInfo[] = [];
  readonly dates: string[] = [];
  private readonly dateIndex = new Map<string, number>();
  readonly series = new Map<string, TickerSeries>();
  readonly problems = new ProblemSink();
  rows = 0;

  /** ticker as stored -> ticker as read, to tell a rename that lands on another ticker of the files */
  private readonly readAs = new Map<string, string>();
  private readonly renamesUsed = new Set<string>();
  private tooMany = false;

  constructor(private readonly opts: CollectOptions = {}) {}

  private get formatOverride(): ImportFormat | undefined {
    return this.opts.format;
  }

  /** Everything collected; a rename that named no ticker of the files is an error (likely a typo). */
  result(): Collected {
    for (const [from, to] of this.opts.rename ?? []) {
      if (!this.renamesUsed.has(from))
        this.problems.error(
          'unknown-rename',
          this.files[0]?.path ?? '(import)',
          null,
          null,
          `rename ${from}=${to}: the files have no ticker ${from}`,
        );
    }
    return { files: this.files, dates: this.dates, series: this.series, problems: this.problems, rows: this.rows };
  }

  /**
   * The ticker a ticker as read is stored under (after the renames), or an error message when the rename makes it
   * collide with another ticker of the files.
   */
  private storedAs(read: string): { ticker: string } | { error: string } {
    const to = this.opts.rename?.get(read);
    if (to !== undefined) this.renamesUsed.add(read);
    const ticker = to ?? read;
    const prev = this.readAs.get(ticker);
    if (prev === undefined) this.readAs.set(ticker, read);
    else if (prev !== read)
      return {
        error:
          prev === ticker
            ? `rename ${read}=${ticker}: the files already have a ticker ${ticker}`
            : `renames of ${prev} and ${read} both give ${ticker}`,
      };
    return { ticker };
  }

  /**
   * The series of a ticker as read (renamed), created on first use; null when it cannot have one (a rename
   * collision, or more than MAX_TICKERS tickers), with the error reported at the given place.
   */
  private seriesFor(read: string, file: string, line: number | null, col: number | null): TickerSeries | null {
    const r = this.storedAs(read);
    if ('error' in r) {
      this.problems.error('rename-collision', file, line, col, r.error, read);
      return null;
    }
    const s = this.series.get(r.ticker);
    if (s) return s;
    if (this.series.size >= MAX_TICKERS) {
      if (!this.tooMany)
        this.problems.error(
          'too-many-tickers',
          file,
          line,
          col,
          `more than ${MAX_TICKERS.toLocaleString('en-US')} tickers in one import (the most it takes); split the data into several universes`,
        );
      this.tooMany = true;
      return null;
    }
    return this.seriesOf(r.ticker);
  }

  private dateIdx(d: string): number {
    let i = this.dateIndex.get(d);
    if (i === undefined) {
      i = this.dates.length;
      this.dates.push(d);
      this.dateIndex.set(d, i);
    }
    return i;
  }

  private seriesOf(ticker: string): TickerSeries {
    let s = this.series.get(ticker);
    if (!s) {
      s = new TickerSeries(ticker, this.series.size);
      this.series.set(ticker, s);
    }
    return s;
  }

  /** Start a file. */
  begin(info: FileInfo): FileState {
    this.files.push(info);
    return {
      info,
      header: null,
      headerLine: 1,
      dateCol: -1,
      wideCols: [],
      tickerCol: -1,
      fieldCols: {},
      fieldValues: {},
      perTicker: null,
      seenDates: new Set(),
      prevDate: null,
      lastByTicker: new Map(),
      asc: 0,
      desc: 0,
      firstDesc: null,
      fatal: false,
    };
  }

  /** One parsed record of a file; `line` is the 1-based line where the record ends. */
  record(st: FileState, rec: string[], line: number): void {
    if (st.fatal) return;
    if (!st.header) return this.header(st, rec, line);
    this.rows++;
    st.info.rows++;
    const file = st.info.path;
    const P = this.problems;
    if (rec.length !== st.header.length) {
      P.error(
        'ragged-row',
        file,
        line,
        Math.min(rec.length, st.header.length) + 1,
        `${rec.length} fields, the header has ${st.header.length}`,
      );
      return;
    }
    const dcell = rec[st.dateCol]!;
    const pd = parseDate(dcell);
    if (!pd.ok) {
      P.error('bad-date', file, line, st.dateCol + 1, pd.message);
      return;
    }
    const date = pd.date;
    const fmt = st.info.format!;
    if (fmt === 'long') return this.longRow(st, rec, line, date);
    if (st.seenDates.has(date)) {
      P.error('duplicate-date', file, line, st.dateCol + 1, `duplicate date ${date} (already on an earlier row)`);
      return;
    }
    st.seenDates.add(date);
    this.step(st, st.prevDate, date, line);
    st.prevDate = date;
    const di = this.dateIdx(date);
    if (fmt === 'wide') {
      for (const wc of st.wideCols) {
        const cell = parseNumberCell(rec[wc.col]!);
        if (cell.kind === 'value') {
          if (cell.value <= 0) {
            P.error(
              'nonpositive-price',
              file,
              line,
              wc.col + 1,
              `${wc.series.ticker}: price ${clip(rec[wc.col]!)} is not positive`,
              wc.series.ticker,
            );
            wc.series.push(di, line, st.info.index, wc.col, CELL_BAD, NaN);
          } else if (!this.plausible(cell.value, rec[wc.col]!, wc.series.ticker, 'price', file, line, wc.col)) {
            wc.series.push(di, line, st.info.index, wc.col, CELL_BAD, NaN);
          } else {
            wc.values++;
            wc.series.push(di, line, st.info.index, wc.col, CELL_VALUE, cell.value);
          }
        } else if (cell.kind === 'missing') {
          wc.series.push(di, line, st.info.index, wc.col, cell.token === '' ? CELL_EMPTY : CELL_NA, NaN);
        } else {
          P.error('bad-number', file, line, wc.col + 1, `${wc.series.ticker}: ${cell.message}`, wc.series.ticker);
          wc.series.push(di, line, st.info.index, wc.col, CELL_BAD, NaN);
        }
      }
    } else {
      this.barCells(st, st.perTicker!, rec, line, di);
    }
  }

  private longRow(st: FileState, rec: string[], line: number, date: string): void {
    const P = this.problems;
    const file = st.info.path;
    const tcell = rec[st.tickerCol]!;
    const read = normalizeTicker(tcell);
    if (!read) {
      P.error(
        'bad-ticker',
        file,
        line,
        st.tickerCol + 1,
        tcell === '' ? 'empty ticker' : `bad ticker "${clip(tcell)}" (1..32 letters, digits, .^=_&/-)`,
      );
      return;
    }
    const s = this.seriesFor(read, file, line, st.tickerCol + 1);
    if (!s) {
      if (this.tooMany) st.fatal = true;
      return;
    }
    const ticker = s.ticker;
    const prev = st.lastByTicker.get(s) ?? null;
    if (prev === date) {
      P.error(
        'duplicate-date',
        file,
        line,
        st.dateCol + 1,
        `${ticker}: duplicate date ${date} (already on an earlier row)`,
        ticker,
      );
      return;
    }
    this.step(st, prev, date, line);
    st.lastByTicker.set(s, date);
    this.barCells(st, s, rec, line, this.dateIdx(date));
  }

  /** The bar fields of a long or per-ticker row. */
  private barCells(st: FileState, s: TickerSeries, rec: string[], line: number, di: number): void {
    const P = this.problems;
    const file = st.info.path;
    const fc = st.fieldCols;
    const vals: Partial<Record<BarField, number>> = {};
    let state = CELL_VALUE;
    for (const f of Object.keys(fc) as BarField[]) {
      const col = fc[f]!;
      const cell = parseNumberCell(rec[col]!);
      const isPrice = f === 'close' || f === 'adj';
      if (cell.kind === 'value') {
        const bad = f === 'volume' ? cell.value < 0 : cell.value <= 0;
        if (bad) {
          P.error(
            f === 'volume' ? 'negative-volume' : 'nonpositive-price',
            file,
            line,
            col + 1,
            `${s.ticker}: ${f === 'adj' ? 'adj close' : f} ${clip(rec[col]!)} is ${f === 'volume' ? 'negative' : 'not positive'}`,
            s.ticker,
          );
          state = CELL_BAD;
        } else if (
          f !== 'volume' &&
          !this.plausible(cell.value, rec[col]!, s.ticker, f === 'adj' ? 'adj close' : f, file, line, col)
        ) {
          state = CELL_BAD;
        } else {
          vals[f] = cell.value;
          st.fieldValues[f] = (st.fieldValues[f] ?? 0) + 1;
        }
      } else if (cell.kind === 'missing') {
        if (isPrice && state === CELL_VALUE) {
          state = cell.token === '' ? CELL_EMPTY : CELL_NA;
        }
      } else {
        P.error(
          'bad-number',
          file,
          line,
          col + 1,
          `${s.ticker}: ${f === 'adj' ? 'adj close' : f}: ${cell.message}`,
          s.ticker,
        );
        state = CELL_BAD;
      }
    }
    const priceCol = fc.adj ?? fc.close!;
    // a file with an adjusted close but no close column stores the adjusted close as the close too
    const close = fc.close === undefined ? (vals.adj ?? NaN) : (vals.close ?? NaN);
    const opt: Partial<Record<OptionalField, number>> = {
      adj: vals.adj,
      open: vals.open,
      high: vals.high,
      low: vals.low,
      volume: vals.volume,
    };
    s.push(
      di,
      line,
      st.info.index,
      priceCol,
      state,
      state === CELL_VALUE ? close : NaN,
      state === CELL_VALUE ? opt : undefined,
    );
  }

  /**
   * A positive price outside PRICE_MIN .. PRICE_MAX: an error (false: the cell is not used) unless implausible
   * prices are allowed, then a warning (true: the value is kept). True for a plausible price.
   */
  private plausible(
    value: number,
    text: string,
    ticker: string,
    what: string,
    file: string,
    line: number,
    col: number,
  ): boolean {
    const why = implausiblePriceMessage(value);
    if (!why) return true;
    const message = `${ticker}: ${what} ${clip(text)} ${why}`;
    if (this.opts.allowImplausible) {
      this.problems.warning('implausible-price', file, line, col + 1, message, ticker);
      return true;
    }
    this.problems.error(
      'implausible-price',
      file,
      line,
      col + 1,
      `${message}; pass --allow-implausible (allowImplausible) if it is right`,
      ticker,
    );
    return false;
  }

  /** Row order bookkeeping: ascending steps, descending steps, the first descending one. */
  private step(st: FileState, prev: string | null, date: string, line: number): void {
    if (prev === null) return;
    if (date > prev) st.asc++;
    else if (date < prev) {
      st.desc++;
      if (!st.firstDesc) st.firstDesc = { line, date, prev };
    }
  }

  private header(st: FileState, rec: string[], line: number): void {
    const P = this.problems;
    const file = st.info.path;
    if (rec.length > MAX_TICKERS + 1) {
      P.error('too-many-columns', file, line, null, tooManyColumns(rec.length, false));
      st.fatal = true;
      return;
    }
    const header = rec.map((h) => h.trim());
    st.header = header;
    st.headerLine = line;
    const detected = detectFormat(header);
    st.info.detected = detected;
    const fmt = this.formatOverride ?? detected;
    st.info.format = fmt;
    st.dateCol = dateColumnOf(header, fmt);
    if (st.dateCol < 0) {
      P.error(
        'no-date-column',
        file,
        line,
        null,
        `no date column (a header named one of: ${[...DATE_ALIASES].join(', ')})`,
      );
      st.fatal = true;
      return;
    }
    if (fmt === 'wide') {
      const seen = new Map<string, number>();
      for (let c = 0; c < header.length; c++) {
        if (c === st.dateCol) continue;
        const h = header[c]!;
        if (h === '') {
          P.error(
            'empty-header',
            file,
            line,
            c + 1,
            `column ${c + 1} has no header (each column of a wide file names a ticker)`,
          );
          continue;
        }
        const t = normalizeTicker(h);
        if (!t) {
          P.error(
            'bad-ticker',
            file,
            line,
            c + 1,
            `bad ticker "${clip(h)}" in the header (1..32 letters, digits, .^=_&/-)`,
          );
          continue;
        }
        if (seen.has(t)) {
          P.error(
            'duplicate-column',
            file,
            line,
            c + 1,
            `ticker ${t} has two columns (${seen.get(t)! + 1} and ${c + 1})`,
          );
          continue;
        }
        seen.set(t, c);
        const s = this.seriesFor(t, file, line, c + 1);
        if (!s) {
          if (this.tooMany) {
            st.fatal = true;
            return;
          }
          continue;
        }
        st.wideCols.push({ col: c, series: s, values: 0 });
      }
      if (header.length < 2) P.error('no-tickers', file, line, null, 'no ticker columns after the date column');
      return;
    }
    // long or per-ticker: map the field columns
    const ignored: string[] = [];
    for (let c = 0; c < header.length; c++) {
      if (c === st.dateCol) continue;
      const n = normalizeHeader(header[c]!);
      if (fmt === 'long' && st.tickerCol < 0 && TICKER_ALIASES.has(n)) {
        st.tickerCol = c;
        continue;
      }
      const f = fieldOf(header[c]!);
      if (f) {
        if (st.fieldCols[f] !== undefined)
          P.error(
            'duplicate-column',
            file,
            line,
            c + 1,
            `two ${f === 'adj' ? 'adjusted close' : f} columns (${st.fieldCols[f]! + 1} and ${c + 1})`,
          );
        else st.fieldCols[f] = c;
      } else ignored.push(header[c]! === '' ? `(column ${c + 1})` : header[c]!);
    }
    if (ignored.length)
      P.warning(
        'ignored-columns',
        file,
        line,
        null,
        `columns not imported: ${ignored.map((h) => clip(h, 24)).join(', ')}`,
      );
    if (fmt === 'long' && st.tickerCol < 0) {
      P.error(
        'no-ticker-column',
        file,
        line,
        null,
        `no ticker column (a header named one of: ${[...TICKER_ALIASES].join(', ')})`,
      );
      st.fatal = true;
      return;
    }
    if (st.fieldCols.close === undefined && st.fieldCols.adj === undefined) {
      P.error('no-price-column', file, line, null, 'no price column (Close, Adj Close, adj_close, PRC, price...)');
      st.fatal = true;
      return;
    }
    if (fmt === 'per-ticker') {
      const base = path.basename(st.info.path).replace(/\.(csv|txt|tsv)$/i, '');
      const t = normalizeTicker(base);
      if (!t) {
        P.error(
          'bad-ticker',
          file,
          null,
          null,
          `the file name "${clip(base)}" is not a ticker (a per-ticker file is named TICKER.csv)`,
        );
        st.fatal = true;
        return;
      }
      st.perTicker = this.seriesFor(t, file, null, null);
      if (!st.perTicker) st.fatal = true;
    }
  }

  /** End of a file: empty columns, row order, no rows. */
  end(st: FileState): void {
    if (st.fatal || !st.header) {
      if (!st.header && !st.fatal)
        this.problems.error('empty-file', st.info.path, 1, null, 'the file is empty (no header)');
      return;
    }
    const P = this.problems;
    const file = st.info.path;
    if (st.info.rows === 0) {
      P.error('no-rows', file, st.headerLine, null, 'no data rows after the header');
      return;
    }
    if (st.info.format === 'wide') {
      for (const wc of st.wideCols) {
        if (wc.values > 0) continue;
        P.error('empty-column', file, st.headerLine, wc.col + 1, `column ${wc.series.ticker} has no prices`);
        wc.series.emptyReported = true;
      }
    } else {
      for (const f of ['close', 'adj'] as const) {
        const col = st.fieldCols[f];
        if (col !== undefined && !st.fieldValues[f])
          P.error('empty-column', file, st.headerLine, col + 1, `column ${st.header[col]} has no values`);
      }
    }
    if (st.desc > 0 && st.asc === 0) {
      P.warning('descending', file, null, null, 'rows are in descending date order (read as such and sorted)');
    } else if (st.desc > 0 && st.firstDesc) {
      const d = st.firstDesc;
      P.error(
        'unsorted',
        file,
        d.line,
        st.dateCol + 1,
        `date ${d.date} comes after ${d.prev}: rows must be in date order${st.desc > 1 ? ` (${st.desc} rows out of order)` : ''}`,
      );
    }
  }

  /** A csv-parse error ends the file: quotes, ragged rows it cannot read past, encoding. */
  csvError(st: FileState, e: unknown): void {
    const err = e as { code?: string; message?: string; lines?: number };
    const line = typeof err.lines === 'number' && err.lines > 0 ? err.lines : null;
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      this.problems.error(
        'record-too-long',
        st.info.path,
        line,
        null,
        `a record longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters: not a price table`,
      );
    } else {
      const msg = (err.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 300);
      this.problems.error('malformed-csv', st.info.path, line, null, `malformed CSV: ${msg}`);
    }
    st.fatal = true;
  }

  /** A file refused before it was parsed (its header line, see headerProblem): reported and counted as read. */
  refuse(info: FileInfo, code: string, message: string): void {
    this.files.push(info);
    this.problems.error(code, info.path, 1, null, message);
  }

  /** Nothing more of this file is used (a fatal problem): the reader may stop reading it. */
  done(st: FileState): boolean {
    return st.fatal;
  }
}

/** The too-many-columns message: `n` columns counted (`more`: counting stopped there, there may be more). */
function tooManyColumns(n: number, more: boolean): string {
  return `${n.toLocaleString('en-US')}${more ? ' or more' : ''} columns: a file holds at most ${MAX_TICKERS.toLocaleString('en-US')} tickers besides its date column`;
}

/**
 * A problem with a file's first line found before csv-parse reads it: more columns than MAX_TICKERS + 1 (counted
 * in the first MAX_RECORD_CHARS bytes, so a header of a million columns costs a megabyte, not gigabytes), or a
 * header line that does not end within them. Takes the head of the file, the delimiter and whether the head is
 * the whole file; gives the problem or null.
 */
export function headerProblem(
  head: string,
  delimiter: string,
  wholeFile: boolean,
): { code: string; message: string } | null {
  let cols = 1;
  let quoted = false;
  let started = false;
  for (let i = 0; i < head.length; i++) {
    const ch = head[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (started) return null;
    } else {
      started = true;
      if (!quoted && ch === delimiter && ++cols > MAX_TICKERS + 1)
        return { code: 'too-many-columns', message: tooManyColumns(cols, true) };
    }
  }
  if (wholeFile) return null;
  return {
    code: 'record-too-long',
    message: `the header line is longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters: not a price table`,
  };
}

const PARSE_OPTIONS = {
  info: true,
  max_record_size: MAX_RECORD_CHARS,
  bom: true,
  trim: true,
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_empty_values: true,
} as const;

function newInfo(index: number, p: string): FileInfo {
  return {
    index,
    path: p,
    absPath: path.resolve(p),
    bytes: 0,
    sha256: '',
    detected: null,
    format: null,
    rows: 0,
    delimiter: ',',
  };
}

/** The user-file checks (files.ts) as a problem; false when the file cannot be read at all. */
function userFileProblem(c: Collector, info: FileInfo, e: unknown): false {
  if (!(e instanceof UserFileError)) throw e;
  c.problems.error(e.code, info.path, null, null, e.message);
  return false;
}

/** Path checks shared by both readers, before any file is opened; false when the file cannot be read at all. */
function openCheck(c: Collector, info: FileInfo): boolean {
  try {
    info.bytes = statUserFile(info.absPath, MAX_IMPORT_FILE_BYTES);
    return true;
  } catch (e) {
    return userFileProblem(c, info, e);
  }
}

/**
 * Read the files of an import with csv-parse's streaming API, one after the other: never more than a chunk of
 * raw text in memory. Takes the paths as given and the read options; gives the collected series and problems.
 * Throws JobCancelled (jobs/context.ts) when the signal aborts.
 */
export async function readImportFiles(paths: readonly string[], opts: ReadOptions = {}): Promise<Collected> {
  const c = new Collector(opts);
  const infos = paths.map((p, i) => newInfo(i, p));
  const ok = infos.map((info) => openCheck(c, info));
  const total = infos.reduce((s, f) => s + f.bytes, 0) || 1;
  let done = 0;
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i]!;
    if (!ok[i]) {
      c.files.push(info);
      continue;
    }
    let fd: number;
    try {
      ({ fd, size: info.bytes } = openUserFile(info.absPath, MAX_IMPORT_FILE_BYTES));
    } catch (e) {
      userFileProblem(c, info, e);
      c.files.push(info);
      continue;
    }
    if (info.bytes === 0) {
      fs.closeSync(fd);
      info.sha256 = createHash('sha256').digest('hex');
      c.end(c.begin(info));
      continue;
    }
    const head = readHead(fd, Math.min(info.bytes, MAX_RECORD_CHARS)).toString('utf8');
    info.delimiter = sniffDelimiter(head);
    const refused = headerProblem(head, info.delimiter, info.bytes <= MAX_RECORD_CHARS);
    if (refused) {
      fs.closeSync(fd);
      c.refuse(info, refused.code, refused.message);
      done += info.bytes;
      continue;
    }
    const st = c.begin(info);
    const hash = createHash('sha256');
    let complete = true;
    await new Promise<void>((resolve, reject) => {
      const parser: Parser = parse({ ...PARSE_OPTIONS, delimiter: info.delimiter });
      // 256 KiB chunks: the event loop is never held longer than one chunk's records; never past the size checked
      const rs = fs.createReadStream('', {
        fd,
        start: 0,
        end: info.bytes - 1,
        autoClose: true,
        highWaterMark: 1 << 18,
      });
      let failed = false;
      let lastReport = 0;
      rs.on('data', (chunk) => {
        if (opts.signal?.aborted) {
          rs.destroy();
          parser.destroy();
          reject(new JobCancelled('import'));
          return;
        }
        const buf = chunk as Buffer;
        hash.update(buf);
        done += buf.length;
        const now = Date.now();
        if (opts.onProgress && now - lastReport > 100) {
          lastReport = now;
          opts.onProgress(done / total, `reading ${path.basename(info.path)}`);
        }
        if (!parser.write(buf)) {
          rs.pause();
          parser.once('drain', () => rs.resume());
        }
      });
      rs.on('end', () => parser.end());
      rs.on('error', (e) => {
        c.problems.error('unreadable', info.path, null, null, `cannot read the file: ${e.message}`);
        failed = true;
        parser.destroy();
        resolve();
      });
      parser.on('readable', () => {
        let r: { record: string[]; info: { lines: number } } | null;
        while (!failed && (r = parser.read() as typeof r) !== null) {
          c.record(st, r.record, r.info.lines);
          if (c.done(st)) {
            // nothing more of this file is used: stop reading it
            failed = true;
            complete = false;
            rs.destroy();
            parser.destroy();
            resolve();
          }
        }
      });
      parser.on('error', (e) => {
        if (failed) return;
        failed = true;
        c.csvError(st, e);
        rs.destroy();
        resolve();
      });
      parser.on('end', () => {
        if (!failed) resolve();
      });
    });
    // a file given up half-way has no checksum (it is never written anyway)
    info.sha256 = complete ? hash.digest('hex') : '';
    c.end(st);
  }
  opts.onProgress?.(1, 'read');
  return c.result();
}

/** The same as readImportFiles, synchronously, with csv-parse's sync API (for small files: the bundled data set). */
export function readImportFilesSync(paths: readonly string[], opts: CollectOptions = {}): Collected {
  const c = new Collector(opts);
  for (let i = 0; i < paths.length; i++) {
    const info = newInfo(i, paths[i]!);
    let buf: Buffer;
    try {
      buf = readUserFile(info.absPath, MAX_IMPORT_FILE_BYTES);
    } catch (e) {
      userFileProblem(c, info, e);
      c.files.push(info);
      continue;
    }
    info.bytes = buf.length;
    info.sha256 = createHash('sha256').update(buf).digest('hex');
    const text = buf.toString('utf8');
    info.delimiter = sniffDelimiter(text.slice(0, 65536));
    const st = c.begin(info);
    try {
      const records = parseSync(text, { ...PARSE_OPTIONS, delimiter: info.delimiter }) as unknown as {
        record: string[];
        info: { lines: number };
      }[];
      for (const r of records) c.record(st, r.record, r.info.lines);
    } catch (e) {
      c.csvError(st, e);
    }
    c.end(st);
  }
  return c.result();
}
