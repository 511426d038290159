/**
 * News for MPLS's sentiment module (docs/news.md): importing a CSV of news rows into a universe with a preview,
 * undoing the last news import, a universe's news counts and whether the sentiment module can run on them, and
 * scoring the unscored rows with a FinBERT model. Paths follow the price import's rules (data.ts): the browser names
 * only files it uploaded (news.previewImportText), the desktop window also files its dialog returned, the CLI any.
 * Committing and scoring run as jobs.
 */
import { z } from 'zod';
import { Id, ShortText, method, Empty } from './define';
import { DateRange, FilePath, ImportProblem, MAX_UPLOAD_CHARS } from './data';
import { JobInfo } from './jobs';

/** Where a news row came from: news wire, social media, an earnings release or call, anything else. */
export const NEWS_SOURCES = ['news', 'social', 'earnings', 'other'] as const;
export const NewsSource = z.enum(NEWS_SOURCES);
export type NewsSource = z.infer<typeof NewsSource>;

export const NewsImportRequest = z
  .object({
    path: FilePath,
    /** the universe the rows belong to (it must exist: tickers and sectors are checked against its members) */
    universe: Id,
  })
  .strict();
export type NewsImportRequest = z.infer<typeof NewsImportRequest>;

export const NewsImportTextRequest = z
  .object({ name: ShortText.min(1), text: z.string().max(MAX_UPLOAD_CHARS), universe: Id })
  .strict();

/** Rows per source and sector (a ticker's row counts under its asset's sector), and how many are scored. */
export const NewsCount = z.object({
  source: NewsSource,
  sector: z.string(),
  rows: z.number().int().nonnegative(),
  scored: z.number().int().nonnegative(),
});
export type NewsCount = z.infer<typeof NewsCount>;

export const NewsPreview = z.object({
  /** true when there is no error: a commit would write */
  ok: z.boolean(),
  universe: Id,
  file: z.object({
    path: z.string(),
    rows: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    sha256: z.string(),
  }),
  /** rows read without an error */
  rows: z.number().int().nonnegative(),
  /** of those, rows a commit adds (the rest are stored already: same content, see docs/news.md) */
  newRows: z.number().int().nonnegative(),
  alreadyStored: z.number().int().nonnegative(),
  /** rows that carry probabilities (need no model) */
  preScored: z.number().int().nonnegative(),
  dateRange: DateRange.nullable(),
  counts: z.array(NewsCount),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  problems: z.array(ImportProblem),
  problemsOmitted: z.number().int().nonnegative(),
});
export type NewsPreview = z.infer<typeof NewsPreview>;

export const NewsTextPreview = NewsPreview.extend({
  /** where the uploaded text was written; pass it to news.commitImport as its path */
  uploadedPath: z.string(),
});

export const NewsImportResult = z.object({
  /** null when every row was stored already (nothing written, no batch) */
  batchId: z.number().int().positive().nullable(),
  universe: Id,
  added: z.number().int().nonnegative(),
  alreadyStored: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
});
export type NewsImportResult = z.infer<typeof NewsImportResult>;

export const NewsUndoResult = z.object({
  undone: z
    .object({
      batchId: z.number().int().positive(),
      universe: z.string(),
      rows: z.number().int().nonnegative(),
      createdAt: z.string(),
    })
    .nullable(),
  message: z.string(),
});
export type NewsUndoResult = z.infer<typeof NewsUndoResult>;

export const NewsSummary = z.object({
  universe: Id,
  rows: z.number().int().nonnegative(),
  scored: z.number().int().nonnegative(),
  /** scored rows that came scored in the file */
  preScored: z.number().int().nonnegative(),
  /** the models that scored rows: sha256 of model.onnx and the rows each scored */
  models: z.array(z.object({ sha256: z.string(), rows: z.number().int().nonnegative() })),
  dateRange: DateRange.nullable(),
  counts: z.array(NewsCount),
  /** whether MPLS's sentiment module can run on this news, and why not (the training days are checked per run) */
  sentiment: z.object({ on: z.boolean(), reason: z.string().optional() }),
});
export type NewsSummary = z.infer<typeof NewsSummary>;

export const NewsScoreRequest = z
  .object({
    universe: Id,
    /** a directory holding model.onnx and vocab.txt (tokenizer_config.json and config.json optional) */
    modelDir: FilePath,
    batchSize: z.number().int().min(1).max(256).optional(),
    maxLength: z.number().int().min(2).max(512).optional(),
  })
  .strict();
export type NewsScoreRequest = z.infer<typeof NewsScoreRequest>;

export const NewsScoreResult = z.object({
  universe: Id,
  scored: z.number().int().nonnegative(),
  model: z.string(),
  /** which logit is which label: config.json, or the ProsusAI/finbert order assumed */
  labels: z.string(),
});
export type NewsScoreResult = z.infer<typeof NewsScoreResult>;

export const newsMethods = {
  'news.previewImport': method(
    'Read and check a news CSV for a universe without writing anything: rows, new rows, counts, problems',
    NewsImportRequest,
    NewsPreview,
  ),
  'news.previewImportText': method(
    'Preview an uploaded news CSV (text up to 5 MB): written under the uploads folder, then previewed',
    NewsImportTextRequest,
    NewsTextPreview,
  ),
  'news.commitImport': method(
    'Import a news CSV as a job (all or nothing; rows stored already are not added again); the result is a NewsImportResult',
    NewsImportRequest,
    JobInfo,
  ),
  'news.undoLastImport': method('Remove the rows of the last news import', Empty, NewsUndoResult),
  'news.summary': method(
    "A universe's news: rows per source and sector, scored or not, the date range, and whether the sentiment module can run",
    z.object({ universe: Id }).strict(),
    NewsSummary,
  ),
  'news.score': method(
    "Score a universe's unscored news with a FinBERT model directory as a job; the result is a NewsScoreResult",
    NewsScoreRequest,
    JobInfo,
  ),
};
