/**
 * Memory of an import is bounded by the numbers it reads, not by the width of a header: at most MAX_TICKERS
 * tickers per import, refused from the header with a clear error; the memory bound below is measured (the most
 * resident memory seen while the import runs), not a time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../src-main/data/importer';
import { readImportFilesSync } from '../../src-main/data/reader';
import { MAX_TICKERS } from '../../src-main/data/settings';
import type { DB } from '../../src-main/store/db';
import { tempDb } from './helpers';

let db: DB;
let dir: string;
beforeEach(() => {
  ({ db, dir } = tempDb());
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A wide file with `n` ticker columns and two rows. */
function wideFile(name: string, n: number): string {
  const f = path.join(dir, name);
  const tickers = Array.from({ length: n }, (_, i) => `T${i}`);
  const row = (d: string) => `${d},${tickers.map(() => '1.5').join(',')}`;
  fs.writeFileSync(f, [`date,${tickers.join(',')}`, row('2020-01-02'), row('2020-01-03')].join('\n'));
  return f;
}

/** The highest resident set size seen while `f` runs, above the level when it started, bytes. */
async function peakGrowth<T>(f: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 1);
  try {
    const value = await f();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, growth: peak - base };
  } finally {
    clearInterval(t);
  }
}

describe('column limit', () => {
  it('a header of a million columns is refused with the limit named, within a small memory bound', async () => {
    const f = wideFile('million.csv', 1_000_000);
    const { value, growth } = await peakGrowth(() => runImport(db, [f], { universe: 'wide' }, { dryRun: true }));
    expect(value.preview.ok).toBe(false);
    expect(value.preview.problems.map((p) => [p.code, p.line, p.message])).toEqual([
      ['too-many-columns', 1, `5,002 or more columns: a file holds at most 5,000 tickers besides its date column`],
    ]);
    expect(growth).toBeLessThan(200 * 1024 ** 2);
  });

  it('takes MAX_TICKERS ticker columns and refuses one more', async () => {
    const ok = await runImport(db, [wideFile('max.csv', MAX_TICKERS)], { universe: 'max' }, { dryRun: true });
    expect(ok.preview.ok, JSON.stringify(ok.preview.problems.slice(0, 3))).toBe(true);
    expect(ok.preview.tickers).toHaveLength(MAX_TICKERS);
    const over = await runImport(db, [wideFile('over.csv', MAX_TICKERS + 1)], { universe: 'over' }, { dryRun: true });
    expect(over.preview.problems.map((p) => p.code)).toEqual(['too-many-columns']);
    // the sync reader (bundled data) applies the same limit once csv-parse has split the header
    const sync = readImportFilesSync([path.join(dir, 'over.csv')]).problems.list().problems;
    expect(sync.map((p) => [p.code, p.line, p.message])).toEqual([
      ['too-many-columns', 1, '5,002 columns: a file holds at most 5,000 tickers besides its date column'],
    ]);
  });

  it('counts the distinct tickers of long files against the same limit', async () => {
    const f = path.join(dir, 'long.csv');
    const lines = ['date,ticker,close'];
    for (let i = 0; i <= MAX_TICKERS; i++) lines.push(`2020-01-02,L${i},1.5`);
    fs.writeFileSync(f, lines.join('\n'));
    const { preview } = await runImport(db, [f], { universe: 'long' }, { dryRun: true });
    const e = preview.problems.find((p) => p.code === 'too-many-tickers')!;
    expect(e).toMatchObject({ severity: 'error', line: MAX_TICKERS + 2, col: 2 });
    expect(e.message).toBe(
      'more than 5,000 tickers in one import (the most it takes); split the data into several universes',
    );
  });

  it('refuses a record longer than the record limit with a clear error', async () => {
    const f = path.join(dir, 'long-line.csv');
    fs.writeFileSync(f, `date,AAA\n2020-01-02,1\n2020-01-03,${'9'.repeat(2 * 1024 ** 2)}\n`);
    const { preview } = await runImport(db, [f], { universe: 'x' }, { dryRun: true });
    expect(preview.problems.map((p) => [p.code, p.message])).toContainEqual([
      'record-too-long',
      'a record longer than 1,048,576 characters: not a price table',
    ]);
  });
});
