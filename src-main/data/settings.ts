/**
 * Named settings of the market-data import (docs/architecture.md "Storage"; docs/backtest-conventions.md: daily bars).
 * Every threshold the importer applies is here, with what it means and why it has the value it has.
 */

/**
 * Day-over-day ratio of a ticker's price above which the import warns of a suspicious jump (most often a split
 * that the data did not adjust for: a 2-for-1 split shows as a ratio near 0.5, a 1-for-2 reverse split near 2).
 * A warning, never an error: real moves this large happen (crashes, takeovers).
 */
export const JUMP_UP_RATIO = 1.8;
/** Day-over-day price ratio below which the import warns of a suspicious jump (see JUMP_UP_RATIO). */
export const JUMP_DOWN_RATIO = 0.55;

/**
 * Relative tolerance when an imported bar meets a bar already stored for the same ticker and date: values that
 * differ by more than this fraction of the stored value are "different data" (an error: a (ticker, date) holds
 * one bar); values within it are the same bar, which is kept and not written again. 1e-9 lets a value that went
 * through a decimal round trip (CSV export, re-import) compare equal and nothing else.
 */
export const OVERLAP_REL_TOLERANCE = 1e-9;

/** Problems returned in a preview (errors first); the rest are counted in problemsOmitted. */
export const PROBLEM_LIST_LIMIT = 500;

/** Problems of one code for one ticker listed before the rest are summed up in one line (e.g. 1000 gaps). */
export const PROBLEMS_PER_TICKER_AND_CODE = 5;

/** Bars inserted between two progress reports / cancellation checks while an import writes (one transaction). */
export const WRITE_CHUNK_BARS = 20_000;

/**
 * Cell texts that mean "no value" (compared case-insensitively after trimming): an empty cell and the usual
 * not-a-number spellings of R, pandas, Excel and SQL exports. Such a price cell is a missing cell (see the fill
 * policy), never a number.
 */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '',
  'na',
  'n/a',
  '#n/a',
  'nan',
  '-nan',
  'null',
  'none',
  'nil',
  '.',
  '-',
  '#value!',
  '#div/0!',
]);

/**
 * SQLite page cache of the connection while an import writes, in MiB (PRAGMA cache_size; the default is 2 MiB).
 * Bars go in primary-key order, but the date index receives them in random order; with a small cache each insert
 * rereads index pages and a 2.5M-bar import runs about 1.6x slower. Restored after the import. The environment
 * variable HDRL_IMPORT_CACHE_MIB (1..4096) overrides it, e.g. to bound memory on a small machine; a small cache
 * makes SQLite spill the open transaction's pages to the WAL early (the crash test uses that).
 */
export const IMPORT_CACHE_MIB = 256;

/** IMPORT_CACHE_MIB, or the valid override from $HDRL_IMPORT_CACHE_MIB. */
export function importCacheMib(): number {
  const v = Number(process.env.HDRL_IMPORT_CACHE_MIB);
  return Number.isInteger(v) && v >= 1 && v <= 4096 ? v : IMPORT_CACHE_MIB;
}

/**
 * Largest price file an import reads, bytes. A wide file of 500 tickers over 20 years is about 25 MB and a long
 * file of the same data with every bar field about 150 MB; 1 GiB leaves room for far larger sets while refusing
 * a runaway file before a byte of it is parsed.
 */
export const MAX_IMPORT_FILE_BYTES = 1024 ** 3;

/** Largest universe metadata file (CSV or JSON) an import reads, bytes: names and sectors of thousands of assets fit in well under 1 MB. */
export const MAX_META_FILE_BYTES = 16 * 1024 ** 2;

/**
 * Most tickers one import may hold: the ticker columns of a wide file (plus its date column), the distinct
 * tickers of long files, the per-ticker files. Each ticker costs memory while the import is checked, so the cap
 * bounds an import's memory by the numbers it reads rather than by the width of a header.
 */
export const MAX_TICKERS = 5000;

/**
 * Most characters of one CSV record (line) the reader accepts, and how far it looks for the end of a file's
 * header line. A header of MAX_TICKERS tickers of 32 characters is under 200 kB and a row of as many prices
 * under 150 kB, so 1 MiB only stops a file that is not a price table.
 */
export const MAX_RECORD_CHARS = 1024 ** 2;

/**
 * Plausible prices, in any currency unit: a price (open, high, low, close or adjusted close) below PRICE_MIN or
 * above PRICE_MAX is an error unless the import allows implausible prices (allowImplausible, --allow-implausible).
 * 1e-6 is below any quoted share, fund or coin price in practice and 1e9 above any (the dearest listed share
 * trades near 1e6); values such as 1e308 or 5e-324 are parsing or unit accidents, and would overflow returns.
 */
export const PRICE_MIN = 1e-6;
/** See PRICE_MIN. */
export const PRICE_MAX = 1e9;

/**
 * A day-over-day price ratio above this, or below its inverse, is an error unless implausible prices are allowed:
 * no real instrument moves a hundredfold in a day; such a step is a wrong unit, a missing decimal point or a
 * reverse split of 1:100 or more left unadjusted. Smaller jumps only warn (JUMP_UP_RATIO, JUMP_DOWN_RATIO).
 */
export const IMPLAUSIBLE_MOVE_RATIO = 100;
