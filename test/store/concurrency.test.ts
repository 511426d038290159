/**
 * Several processes on one database file (store/db.ts): first starts at the same time, writers that wait for
 * each other instead of failing, a serving process whose event loop keeps running while another process holds
 * the write lock, and an import that holds the lock only while it copies its staged bars. The other processes
 * are real ones: small scripts in ./procs and the `hdrl` command.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src-main/data/importer';
import { writeSyntheticWideCsv } from '../../src-main/data/synthetic';
import { openEngine } from '../../src-main/engine';
import { dispatch } from '../../src-main/services';
import { openDatabase, SCHEMA_VERSION } from '../../src-main/store/db';
import { insertRunningRun, newRunId } from '../../src-main/store/runs';
import { tempDir } from '../helpers/engine';
import { testRunConfig } from '../helpers/runData';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROCS = fileURLToPath(new URL('./procs', import.meta.url));
const WIDE = path.join(ROOT, 'test/fixtures/import/good/wide.csv');
const BUSY = 'the database is busy (an import or backtest is writing); try again';
const dir = tempDir('hdrl-concurrency-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function child(script: string, args: string[]): ChildProcess {
  return fork(path.join(PROCS, script), args, {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage<T>(c: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the child exited (${code}) before it said anything`));
    c.once('exit', onExit);
    c.once('message', (m: T) => {
      c.off('exit', onExit);
      resolve(m);
    });
  });
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', resolve)));

/** Another process takes the write lock of `file` and keeps it for `ms`; resolves once it holds it. */
async function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<number | null> }> {
  const c = child('hold-lock.ts', [file, String(ms)]);
  expect(await nextMessage<string>(c)).toBe('locked');
  return { released: exited(c) };
}

/** The status of a stored run, read straight from the table (undefined: no such run). */
const runStatus = (db: Database.Database, id: string) =>
  (db.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: string } | undefined)?.status;

function newRun(id: string) {
  return {
    id,
    universe: 'djia30',
    strategy: 'crp',
    config: testRunConfig(),
    seed: 1,
    codeVersion: 'test',
    windowFrom: '2000-01-03',
    windowTo: '2000-01-31',
    hindsight: false,
  };
}

describe('first start of two processes at once', () => {
  it('gives one schema and one bundled import, without an error, every time', { timeout: 180_000 }, async () => {
    for (let round = 0; round < 4; round++) {
      const file = path.join(dir, `fresh-${round}.db`);
      const pair = [child('open-engine.ts', [file]), child('open-engine.ts', [file])];
      await Promise.all(pair.map((c) => nextMessage<string>(c)));
      const outcomes = pair.map((c) => nextMessage<{ ok: boolean; error?: string }>(c));
      pair.forEach((c) => c.send('go'));
      expect(await Promise.all(outcomes)).toEqual([{ ok: true }, { ok: true }]);
      await Promise.all(pair.map(exited));
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        expect(db.prepare(`SELECT kind, bars FROM import_batches`).all()).toEqual([
          { kind: 'bundled', bars: 2529 * 30 },
        ]);
        expect(db.prepare(`SELECT id FROM universes`).all()).toEqual([{ id: 'djia30' }]);
        expect((db.prepare(`SELECT COUNT(*) AS n FROM bars`).get() as { n: number }).n).toBe(2529 * 30);
      } finally {
        db.close();
      }
    }
  });
});

describe('a write while another process holds the write lock', () => {
  const dbPath = path.join(dir, 'held.db');
  const engine = openEngine({ dbPath, shell: 'headless' });
  // the same file, seen by a host that gives up after 300 ms
  const impatient = openEngine({ dbPath, shell: 'headless', waits: { writeWaitMs: 300 } });
  afterAll(() => {
    impatient.close();
    engine.close();
  });
  const runId = newRunId();
  insertRunningRun(engine.db, newRun(runId));

  it('saves a note from the host once the lock is released, and the event loop keeps running meanwhile', async () => {
    const hold = await holdWriteLock(dbPath, 1500);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const r = await dispatch(
      engine,
      'notes.set',
      { runId, date: '2000-01-03', status: 'approved', text: 'checked' },
      { shell: 'host' },
    );
    clearInterval(timer);
    expect(await hold.released).toBe(0);
    expect(r).toMatchObject({ ok: true, value: { runId, date: '2000-01-03', status: 'approved', text: 'checked' } });
    // while it waited, timers fired: the request did not busy-wait the event loop (before: zero ticks)
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('answers CONFLICT "the database is busy" when the lock stays taken longer than the wait, and writes nothing', async () => {
    const hold = await holdWriteLock(dbPath, 3000);
    const note = dispatch(
      impatient,
      'notes.set',
      { runId, date: '2000-01-04', status: 'comment', text: 'later' },
      { shell: 'host' },
    );
    const undo = dispatch(impatient, 'data.undoLastImport', {}, { shell: 'host' });
    const del = dispatch(impatient, 'runs.delete', { id: runId }, { shell: 'host' });
    for (const r of await Promise.all([note, undo, del]))
      expect(r).toEqual({ ok: false, error: { code: 'CONFLICT', message: BUSY } });
    await hold.released;
    expect(await dispatch(engine, 'notes.get', { runId, date: '2000-01-04' })).toEqual({ ok: true, value: null });
    expect(runStatus(engine.db, runId)).toBe('running');
  });

  it('a job or CLI writer (insertRunningRun) waits past its busy timeout for the lock instead of failing', async () => {
    const db = openDatabase(dbPath);
    try {
      db.pragma('busy_timeout = 50');
      const hold = await holdWriteLock(dbPath, 1000);
      const id = newRunId();
      insertRunningRun(db, newRun(id));
      expect(runStatus(db, id)).toBe('running');
      await hold.released;
    } finally {
      db.close();
    }
  });
});

describe('an import holds the write lock only to copy its staged bars', () => {
  it('lets another process write while it stages, and checks again under the lock', async () => {
    const file = path.join(dir, 'beside.db');
    const db = openDatabase(file);
    const other = openDatabase(file);
    other.pragma('busy_timeout = 0');
    try {
      let wroteBeside = false;
      const r = await runImport(
        db,
        [WIDE],
        { universe: 'Beside' },
        {
          onProgress: (_f, m) => {
            if (wroteBeside || !m.startsWith('writing')) return;
            // another connection writes once the import is writing: it must not find the database locked
            other
              .prepare(`INSERT INTO universes (id, name, source, created_at) VALUES ('side', 'Side', '', 'now')`)
              .run();
            wroteBeside = true;
          },
        },
      );
      expect(wroteBeside).toBe(true);
      expect(r.result).toMatchObject({ universe: 'beside', tickers: 3, bars: 15 });
      expect(db.prepare(`SELECT id FROM universes ORDER BY id`).all()).toEqual([{ id: 'beside' }, { id: 'side' }]);
      expect((db.prepare(`SELECT COUNT(*) AS n FROM bars`).get() as { n: number }).n).toBe(15);
    } finally {
      other.close();
      db.close();
    }
  });

  it('refuses, writing nothing, when another process stored different bars for its tickers while it staged', async () => {
    const file = path.join(dir, 'raced.db');
    const db = openDatabase(file);
    const other = openDatabase(file);
    try {
      let raced = false;
      const r = await runImport(
        db,
        [WIDE],
        { universe: 'Raced' },
        {
          onProgress: (_f, m) => {
            if (raced || !m.startsWith('writing')) return;
            other.exec(`
            INSERT INTO import_batches (id, universe_id, files, format, fill_policy, rows, created_at) VALUES (99, 'x', '[]', 'wide', 'reject', 1, 'now');
            INSERT INTO assets (ticker) VALUES ('AAA');
            INSERT INTO bars (ticker, date, close, batch_id) VALUES ('AAA', '2020-01-02', 99, 99);`);
            raced = true;
          },
        },
      );
      expect(raced).toBe(true);
      expect(r.result).toBeNull();
      expect(r.preview.ok).toBe(false);
      expect(r.preview.problems.some((p) => p.severity === 'error' && p.message.includes('AAA'))).toBe(true);
      expect(db.prepare(`SELECT id FROM universes`).all()).toEqual([]);
      expect(db.prepare(`SELECT ticker, date, close, batch_id FROM bars`).all()).toEqual([
        { ticker: 'AAA', date: '2020-01-02', close: 99, batch_id: 99 },
      ]);
    } finally {
      other.close();
      db.close();
    }
  });
});

describe('a backtest beside a large import', () => {
  it('both finish: the backtest stores its run while the import writes', { timeout: 180_000 }, async () => {
    const file = path.join(dir, 'busy.db');
    const big = path.join(dir, 'big.csv');
    writeSyntheticWideCsv(big, { tickers: 200, days: 2000, seed: 11 });
    openEngine({ dbPath: file, shell: 'cli' }).close();
    const hdrl = (args: string[]) =>
      spawn(process.execPath, [path.join(ROOT, 'bin/hdrl.mjs'), '--db', file, ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const output = (c: ChildProcess) => {
      let text = '';
      c.stdout!.on('data', (d: Buffer) => (text += d.toString()));
      c.stderr!.on('data', (d: Buffer) => (text += d.toString()));
      return () => text;
    };
    const imp = hdrl(['import', big, '--universe', 'big', '--progress']);
    const impOut = output(imp);
    // start the backtest once the import is past reading
    await new Promise<void>((resolve) => {
      imp.stderr!.on('data', () => (/writing \d+\/\d+ bars/.test(impOut()) ? resolve() : undefined));
      imp.once('exit', () => resolve());
    });
    const bt = hdrl([
      'backtest',
      '--universe',
      'djia30',
      '--strategy',
      'crp,ubah',
      '--from',
      '2000-01-03',
      '--to',
      '2000-06-30',
    ]);
    const btOut = output(bt);
    const [impCode, btCode] = await Promise.all([exited(imp), exited(bt)]);
    expect(impCode, impOut()).toBe(0);
    expect(btCode, btOut()).toBe(0);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare(`SELECT strategy, status FROM runs ORDER BY strategy`).all()).toEqual([
        { strategy: 'crp', status: 'complete' },
        { strategy: 'ubah', status: 'complete' },
      ]);
      expect(db.prepare(`SELECT universe_id, bars FROM import_batches WHERE kind = 'import'`).all()).toEqual([
        { universe_id: 'big', bars: 400_000 },
      ]);
    } finally {
      db.close();
    }
  });
});
