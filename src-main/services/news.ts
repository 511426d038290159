/**
 * Handlers of the news service (src-shared/contract/news.ts; docs/news.md). Which files a caller may name follows
 * the price import exactly (services/data.ts checkImportPaths, the one home of that rule): the browser only what it
 * uploaded, the desktop window also what its file dialog returned, the CLI and tests anything. For scoring, the
 * files judged are the model directory's: model.onnx and vocab.txt first (judged as written, before the file system
 * is touched), then the optional tokenizer_config.json and config.json that exist beside them.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine';
import { runNewsImport, undoLastNewsImport } from '../data/news';
import { MODEL_FILES, modelFilePaths } from '../data/newsScore';
import { writeTransaction } from '../store/db';
import { newsSummary } from '../store/news';
import { UnknownUniverseError } from '../store/prices';
import { checkImportPaths, uploadsDir } from './data';
import { notFound } from './errors';
import type { Handlers } from './types';

async function mapUnknown<T>(f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof UnknownUniverseError) throw notFound(`universe ${e.universeId}`);
    throw e;
  }
}

/** Refuse a universe id that names no universe (NOT_FOUND), before a job is started for it. */
function checkUniverse(engine: Engine, universe: string): void {
  if (!engine.db.prepare('SELECT 1 FROM universes WHERE id = ?').get(universe)) throw notFound(`universe ${universe}`);
}

/** An upload's file name made safe to create under the uploads folder. */
function safeName(name: string): string {
  const base = path
    .basename(name.replace(/\\/g, '/'))
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(-100);
  return base && base !== '.' && base !== '..' ? base : 'news.csv';
}

export const newsHandlers: Handlers<
  | 'news.previewImport'
  | 'news.previewImportText'
  | 'news.commitImport'
  | 'news.undoLastImport'
  | 'news.summary'
  | 'news.score'
> = {
  async 'news.previewImport'(req, engine, caller) {
    checkImportPaths({ paths: [req.path] }, engine, caller);
    return mapUnknown(async () => (await runNewsImport(engine.db, req.path, req.universe, { dryRun: true })).preview);
  },
  async 'news.previewImportText'(req, engine) {
    checkUniverse(engine, req.universe);
    const dir = path.join(uploadsDir(engine), randomUUID());
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, safeName(req.name));
    fs.writeFileSync(file, req.text);
    const { preview } = await runNewsImport(engine.db, file, req.universe, { dryRun: true });
    return { ...preview, uploadedPath: file };
  },
  'news.commitImport'(req, engine, caller) {
    checkImportPaths({ paths: [req.path] }, engine, caller);
    checkUniverse(engine, req.universe);
    return engine.jobs.start('news-import', req, `import news ${path.basename(req.path)} into ${req.universe}`);
  },
  'news.undoLastImport': (_req, engine) => writeTransaction(engine.db, () => undoLastNewsImport(engine.db)),
  'news.summary': (req, engine) => mapUnknown(() => newsSummary(engine.db, req.universe)),
  'news.score'(req, engine, caller) {
    const dir = path.resolve(req.modelDir);
    checkImportPaths({ paths: Object.values(MODEL_FILES).map((f) => path.join(dir, f)) }, engine, caller);
    checkImportPaths({ paths: modelFilePaths(dir) }, engine, caller);
    checkUniverse(engine, req.universe);
    return engine.jobs.start('news-score', req, `score news of ${req.universe} with ${path.basename(dir)}`);
  },
};
