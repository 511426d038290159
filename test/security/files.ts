/**
 * The malformed price files of the security suite, generated: each starts from one valid wide file (two new
 * tickers, 30 business days of 2021, after the bundled DJIA data) and breaks it in one way. A case says where the
 * import must point: `line` (the 1-based line of the broken record), 'row' (some line, not known exactly in
 * advance) or 'file' (a file-level problem, no line needed).
 */
import { deflateRawSync } from 'node:zlib';

export interface FileCase {
  id: string;
  /** what is wrong with the file, for the case list */
  title: string;
  /** file name as written and uploaded (per-ticker files name their ticker) */
  name: string;
  content(): Buffer;
  /** universe to import into (default a new one, 'hostile') */
  universe?: string;
  /** where the problem must be reported */
  at: number | 'row' | 'file';
  /** a universe meta file (CSV) given with the prices */
  meta?: { name: string; content: string };
  /**
   * Also given to `hdrl import`, which tries to commit it (every file is uploaded through the dispatcher, which
   * previews it). A CLI process costs seconds of CPU, so the CLI replays the files named in the issue and those
   * that reach the write path or stress the reader.
   */
  cli?: true;
}

const TICKERS = ['ZQA', 'ZQB'];
const N = 30;

/** Business days from 2021-01-04. */
function dates(n = N): string[] {
  const out: string[] = [];
  const d = new Date(Date.UTC(2021, 0, 4));
  while (out.length < n) {
    const w = d.getUTCDay();
    if (w !== 0 && w !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** The valid file's cells: rows[k] = [date, price A, price B]; row k is on line k + 2. */
function baseRows(): string[][] {
  return dates().map((d, k) => [d, (100 + k * 0.5).toFixed(2), (50 + k * 0.25).toFixed(2)]);
}

const lineOf = (row: number) => row + 2;

function csv(header: string[], rows: string[][], eol = '\n'): string {
  return [header, ...rows].map((r) => r.join(',')).join(eol) + eol;
}

const text = (s: string) => () => Buffer.from(s, 'utf8');

/** The valid file with one cell replaced: row `row`, column `col` (0 = date). */
function withCell(row: number, col: number, value: string): () => Buffer {
  return () => {
    const rows = baseRows();
    rows[row]![col] = value;
    return Buffer.from(csv(['date', ...TICKERS], rows));
  };
}

/** The valid file with its rows changed by `f`. */
function withRows(f: (rows: string[][]) => string[][], header = ['date', ...TICKERS], eol = '\n'): () => Buffer {
  return () => Buffer.from(csv(header, f(baseRows()), eol));
}

/** Deterministic pseudo-random bytes (no Math.random: the same files every run). */
function junk(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function utf16(s: string, bigEndian: boolean): Buffer {
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
  if (!bigEndian) return le;
  const be = Buffer.from(le);
  be.swap16();
  return be;
}

/** A long-format file (date,ticker,close[,volume]) of one ticker. */
function longRows(ticker = 'ZQL'): string[][] {
  return dates().map((d, k) => [d, ticker, (20 + k * 0.1).toFixed(2), String(1000 + k)]);
}

/** DJIA tickers and dates that are stored in the bundled universe (djia30 covers 1990-12-31 .. 2001-01-02). */
const DJIA_DATES = ['1999-01-04', '1999-01-05', '1999-01-06', '1999-01-07', '1999-01-08'];

const bad = (row: number, value: string, title: string, id: string, cli?: true): FileCase => ({
  id,
  title,
  name: `${id}.csv`,
  content: withCell(row, 1, value),
  at: lineOf(row),
  ...(cli ? { cli } : {}),
});

export const FILE_CASES: FileCase[] = [
  // dates
  {
    id: 'date-month-13',
    title: 'a date with month 13',
    name: 'date-month-13.csv',
    content: withCell(4, 0, '2021-13-01'),
    at: lineOf(4),
  },
  {
    id: 'date-feb-30',
    title: 'February 30th',
    name: 'date-feb-30.csv',
    content: withCell(4, 0, '2021-02-30'),
    at: lineOf(4),
  },
  {
    id: 'date-words',
    title: 'a date cell that is a word',
    name: 'date-words.csv',
    content: withCell(6, 0, 'yesterday'),
    at: lineOf(6),
  },
  { id: 'date-empty', title: 'an empty date cell', name: 'date-empty.csv', content: withCell(7, 0, ''), at: lineOf(7) },
  {
    id: 'date-header-repeated',
    title: 'the header repeated in the middle (two exports pasted together)',
    name: 'date-header-repeated.csv',
    content: withRows((r) => [...r.slice(0, 10), ['date', ...TICKERS], ...r.slice(10)]),
    at: lineOf(10),
  },
  {
    id: 'date-duplicate',
    cli: true,
    title: 'the same date on two rows',
    name: 'date-duplicate.csv',
    content: withRows((r) => ((r[11]![0] = r[10]![0]!), r)),
    at: lineOf(11),
  },
  {
    id: 'date-unsorted',
    cli: true,
    title: 'rows out of date order (not simply descending)',
    name: 'date-unsorted.csv',
    content: withRows((r) => [...r.slice(0, 10), r[12]!, r[11]!, r[10]!, ...r.slice(13)]),
    at: 'row',
  },
  // numbers
  bad(5, 'abc', 'a price that is a word', 'num-word'),
  bad(5, '12.3.4', 'a price with two decimal points', 'num-two-points'),
  bad(5, '12.5abc', 'a price with trailing letters', 'num-trailing-garbage'),
  bad(5, '--5', 'a price with two minus signs', 'num-double-minus'),
  bad(5, '1e', 'a truncated exponent', 'num-truncated-exponent'),
  bad(5, 'NaN', 'NaN as a price', 'num-nan'),
  bad(5, 'Infinity', 'Infinity as a price', 'num-infinity'),
  bad(5, '-Infinity', '-Infinity as a price', 'num-minus-infinity'),
  bad(5, '1e309', 'a price that overflows to Infinity (1e309)', 'num-1e309', true),
  bad(5, '1e308', 'a price of 1e308', 'num-1e308', true),
  bad(5, '5e-324', 'a price of 5e-324 (the smallest subnormal double)', 'num-5e-324', true),
  bad(5, '1e-320', 'a subnormal price (1e-320)', 'num-subnormal'),
  bad(5, '-12.5', 'a negative price', 'num-negative', true),
  bad(5, '0', 'a zero price', 'num-zero'),
  bad(5, '=1+2', 'a formula in a price cell', 'num-formula'),
  bad(5, '\u0007', 'a control character as a price', 'num-control-char'),
  bad(12, '110000', 'a x1000 jump for one day (a price of 110000 among ~105)', 'num-x1000-jump', true),
  {
    id: 'num-x1000-level',
    title: 'a x1000 level shift that stays (unadjusted units)',
    name: 'num-x1000-level.csv',
    content: withRows((r) => r.map((row, k) => (k >= 15 ? [row[0]!, String(Number(row[1]) * 1000), row[2]!] : row))),
    at: lineOf(15),
  },
  {
    id: 'num-missing-cell',
    cli: true,
    title: 'an empty price inside the range (fill policy reject)',
    name: 'num-missing-cell.csv',
    content: withCell(9, 2, ''),
    at: lineOf(9),
  },
  {
    id: 'num-na-cell',
    title: 'NA inside the range (fill policy reject)',
    name: 'num-na-cell.csv',
    content: withCell(9, 2, 'NA'),
    at: lineOf(9),
  },
  {
    id: 'num-empty-column',
    title: 'a ticker column without any price',
    name: 'num-empty-column.csv',
    content: withRows((r) => r.map((row) => [row[0]!, row[1]!, ''])),
    at: 'row',
  },
  {
    id: 'num-20k-bad-rows',
    cli: true,
    title: '20,000 rows that are all bad (the problem list must stay bounded)',
    name: 'num-20k-bad-rows.csv',
    content: () =>
      Buffer.from('date,ZQA\n' + Array.from({ length: 20_000 }, (_, k) => `2021-01-04,x${k}`).join('\n') + '\n'),
    at: 2,
  },
  // encodings and line endings
  {
    id: 'enc-bom-bad-number',
    cli: true,
    title: 'UTF-8 BOM, then a bad price on line 5',
    name: 'enc-bom-bad-number.csv',
    content: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), withCell(3, 1, 'abc')()]),
    at: lineOf(3),
  },
  {
    id: 'enc-crlf-bad-number',
    cli: true,
    title: 'CRLF line endings, then a bad price on line 5',
    name: 'enc-crlf-bad-number.csv',
    content: () =>
      Buffer.from(
        csv(
          ['date', ...TICKERS],
          baseRows().map((r, k) => (k === 3 ? [r[0]!, 'abc', r[2]!] : r)),
          '\r\n',
        ),
      ),
    at: lineOf(3),
  },
  {
    id: 'enc-cr-only',
    title: 'old Mac CR-only line endings with a bad price',
    name: 'enc-cr-only.csv',
    content: () =>
      Buffer.from(
        csv(
          ['date', ...TICKERS],
          baseRows().map((r, k) => (k === 3 ? [r[0]!, 'abc', r[2]!] : r)),
          '\r',
        ),
      ),
    at: 'file',
  },
  {
    id: 'enc-utf16le',
    cli: true,
    title: 'UTF-16LE with a BOM, and a bad price',
    name: 'enc-utf16le.csv',
    content: () => utf16(withCell(3, 1, 'abc')().toString('utf8'), false),
    at: 'file',
  },
  {
    id: 'enc-utf16be',
    title: 'UTF-16BE with a BOM, and a bad price',
    name: 'enc-utf16be.csv',
    content: () => utf16(withCell(3, 1, 'abc')().toString('utf8'), true),
    at: 'file',
  },
  {
    id: 'enc-binary-junk',
    cli: true,
    title: '64 KB of random bytes',
    name: 'enc-binary-junk.csv',
    content: () => junk(65_536, 7),
    at: 'file',
  },
  {
    id: 'enc-nul-bytes',
    title: 'NUL bytes inside the prices',
    name: 'enc-nul-bytes.csv',
    content: withCell(5, 1, '1\u00002'),
    at: lineOf(5),
  },
  {
    id: 'enc-png',
    title: 'a PNG image named .csv',
    name: 'enc-png.csv',
    content: () => Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), junk(2000, 11)]),
    at: 'file',
  },
  {
    id: 'enc-compressed',
    title: 'a compressed CSV named .csv',
    name: 'enc-compressed.csv',
    content: () => deflateRawSync(withCell(3, 1, 'abc')()),
    at: 'file',
  },
  {
    id: 'enc-invalid-utf8',
    title: 'invalid UTF-8 in a ticker name',
    name: 'enc-invalid-utf8.csv',
    content: () =>
      Buffer.concat([
        Buffer.from('date,ZQ'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(',ZQB\n'),
        Buffer.from(csv([], baseRows()).slice(1)),
      ]),
    at: 1,
  },
  // structure
  {
    id: 'csv-empty',
    cli: true,
    title: 'an empty file (0 bytes)',
    name: 'csv-empty.csv',
    content: text(''),
    at: 'file',
  },
  {
    id: 'csv-whitespace',
    title: 'blank lines only',
    name: 'csv-whitespace.csv',
    content: text('\n\n   \n\t\n'),
    at: 'file',
  },
  {
    id: 'csv-header-only',
    cli: true,
    title: 'a header without rows',
    name: 'csv-header-only.csv',
    content: text('date,ZQA,ZQB\n'),
    at: 'file',
  },
  {
    id: 'csv-no-date-column',
    title: 'no date column',
    name: 'csv-no-date-column.csv',
    content: withRows((r) => r, ['when', ...TICKERS]),
    at: 'file',
  },
  {
    id: 'csv-empty-header-cell',
    title: 'an empty header cell',
    name: 'csv-empty-header-cell.csv',
    content: withRows((r) => r, ['date', '', 'ZQB']),
    at: 1,
  },
  {
    id: 'csv-ragged-long',
    title: 'a row with an extra field',
    name: 'csv-ragged-long.csv',
    content: withRows((r) => (r[6]!.push('7.5'), r)),
    at: lineOf(6),
  },
  {
    id: 'csv-ragged-short',
    title: 'a row with a missing field',
    name: 'csv-ragged-short.csv',
    content: withRows((r) => (r[6]!.pop(), r)),
    at: lineOf(6),
  },
  {
    id: 'csv-decimal-comma',
    title: 'decimal commas (1,5) in an unquoted comma-separated file',
    name: 'csv-decimal-comma.csv',
    content: withRows((r) => ((r[8]![1] = '105,5'), r)),
    at: lineOf(8),
  },
  {
    id: 'csv-mixed-delimiters',
    title: 'a comma header over semicolon rows',
    name: 'csv-mixed-delimiters.csv',
    content: () =>
      Buffer.from(
        'date,ZQA,ZQB\n' +
          baseRows()
            .map((r) => r.join(';'))
            .join('\n') +
          '\n',
      ),
    at: 'row',
  },
  {
    id: 'csv-tab-rows',
    title: 'some rows tab-separated',
    name: 'csv-tab-rows.csv',
    content: withRows((r) => r.map((row, k) => (k === 4 ? [row.join('\t')] : row))),
    at: lineOf(4),
  },
  {
    id: 'csv-unterminated-quote',
    title: 'a quote that never closes',
    name: 'csv-unterminated-quote.csv',
    content: withCell(5, 1, '"101.5'),
    at: 'row',
  },
  {
    id: 'csv-stray-quote',
    title: 'a quote inside an unquoted field',
    name: 'csv-stray-quote.csv',
    content: withCell(5, 1, '10"1.5'),
    at: 'row',
  },
  {
    id: 'csv-very-long-line',
    cli: true,
    title: 'one line of 3 MB',
    name: 'csv-very-long-line.csv',
    content: () => Buffer.from(`date,ZQA\n2021-01-04,${'9'.repeat(3_000_000)}\n`),
    at: 'row',
  },
  {
    id: 'csv-million-columns',
    cli: true,
    title: 'a header of 1,000,000 columns',
    name: 'csv-million-columns.csv',
    content: () =>
      Buffer.from(`date,${Array.from({ length: 1_000_000 }, (_, i) => `T${i}`).join(',')}\n2021-01-04,1\n`),
    at: 'row',
  },
  {
    id: 'csv-100k-columns-row',
    title: 'a row of 100,000 fields under a two-ticker header',
    name: 'csv-100k-columns-row.csv',
    content: () => Buffer.from(`date,ZQA,ZQB\n2021-01-04,${Array(100_000).fill('1').join(',')}\n`),
    at: 2,
  },
  // tickers
  {
    id: 'tic-duplicate-column',
    title: 'the same ticker twice in the header',
    name: 'tic-duplicate-column.csv',
    content: withRows((r) => r, ['date', 'ZQA', 'ZQA']),
    at: 1,
  },
  {
    id: 'tic-space-quote',
    title: 'a ticker with a space and quotes (ZQ \'A")',
    name: 'tic-space-quote.csv',
    content: withRows((r) => r, ['date', '"ZQ \'A"""', 'ZQB']),
    at: 1,
  },
  {
    id: 'tic-sql',
    cli: true,
    title: 'an SQL injection as a ticker',
    name: 'tic-sql.csv',
    content: withRows((r) => r, ['date', '"ZQ\'); DROP TABLE bars;--"', 'ZQB']),
    at: 1,
  },
  {
    id: 'tic-html',
    title: 'HTML as a ticker',
    name: 'tic-html.csv',
    content: withRows((r) => r, ['date', '<img src=x onerror=alert(1)>', 'ZQB']),
    at: 1,
  },
  {
    id: 'tic-formula',
    cli: true,
    title: "a spreadsheet formula as a ticker (=cmd|' /C calc'!A0)",
    name: 'tic-formula.csv',
    content: withRows((r) => r, ['date', '"=cmd|\' /C calc\'!A0"', 'ZQB']),
    at: 1,
  },
  {
    id: 'tic-too-long',
    title: 'a ticker of 33 characters',
    name: 'tic-too-long.csv',
    content: withRows((r) => r, ['date', 'Z'.repeat(33), 'ZQB']),
    at: 1,
  },
  {
    id: 'tic-newline',
    title: 'a quoted ticker with a line break',
    name: 'tic-newline.csv',
    content: withRows((r) => r, ['date', '"ZQ\nA"', 'ZQB']),
    at: 'row',
  },
  {
    id: 'tic-emoji',
    title: 'an emoji as a ticker',
    name: 'tic-emoji.csv',
    content: withRows((r) => r, ['date', '\u{1F4B0}', 'ZQB']),
    at: 1,
  },
  {
    id: 'tic-long-format-hostile',
    title: 'long format: a ticker cell with a script tag',
    name: 'tic-long-format-hostile.csv',
    content: () =>
      Buffer.from(
        csv(
          ['date', 'ticker', 'close', 'volume'],
          longRows().map((r, k) => (k === 3 ? [r[0]!, '<script>', r[2]!, r[3]!] : r)),
        ),
      ),
    at: lineOf(3),
  },
  {
    id: 'long-duplicate',
    title: 'long format: one ticker and date twice',
    name: 'long-duplicate.csv',
    content: () =>
      Buffer.from(
        csv(['date', 'ticker', 'close', 'volume'], ((r) => [...r.slice(0, 6), r[5]!, ...r.slice(6)])(longRows())),
      ),
    at: lineOf(6),
  },
  {
    id: 'long-negative-volume',
    title: 'long format: a negative volume',
    name: 'long-negative-volume.csv',
    content: () =>
      Buffer.from(
        csv(
          ['date', 'ticker', 'close', 'volume'],
          longRows().map((r, k) => (k === 4 ? [r[0]!, r[1]!, r[2]!, '-5'] : r)),
        ),
      ),
    at: lineOf(4),
  },
  {
    id: 'long-no-price-column',
    title: 'long format without a price column',
    name: 'long-no-price-column.csv',
    content: () =>
      Buffer.from(
        csv(
          ['date', 'ticker', 'volume'],
          longRows().map((r) => [r[0]!, r[1]!, r[3]!]),
        ),
      ),
    at: 'file',
  },
  // against the stored data
  {
    id: 'db-conflicting-ticker',
    cli: true,
    title: 'AA (a stored DJIA ticker) with other closes on stored dates, into a new universe',
    name: 'db-conflicting-ticker.csv',
    content: () =>
      Buffer.from(
        csv(
          ['date', 'AA'],
          DJIA_DATES.map((d, k) => [d, (500 + k).toFixed(2)]),
        ),
      ),
    at: 'row',
  },
  {
    id: 'db-conflicting-ticker-same-universe',
    cli: true,
    title: 'AA with other closes on stored dates, into djia30 itself',
    name: 'db-conflicting-ticker-same-universe.csv',
    universe: 'djia30',
    content: () =>
      Buffer.from(
        csv(
          ['date', 'AA'],
          DJIA_DATES.map((d, k) => [d, (500 + k).toFixed(2)]),
        ),
      ),
    at: 'row',
  },
  {
    id: 'db-shrinking-ticker',
    cli: true,
    title: 'a new ticker with five days of 1999 added to djia30 (its common range would shrink to five days)',
    name: 'db-shrinking-ticker.csv',
    universe: 'djia30',
    content: () =>
      Buffer.from(
        csv(
          ['date', 'ZQS'],
          DJIA_DATES.map((d, k) => [d, (10 + k).toFixed(2)]),
        ),
      ),
    at: 'row',
  },
  // meta files (the prices are valid)
  {
    id: 'meta-html-ticker',
    cli: true,
    title: 'meta file: HTML as a ticker',
    name: 'meta-html-ticker.csv',
    content: withRows((r) => r),
    at: 'row',
    meta: { name: 'meta.csv', content: 'ticker,name,class,sector\n<b>ZQA</b>,A,Equity,Tech\nZQB,B,Equity,Tech\n' },
  },
  {
    id: 'meta-unknown-ticker',
    title: 'meta file: a ticker that is not in the prices',
    name: 'meta-unknown-ticker.csv',
    content: withRows((r) => r),
    at: 'row',
    meta: { name: 'meta.csv', content: 'ticker,name,class,sector\nZQA,A,Equity,Tech\nZQX,X,Equity,Tech\n' },
  },
  {
    id: 'meta-duplicate-ticker',
    title: 'meta file: a ticker listed twice',
    name: 'meta-duplicate-ticker.csv',
    content: withRows((r) => r),
    at: 'row',
    meta: { name: 'meta.csv', content: 'ticker,name,class,sector\nZQA,A,Equity,Tech\nZQA,A2,Equity,Tech\n' },
  },
  {
    id: 'meta-bad-json',
    cli: true,
    title: 'meta file: broken JSON',
    name: 'meta-bad-json.csv',
    content: withRows((r) => r),
    at: 'file',
    meta: { name: 'meta.json', content: '{"assets": [{"ticker": "ZQA",' },
  },
  {
    id: 'meta-empty',
    title: 'meta file: empty',
    name: 'meta-empty.csv',
    content: withRows((r) => r),
    at: 'file',
    meta: { name: 'meta.csv', content: '' },
  },
];

/** A valid file of the same shape, for the suite's controls (it must import). */
export const VALID_FILE = { name: 'valid.csv', content: withRows((r) => r) };
