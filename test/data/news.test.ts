/**
 * The news import (data/news.ts): preview, file:line:col problems, nothing written on a rejected file, re-imports
 * that add nothing, undo, hostile paths refused by the price import's file checks, and a second writer waited for.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNewsImport, undoLastNewsImport } from '../../src-main/data/news';
import { openDatabase } from '../../src-main/store/db';
import { newsSummary } from '../../src-main/store/news';
import { UnknownUniverseError } from '../../src-main/store/prices';
import { tempEngine } from '../helpers/engine';
import { dumpChecksum, rows } from './helpers';

let engine: ReturnType<typeof tempEngine>;
beforeAll(() => {
  engine = tempEngine();
});
afterAll(() => {
  engine.close();
  fs.rmSync(engine.dir, { recursive: true, force: true });
});

const HEADER = 'date,ticker,sector,source,text,positive,neutral,negative';
let fileNo = 0;
function csv(...lines: string[]): string {
  const f = path.join(engine.dir, `news-${++fileNo}.csv`);
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}
const count = () => rows<{ n: number }>(engine.db, 'SELECT COUNT(*) AS n FROM news')[0]!.n;

describe('a good file', () => {
  it('previews counts per source and sector without writing, then imports; the same file again adds nothing', async () => {
    const f = csv(
      HEADER,
      '2000-01-03,IBM,,news,IBM profits rose,,,',
      '2000-01-03,,Energy,social,oil is weak,,,',
      '2000-01-04,MSFT,,earnings,,0.7,0.2,0.1',
      '2000-01-04,msft,,news,"Microsoft, Intel ""beat""",,,',
      // the same row twice in one file: both are kept
      '2000-01-05,AA,,other,aluminium flat,,,',
      '2000-01-05,AA,,other,aluminium flat,,,',
    );
    const before = dumpChecksum(engine.db);
    const { preview, result } = await runNewsImport(engine.db, f, 'djia30', { dryRun: true });
    expect(result).toBeNull();
    expect(dumpChecksum(engine.db)).toBe(before);
    expect(preview).toMatchObject({ ok: true, rows: 6, newRows: 6, alreadyStored: 0, preScored: 1, errors: 0 });
    expect(preview.dateRange).toEqual({ from: '2000-01-03', to: '2000-01-05' });
    expect(preview.counts).toEqual([
      { source: 'earnings', sector: 'Information Technology', rows: 1, scored: 1 },
      { source: 'news', sector: 'Information Technology', rows: 2, scored: 0 },
      { source: 'other', sector: 'Materials', rows: 2, scored: 0 },
      { source: 'social', sector: 'Energy', rows: 1, scored: 0 },
    ]);
    const first = await runNewsImport(engine.db, f, 'djia30');
    expect(first.result).toMatchObject({ added: 6, alreadyStored: 0 });
    expect(rows(engine.db, 'SELECT ticker, sector, source, text, positive, scored_by FROM news ORDER BY id')).toEqual([
      { ticker: 'IBM', sector: null, source: 'news', text: 'IBM profits rose', positive: null, scored_by: null },
      { ticker: null, sector: 'Energy', source: 'social', text: 'oil is weak', positive: null, scored_by: null },
      { ticker: 'MSFT', sector: null, source: 'earnings', text: '', positive: 0.7, scored_by: 'file' },
      {
        ticker: 'MSFT',
        sector: null,
        source: 'news',
        text: 'Microsoft, Intel "beat"',
        positive: null,
        scored_by: null,
      },
      { ticker: 'AA', sector: null, source: 'other', text: 'aluminium flat', positive: null, scored_by: null },
      { ticker: 'AA', sector: null, source: 'other', text: 'aluminium flat', positive: null, scored_by: null },
    ]);
    const again = await runNewsImport(engine.db, f, 'djia30');
    expect(again.preview).toMatchObject({ newRows: 0, alreadyStored: 6 });
    expect(again.result).toMatchObject({ batchId: null, added: 0, alreadyStored: 6 });
    // a file repeating a stored row once more than before adds just that occurrence
    const more = csv(
      HEADER,
      '2000-01-05,AA,,other,aluminium flat,,,',
      '2000-01-05,AA,,other,aluminium flat,,,',
      '2000-01-05,AA,,other,aluminium flat,,,',
    );
    expect((await runNewsImport(engine.db, more, 'djia30')).result).toMatchObject({ added: 1, alreadyStored: 2 });
    expect(count()).toBe(7);
    const s = newsSummary(engine.db, 'djia30');
    expect(s).toMatchObject({ rows: 7, scored: 1, preScored: 1, sentiment: { on: true } });
    // undo removes the last batch's own rows only
    expect(undoLastNewsImport(engine.db).undone).toMatchObject({ rows: 1, universe: 'djia30' });
    expect(count()).toBe(6);
    expect(undoLastNewsImport(engine.db).undone).toMatchObject({ rows: 6 });
    expect(count()).toBe(0);
    expect(undoLastNewsImport(engine.db)).toEqual({ undone: null, message: 'nothing to undo (no news import)' });
  });
});

describe('a file with problems', () => {
  it('reports each bad row at file:line:col and writes nothing', async () => {
    const f = csv(
      HEADER,
      '2000-01-03,IBM,,news,fine,,,',
      '2000-01-03,ZZZZ,,news,not a member,,,',
      '2000-01-03,,Shipping,news,no such sector,,,',
      '2000-01-03,IBM,Energy,news,both,,,',
      '2000-01-03,,,news,neither,,,',
      '2000-01-03,IBM,,blog,bad source,,,',
      '2000-01-03,IBM,,news,partial,0.5,0.5,',
      '2000-01-03,IBM,,news,sum,0.5,0.5,0.5',
      '2000-01-03,IBM,,news,range,1.5,-0.5,0',
      '2000-01-03,IBM,,news,,,,',
      '03/01/2000,IBM,,news,date,,,',
      '2000-01-03,IBM,,news',
    );
    const before = dumpChecksum(engine.db);
    const { preview, result } = await runNewsImport(engine.db, f, 'djia30');
    expect(result).toBeNull();
    expect(dumpChecksum(engine.db)).toBe(before);
    expect(preview.ok).toBe(false);
    const where = preview.problems.map((p) => `${p.line}:${p.col}:${p.code}`);
    expect(where).toEqual([
      '3:2:unknown-ticker',
      '4:3:unknown-sector',
      '5:3:ticker-and-sector',
      '6:2:no-target',
      '7:4:bad-source',
      '8:6:partial-probabilities',
      '9:6:probabilities-sum',
      '10:6:bad-probability',
      '10:7:bad-probability',
      '11:5:empty-text',
      '12:1:bad-date',
      '13:5:ragged-row',
    ]);
    expect(preview.problems.every((p) => p.file === f)).toBe(true);
    expect(preview.problems[1]!.message).toMatch(/sector "Shipping" is not the sector of any asset/);
    expect(preview.problems[4]!.message).toMatch(/not one of news, social, earnings, other/);
  });

  it('refuses a header without the needed columns, or with only some probabilities', async () => {
    const a = await runNewsImport(engine.db, csv('date,ticker,headline', '2000-01-03,IBM,x'), 'djia30');
    expect(a.preview.problems[0]).toMatchObject({ code: 'missing-columns', line: 1 });
    expect(a.preview.problems[0]!.message).toMatch(/no source column/);
    const b = await runNewsImport(
      engine.db,
      csv('date,sector,source,text,positive,negative', '2000-01-03,Energy,news,x,1,0'),
      'djia30',
    );
    expect(b.preview.problems.map((p) => p.code)).toEqual(['partial-probabilities']);
    expect(count()).toBe(0);
  });

  it('refuses what the price import refuses: a FIFO, /dev/zero, a directory, a missing file', async () => {
    const fifo = path.join(engine.dir, 'news.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [p, msg] of [
      [fifo, /FIFO/],
      ['/dev/zero', /character device/],
      [engine.dir, /directory/],
      [path.join(engine.dir, 'none.csv'), /no such news file/],
    ] as const) {
      const { preview, result } = await runNewsImport(engine.db, p, 'djia30');
      expect(result).toBeNull();
      expect(preview.ok).toBe(false);
      expect(preview.problems[0]!.message).toMatch(msg);
    }
  });

  it('refuses an unknown universe', async () => {
    await expect(runNewsImport(engine.db, csv(HEADER), 'nope')).rejects.toThrow(UnknownUniverseError);
  });
});

describe('two writers', () => {
  it('waits for another process holding the write lock, then writes', async () => {
    const other = openDatabase(engine.dbPath);
    other.exec('BEGIN IMMEDIATE');
    const f = csv(HEADER, '2000-01-06,IBM,,news,waits,,,');
    const done = runNewsImport(engine.db, f, 'djia30');
    let finished = false;
    void done.then(() => (finished = true));
    // let the import read and try the lock a few times while the other connection holds it
    await new Promise((r) => setTimeout(r, 300));
    expect(finished).toBe(false);
    expect(count()).toBe(0);
    other.exec('COMMIT');
    other.close();
    expect((await done).result).toMatchObject({ added: 1 });
    expect(count()).toBe(1);
    undoLastNewsImport(engine.db);
  });
});
