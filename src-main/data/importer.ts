/**
 * The import, end to end: read the files (streaming), read the meta file, check, preview, and — unless it is a
 * dry run or there is an error — write everything in one transaction. Used by the `hdrl import` command, the
 * data service (preview) and the 'import' job (commit).
 */
import type { FillPolicy, ImportFormat, ImportPreview, ImportResult } from '../../src-shared/contract/data';
import type { DB } from '../store/db';
import { readMetaFile } from './meta';
import { planImport } from './plan';
import { readImportFiles } from './reader';
import { commitImport, type BatchKind } from './write';

export interface ImportOptions {
  /** universe name (its id is universeIdOf(name) unless universeId is given) */
  universe: string;
  universeId?: string;
  format?: ImportFormat;
  fill?: FillPolicy;
  /** universe metadata file (CSV or JSON) */
  meta?: string;
  /** source line for a new universe */
  source?: string;
}

export interface RunOptions {
  /** check and preview only: nothing is written */
  dryRun?: boolean;
  kind?: BatchKind;
  signal?: AbortSignal;
  /**
   * Progress: phase 'reading' (fraction of bytes read) then 'writing' (fraction of bars written); `fraction`
   * is of the whole import (reading counts for the first half).
   */
  onProgress?: (fraction: number, message: string, figures?: Record<string, number>) => void;
}

/** Fraction of the progress bar given to reading the files (the rest is writing). */
export const READ_SHARE_OF_PROGRESS = 0.5;

/**
 * Read and check the files of an import and, unless `dryRun` or an error, write it in one transaction.
 * Takes the database, the file paths and the options; gives the preview and the result (null when nothing was
 * written). Throws ImportCancelled when the signal aborts (nothing written).
 */
export async function runImport(db: DB, paths: readonly string[], opts: ImportOptions, run: RunOptions = {}): Promise<{ preview: ImportPreview; result: ImportResult | null }> {
  const c = await readImportFiles(paths, {
    format: opts.format,
    signal: run.signal,
    onProgress: (f, m) => run.onProgress?.(f * READ_SHARE_OF_PROGRESS, m),
  });
  const meta = opts.meta ? readMetaFile(opts.meta, c.problems) : null;
  const planOpts = { universe: opts.universe, universeId: opts.universeId, fill: opts.fill, source: opts.source };
  // errors found while reading, or a dry run: plan read-only, write nothing
  if (run.dryRun || c.problems.hasErrors) return { preview: planImport(db, c, meta, planOpts).preview, result: null };
  const out = await commitImport(db, c, meta, planOpts, {
    kind: run.kind,
    signal: run.signal,
    onProgress: (w, total) => run.onProgress?.(READ_SHARE_OF_PROGRESS + (1 - READ_SHARE_OF_PROGRESS) * (total ? w / total : 1), `writing ${w}/${total} bars`, { bars: w, total }),
  });
  return { preview: out.plan.preview, result: out.result };
}

/** Preview an import without writing anything (runImport with dryRun). */
export async function previewImport(db: DB, paths: readonly string[], opts: ImportOptions, signal?: AbortSignal): Promise<ImportPreview> {
  return (await runImport(db, paths, opts, { dryRun: true, signal })).preview;
}
