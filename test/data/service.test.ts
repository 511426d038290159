/** The data service through the one dispatcher (as the renderer reaches it): validation, results, errors, the import job. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ImportPreview,
  ImportResult,
  PricesResponse,
  UndoResult,
  UniverseDetail,
  UniverseSummary,
} from '../../src-shared/contract';
import { dispatch } from '../../src-main/services';
import { downsampleRows } from '../../src-main/services/data';
import { loadDjia } from '../helpers/data';
import { tempEngine } from '../helpers/engine';
import { fx } from './helpers';

let engine: ReturnType<typeof tempEngine>;
beforeAll(() => {
  engine = tempEngine();
});
afterAll(() => {
  engine.close();
  fs.rmSync(engine.dir, { recursive: true, force: true });
});

async function call<T>(channel: string, payload: unknown): Promise<T> {
  const r = await dispatch(engine, channel, payload);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('universes and prices', () => {
  it('lists the bundled universe and details it', async () => {
    const us = await call<UniverseSummary[]>('data.universes', {});
    expect(us.map((u) => [u.id, u.assetCount, u.from, u.to])).toEqual([['djia30', 30, '1990-12-31', '2001-01-02']]);
    const d = await call<UniverseDetail>('data.universe', { id: 'djia30' });
    expect(d.assets).toHaveLength(30);
    expect(d.source).toMatch(/fBasics/);
    const r = await dispatch(engine, 'data.universe', { id: 'nope' });
    expect(r.ok ? null : r.error.code).toBe('NOT_FOUND');
  });

  it('gives closes for a range, downsampled with the last date kept', async () => {
    const ref = loadDjia();
    const full = await call<PricesResponse>('data.prices', {
      universe: 'djia30',
      from: '2000-12-27',
      to: '2000-12-29',
      tickers: ['IBM', 'AA'],
    });
    expect(full.dates).toEqual(['2000-12-27', '2000-12-28', '2000-12-29']);
    const t = ref.dates.indexOf('2000-12-28');
    expect(full.close[1]).toEqual([ref.close[t]![ref.tickers.indexOf('IBM')], ref.close[t]![0]]);
    const ds = await call<PricesResponse>('data.prices', { universe: 'djia30', maxPoints: 100 });
    expect(ds.totalDates).toBe(2529);
    // 2529 dates into at most 100: every 26th (ceil(2528 / 99)), plus the last
    expect(ds.step).toBe(26);
    expect(ds.dates[0]).toBe('1990-12-31');
    expect(ds.dates[1]).toBe(ref.dates[26]);
    expect(ds.dates.at(-1)).toBe('2001-01-02');
    expect(ds.dates.length).toBeLessThanOrEqual(100);
  });

  it('downsamples by hand-checked rules', () => {
    expect(downsampleRows(5, 10)).toEqual({ rows: [0, 1, 2, 3, 4], step: 1 });
    expect(downsampleRows(10, 4)).toEqual({ rows: [0, 3, 6, 9], step: 3 });
    expect(downsampleRows(11, 4)).toEqual({ rows: [0, 4, 8, 10], step: 4 });
  });

  it('refuses requests outside the contract', async () => {
    for (const [ch, p] of [
      ['data.prices', { universe: 'djia30', extra: 1 }],
      ['data.prices', { universe: 'djia30', from: '2001/01/01' }],
      ['data.previewImport', { paths: [], universe: 'x' }],
      ['data.previewImport', { paths: ['a.csv'], universe: 'x'.repeat(300) }],
      ['data.previewImportText', { name: 'a.csv', text: 'x'.repeat(5_000_001), universe: 'x' }],
    ] as const) {
      const r = await dispatch(engine, ch, p);
      expect(r.ok ? null : r.error.code).toBe('BAD_REQUEST');
    }
  });
});

describe('import through the service', () => {
  it('previews without writing', async () => {
    const p = await call<ImportPreview>('data.previewImport', { paths: [fx('good/gaps.csv')], universe: 'Gaps' });
    expect(p.ok).toBe(false);
    expect(p.problems.filter((x) => x.severity === 'error').map((x) => [x.line, x.col])).toEqual([
      [5, 2],
      [3, 4],
    ]);
    const us = await call<UniverseSummary[]>('data.universes', {});
    expect(us.map((u) => u.id)).toEqual(['djia30']);
  });

  it('previews an uploaded text from a temporary file under the data folder', async () => {
    const text = fs.readFileSync(fx('good/wide.csv'), 'utf8');
    const meta = { name: 'meta.json', text: fs.readFileSync(fx('good/meta.json'), 'utf8') };
    const p = await call<ImportPreview & { uploadedPath: string; uploadedMetaPath: string | null }>(
      'data.previewImportText',
      { name: '../../evil name.csv', text, universe: 'Up', metaFile: meta },
    );
    expect(p.ok).toBe(true);
    expect(p.bars).toBe(15);
    expect(p.universe.name).toBe('Test ABC');
    expect(path.dirname(path.dirname(p.uploadedPath))).toBe(path.join(engine.dataDir, 'uploads'));
    expect(path.basename(p.uploadedPath)).toBe('evil_name.csv');
    expect(fs.readFileSync(p.uploadedPath, 'utf8')).toBe(text);
  });

  it('commits as a job, then undoes', async () => {
    const job = await call<{ id: string; kind: string }>('data.commitImport', {
      paths: [fx('good/wide.csv')],
      universe: 'Job ABC',
      meta: fx('good/meta.csv'),
    });
    expect(job.kind).toBe('import');
    const done = await engine.jobs.wait(job.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result as ImportResult).toMatchObject({ universe: 'job-abc', bars: 15, createdAssets: 3 });
    const us = await call<UniverseSummary[]>('data.universes', {});
    expect(us.find((u) => u.id === 'job-abc')).toMatchObject({ assetCount: 3, from: '2020-01-02', to: '2020-01-08' });

    const bad = await call<{ id: string }>('data.commitImport', { paths: [fx('good/gaps.csv')], universe: 'Gaps' });
    const failed = await engine.jobs.wait(bad.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(`${fx('good/gaps.csv')}:3:4: error:`);

    const u = await call<UndoResult>('data.undoLastImport', {});
    expect(u.undone).toMatchObject({ universe: 'job-abc', bars: 15, removedUniverse: true });
    expect((await call<UniverseSummary[]>('data.universes', {})).map((x) => x.id)).toEqual(['djia30']);
    expect((await call<UndoResult>('data.undoLastImport', {})).undone).toBeNull();
  }, 60_000);
});
