/**
 * All or nothing under a hard kill: `hdrl import` of a generated large file is SIGKILLed while it writes (seen
 * from its --progress output, with the WAL already holding the half-written transaction), and afterwards the
 * database passes PRAGMA integrity_check and holds no trace of the import.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { ensureDefaultUniverse } from '../../src-main/data/bundled';
import { writeSyntheticWideCsv } from '../../src-main/data/synthetic';
import { openDatabase } from '../../src-main/store/db';
import { dumpChecksum } from './helpers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-kill-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('a SIGKILL in the middle of an import leaves the database intact and without the import', async () => {
  const dbFile = path.join(dir, 'kill.db');
  const big = path.join(dir, 'big.csv');
  // 200 tickers x 2000 days = 400,000 bars: 20 write chunks, seconds of writing
  writeSyntheticWideCsv(big, { tickers: 200, days: 2000, seed: 7 });
  const db0 = openDatabase(dbFile);
  ensureDefaultUniverse(db0);
  const before = dumpChecksum(db0);
  db0.close();

  // a 1 MiB page cache: SQLite spills the open transaction's pages to the WAL file as it goes
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/hdrl.mjs'), '--db', dbFile, 'import', big, '--universe', 'big', '--progress'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HDRL_IMPORT_CACHE_MIB: '1' },
    },
  );
  let err = '';
  let walAtKill = 0;
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => ((exited = true), resolve({ code, signal }))),
  );
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // a progress line after the first chunks of bars went in: the transaction is open and half written
      const m = /writing (\d+)\/(\d+) bars/g;
      let last: RegExpExecArray | null = null;
      for (let x = m.exec(err); x; x = m.exec(err)) last = x;
      const wal = fs.existsSync(dbFile + '-wal') ? fs.statSync(dbFile + '-wal').size : 0;
      if (last && Number(last[1]) >= 60_000 && Number(last[1]) < Number(last[2]) && wal > 0 && !child.killed) {
        walAtKill = wal;
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () =>
      exited && !child.killed ? reject(new Error(`the import ended before it could be killed:\n${err}`)) : undefined,
    );
  });
  const { signal } = await exit;
  expect(signal).toBe('SIGKILL');
  // the half-written transaction had reached the WAL file (pages spilled from the cache): recovery must drop them
  expect(walAtKill).toBeGreaterThan(0);
  expect(err).not.toContain('imported:');

  const db = openDatabase(dbFile);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(dumpChecksum(db)).toBe(before);
    expect((db.prepare(`SELECT COUNT(*) AS n FROM assets WHERE ticker LIKE 'S0%'`).get() as { n: number }).n).toBe(0);
    expect(db.prepare(`SELECT id FROM universes`).all()).toEqual([{ id: 'djia30' }]);
  } finally {
    db.close();
  }
}, 60_000);
