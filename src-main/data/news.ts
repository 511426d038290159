/**
 * Importing news for MPLS's sentiment module (docs/news.md "The file"), the price import's way: the file is read
 * through the same user-file checks (files.ts: a regular file within MAX_NEWS_FILE_BYTES, never a FIFO or device),
 * streamed through csv-parse one chunk at a time, every row checked (newsRows.ts) with its file:line:column problems
 * (problems.ts), and a preview made before anything is written; a file with any error writes nothing.
 *
 * Memory stays bounded whatever the file's size: checked rows go into a temporary table of this connection (SQLite's
 * temp database, which takes no lock on the main file) a chunk at a time, the preview is computed from it in SQL,
 * and the commit copies it into `news` with one INSERT ... SELECT inside one short write transaction
 * (store/db.ts writeTransaction: a second writer waits for it, and it for them).
 *
 * A row is stored once per universe: its key is the sha256 of its content as imported plus which occurrence of
 * that content in the file it is, so importing the same file again adds nothing, two identical rows of one file
 * are both kept, and a second file repeating a row of the first adds it only when it repeats it more often.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import type { NewsImportResult, NewsPreview, NewsUndoResult } from '../../src-shared/contract/news';
import { JobCancelled } from '../jobs/context';
import { writeTransaction, writeTransactionSync, type DB } from '../store/db';
import { NO_SECTOR, SCORED_IN_FILE } from '../store/news';
import { UnknownUniverseError } from '../store/prices';
import { checkRow, mapHeader, type Column, type StagedRow, type UniverseMembers } from './newsRows';
import { openUserFile, readHead, UserFileError } from './files';
import { ProblemSink } from './problems';
import { sniffDelimiter } from './reader';
import { MAX_RECORD_CHARS } from './settings';

/** Largest news file an import reads, bytes: a million headlines with their metadata are about 200 MB. */
export const MAX_NEWS_FILE_BYTES = 512 * 1024 ** 2;
/** Rows staged per temp-database transaction (and between progress reports / cancellation checks). */
const STAGE_CHUNK_ROWS = 5_000;

let stageCount = 0;

/** The checked rows of one file in a temporary table of this connection (see the file overview). */
class NewsStage {
  readonly table = `temp.hdrl_news_stage_${process.pid}_${++stageCount}`;
  private readonly ins;

  constructor(private readonly db: DB) {
    db.exec(
      `CREATE TABLE ${this.table} (line INTEGER NOT NULL, content_hash TEXT NOT NULL, date TEXT NOT NULL, ticker TEXT, sector TEXT,
       source TEXT NOT NULL, text TEXT NOT NULL, positive REAL, neutral REAL, negative REAL)`,
    );
    this.ins = db.prepare(`INSERT INTO ${this.table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Stage rows in one transaction of the temp database (plain BEGIN: nothing locks the main file). */
  add(rows: readonly StagedRow[]): void {
    if (!rows.length) return;
    const own = !this.db.inTransaction;
    if (own) this.db.exec('BEGIN');
    try {
      for (const r of rows)
        this.ins.run(
          r.line,
          r.hash,
          r.date,
          r.ticker,
          r.sector,
          r.source,
          r.text,
          r.probs?.[0] ?? null,
          r.probs?.[1] ?? null,
          r.probs?.[2] ?? null,
        );
      if (own) this.db.exec('COMMIT');
    } catch (e) {
      if (own && this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /** The staged rows with their row keys (content hash : occurrence), as SQL to select from. */
  keyed(): string {
    return `(SELECT s.*, s.content_hash || ':' || ROW_NUMBER() OVER (PARTITION BY s.content_hash ORDER BY s.line) AS row_key FROM ${this.table} s)`;
  }

  drop(): void {
    if (this.db.open) this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
  }
}

/** The members of a universe: ticker -> sector, and sector (lower case) -> its name as stored. */
function universeMembers(db: DB, universeId: string): UniverseMembers {
  if (!db.prepare('SELECT 1 FROM universes WHERE id = ?').get(universeId)) throw new UnknownUniverseError(universeId);
  const rows = db
    .prepare(
      'SELECT m.ticker, a.sector FROM universe_members m JOIN assets a ON a.ticker = m.ticker WHERE m.universe_id = ?',
    )
    .all(universeId) as { ticker: string; sector: string }[];
  const sectors = new Map<string, string>();
  for (const r of rows) if (r.sector.trim()) sectors.set(r.sector.trim().toLowerCase(), r.sector.trim());
  return { tickers: new Map(rows.map((r) => [r.ticker, r.sector])), sectors };
}

/** What reading a news file found: the file, its problems, and (without errors) its staged rows. */
interface NewsRead {
  file: { path: string; absPath: string; bytes: number; sha256: string; rows: number };
  problems: ProblemSink;
  stage: NewsStage;
}

export interface NewsRunOptions {
  /** check and preview only */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** fraction of the file read, 0..1 */
  onProgress?: (fraction: number, message: string) => void;
}

/**
 * Read and check one news file into a stage (see the file overview). Takes the database, the path, the universe id
 * and the run options; gives what was read (the caller drops the stage). Throws UnknownUniverseError, JobCancelled.
 */
async function readNewsFile(db: DB, file: string, universeId: string, run: NewsRunOptions): Promise<NewsRead> {
  const members = universeMembers(db, universeId);
  const problems = new ProblemSink();
  const info = { path: file, absPath: path.resolve(file), bytes: 0, sha256: '', rows: 0 };
  const stage = new NewsStage(db);
  const out: NewsRead = { file: info, problems, stage };
  let fd: number;
  try {
    ({ fd, size: info.bytes } = openUserFile(info.absPath, MAX_NEWS_FILE_BYTES, 'news file'));
  } catch (e) {
    if (!(e instanceof UserFileError)) throw e;
    problems.error(e.code, file, null, null, e.message);
    return out;
  }
  if (info.bytes === 0) {
    fs.closeSync(fd);
    problems.error('empty-file', file, 1, null, 'the file is empty (no header)');
    return out;
  }
  const delimiter = sniffDelimiter(readHead(fd, Math.min(info.bytes, 65_536)).toString('utf8'));
  const hash = createHash('sha256');
  const rs = fs.createReadStream('', { fd, start: 0, end: info.bytes - 1, autoClose: true, highWaterMark: 1 << 18 });
  let read = 0;
  rs.on('data', (b) => {
    hash.update(b as Buffer);
    read += b.length;
  });
  const parser = rs.pipe(
    parse({
      info: true,
      max_record_size: MAX_RECORD_CHARS,
      bom: true,
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      delimiter,
    }),
  );
  let cols: Partial<Record<Column, number>> | null = null;
  let width = 0;
  let pending: StagedRow[] = [];
  let complete = true;
  try {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = r.info.lines;
      if (width === 0) {
        width = r.record.length;
        cols = mapHeader(r.record, problems, file, line);
        if (!cols) {
          complete = false;
          break;
        }
        continue;
      }
      info.rows++;
      const row = checkRow(r.record, width, cols!, members, problems, file, line);
      if (row) pending.push(row);
      if (pending.length >= STAGE_CHUNK_ROWS) {
        stage.add(pending);
        pending = [];
        if (run.signal?.aborted) throw new JobCancelled('news import');
        run.onProgress?.(read / info.bytes, `reading ${path.basename(file)}`);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } catch (e) {
    if (e instanceof JobCancelled) throw e;
    const err = e as { code?: string; message?: string; lines?: number };
    const line = typeof err.lines === 'number' && err.lines > 0 ? err.lines : null;
    problems.error(
      err.code === 'CSV_MAX_RECORD_SIZE' ? 'record-too-long' : 'malformed-csv',
      file,
      line,
      null,
      err.code === 'CSV_MAX_RECORD_SIZE'
        ? `a record longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters`
        : `malformed CSV: ${(err.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    complete = false;
  } finally {
    rs.destroy();
  }
  // rows are staged even after an error, so the preview counts the whole file; a commit refuses it anyway
  stage.add(pending);
  if (width > 0 && cols && info.rows === 0) problems.error('no-rows', file, 1, null, 'no news rows after the header');
  info.sha256 = complete ? hash.digest('hex') : '';
  run.onProgress?.(1, 'read');
  return out;
}

/** The preview of a read file (from its stage: see the file overview). */
function previewOf(db: DB, universeId: string, r: NewsRead): NewsPreview {
  const { problems: list, omitted } = r.problems.list();
  const base = {
    ok: !r.problems.hasErrors,
    universe: universeId,
    file: { path: r.file.path, rows: r.file.rows, bytes: r.file.bytes, sha256: r.file.sha256 },
    errors: r.problems.errors,
    warnings: r.problems.warnings,
    problems: list,
    problemsOmitted: omitted,
  };
  const t = r.stage.table;
  const s = db
    .prepare(`SELECT COUNT(*) AS rows, COUNT(positive) AS pre, MIN(date) AS first, MAX(date) AS last FROM ${t}`)
    .get() as { rows: number; pre: number; first: string | null; last: string | null };
  const fresh = (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM ${r.stage.keyed()} k WHERE NOT EXISTS (SELECT 1 FROM news n WHERE n.universe_id = ? AND n.row_key = k.row_key)`,
      )
      .get(universeId) as { n: number }
  ).n;
  const counts = db
    .prepare(
      `SELECT s.source AS source, COALESCE(NULLIF(TRIM(COALESCE(s.sector, a.sector)), ''), '${NO_SECTOR}') AS sector,
       COUNT(*) AS rows, COUNT(s.positive) AS scored
       FROM ${t} s LEFT JOIN assets a ON a.ticker = s.ticker GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all() as NewsPreview['counts'];
  return {
    ...base,
    rows: s.rows,
    newRows: fresh,
    alreadyStored: s.rows - fresh,
    preScored: s.pre,
    dateRange: s.first && s.last ? { from: s.first, to: s.last } : null,
    counts,
  };
}

/** Write the staged rows as one batch (the caller holds the write transaction). */
function writeStaged(db: DB, universeId: string, r: NewsRead): { batchId: number | null; added: number } {
  const batchId = Number(
    db
      .prepare('INSERT INTO news_batches (universe_id, file, sha256, rows, created_at) VALUES (?, ?, ?, 0, ?)')
      .run(universeId, r.file.absPath, r.file.sha256, new Date().toISOString()).lastInsertRowid,
  );
  const added = db
    .prepare(
      `INSERT INTO news (universe_id, batch_id, row_key, date, ticker, sector, source, text, positive, neutral, negative, scored_by)
       SELECT ?, ?, k.row_key, k.date, k.ticker, k.sector, k.source, k.text, k.positive, k.neutral, k.negative,
              CASE WHEN k.positive IS NULL THEN NULL ELSE '${SCORED_IN_FILE}' END
       FROM ${r.stage.keyed()} k
       WHERE NOT EXISTS (SELECT 1 FROM news n WHERE n.universe_id = ? AND n.row_key = k.row_key)
       ORDER BY k.line`,
    )
    .run(universeId, batchId, universeId).changes;
  if (added === 0) {
    db.prepare('DELETE FROM news_batches WHERE id = ?').run(batchId);
    return { batchId: null, added };
  }
  db.prepare('UPDATE news_batches SET rows = ? WHERE id = ?').run(added, batchId);
  return { batchId, added };
}

/**
 * Read, check and preview a news file and, unless a dry run or an error, write it in one transaction. Takes the
 * database, the path, the universe id and the run options; gives the preview and the result (null when nothing
 * was written). Throws UnknownUniverseError for an unknown universe, JobCancelled when the signal aborts (nothing
 * written).
 */
export async function runNewsImport(
  db: DB,
  file: string,
  universeId: string,
  run: NewsRunOptions = {},
): Promise<{ preview: NewsPreview; result: NewsImportResult | null }> {
  const r = await readNewsFile(db, file, universeId, run);
  try {
    const preview = previewOf(db, universeId, r);
    if (run.dryRun || !preview.ok) return { preview, result: null };
    if (run.signal?.aborted) throw new JobCancelled('news import');
    const w = await writeTransaction(db, () => writeStaged(db, universeId, r));
    return {
      preview,
      result: {
        batchId: w.batchId,
        universe: universeId,
        added: w.added,
        alreadyStored: preview.rows - w.added,
        warnings: preview.warnings,
      },
    };
  } finally {
    r.stage.drop();
  }
}

/**
 * Remove the rows of the most recent news import not undone yet (rows it found stored already are not its own and
 * stay); the batch row stays, marked undone. One transaction. Gives what was removed.
 */
export function undoLastNewsImport(db: DB): NewsUndoResult {
  return writeTransactionSync(db, (): NewsUndoResult => {
    const b = db
      .prepare('SELECT id, universe_id, created_at FROM news_batches WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1')
      .get() as { id: number; universe_id: string; created_at: string } | undefined;
    if (!b) return { undone: null, message: 'nothing to undo (no news import)' };
    const rows = db.prepare('DELETE FROM news WHERE batch_id = ?').run(b.id).changes;
    db.prepare('UPDATE news_batches SET undone_at = ? WHERE id = ?').run(new Date().toISOString(), b.id);
    return {
      undone: { batchId: b.id, universe: b.universe_id, rows, createdAt: b.created_at },
      message: `undid news import ${b.id} into ${b.universe_id}: ${rows} row${rows === 1 ? '' : 's'} removed`,
    };
  });
}
