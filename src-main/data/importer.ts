/**
 * The import, end to end: read the files (streaming), read the meta file, check, preview, and — unless it is a
 * dry run or there is an error — write everything in one transaction. Used by the `hdrl import` command, the
 * data service (preview) and the 'import' job (commit).
 */
import type {
  FillPolicy,
  ImportFormat,
  ImportPreview,
  ImportRequest,
  ImportResult,
  Rename,
} from '../../src-shared/contract/data';
import type { DB } from '../store/db';
import { normalizeTicker } from './cells';
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
  /** accept an import that shrinks a universe's common range */
  allowShrink?: boolean;
  /** accept implausible prices and moves (as warnings) */
  allowImplausible?: boolean;
  /** tickers of the files imported under other names */
  rename?: readonly Rename[];
  /** overwrite the stored series of tickers stored with different data (undoable) */
  replace?: boolean;
}

/** The import options a contract request carries (data.previewImport, data.commitImport and the import job). */
export function importOptions(req: Omit<ImportRequest, 'paths'>): ImportOptions {
  return {
    universe: req.universe,
    format: req.format,
    fill: req.fill,
    meta: req.meta,
    allowShrink: req.allowShrink,
    allowImplausible: req.allowImplausible,
    rename: req.rename,
    replace: req.replace,
  };
}

/** A rename list that cannot be used: a bad ticker, one ticker renamed twice or to itself. */
export class BadRenameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRenameError';
  }
}

/**
 * The renames of an import as a map of normalised tickers (old -> new). Takes the list; gives the map. Throws
 * BadRenameError for a ticker that is not one, a ticker renamed twice, or a rename to itself.
 */
export function renameMap(list: readonly Rename[] = []): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of list) {
    const from = normalizeTicker(r.from);
    const to = normalizeTicker(r.to);
    if (!from || !to)
      throw new BadRenameError(`rename ${r.from}=${r.to}: not a ticker (1..32 letters, digits, .^=_&/-)`);
    if (from === to) throw new BadRenameError(`rename ${from}=${to}: renames a ticker to itself`);
    if (m.has(from)) throw new BadRenameError(`ticker ${from} is renamed twice (to ${m.get(from)} and ${to})`);
    m.set(from, to);
  }
  return m;
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
 * written). Throws JobCancelled (jobs/context.ts) when the signal aborts (nothing written), BadRenameError for unusable renames.
 */
export async function runImport(
  db: DB,
  paths: readonly string[],
  opts: ImportOptions,
  run: RunOptions = {},
): Promise<{ preview: ImportPreview; result: ImportResult | null }> {
  const rename = renameMap(opts.rename);
  const c = await readImportFiles(paths, {
    format: opts.format,
    allowImplausible: opts.allowImplausible,
    rename,
    signal: run.signal,
    onProgress: (f, m) => run.onProgress?.(f * READ_SHARE_OF_PROGRESS, m),
  });
  const meta = opts.meta ? readMetaFile(opts.meta, c.problems, rename) : null;
  const planOpts = {
    universe: opts.universe,
    universeId: opts.universeId,
    fill: opts.fill,
    source: opts.source,
    allowShrink: opts.allowShrink,
    allowImplausible: opts.allowImplausible,
    replace: opts.replace,
  };
  // errors found while reading, or a dry run: plan read-only, write nothing
  if (run.dryRun || c.problems.hasErrors) return { preview: planImport(db, c, meta, planOpts).preview, result: null };
  const out = await commitImport(db, c, meta, planOpts, {
    kind: run.kind,
    signal: run.signal,
    onProgress: (w, total) =>
      run.onProgress?.(
        READ_SHARE_OF_PROGRESS + (1 - READ_SHARE_OF_PROGRESS) * (total ? w / total : 1),
        `writing ${w}/${total} bars`,
        { bars: w, total },
      ),
  });
  return { preview: out.plan.preview, result: out.result };
}

/** Preview an import without writing anything (runImport with dryRun). */
export async function previewImport(
  db: DB,
  paths: readonly string[],
  opts: ImportOptions,
  signal?: AbortSignal,
): Promise<ImportPreview> {
  return (await runImport(db, paths, opts, { dryRun: true, signal })).preview;
}
