/**
 * The import end to end on small hand-written files: every expected number below is read off the fixture by hand
 * (test/fixtures/import/good/*), not taken from the importer's own output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDefaultUniverse } from '../../src-main/data/bundled';
import { runImport } from '../../src-main/data/importer';
import { JobCancelled } from '../../src-main/jobs/context';
import { writeSyntheticWideCsv } from '../../src-main/data/synthetic';
import { ImportConflict, undoLastImport } from '../../src-main/data/write';
import type { DB } from '../../src-main/store/db';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { dumpChecksum, fx, rows, tempDb } from './helpers';

let db: DB;
let dir: string;
beforeEach(() => {
  ({ db, dir } = tempDb());
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = (sql: string, ...p: unknown[]) => (db.prepare(sql).get(...p) as { n: number }).n;
const matrixRows = (u: string) => {
  const m = loadPriceMatrix(db, u);
  return { dates: m.dates, tickers: m.tickers, close: m.close.map((r) => [...r]) };
};

describe('wide files', () => {
  it('imports a clean wide file exactly', async () => {
    const { preview, result } = await runImport(db, [fx('good/wide.csv')], { universe: 'ABC' });
    expect(preview.ok).toBe(true);
    expect(preview.format).toBe('wide');
    expect(preview.files[0]!.detected).toBe('wide');
    expect(preview.tickers.map((t) => t.ticker)).toEqual(['AAA', 'BBB', 'CCC']);
    expect(preview.dateRange).toEqual({ from: '2020-01-02', to: '2020-01-08' });
    expect(preview.rows).toBe(5);
    expect(preview.bars).toBe(15);
    expect([preview.errors, preview.warnings, preview.missingCells]).toEqual([0, 0, 0]);
    expect(result).toMatchObject({ universe: 'abc', bars: 15, createdUniverse: true, createdAssets: 3, tickers: 3 });
    const m = matrixRows('abc');
    expect(m.dates).toEqual(['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08']);
    expect(m.close[1]).toEqual([11, 20.5, 30.5]);
    expect(m.close[3]).toEqual([11.5, 21.5, 32]);
    const batch = rows<{
      kind: string;
      fill_policy: string;
      rows: number;
      bars: number;
      created_assets: string;
      created_universe: number;
    }>(db, 'SELECT * FROM import_batches')[0]!;
    expect(batch).toMatchObject({ kind: 'import', fill_policy: 'reject', rows: 5, bars: 15, created_universe: 1 });
    expect(JSON.parse(batch.created_assets)).toEqual(['AAA', 'BBB', 'CCC']);
    expect(rows(db, 'SELECT ticker, position FROM universe_members ORDER BY position')).toEqual([
      { ticker: 'AAA', position: 0 },
      { ticker: 'BBB', position: 1 },
      { ticker: 'CCC', position: 2 },
    ]);
  });

  it('rejects interior gaps by default, with their cells, and writes nothing', async () => {
    const before = dumpChecksum(db);
    const { preview, result } = await runImport(db, [fx('good/gaps.csv')], { universe: 'G' });
    expect(result).toBeNull();
    expect(preview.ok).toBe(false);
    expect(preview.errors).toBe(2);
    const errs = preview.problems.filter((p) => p.severity === 'error').map((p) => [p.code, p.line, p.col]);
    expect(errs).toContainEqual(['missing-cell', 3, 4]); // CCC NA on 2020-01-03
    expect(errs).toContainEqual(['missing-cell', 5, 2]); // AAA empty on 2020-01-07
    const warns = preview.problems.filter((p) => p.severity === 'warning').map((p) => [p.code, p.line, p.col]);
    expect(warns).toContainEqual(['leading-gap', 3, 3]); // BBB's first price
    expect(warns).toContainEqual(['trailing-gap', 5, 4]); // CCC's last price
    expect(dumpChecksum(db)).toBe(before);
  });

  it('forward-fills interior gaps on request, flags them, and never fills leading or trailing gaps', async () => {
    const { preview, result } = await runImport(db, [fx('good/gaps.csv')], { universe: 'G', fill: 'ffill' });
    expect(preview.ok).toBe(true);
    expect([preview.missingCells, preview.filledCells]).toEqual([2, 2]);
    const t = Object.fromEntries(preview.tickers.map((x) => [x.ticker, x]));
    expect(t.AAA).toMatchObject({ missing: 1, filled: 1, leading: 0, trailing: 0 });
    expect(t.BBB).toMatchObject({ missing: 0, leading: 1, first: '2020-01-03' });
    expect(t.CCC).toMatchObject({ missing: 1, filled: 1, trailing: 1, last: '2020-01-07' });
    expect(preview.alignedRange).toEqual({ from: '2020-01-03', to: '2020-01-07' });
    // AAA 5 + BBB 4 + CCC 4
    expect(result!.bars).toBe(13);
    expect(rows(db, 'SELECT ticker, date, close, open, filled FROM bars WHERE filled = 1 ORDER BY ticker')).toEqual([
      { ticker: 'AAA', date: '2020-01-07', close: 12, open: null, filled: 1 },
      { ticker: 'CCC', date: '2020-01-03', close: 30, open: null, filled: 1 },
    ]);
    expect(count(`SELECT COUNT(*) AS n FROM bars WHERE ticker = 'BBB' AND date = '2020-01-02'`)).toBe(0);
    const m = matrixRows('g');
    expect(m.dates).toEqual(['2020-01-03', '2020-01-06', '2020-01-07']);
    expect(m.close).toEqual([
      [11, 20, 30],
      [12, 21, 31],
      [12, 21.5, 32],
    ]);
    expect(rows<{ filled_cells: number }>(db, 'SELECT filled_cells FROM import_batches')[0]!.filled_cells).toBe(2);
  });

  it('warns of a likely unadjusted split and still imports', async () => {
    const { preview, result } = await runImport(db, [fx('good/split.csv')], { universe: 'S' });
    expect(result!.bars).toBe(8);
    const jump = preview.problems.find((p) => p.code === 'jump')!;
    expect(jump).toMatchObject({ severity: 'warning', line: 4, col: 2 });
    expect(jump.message).toContain('0.505x'); // 51.5 / 102
    expect(preview.tickers.find((x) => x.ticker === 'SPL')!.jumps).toBe(1);
  });

  it('reads a descending, semicolon-separated file and stores it in date order', async () => {
    const { preview } = await runImport(db, [fx('good/descending.csv')], { universe: 'D' });
    expect(preview.problems.map((p) => p.code)).toEqual(['descending']);
    expect(matrixRows('d')).toEqual({
      dates: ['2020-01-06', '2020-01-07', '2020-01-08'],
      tickers: ['EEE', 'FFF'],
      close: [
        [5.3, 7.2],
        [5.4, 7.1],
        [5.5, 7],
      ],
    });
  });

  it('lists at most a few problems per ticker and code, summing up the rest', async () => {
    const f = path.join(dir, 'many-na.csv');
    const lines = ['date,AAA', '2020-01-01,1'];
    for (let d = 2; d <= 101; d++)
      lines.push(`2020-${String(1 + Math.floor(d / 28)).padStart(2, '0')}-${String(1 + (d % 28)).padStart(2, '0')},NA`);
    lines.push('2020-06-01,2');
    fs.writeFileSync(f, lines.join('\n'));
    const { preview } = await runImport(db, [f], { universe: 'N', format: 'wide' });
    expect(preview.errors).toBe(100);
    const listed = preview.problems.filter((p) => p.code === 'missing-cell');
    expect(listed).toHaveLength(6); // 5 cells + one summary line
    expect(listed[5]!.message).toContain('95 more');
    expect(preview.problemsOmitted).toBe(0);
  });
});

describe('long and per-ticker files', () => {
  it('imports a long file with Yahoo headers: tickers upper-cased, every field kept, the matrix on adjusted closes', async () => {
    const { preview, result } = await runImport(db, [fx('good/long.csv')], { universe: 'L' });
    expect(preview.format).toBe('long');
    expect(result!.bars).toBe(6);
    expect(
      rows(
        db,
        `SELECT open, high, low, close, adj_close, volume, filled FROM bars WHERE ticker = 'AAA' AND date = '2020-01-03'`,
      ),
    ).toEqual([{ open: 10, high: 11.2, low: 9.9, close: 11, adj_close: 5.5, volume: 1100, filled: 0 }]);
    expect(rows(db, `SELECT volume FROM bars WHERE ticker = 'BBB' AND date = '2020-01-06'`)).toEqual([
      { volume: null },
    ]);
    expect(matrixRows('l').close).toEqual([
      [5, 20],
      [5.5, 20.5],
      [6, 21],
    ]);
  });

  it('reads CRSP-style long files (YYYYMMDD, TICKER, PRC) and says which columns it ignores', async () => {
    const { preview, result } = await runImport(db, [fx('good/long-crsp.csv')], { universe: 'C' });
    expect(result!.bars).toBe(3);
    expect(preview.problems.find((p) => p.code === 'ignored-columns')!.message).toContain('PERMNO');
    expect(matrixRows('c')).toEqual({
      dates: ['2020-01-02', '2020-01-03', '2020-01-06'],
      tickers: ['DDD'],
      close: [[40], [41], [42]],
    });
  });

  it('names per-ticker files by their file name and finds a missing row', async () => {
    const files = [fx('good/per-ticker/AAA.csv'), fx('good/per-ticker/bbb.csv')];
    const rejected = await runImport(db, files, { universe: 'P' });
    expect(rejected.preview.format).toBe('per-ticker');
    expect(rejected.preview.tickers.map((t) => t.ticker)).toEqual(['AAA', 'BBB']);
    const e = rejected.preview.problems.find((p) => p.severity === 'error')!;
    // BBB has no row for 2020-01-03: pointed at its next row (line 3 of bbb.csv)
    expect(e).toMatchObject({ code: 'missing-cell', file: files[1], line: 3, col: null });
    const { result } = await runImport(db, files, { universe: 'P', fill: 'ffill' });
    expect(result!.bars).toBe(6);
    expect(rows(db, `SELECT close, adj_close, filled FROM bars WHERE ticker = 'BBB' AND date = '2020-01-03'`)).toEqual([
      { close: 20, adj_close: 20, filled: 1 },
    ]);
  });

  it('follows a forced format over the detected one', async () => {
    const f = path.join(dir, 'PRICE.csv');
    fs.writeFileSync(f, 'date,close\n2020-01-02,1\n2020-01-03,2\n');
    const auto = await runImport(db, [f], { universe: 'F' }, { dryRun: true });
    expect(auto.preview.files[0]).toMatchObject({ detected: 'per-ticker', format: 'per-ticker' });
    expect(auto.preview.tickers.map((t) => t.ticker)).toEqual(['PRICE']);
    const forced = await runImport(db, [f], { universe: 'F', format: 'wide' }, { dryRun: true });
    expect(forced.preview.files[0]).toMatchObject({ detected: 'per-ticker', format: 'wide' });
    expect(forced.preview.tickers.map((t) => t.ticker)).toEqual(['CLOSE']);
  });

  it('refuses files of different layouts in one import', async () => {
    const { preview } = await runImport(db, [fx('good/wide.csv'), fx('good/long.csv')], { universe: 'M' });
    expect(preview.problems.map((p) => p.code)).toContain('mixed-formats');
    expect(count('SELECT COUNT(*) AS n FROM bars')).toBe(0);
  });
});

describe('universe metadata', () => {
  it('takes names, classes, sectors, the universe name and source from a JSON meta file', async () => {
    await runImport(db, [fx('good/wide.csv')], { universe: 'abc', meta: fx('good/meta.json') });
    expect(rows(db, 'SELECT id, name, source FROM universes')).toEqual([
      { id: 'abc', name: 'Test ABC', source: 'hand-written test fixture' },
    ]);
    expect(rows(db, 'SELECT * FROM assets ORDER BY ticker')).toEqual([
      { ticker: 'AAA', name: 'Alpha Corp', class: 'Equity', sector: 'Industrials' },
      { ticker: 'BBB', name: 'Beta Inc', class: 'Equity', sector: 'Financials' },
      { ticker: 'CCC', name: 'Gamma Bond Fund', class: 'Bond', sector: '' },
    ]);
    expect(loadPriceMatrix(db, 'abc').assets![2]).toEqual({
      ticker: 'CCC',
      name: 'Gamma Bond Fund',
      class: 'Bond',
      sector: '',
    });
  });

  it('reads the same from a CSV meta file; the source line then names the file', async () => {
    await runImport(db, [fx('good/wide.csv')], { universe: 'My ABC', meta: fx('good/meta.csv') });
    const u = rows<{ id: string; name: string; source: string }>(db, 'SELECT id, name, source FROM universes')[0]!;
    expect(u.id).toBe('my-abc');
    expect(u.name).toBe('My ABC');
    expect(u.source).toMatch(/^imported from wide\.csv \(wide\) on \d{4}-\d{2}-\d{2}$/);
    expect(rows(db, `SELECT class FROM assets WHERE ticker = 'CCC'`)).toEqual([{ class: 'Bond' }]);
  });
});

describe('against stored data', () => {
  it('keeps identical stored bars (writes nothing twice) and adds the members', async () => {
    await runImport(db, [fx('good/wide.csv')], { universe: 'one' });
    const { preview, result } = await runImport(db, [fx('good/wide.csv')], { universe: 'two' });
    expect(result).toMatchObject({ bars: 0, createdAssets: 0, createdUniverse: true });
    expect(preview.tickers.map((t) => t.overlap)).toEqual([5, 5, 5]);
    expect(count('SELECT COUNT(*) AS n FROM bars')).toBe(15);
    expect(matrixRows('two')).toEqual(matrixRows('one'));
  });

  it('refuses a ticker already stored with different data', async () => {
    await runImport(db, [fx('good/wide.csv')], { universe: 'one' });
    const f = path.join(dir, 'changed.csv');
    fs.writeFileSync(f, fs.readFileSync(fx('good/wide.csv'), 'utf8').replace('2020-01-03,11,', '2020-01-03,11.01,'));
    const before = dumpChecksum(db);
    const { preview, result } = await runImport(db, [f], { universe: 'two' });
    expect(result).toBeNull();
    expect(preview.problems.find((p) => p.code === 'conflict')).toMatchObject({ line: 3, col: 2 });
    expect(dumpChecksum(db)).toBe(before);
  });
});

describe('undo', () => {
  it('removes imports last first, completely, and never the bundled data', async () => {
    ensureDefaultUniverse(db);
    const core = () =>
      ['assets', 'universes', 'universe_members', 'bars'].map((t) => rows(db, `SELECT * FROM ${t} ORDER BY 1, 2`));
    const afterBundled = JSON.stringify(core());
    await runImport(db, [fx('good/wide.csv')], { universe: 'abc' });
    const afterA = JSON.stringify(core());
    const meta = path.join(dir, 'meta.csv');
    fs.writeFileSync(meta, 'ticker,name,class,sector\nDDD,Delta,Equity,Energy\nAAA,Alpha Renamed,Equity,Tech\n');
    // DDD ends on 2020-01-06, two dates before the others: the common range shrinks, consented here
    const b = await runImport(db, [fx('good/long-crsp.csv')], { universe: 'abc', meta, allowShrink: true });
    expect(b.preview.ok).toBe(true);
    expect(b.preview.universeRange).toEqual({
      before: { from: '2020-01-02', to: '2020-01-08' },
      after: { from: '2020-01-02', to: '2020-01-06' },
      shrinks: true,
    });
    expect(rows(db, `SELECT name FROM assets WHERE ticker = 'AAA'`)).toEqual([{ name: 'Alpha Renamed' }]);
    expect(loadPriceMatrix(db, 'abc').tickers).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);

    const u1 = undoLastImport(db);
    expect(u1.undone).toMatchObject({
      universe: 'abc',
      bars: 3,
      removedAssets: ['DDD'],
      removedMembers: ['DDD'],
      removedUniverse: false,
    });
    expect(JSON.stringify(core())).toBe(afterA); // AAA's metadata restored too
    const u2 = undoLastImport(db);
    expect(u2.undone).toMatchObject({
      universe: 'abc',
      bars: 15,
      removedAssets: ['AAA', 'BBB', 'CCC'],
      removedUniverse: true,
    });
    expect(JSON.stringify(core())).toBe(afterBundled);
    expect(undoLastImport(db).undone).toBeNull();
    expect(count('SELECT COUNT(*) AS n FROM bars')).toBe(75_870);
    expect(count('SELECT COUNT(*) AS n FROM import_batches WHERE undone_at IS NOT NULL')).toBe(2);
  });

  it('refuses to remove a universe that runs use', async () => {
    await runImport(db, [fx('good/wide.csv')], { universe: 'abc' });
    db.prepare(
      `INSERT INTO runs (id, universe_id, strategy, config, seed, code_version, status, window_from, window_to, created_at) VALUES ('r1', 'abc', 'ucrp', '{}', 1, 'x', 'complete', '2020-01-02', '2020-01-08', 'now')`,
    ).run();
    const before = dumpChecksum(db);
    expect(() => undoLastImport(db)).toThrow(ImportConflict);
    expect(dumpChecksum(db)).toBe(before);
  });
});

describe('cancellation', () => {
  it('writes nothing when cancelled while writing', async () => {
    const f = path.join(dir, 'synthetic.csv');
    writeSyntheticWideCsv(f, { tickers: 30, days: 2000, seed: 3 }); // 60,000 bars: three write chunks
    const before = dumpChecksum(db);
    const ac = new AbortController();
    let sawWriting = false;
    await expect(
      runImport(
        db,
        [f],
        { universe: 'syn' },
        {
          signal: ac.signal,
          onProgress: (_f, m, figures) => {
            if (m.startsWith('writing') && (figures?.bars ?? 0) > 0) {
              sawWriting = true;
              ac.abort();
            }
          },
        },
      ),
    ).rejects.toThrow(JobCancelled);
    expect(sawWriting).toBe(true);
    expect(db.inTransaction).toBe(false);
    expect(dumpChecksum(db)).toBe(before);
  });
});
