/**
 * Market data: universes, their prices, and the CSV import with its preview. The renderer sends file paths: in
 * the headless host only the paths of files it uploaded with data.previewImportText, in the Electron shell also
 * the files its file dialog returned; the CLI may name any file. Nothing is written by a preview;
 * data.commitImport runs the import as a job.
 */
import { z } from 'zod';
import { Empty, Id, IsoDate, ShortText, method } from './define';
import { JobInfo } from './jobs';

/** A ticker as stored (assets.ticker): 1..32 characters, letters, digits and . ^ = _ & / - only. */
export const Ticker = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9.^=_&/-]+$/, 'a ticker: letters, digits and .^=_&/- only');
/** A file path on the engine's machine. */
export const FilePath = z.string().min(1).max(4096);

/** wide: date + one close column per ticker; long: date, ticker, fields; per-ticker: one Yahoo-style file per ticker */
export const ImportFormat = z.enum(['wide', 'long', 'per-ticker']);
export type ImportFormat = z.infer<typeof ImportFormat>;
/** What happens to a missing price inside a ticker's range: reject the import, or forward-fill it (flagged) */
export const FillPolicy = z.enum(['reject', 'ffill']);
export type FillPolicy = z.infer<typeof FillPolicy>;

export const DateRange = z.object({ from: IsoDate, to: IsoDate });

export const UniverseSummary = z.object({
  id: Id,
  name: z.string(),
  /** where the data came from (shown in the Data view) */
  source: z.string(),
  createdAt: z.string(),
  assetCount: z.number().int().nonnegative(),
  /** first and last date on which every member has a close (the aligned price matrix's range); null when none */
  from: IsoDate.nullable(),
  to: IsoDate.nullable(),
});
export type UniverseSummary = z.infer<typeof UniverseSummary>;

export const AssetCoverage = z.object({
  ticker: Ticker,
  name: z.string(),
  class: z.string(),
  sector: z.string(),
  /** 0-based column of the asset in the universe's price matrix */
  position: z.number().int().nonnegative(),
  first: IsoDate.nullable(),
  last: IsoDate.nullable(),
  bars: z.number().int().nonnegative(),
  /** bars forward-filled by an import's fill policy */
  filled: z.number().int().nonnegative(),
});
export type AssetCoverage = z.infer<typeof AssetCoverage>;

export const UniverseDetail = UniverseSummary.extend({
  assets: z.array(AssetCoverage),
  /** number of dates of the aligned matrix */
  alignedDates: z.number().int().nonnegative(),
});
export type UniverseDetail = z.infer<typeof UniverseDetail>;

export const PricesRequest = z
  .object({
    universe: Id,
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    /** keep at most this many dates (every k-th date, the last one always kept) for charts */
    maxPoints: z.number().int().min(2).max(20_000).optional(),
    /** a subset of the members (default all) */
    tickers: z.array(Ticker).min(1).max(2000).optional(),
  })
  .strict();
export const PricesResponse = z.object({
  universe: Id,
  tickers: z.array(Ticker),
  dates: z.array(IsoDate),
  /** close[t][i]: the close (adjusted where the data had an adjusted close) of tickers[i] on dates[t] */
  close: z.array(z.array(z.number())),
  /** dates in the aligned range before downsampling */
  totalDates: z.number().int().nonnegative(),
  /** 1 = every date; k = every k-th date */
  step: z.number().int().positive(),
});
export type PricesResponse = z.infer<typeof PricesResponse>;

/** Import a ticker of the files under another name (e.g. a second vendor's SPI as SPI_B). */
export const Rename = z.object({ from: Ticker, to: Ticker }).strict();
export type Rename = z.infer<typeof Rename>;

/** The consents and renames an import may carry (all off by default). */
const ImportChoices = {
  /** accept an import that shrinks the universe's common range (dates on which every member has a close) */
  allowShrink: z.boolean().optional(),
  /** accept prices outside the plausible range and hundredfold one-day moves (reported as warnings) */
  allowImplausible: z.boolean().optional(),
  /** tickers of the files imported under other names */
  rename: z.array(Rename).max(5000).optional(),
  /** a ticker already stored with different data is overwritten (its whole stored series; undo restores it) */
  replace: z.boolean().optional(),
};

export const ImportRequest = z
  .object({
    paths: z.array(FilePath).min(1).max(5000),
    /** universe name; its id is the name lower-cased with other characters than a-z 0-9 . _ - turned into '-' */
    universe: ShortText.min(1),
    format: ImportFormat.optional(),
    fill: FillPolicy.optional(),
    /** universe metadata file: CSV (ticker,name,class,sector) or JSON like the bundled .universe.json */
    meta: FilePath.optional(),
    ...ImportChoices,
  })
  .strict();
export type ImportRequest = z.infer<typeof ImportRequest>;

/** Largest uploaded file text (characters) accepted by data.previewImportText. */
export const MAX_UPLOAD_CHARS = 5_000_000;
export const UploadedFile = z.object({ name: ShortText.min(1), text: z.string().max(MAX_UPLOAD_CHARS) }).strict();

export const ImportTextRequest = z
  .object({
    /** file name as uploaded; for per-ticker files it names the ticker */
    name: ShortText.min(1),
    text: z.string().max(MAX_UPLOAD_CHARS),
    universe: ShortText.min(1),
    format: ImportFormat.optional(),
    fill: FillPolicy.optional(),
    metaFile: UploadedFile.optional(),
    ...ImportChoices,
  })
  .strict();

export const ProblemSeverity = z.enum(['error', 'warning']);
export const ImportProblem = z.object({
  severity: ProblemSeverity,
  /** stable machine code, e.g. bad-date, bad-number, missing-cell, jump */
  code: z.string(),
  file: z.string(),
  /** 1-based line where the record ends; null for file-level problems */
  line: z.number().int().positive().nullable(),
  /** 1-based field (column) number; null when the problem is not about one cell */
  col: z.number().int().positive().nullable(),
  message: z.string(),
});
export type ImportProblem = z.infer<typeof ImportProblem>;

export const TickerPreview = z.object({
  ticker: Ticker,
  /** not yet in the asset table */
  isNew: z.boolean(),
  /** already a member of the target universe */
  member: z.boolean(),
  first: IsoDate.nullable(),
  last: IsoDate.nullable(),
  /** cells with a price */
  values: z.number().int().nonnegative(),
  /** missing cells between the first and last price (gaps) */
  missing: z.number().int().nonnegative(),
  /** of those, forward-filled (fill policy ffill) */
  filled: z.number().int().nonnegative(),
  /** dates of the import before the first price / after the last price (never filled) */
  leading: z.number().int().nonnegative(),
  trailing: z.number().int().nonnegative(),
  /** bars already stored with the same values (not written again) */
  overlap: z.number().int().nonnegative(),
  /** day-over-day moves beyond the jump thresholds */
  jumps: z.number().int().nonnegative(),
  /** first and last date of the bars stored for this ticker before the import (null when none) */
  stored: DateRange.nullable(),
  /** imported bars whose values differ from the stored bar of the same date */
  conflicts: z.number().int().nonnegative(),
  /** the stored series is overwritten by this import's (replace) */
  replaces: z.boolean(),
});
export type TickerPreview = z.infer<typeof TickerPreview>;

export const ImportPreview = z.object({
  /** true when there is no error: a commit would write */
  ok: z.boolean(),
  universe: z.object({ id: Id, name: z.string(), exists: z.boolean() }),
  format: ImportFormat.nullable(),
  fill: FillPolicy,
  files: z.array(
    z.object({
      path: z.string(),
      format: ImportFormat.nullable(),
      detected: ImportFormat.nullable(),
      rows: z.number().int().nonnegative(),
      bytes: z.number().int().nonnegative(),
      sha256: z.string(),
    }),
  ),
  meta: z.object({ path: z.string(), assets: z.number().int().nonnegative() }).nullable(),
  dateRange: DateRange.nullable(),
  /** range where every imported ticker has a price (the aligned matrix of these tickers) */
  alignedRange: DateRange.nullable(),
  /**
   * The target universe's common range (latest first date to earliest last date of its members, as the universe
   * list shows it) before and after this import; shrinks when after starts later or ends earlier than before
   * (an error unless allowShrink).
   */
  universeRange: z.object({ before: DateRange.nullable(), after: DateRange.nullable(), shrinks: z.boolean() }),
  rows: z.number().int().nonnegative(),
  /** bars a commit writes (filled ones included, identical stored ones excluded) */
  bars: z.number().int().nonnegative(),
  missingCells: z.number().int().nonnegative(),
  filledCells: z.number().int().nonnegative(),
  tickers: z.array(TickerPreview),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  /** the first problems found (errors first), at most a few hundred; see problemsOmitted */
  problems: z.array(ImportProblem),
  problemsOmitted: z.number().int().nonnegative(),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const ImportTextPreview = ImportPreview.extend({
  /** where the uploaded text was written; pass it to data.commitImport as a path */
  uploadedPath: z.string(),
  uploadedMetaPath: z.string().nullable(),
});

export const ImportResult = z.object({
  batchId: z.number().int().positive(),
  universe: Id,
  createdUniverse: z.boolean(),
  tickers: z.number().int().nonnegative(),
  createdAssets: z.number().int().nonnegative(),
  bars: z.number().int().nonnegative(),
  /** stored bars of replaced tickers, set aside for undo */
  replacedBars: z.number().int().nonnegative(),
  filledCells: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const UndoResult = z.object({
  /** null when there was nothing to undo */
  undone: z
    .object({
      batchId: z.number().int().positive(),
      universe: z.string(),
      bars: z.number().int().nonnegative(),
      removedAssets: z.array(Ticker),
      removedMembers: z.array(Ticker),
      removedUniverse: z.boolean(),
      /** stored bars the import had replaced, put back as they were */
      restoredBars: z.number().int().nonnegative(),
      createdAt: z.string(),
    })
    .nullable(),
  message: z.string(),
});
export type UndoResult = z.infer<typeof UndoResult>;

export const dataMethods = {
  'data.universes': method(
    'Every universe with its asset count and aligned date range',
    Empty,
    z.array(UniverseSummary),
  ),
  'data.universe': method(
    'One universe: members with coverage, source line, aligned range',
    z.object({ id: Id }).strict(),
    UniverseDetail,
  ),
  'data.prices': method(
    "A universe's aligned closes over a date range, downsampled to maxPoints dates for charts",
    PricesRequest,
    PricesResponse,
  ),
  'data.previewImport': method(
    'Read and check files for an import without writing anything: format, tickers, range, gaps, problems',
    ImportRequest,
    ImportPreview,
  ),
  'data.previewImportText': method(
    'Preview an uploaded file (text up to 5 MB): written to a temporary file under the data folder, then previewed',
    ImportTextRequest,
    ImportTextPreview,
  ),
  'data.commitImport': method(
    'Run an import as a job (all or nothing, one transaction); the job result is an ImportResult',
    ImportRequest,
    JobInfo,
  ),
  'data.undoLastImport': method(
    'Remove the last import completely: its bars, and the assets, members and universe it created',
    Empty,
    UndoResult,
  ),
};
