/**
 * Import speed: a generated 500-ticker x 20-year (5040 business days) wide CSV imported with all checks into a
 * fresh database (one transaction: 2.52M bars, three indexes), beside the sqlite3 command line's `.import` of the
 * same file into a plain table (no types, no checks, no indexes: 5040 rows of 501 text cells), and of the same
 * prices as a long file (2.52M rows of date,ticker,close) for a per-stored-row comparison.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runImport } from '../src-main/data/importer';
import { writeSyntheticWideCsv } from '../src-main/data/synthetic';
import { openDatabase } from '../src-main/store/db';

export const title = 'Data import (500 tickers x 20 years, wide CSV)';

/** Benchmark size: tickers x business days (252 a year x 20 years). */
export const BENCH_TICKERS = 500;
export const BENCH_DAYS = 5040;

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

function hasSqlite3(): boolean {
  return spawnSync('sqlite3', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Time `sqlite3 DB ".import --csv FILE prices"`, seconds (null when the command fails). */
function sqliteImport(dbFile: string, csv: string): number | null {
  const t0 = performance.now();
  const r = spawnSync('sqlite3', [dbFile, `.import --csv ${csv} prices`], { encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  return r.status === 0 ? s : null;
}

/** The wide file as a long one (date,ticker,close), streamed line by line. */
function wideToLong(wide: string, long: string): number {
  const text = fs.readFileSync(wide, 'utf8').split('\n');
  const tickers = text[0]!.split(',').slice(1);
  const fd = fs.openSync(long, 'w');
  let n = 0;
  try {
    fs.writeSync(fd, 'date,ticker,close\n');
    for (let i = 1; i < text.length; i++) {
      if (!text[i]) continue;
      const cells = text[i]!.split(',');
      let buf = '';
      for (let k = 1; k < cells.length; k++) buf += `${cells[0]},${tickers[k - 1]},${cells[k]}\n`;
      fs.writeSync(fd, buf);
      n += cells.length - 1;
    }
  } finally {
    fs.closeSync(fd);
  }
  return n;
}

export async function run(): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-bench-import-'));
  try {
    const csv = path.join(dir, `wide-${BENCH_TICKERS}x${BENCH_DAYS}.csv`);
    const { bytes, rows } = writeSyntheticWideCsv(csv, { tickers: BENCH_TICKERS, days: BENCH_DAYS, seed: 1 });
    const db = openDatabase(path.join(dir, 'bench.db'));
    let peak = process.memoryUsage().rss;
    const rss0 = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    const { result } = await runImport(db, [csv], { universe: 'bench' });
    const secs = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    db.close();
    if (!result) throw new Error('the benchmark import was rejected');
    const ours = rows / secs;
    const figures: Figure[] = [
      {
        name: 'hdrl import: rows/s (wide rows of 500 prices)',
        value: ours,
        unit: 'rows/s',
        note: `${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${secs.toFixed(1)} s`,
      },
      {
        name: 'hdrl import: bars/s',
        value: result.bars / secs,
        unit: 'bars/s',
        note: `${result.bars.toLocaleString('en-US')} bars, checks + one transaction`,
      },
      {
        name: 'hdrl import: peak RSS growth',
        value: (peak - rss0) / 2 ** 20,
        unit: 'MiB',
        note: `sampled every 50 ms; file is ${(bytes / 2 ** 20).toFixed(0)} MiB; includes the SQLite page cache (IMPORT_CACHE_MIB)`,
      },
    ];
    if (!hasSqlite3()) {
      figures.push({
        name: 'sqlite3 .import: rows/s',
        value: NaN,
        unit: 'rows/s',
        note: 'skipped: no sqlite3 command line on this machine (apt-get install sqlite3)',
      });
      return figures;
    }
    const s1 = sqliteImport(path.join(dir, 'plain-wide.db'), csv);
    if (s1 === null) throw new Error('sqlite3 .import of the wide file failed');
    figures.push(
      {
        name: 'sqlite3 .import (same wide file, plain table): rows/s',
        value: rows / s1,
        unit: 'rows/s',
        note: `${s1.toFixed(2)} s; 5040 rows of 501 untyped text cells, no checks, no index`,
      },
      { name: 'ratio hdrl / sqlite3 .import (wide rows/s)', value: ours / (rows / s1), unit: 'x' },
    );
    const long = path.join(dir, 'long.csv');
    const longRows = wideToLong(csv, long);
    const s2 = sqliteImport(path.join(dir, 'plain-long.db'), long);
    if (s2 !== null)
      figures.push(
        {
          name: 'sqlite3 .import (same prices as long date,ticker,close): rows/s',
          value: longRows / s2,
          unit: 'rows/s',
          note: `${longRows.toLocaleString('en-US')} rows in ${s2.toFixed(1)} s, text, no index`,
        },
        {
          name: 'ratio hdrl bars/s / sqlite3 long rows/s',
          value: result.bars / secs / (longRows / s2),
          unit: 'x',
          note: 'per stored row',
        },
      );
    return figures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
