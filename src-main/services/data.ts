/**
 * Handlers of the data service (src-shared/contract/data.ts): universes, prices, import preview/commit/undo.
 *
 * Which files a caller may have imported: the browser (host) only the files it uploaded, which
 * data.previewImportText writes under the upload folder; the desktop window (ipc) those and the files its file
 * dialog returned; the CLI and tests any file. The check looks at the path as written before anything touches
 * the file system, so a refused path reveals nothing about what exists there.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportRequest } from '../../src-shared/contract/data';
import type { Engine } from '../engine';
import { BadRenameError, importOptions, previewImport, renameMap } from '../data/importer';
import { universeIdOf } from '../data/cells';
import { ImportConflict, undoLastImport } from '../data/write';
import { writeTransaction } from '../store/db';
import { listUniverses, loadPriceMatrix, universeDetail, UnknownUniverseError } from '../store/prices';
import { invalidInput, notFound, ServiceError } from './errors';
import type { Caller, Handlers } from './types';

/** Default number of dates data.prices returns when the request gives no maxPoints. */
export const DEFAULT_CHART_POINTS = 2000;
/** Uploaded files (data.previewImportText) older than this are deleted at the next upload, hours. */
export const UPLOAD_MAX_AGE_HOURS = 24;

/** Delete upload folders older than UPLOAD_MAX_AGE_HOURS under `root` (best effort). */
function pruneUploads(root: string): void {
  const cutoff = Date.now() - UPLOAD_MAX_AGE_HOURS * 3_600_000;
  let entries: fs.Dirent[];
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

/** The folder data.previewImportText writes uploads to (one sub-folder per upload). */
export function uploadsDir(engine: Engine): string {
  return path.join(engine.dataDir, 'uploads');
}

/** Is `p` strictly inside folder `dir` (both absolute, normalised)? */
function inside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Refuse an import request naming a file its caller may not read (see the module comment). Takes the request,
 * the engine and the caller; throws INVALID_INPUT. Paths as written are judged first (no file system access for
 * a refused one); a path inside the upload folder must also resolve (symbolic links followed) inside it.
 */
export function checkImportPaths(req: Pick<ImportRequest, 'paths' | 'meta'>, engine: Engine, caller: Caller): void {
  if (caller.shell === 'cli') return;
  const root = path.resolve(uploadsDir(engine));
  const granted = new Set([...(caller.grantedPaths ?? [])].map((g) => path.resolve(g)));
  const refusal =
    caller.shell === 'host'
      ? 'the browser can import only files it uploads'
      : 'the desktop window can import only files chosen in its file dialog or uploaded';
  const all = [...req.paths, ...(req.meta !== undefined ? [req.meta] : [])];
  const uploaded: string[] = [];
  for (const p of all) {
    const abs = path.resolve(p);
    if (caller.shell === 'ipc' && granted.has(abs)) continue;
    if (!inside(root, abs)) throw invalidInput(`${refusal} (not one: ${p.slice(0, 200)})`);
    uploaded.push(abs);
  }
  if (!uploaded.length) return;
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return; // no upload folder yet: nothing in it exists, and reading reports each file as missing
  }
  for (const abs of uploaded) {
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch {
      continue; // a missing upload: the reader says so
    }
    if (!inside(realRoot, real)) throw invalidInput(`${refusal} (not one: ${abs.slice(0, 200)})`);
  }
}

/** The renames of a request, checked before anything is read (INVALID_INPUT when unusable). */
function checkRenames(req: Pick<ImportRequest, 'rename'>): void {
  try {
    renameMap(req.rename);
  } catch (e) {
    if (e instanceof BadRenameError) throw invalidInput(e.message);
    throw e;
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
  const base = path
    .basename(name.replace(/\\/g, '/'))
    .replace(/[^A-Za-z0-9._^=&-]/g, '_')
    .slice(-100);
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
  | 'data.universes'
  | 'data.universe'
  | 'data.prices'
  | 'data.previewImport'
  | 'data.previewImportText'
  | 'data.commitImport'
  | 'data.undoLastImport'
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
  async 'data.previewImport'(req, engine, caller) {
    if (!universeIdOf(req.universe)) throw invalidInput(`universe name "${req.universe}" has no letters or digits`);
    checkImportPaths(req, engine, caller);
    checkRenames(req);
    return previewImport(engine.db, req.paths, importOptions(req));
  },
  async 'data.previewImportText'(req, engine) {
    if (!universeIdOf(req.universe)) throw invalidInput(`universe name "${req.universe}" has no letters or digits`);
    checkRenames(req);
    pruneUploads(uploadsDir(engine));
    const dir = path.join(uploadsDir(engine), randomUUID());
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
    const preview = await previewImport(engine.db, [file], importOptions({ ...req, meta: metaPath ?? undefined }));
    return { ...preview, uploadedPath: file, uploadedMetaPath: metaPath };
  },
  'data.commitImport'(req, engine, caller) {
    if (!universeIdOf(req.universe)) throw invalidInput(`universe name "${req.universe}" has no letters or digits`);
    checkImportPaths(req, engine, caller);
    checkRenames(req);
    return engine.jobs.start(
      'import',
      req,
      `import ${req.paths.length === 1 ? path.basename(req.paths[0]!) : `${req.paths.length} files`} into ${req.universe}`,
    );
  },
  'data.undoLastImport': (_req, engine) =>
    writeTransaction(engine.db, () => mapErrors(() => undoLastImport(engine.db))),
};
