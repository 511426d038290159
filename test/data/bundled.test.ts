/** The bundled DJIA 30 universe: loaded on the first start, once, exactly as the CSV and its .universe.json say. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDefaultUniverse } from '../../src-main/data/bundled';
import type { DB } from '../../src-main/store/db';
import { listUniverses, loadPriceMatrix, universeDetail } from '../../src-main/store/prices';
import { loadDjia } from '../helpers/data';
import { runCli, tempDb } from './helpers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const META = JSON.parse(fs.readFileSync(path.join(ROOT, 'resources/data/djia30-1991-2001.universe.json'), 'utf8')) as {
  name: string;
  source: string;
  assets: { ticker: string; name: string; class: string; sector: string }[];
};

let db: DB;
let dir: string;
beforeEach(() => {
  ({ db, dir } = tempDb());
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('bundled universe', () => {
  it('`hdrl universes` on a fresh database lists djia30 with 30 assets from 1990-12-31 to 2001-01-02', async () => {
    const file = path.join(dir, 'fresh.db');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/hdrl.mjs'), '--db', file, 'universes'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^djia30\s+DJIA 30 \(1991-2001\)\s+30\s+1990-12-31\s+2001-01-02$/m);
    const j = await runCli(file, ['universes', '--json']);
    expect(JSON.parse(j.stdout)).toEqual([
      {
        id: 'djia30',
        name: META.name,
        source: META.source,
        createdAt: expect.any(String),
        assetCount: 30,
        from: '1990-12-31',
        to: '2001-01-02',
      },
    ]);
  });

  it('loads once, in one batch, and is a no-op afterwards', () => {
    expect(ensureDefaultUniverse(db)).toBe(true);
    expect(ensureDefaultUniverse(db)).toBe(false);
    expect(db.prepare('SELECT kind, rows, bars, format FROM import_batches').all()).toEqual([
      { kind: 'bundled', rows: 2529, bars: 2529 * 30, format: 'wide' },
    ]);
    expect(listUniverses(db)).toHaveLength(1);
  });

  it('stores exactly the CSV closes (checked against an independent parse) and the meta file', () => {
    ensureDefaultUniverse(db);
    const m = loadPriceMatrix(db, 'djia30');
    const ref = loadDjia();
    expect(m.tickers).toEqual(ref.tickers);
    expect(m.dates).toEqual(ref.dates);
    expect(m.close.map((r) => [...r])).toEqual(ref.close.map((r) => [...r]));
    const byTicker = new Map(META.assets.map((a) => [a.ticker, a]));
    expect(m.assets).toEqual(ref.tickers.map((t) => byTicker.get(t)));
    const d = universeDetail(db, 'djia30');
    expect(d.source).toBe(META.source);
    expect(d.alignedDates).toBe(2529);
    expect(
      d.assets.every((a) => a.bars === 2529 && a.filled === 0 && a.first === '1990-12-31' && a.last === '2001-01-02'),
    ).toBe(true);
  });
});
