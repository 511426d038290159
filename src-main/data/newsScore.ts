/**
 * Scoring a universe's unscored news with a FinBERT model directory (docs/news.md "Scoring"). The directory's files
 * are read through the import's user-file checks (files.ts: regular files within their limits, never a FIFO or a
 * device); which directories a caller may name at all is the service's check (services/news.ts). The model scores
 * the rows a page at a time (compute/onnx/finbert.ts) and each page is written in its own short write transaction
 * with the model's sha256, so other writers wait little, a cancelled run keeps the pages it finished, and a second
 * run carries on where the first stopped.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NewsScoreResult } from '../../src-shared/contract/news';
import { FinbertError, FinbertScorer, type FinbertFiles, type FinbertOptions } from '../compute/onnx/finbert';
import { JobCancelled } from '../jobs/context';
import { writeTransaction, type DB } from '../store/db';
import { unscoredCount, unscoredNews, writeScores } from '../store/news';
import { UnknownUniverseError } from '../store/prices';
import { readUserFile, UserFileError } from './files';

/** Largest model.onnx read, bytes (FinBERT-base is about 440 MB; a large BERT about 1.3 GB). */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3;
/** Largest vocab.txt and JSON configuration read, bytes (BERT's vocabulary is about 230 kB). */
export const MAX_TOKENIZER_FILE_BYTES = 16 * 1024 ** 2;
/** Rows scored and written per page (several model batches). */
const PAGE_ROWS = 256;

/** The files of a model directory: the two needed ones and the two optional ones (see the file overview). */
export const MODEL_FILES = { model: 'model.onnx', vocab: 'vocab.txt' } as const;
export const OPTIONAL_MODEL_FILES = { tokenizerConfig: 'tokenizer_config.json', config: 'config.json' } as const;

/** Paths of a model directory's files a scorer may read (the optional ones only where they exist). */
export function modelFilePaths(dir: string): string[] {
  const abs = path.resolve(dir);
  return [
    ...Object.values(MODEL_FILES).map((f) => path.join(abs, f)),
    ...Object.values(OPTIONAL_MODEL_FILES)
      .map((f) => path.join(abs, f))
      .filter((p) => fs.existsSync(p)),
  ];
}

/**
 * Read a FinBERT model directory. Takes its path; gives its files. Throws FinbertError naming the file that is
 * missing or cannot be read (not a regular file, too large).
 */
export function readModelDir(dir: string): FinbertFiles {
  const abs = path.resolve(dir);
  const read = (name: string, max: number, optional: boolean): Buffer | null => {
    const p = path.join(abs, name);
    if (optional && !fs.existsSync(p)) return null;
    try {
      return readUserFile(p, max, name);
    } catch (e) {
      if (e instanceof UserFileError)
        throw new FinbertError(
          `${e.message} in ${dir} (a FinBERT model directory holds model.onnx and vocab.txt, optionally tokenizer_config.json and config.json)`,
        );
      throw e;
    }
  };
  return {
    model: read(MODEL_FILES.model, MAX_MODEL_BYTES, false)!,
    vocab: read(MODEL_FILES.vocab, MAX_TOKENIZER_FILE_BYTES, false)!.toString('utf8'),
    tokenizerConfig:
      read(OPTIONAL_MODEL_FILES.tokenizerConfig, MAX_TOKENIZER_FILE_BYTES, true)?.toString('utf8') ?? null,
    config: read(OPTIONAL_MODEL_FILES.config, MAX_TOKENIZER_FILE_BYTES, true)?.toString('utf8') ?? null,
  };
}

export interface ScoreRunOptions extends FinbertOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string, figures?: Record<string, number>) => void;
}

/**
 * Score every unscored row of a universe with the model in `dir`. Takes the database, the universe id, the
 * directory and the options; gives how many rows were scored, the model's sha256 and where the label order came
 * from. Throws UnknownUniverseError, FinbertError / TokenizerError for an unusable model, JobCancelled when the
 * signal aborts (pages written so far stay).
 */
export async function scoreNews(
  db: DB,
  universeId: string,
  dir: string,
  run: ScoreRunOptions = {},
): Promise<NewsScoreResult> {
  if (!db.prepare('SELECT 1 FROM universes WHERE id = ?').get(universeId)) throw new UnknownUniverseError(universeId);
  const scorer = await FinbertScorer.open(readModelDir(dir), run);
  try {
    const total = unscoredCount(db, universeId);
    let scored = 0;
    let after = 0;
    run.onProgress?.(0, `scoring ${total} rows`, { scored: 0, total });
    for (;;) {
      const page = unscoredNews(db, universeId, after, PAGE_ROWS);
      if (!page.length) break;
      let probs;
      try {
        probs = await scorer.score(
          page.map((r) => r.text),
          { signal: run.signal },
        );
      } catch (e) {
        if (run.signal?.aborted) throw new JobCancelled('news scoring');
        throw e;
      }
      const rows = page.map((r, i) => ({ id: r.id, ...probs[i]! }));
      scored += await writeTransaction(db, () => writeScores(db, rows, scorer.sha256));
      after = page[page.length - 1]!.id;
      run.onProgress?.(total ? Math.min(1, scored / total) : 1, `scored ${scored} of ${total} rows`, { scored, total });
      if (run.signal?.aborted) throw new JobCancelled('news scoring');
    }
    return { universe: universeId, scored, model: scorer.sha256, labels: scorer.labelSource };
  } finally {
    await scorer.dispose();
  }
}
