/** Handlers of the data service (src-shared/contract/data.ts): universes, prices, import preview/commit/undo. */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { previewImport } from '../data/importer';
import { universeIdOf } from '../data/cells';
import { ImportConflict, undoLastImport } from '../data/write';
import { listUniverses, loadPriceMatrix, universeDetail, UnknownUniverseError } from '../store/prices';
import { invalidInput, notFound, ServiceError } from './errors';
import type { Handlers } from './types';

/** Default number of dates data.prices returns when the request gives no maxPoints. */
export const DEFAULT_CHART_POINTS = 2000;
/** Uploaded files (data.previewImportText) older than this are deleted at the next upload, hours. */
export const UPLOAD_MAX_AGE_HOURS = 24;

/** Delete upload folders older than UPLOAD_MAX_AGE_HOURS under `root` (best effort). */
function pruneUploads(root: string): void {
  const cutoff = Date.now() - UPLOAD_MAX_AGE_HOURS * 3_600_000;
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(root, e.name);
    try {
      if (e.isDirectory() && fs.statSync(p).mtimeMs < cutoff) fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // another process may be removing it too
    }
  }
}

function mapErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UnknownUniverseError) throw notFound(`universe ${e.universeId}`);
    if (e instanceof ImportConflict) throw new ServiceError('CONFLICT', e.message);
    throw e;
  }
}

/** A file name safe to create: the base name with anything unusual replaced, never empty, at most 100 characters. */
function safeName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[^A-Za-z0-9._^=&-]/g, '_').slice(-100);
  return base && base !== '.' && base !== '..' ? base : 'upload.csv';
}

/**
 * Every k-th row of the aligned range, the last one always kept. Takes the number of rows and the largest number
 * to keep; gives the kept row indices and k.
 */
export function downsampleRows(total: number, maxPoints: number): { rows: number[]; step: number } {
  if (total <= maxPoints) return { rows: Array.from({ length: total }, (_, i) => i), step: 1 };
  const step = Math.ceil((total - 1) / (maxPoints - 1));
  const rows: number[] = [];
  for (let i = 0; i < total - 1; i += step) rows.push(i);
  rows.push(total - 1);
  return { rows, step };
}

export const dataHandlers: Handlers<
  'data.universes' | 'data.universe' | 'data.prices' | 'data.previewImport' | 'data.previewImportText' | 'data.commitImport' | 'data.undoLastImport'
> = {
  'data.universes': (_req, engine) => listUniverses(engine.db),
  'data.universe': (req, engine) => mapErrors(() => universeDetail(engine.db, req.id)),
  'data.prices'(req, engine) {
    const m = mapErrors(() => loadPriceMatrix(engine.db, req.universe, { from: req.from, to: req.to }));
    let cols = m.tickers.map((_, i) => i);
    if (req.tickers) {
      const at = new Map(m.tickers.map((t, i) => [t, i]));
      const unknown = req.tickers.filter((t) => !at.has(t));
      if (unknown.length) throw invalidInput(`not members of ${req.universe}: ${unknown.slice(0, 10).join(', ')}`);
      cols = req.tickers.map((t) => at.get(t)!);
    }
    const { rows, step } = downsampleRows(m.dates.length, req.maxPoints ?? DEFAULT_CHART_POINTS);
    return {
      universe: m.universe,
      tickers: cols.map((i) => m.tickers[i]!),
      dates: rows.map((t) => m.dates[t]!),
      close: rows.map((t) => cols.map((i) => m.close[t]![i]!)),
      totalDates: m.dates.length,
      step,
    };
  },
  async 'data.previewImport'(req, engine) {
    if (!universeIdOf(req.universe)) throw invalidInput(`universe name "${req.universe}" has no letters or digits`);
    return previewImport(engine.db, req.paths, { universe: req.universe, format: req.format, fill: req.fill, meta: req.meta });
  },
  async 'data.previewImportText'(req, engine) {
    if (!universeIdOf(req.universe)) throw invalidInput(`universe name "${req.universe}" has no letters or digits`);
    pruneUploads(path.join(engine.dataDir, 'uploads'));
    const dir = path.join(engine.dataDir, 'uploads', randomUUID());
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, safeName(req.name));
    fs.writeFileSync(file, req.text);
    let metaPath: string | null = null;
    if (req.metaFile) {
      const metaDir = path.join(dir, 'meta');
      fs.mkdirSync(metaDir);
      metaPath = path.join(metaDir, safeName(req.metaFile.name));
      fs.writeFileSync(metaPath, req.metaFile.text);
    }
    const preview = await previewImport(engine.db, [file], { universe: req.universe, format: req.format, fill: req.fill, meta: metaPath ?? undefined });
    return { ...preview, uploadedPath: file, uploadedMetaPath: metaPath };
  },
  'data.commitImport'(req, engine) {
    if (!universeIdOf(req.universe)) throw invalidInput(`universe name "${req.universe}" has no letters or digits`);
    return engine.jobs.start('import', req, `import ${req.paths.length === 1 ? path.basename(req.paths[0]!) : `${req.paths.length} files`} into ${req.universe}`);
  },
  'data.undoLastImport': (_req, engine) => mapErrors(() => undoLastImport(engine.db)),
};
