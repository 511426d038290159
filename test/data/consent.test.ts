/**
 * Imports that need the user's consent or a choice: implausible prices and moves (allowImplausible), a shrinking
 * common range (allowShrink), a ticker stored with other data (rename, or replace with an exact undo) — through
 * the importer, the `hdrl import` flags and the service contract.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportPreview } from '../../src-shared/contract';
import { ensureDefaultUniverse } from '../../src-main/data/bundled';
import { runImport } from '../../src-main/data/importer';
import { undoLastImport } from '../../src-main/data/write';
import { dispatch } from '../../src-main/services';
import type { DB } from '../../src-main/store/db';
import { listUniverses, loadPriceMatrix } from '../../src-main/store/prices';
import { tempEngine } from '../helpers/engine';
import { dumpChecksum, fx, rows, runCli, tempDb } from './helpers';

let db: DB;
let dir: string;
let dbFile: string;
beforeEach(() => {
  ({ db, dir, file: dbFile } = tempDb());
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

const errors = (p: ImportPreview) => p.problems.filter((x) => x.severity === 'error');
const warnings = (p: ImportPreview) => p.problems.filter((x) => x.severity === 'warning');

describe('implausible prices', () => {
  it('refuses closes of 1e308 and 5e-324 and hundredfold moves with file:line:col, and takes them as warnings when allowed', async () => {
    const f = write(
      'absurd.csv',
      'date,AAA,BBB,CCC\n2020-01-02,1e308,10,10\n2020-01-03,1e308,5e-324,10\n2020-01-06,1e308,10,0.05\n2020-01-07,1e9,10,0.05\n',
    );
    const refused = await runImport(db, [f], { universe: 'absurd' });
    expect(refused.result).toBeNull();
    expect(errors(refused.preview).map((p) => [p.code, p.line, p.col])).toEqual([
      ['implausible-price', 2, 2],
      ['implausible-price', 3, 2],
      ['implausible-price', 3, 3],
      ['implausible-price', 4, 2],
      ['implausible-move', 4, 4], // 10 -> 0.05: /200
    ]);
    const allowed = await runImport(db, [f], { universe: 'absurd', allowImplausible: true });
    expect(allowed.preview.errors).toBe(0);
    expect(warnings(allowed.preview).map((p) => [p.code, p.line, p.col])).toEqual([
      ['implausible-price', 2, 2],
      ['implausible-price', 3, 2],
      ['implausible-price', 3, 3],
      ['implausible-price', 4, 2],
      ['implausible-move', 5, 2], // 1e308 -> 1e9
      ['implausible-move', 3, 3], // 10 -> 5e-324
      ['implausible-move', 4, 3], // and back
      ['implausible-move', 4, 4],
    ]);
    expect(rows(db, `SELECT close FROM bars WHERE ticker = 'BBB' ORDER BY date`)).toEqual([
      { close: 10 },
      { close: 5e-324 },
      { close: 10 },
      { close: 10 },
    ]);
    expect(rows(db, `SELECT close FROM bars WHERE ticker = 'AAA' ORDER BY date`)).toEqual([
      { close: 1e308 },
      { close: 1e308 },
      { close: 1e308 },
      { close: 1e9 },
    ]);
  });

  it('checks every price field of a long file and leaves volume alone', async () => {
    const f = write(
      'long.csv',
      'date,ticker,open,high,low,close,adj close,volume\n2020-01-02,AAA,10,11,9,10,2e9,1e12\n2020-01-03,AAA,10,11,1e-7,10,10,5\n2020-01-06,AAA,10,11,9,10,10,1e12\n',
    );
    const { preview } = await runImport(db, [f], { universe: 'l', fill: 'ffill' }, { dryRun: true });
    expect(errors(preview).map((p) => [p.line, p.col, p.message.split(' is ')[0]])).toEqual([
      [2, 7, 'AAA: adj close 2e9'],
      [3, 5, 'AAA: low 1e-7'],
    ]);
  });
});

describe('the common range of a universe', () => {
  it('refuses an import of a short ticker into djia30, saying what the common range becomes, unless allowed', async () => {
    ensureDefaultUniverse(db);
    const f = write('short.csv', 'date,NEWCO\n1999-01-04,10\n1999-01-05,10.5\n2000-06-30,11\n');
    const before = dumpChecksum(db);
    const { preview, result } = await runImport(db, [f], { universe: 'djia30', fill: 'ffill' });
    expect(result).toBeNull();
    expect(preview.universeRange).toEqual({
      before: { from: '1990-12-31', to: '2001-01-02' },
      after: { from: '1999-01-04', to: '2000-06-30' },
      shrinks: true,
    });
    expect(errors(preview).map((p) => [p.code, p.file, p.line, p.col])).toEqual([['shrinks-universe', f, 2, 2]]);
    expect(errors(preview)[0]!.message).toBe(
      'this import shrinks the common range of universe djia30 (the dates on which every member has a close) from 1990-12-31 .. 2001-01-02 to 1999-01-04 .. 2000-06-30: NEWCO 1999-01-04 .. 2000-06-30; pass --allow-shrink (allowShrink) to accept',
    );
    expect(dumpChecksum(db)).toBe(before);

    const ok = await runImport(db, [f], { universe: 'djia30', fill: 'ffill', allowShrink: true });
    expect(ok.result).not.toBeNull();
    expect(warnings(ok.preview).map((p) => p.code)).toContain('shrinks-universe');
    expect(listUniverses(db).find((u) => u.id === 'djia30')).toMatchObject({ from: '1999-01-04', to: '2000-06-30' });
  });

  it('lets an import that keeps or widens the common range through, and reports the range of a new universe', async () => {
    const first = await runImport(db, [fx('good/wide.csv')], { universe: 'abc' });
    expect(first.preview.universeRange).toEqual({
      before: null,
      after: { from: '2020-01-02', to: '2020-01-08' },
      shrinks: false,
    });
    const wider = write(
      'wider.csv',
      'date,DDD\n2019-12-31,1\n2020-01-02,1\n2020-01-03,1\n2020-01-06,1\n2020-01-07,1\n2020-01-08,1\n2020-01-09,1\n',
    );
    const { preview } = await runImport(db, [wider], { universe: 'abc' });
    expect(preview.ok).toBe(true);
    expect(preview.universeRange).toEqual({
      before: { from: '2020-01-02', to: '2020-01-08' },
      after: { from: '2020-01-02', to: '2020-01-08' },
      shrinks: false,
    });
  });

  it('hdrl import refuses with exit status 2 and accepts with --allow-shrink', async () => {
    db.close();
    await runImport((db = (await import('../../src-main/store/db')).openDatabase(dbFile)), [fx('good/wide.csv')], {
      universe: 'abc',
    });
    db.close();
    const short = write('short.csv', 'date,EEE\n2020-01-03,1\n2020-01-06,1\n');
    const refused = await runCli(dbFile, ['import', short, '--universe', 'abc']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain(
      'common:    2020-01-02 .. 2020-01-08 before, 2020-01-03 .. 2020-01-06 after (SHRINKS)',
    );
    expect(refused.stderr).toContain(`${short}:2:2: error: this import shrinks the common range of universe abc`);
    const done = await runCli(dbFile, ['import', short, '--universe', 'abc', '--allow-shrink']);
    expect(done.code).toBe(0);
    db = (await import('../../src-main/store/db')).openDatabase(dbFile);
    expect(loadPriceMatrix(db, 'abc').dates).toEqual(['2020-01-03', '2020-01-06']);
  });
});

describe('a ticker stored with other data', () => {
  // vendor A's and vendor B's SPI: the same dates on different bases
  const vendorA = 'date,SPI\n2020-01-02,100\n2020-01-03,101\n2020-01-06,102\n2020-01-07,103\n';
  const vendorB = 'date,SPI\n2020-01-03,50.5\n2020-01-06,51\n2020-01-07,51.5\n';

  it('is refused with one error naming both series and the ways out', async () => {
    await runImport(db, [write('a.csv', vendorA)], { universe: 'a' });
    const b = write('b.csv', vendorB);
    const before = dumpChecksum(db);
    const { preview, result } = await runImport(db, [b], { universe: 'b' });
    expect(result).toBeNull();
    expect(errors(preview).map((p) => [p.code, p.file, p.line, p.col, p.message])).toEqual([
      [
        'conflict',
        b,
        2,
        2,
        'SPI is already stored with different data: stored 2020-01-02 .. 2020-01-07 (4 bars), this file 2020-01-03 .. 2020-01-07; first difference on 2020-01-03: stored close 101, this file has 50.5 (3 dates differ). Import it under another name (--rename SPI=NEW) or overwrite the stored series (--replace)',
      ],
    ]);
    expect(preview.tickers[0]).toMatchObject({
      ticker: 'SPI',
      stored: { from: '2020-01-02', to: '2020-01-07' },
      conflicts: 3,
      replaces: false,
    });
    expect(dumpChecksum(db)).toBe(before);
  });

  it('imports under another name with rename, the meta file following the rename', async () => {
    await runImport(db, [write('a.csv', vendorA)], { universe: 'a' });
    const meta = write('meta.csv', 'ticker,name\nSPI,S&P index (vendor B)\n');
    const { preview, result } = await runImport(db, [write('b.csv', vendorB)], {
      universe: 'b',
      meta,
      rename: [{ from: 'spi', to: 'SPI_B' }],
    });
    expect(preview.ok, JSON.stringify(errors(preview))).toBe(true);
    expect(result!.bars).toBe(3);
    expect(loadPriceMatrix(db, 'b')).toMatchObject({
      tickers: ['SPI_B'],
      close: [new Float64Array([50.5]), new Float64Array([51]), new Float64Array([51.5])],
    });
    expect(rows(db, `SELECT ticker, name FROM assets ORDER BY ticker`)).toEqual([
      { ticker: 'SPI', name: '' },
      { ticker: 'SPI_B', name: 'S&P index (vendor B)' },
    ]);
  });

  it('refuses a rename of a ticker the files do not have, and one onto another ticker of the files', async () => {
    const f = write('two.csv', 'date,AAA,BBB\n2020-01-02,1,2\n');
    const unknown = await runImport(db, [f], { universe: 'x', rename: [{ from: 'ZZZ', to: 'YYY' }] }, { dryRun: true });
    expect(errors(unknown.preview).map((p) => [p.code, p.message])).toEqual([
      ['unknown-rename', 'rename ZZZ=YYY: the files have no ticker ZZZ'],
    ]);
    const onto = await runImport(db, [f], { universe: 'x', rename: [{ from: 'BBB', to: 'AAA' }] }, { dryRun: true });
    expect(errors(onto.preview).map((p) => [p.code, p.line, p.col, p.message])).toEqual([
      ['rename-collision', 1, 3, 'rename BBB=AAA: the files already have a ticker AAA'],
    ]);
  });

  it('overwrites the whole stored series with replace, and undo puts back exactly what was stored', async () => {
    ensureDefaultUniverse(db);
    const barsOf = (t: string) => rows(db, `SELECT * FROM bars WHERE ticker = ? ORDER BY date`, t);
    const storedAA = barsOf('AA');
    const core = () =>
      JSON.stringify(
        ['assets', 'universes', 'universe_members', 'bars'].map((t) => rows(db, `SELECT * FROM ${t} ORDER BY 1, 2`)),
      );
    const before = core();
    // AA from another vendor over the whole bundled range, on another basis
    const m = loadPriceMatrix(db, 'djia30');
    const f = write(
      'aa.csv',
      ['date,AA', ...m.dates.map((d, t) => `${d},${(m.close[t]![0]! * 2).toFixed(4)}`)].join('\n'),
    );
    const refused = await runImport(db, [f], { universe: 'djia30' });
    expect(errors(refused.preview).map((p) => p.code)).toEqual(['conflict']);

    const { preview, result } = await runImport(db, [f], { universe: 'djia30', replace: true });
    expect(preview.ok, JSON.stringify(errors(preview))).toBe(true);
    expect(preview.tickers[0]).toMatchObject({ ticker: 'AA', replaces: true, overlap: 0, conflicts: 2529 });
    expect(warnings(preview).map((p) => p.code)).toEqual(['replace']);
    expect(result).toMatchObject({ bars: 2529, replacedBars: 2529 });
    expect(barsOf('AA').map((b) => (b as { close: number }).close)).toEqual(
      m.dates.map((_, t) => Number((m.close[t]![0]! * 2).toFixed(4))),
    );

    const u = undoLastImport(db);
    expect(u.undone).toMatchObject({ bars: 2529, restoredBars: 2529 });
    expect(u.message).toContain('2529 replaced bars restored');
    expect(barsOf('AA')).toEqual(storedAA);
    expect(core()).toBe(before);
    expect(rows(db, 'SELECT * FROM replaced_bars')).toEqual([]);
  });

  it('a replace that would shrink another universe holding the ticker needs allowShrink', async () => {
    await runImport(db, [write('a.csv', vendorA)], { universe: 'a' });
    await runImport(db, [fx('good/wide.csv')], { universe: 'a', allowShrink: true });
    const b = write('b.csv', vendorB);
    const { preview } = await runImport(db, [b], { universe: 'b', replace: true }, { dryRun: true });
    // universe b is new; universe a loses SPI's 2020-01-02
    expect(preview.universeRange.shrinks).toBe(false);
    expect(errors(preview).map((p) => [p.code, p.message.split(':')[0]])).toEqual([
      [
        'shrinks-universe',
        'this import shrinks the common range of universe a (the dates on which every member has a close) from 2020-01-02 .. 2020-01-07 to 2020-01-03 .. 2020-01-07',
      ],
    ]);
  });

  it('hdrl import takes --rename OLD=NEW (repeatable) and --replace, and refuses a malformed --rename', async () => {
    db.close();
    const a = write('a.csv', 'date,SPI,XYZ\n2020-01-02,100,1\n2020-01-03,101,1\n');
    const b = write('b.csv', 'date,SPI,XYZ\n2020-01-02,50,2\n2020-01-03,50.5,2\n');
    expect((await runCli(dbFile, ['import', a, '--universe', 'a'])).code).toBe(0);
    const renamed = await runCli(dbFile, [
      'import',
      b,
      '--universe',
      'b',
      '--rename',
      'SPI=SPI_B',
      '--rename',
      'xyz=XYZ_B',
    ]);
    expect(renamed.code, renamed.stderr).toBe(0);
    const replaced = await runCli(dbFile, ['import', b, '--universe', 'c', '--replace']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain(
      'replaces:  SPI (stored 2020-01-02 .. 2020-01-03), XYZ (stored 2020-01-02 .. 2020-01-03)',
    );
    expect(replaced.stdout).toContain('4 stored bars replaced');
    const bad = await runCli(dbFile, ['import', b, '--universe', 'd', '--rename', 'SPI']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--rename takes OLD=NEW');
    const twice = await runCli(dbFile, ['import', b, '--universe', 'd', '--rename', 'SPI=A', '--rename', 'SPI=B']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('ticker SPI is renamed twice (to A and B)');
    db = (await import('../../src-main/store/db')).openDatabase(dbFile);
    expect(loadPriceMatrix(db, 'b').tickers).toEqual(['SPI_B', 'XYZ_B']);
    expect(rows(db, `SELECT close FROM bars WHERE ticker = 'SPI' ORDER BY date`)).toEqual([
      { close: 50 },
      { close: 50.5 },
    ]);
  });
});

describe('through the service contract', () => {
  it('carries allowShrink, allowImplausible, rename and replace, and refuses unusable renames', async () => {
    const engine = tempEngine({ seedDefaultData: false });
    try {
      const call = async (payload: unknown) => {
        const r = await dispatch(engine, 'data.previewImportText', payload, { shell: 'host' });
        if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
        return r.value as ImportPreview;
      };
      const text = 'date,AAA\n2020-01-02,1e308\n';
      expect((await call({ name: 'x.csv', text, universe: 'x' })).ok).toBe(false);
      const p = await call({
        name: 'x.csv',
        text,
        universe: 'x',
        allowImplausible: true,
        rename: [{ from: 'AAA', to: 'BIG' }],
        replace: true,
        allowShrink: true,
      });
      expect(p.ok).toBe(true);
      expect(p.tickers.map((t) => t.ticker)).toEqual(['BIG']);
      await expect(call({ name: 'x.csv', text, universe: 'x', rename: [{ from: 'AAA', to: 'aaa' }] })).rejects.toThrow(
        'INVALID_INPUT: rename AAA=AAA: renames a ticker to itself',
      );
    } finally {
      engine.close();
      fs.rmSync(engine.dir, { recursive: true, force: true });
    }
  });
});
