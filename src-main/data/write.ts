/**
 * Writing a checked import, all or nothing, and undoing the last one (docs/architecture.md "Storage": transactional writes).
 *
 * One transaction per import: the import_batches row, the universe (when new), the assets, the members and every
 * bar. It holds the write lock briefly, so other processes (the desk saving a note, a backtest storing a run)
 * wait little: the plan is made and the bars are staged in a temporary table (StagedBars) before the lock is
 * taken, and the transaction copies them with INSERT ... SELECT, checking first that nobody wrote meanwhile
 * (else planning again under the lock). The async writer yields to the event loop between staged chunks of
 * WRITE_CHUNK_BARS (progress, cancellation). A crash or kill at any point leaves the database as it was: staging
 * touches only the temp database, and SQLite's WAL discards frames of a transaction that never committed.
 *
 * A ticker the plan replaces has its stored bars moved to replaced_bars under the new batch (every column, and
 * the batch that wrote each) before the file's bars go in; undoing the batch moves them back.
 */
import type { ImportResult, UndoResult } from '../../src-shared/contract/data';
import { writeTransaction, writeTransactionSync, type DB } from '../store/db';
import type { UniverseMeta } from './meta';
import { planImport, type ImportPlan, type PlanOptions } from './plan';
import type { ProblemSink } from './problems';
import { JobCancelled } from '../jobs/context';
import type { Collected } from './reader';
import { importCacheMib, WRITE_CHUNK_BARS } from './settings';

export type BatchKind = 'import' | 'bundled' | 'download';

/** Thrown when an undo would break something stored later (runs on the universe it created). */
export class ImportConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportConflict';
  }
}

const nullIfNaN = (v: number) => (Number.isNaN(v) ? null : v);

/** Columns of a staged bar, in the order of the staging table (the bars columns but batch_id). */
const STAGE_COLUMNS = 'ticker, date, open, high, low, close, adj_close, volume, filled';
let stageCount = 0;

/**
 * The bars of a plan staged in a temporary table of this connection (SQLite's temp database, a file of its own),
 * so that writing them to `bars` later is one INSERT ... SELECT inside the short write transaction. Staging
 * writes only the temp database: it takes no lock on the main file and other processes write meanwhile (its
 * chunk transactions are plain BEGIN for that reason, not IMMEDIATE, which would lock the main file).
 */
class StagedBars {
  readonly table = `temp.hdrl_import_stage_${process.pid}_${++stageCount}`;

  constructor(private readonly db: DB) {
    db.exec(
      `CREATE TABLE ${this.table} (ticker TEXT NOT NULL, date TEXT NOT NULL, open REAL, high REAL, low REAL, close REAL NOT NULL, adj_close REAL, volume REAL, filled INTEGER NOT NULL)`,
    );
  }

  /**
   * Stage the bars of `plan` (replacing whatever was staged), ticker-major and date-minor — the order of the bars
   * primary key, so the copy grows that B-tree at its end. Yields the number staged after each chunk of
   * WRITE_CHUNK_BARS (each chunk committed to the temp database); returns the number staged.
   */
  *fill(plan: ImportPlan): Generator<number, number> {
    const db = this.db;
    db.exec(`DELETE FROM ${this.table}`);
    const insBar = db.prepare(`INSERT INTO ${this.table} (${STAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // bars with a close only (wide files): a statement binding 3 values instead of 9
    const insClose = db.prepare(`INSERT INTO ${this.table} (ticker, date, close, filled) VALUES (?, ?, ?, 0)`);
    const ordered = [...plan.series].sort((a, b) => (a.series.ticker < b.series.ticker ? -1 : 1));
    let staged = 0;
    let inChunk = 0;
    // inside the import's write transaction (staging again after a change) the rows join that transaction
    const own = !db.inTransaction;
    if (own) db.exec('BEGIN');
    try {
      for (const sp of ordered) {
        const s = sp.series;
        const closeOnly = Object.keys(s.fields).length === 0;
        for (let w = 0; w < sp.write.length; w++) {
          const e = sp.write[w]!;
          if (e >= 0 && closeOnly) {
            insClose.run(s.ticker, plan.calendar[plan.rankOf[s.date.get(e)]!]!, s.close.get(e));
          } else if (e >= 0) {
            insBar.run(
              s.ticker,
              plan.calendar[plan.rankOf[s.date.get(e)]!]!,
              nullIfNaN(s.opt('open', e)),
              nullIfNaN(s.opt('high', e)),
              nullIfNaN(s.opt('low', e)),
              s.close.get(e),
              nullIfNaN(s.opt('adj', e)),
              nullIfNaN(s.opt('volume', e)),
              0,
            );
          } else {
            const k = -e - 1;
            const from = sp.fillFrom[k]!;
            insBar.run(
              s.ticker,
              plan.calendar[sp.fillRank[k]!]!,
              null,
              null,
              null,
              s.close.get(from),
              nullIfNaN(s.opt('adj', from)),
              null,
              1,
            );
          }
          staged++;
          if (++inChunk >= WRITE_CHUNK_BARS && own) {
            inChunk = 0;
            db.exec('COMMIT');
            yield staged;
            db.exec('BEGIN');
          }
        }
      }
      if (own) db.exec('COMMIT');
    } catch (e) {
      if (own && db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
    return staged;
  }

  /** Copy every staged bar into `bars` under batch `batchId`, in chunks (onChunk(copied) after each); returns the count. */
  copyInto(batchId: number, onChunk?: (copied: number) => void): number {
    const db = this.db;
    const copy = db.prepare(
      `INSERT INTO bars (${STAGE_COLUMNS}, batch_id) SELECT ${STAGE_COLUMNS}, ? FROM ${this.table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid`,
    );
    const last = (db.prepare(`SELECT COALESCE(MAX(rowid), 0) AS n FROM ${this.table}`).get() as { n: number }).n;
    let copied = 0;
    for (let from = 0; from < last; from += WRITE_CHUNK_BARS) {
      copied += copy.run(batchId, from, Math.min(last, from + WRITE_CHUNK_BARS)).changes;
      onChunk?.(copied);
    }
    return copied;
  }

  drop(): void {
    if (this.db.open) this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
  }
}

/** Do two plans write the same bars (same tickers, entries, fills and replacements)? Then the same rows are staged. */
function sameBars(a: ImportPlan, b: ImportPlan): boolean {
  const eq = (x: Int32Array, y: Int32Array) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.series.length === b.series.length &&
    a.series.every((sa, i) => {
      const sb = b.series[i]!;
      return (
        sa.series.ticker === sb.series.ticker &&
        sa.replace === sb.replace &&
        eq(sa.write, sb.write) &&
        eq(sa.fillRank, sb.fillRank) &&
        eq(sa.fillFrom, sb.fillFrom)
      );
    })
  );
}

/**
 * A copy of a problem sink (its fields copied deep): each plan of one import starts from the problems the
 * reading found, so planning again inside the write transaction does not report a problem twice.
 */
function sinkCopy(p: ProblemSink): ProblemSink {
  return Object.assign(Object.create(Object.getPrototypeOf(p) as object) as ProblemSink, structuredClone({ ...p }));
}

/** Everything an import has ready before it asks for the write lock. */
interface Prepared {
  c: Collected;
  meta: UniverseMeta | null;
  opts: PlanOptions;
  kind: BatchKind;
  /** the problems found while reading, before any plan */
  readProblems: ProblemSink;
  /** PRAGMA data_version before the plan was made: another connection's commit since then changes it */
  version: number;
  plan: ImportPlan;
  stage: StagedBars;
  /** checked inside the write transaction: when it gives false nothing is written (skipped) */
  onlyIf?: () => boolean;
}

/** Make the plan outside the write lock (on a copy of the read problems; see Prepared). */
function planOutside(
  db: DB,
  c: Collected,
  meta: UniverseMeta | null,
  opts: PlanOptions,
): { readProblems: ProblemSink; version: number; plan: ImportPlan } {
  const readProblems = sinkCopy(c.problems);
  const version = db.pragma('data_version', { simple: true }) as number;
  return { readProblems, version, plan: planImport(db, { ...c, problems: sinkCopy(readProblems) }, meta, opts) };
}

/**
 * The write transaction of an import (its body: the caller holds the write lock). When another connection
 * committed since the plan was made, the import is planned again here, against what is stored now, and its bars
 * staged again if they changed; so the check and the write still see the same database. Then the universe, the
 * batch row, the assets, the members, the replaced bars and the staged bars are written. `onCopied(n)` counts
 * bars copied. This connection must not write anything else between the plan and this call (an import runs
 * alone on its connection: job process, command line, start of the engine).
 */
function writePrepared(db: DB, p: Prepared, onCopied?: (copied: number) => void): CommitOutcome {
  let plan = p.plan;
  if (p.onlyIf && !p.onlyIf()) return { plan, result: null, skipped: true };
  if ((db.pragma('data_version', { simple: true }) as number) !== p.version) {
    plan = planImport(db, { ...p.c, problems: sinkCopy(p.readProblems) }, p.meta, p.opts);
    if (!plan.ok) return { plan, result: null };
    // staged again inside this transaction: a rollback brings back the rows of p.plan, so a retry compares with it
    if (!sameBars(plan, p.plan)) for (const _ of p.stage.fill(plan));
  }
  const { c, kind } = p;
  const now = new Date().toISOString();
  const u = plan.universe;
  if (!u.exists)
    db.prepare('INSERT INTO universes (id, name, source, created_at) VALUES (?, ?, ?, ?)').run(
      u.id,
      u.name,
      u.source,
      now,
    );
  const files = c.files.map((f) => ({
    path: f.absPath,
    sha256: f.sha256,
    format: f.format,
    rows: f.rows,
    bytes: f.bytes,
  }));
  const batchId = Number(
    db
      .prepare(
        `INSERT INTO import_batches (universe_id, files, format, fill_policy, rows, filled_cells, created_universe, created_assets, created_at, kind, added_members, asset_updates, bars)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        u.id,
        JSON.stringify(files),
        plan.format ?? 'mixed',
        plan.fill,
        c.rows,
        plan.filledCells,
        u.exists ? 0 : 1,
        JSON.stringify(plan.newAssets.map((a) => a.ticker)),
        now,
        kind,
        JSON.stringify(plan.newMembers),
        JSON.stringify(plan.assetUpdates.map((x) => ({ ticker: x.ticker, ...x.before }))),
        plan.bars,
      ).lastInsertRowid,
  );
  const insAsset = db.prepare('INSERT INTO assets (ticker, name, class, sector) VALUES (?, ?, ?, ?)');
  for (const a of plan.newAssets) insAsset.run(a.ticker, a.name, a.class, a.sector);
  const updAsset = db.prepare('UPDATE assets SET name = ?, class = ?, sector = ? WHERE ticker = ?');
  for (const x of plan.assetUpdates) updAsset.run(x.after.name, x.after.class, x.after.sector, x.ticker);
  const maxPos = (
    db.prepare('SELECT COALESCE(MAX(position), -1) AS p FROM universe_members WHERE universe_id = ?').get(u.id) as {
      p: number;
    }
  ).p;
  const insMember = db.prepare('INSERT INTO universe_members (universe_id, ticker, position) VALUES (?, ?, ?)');
  plan.newMembers.forEach((t, i) => insMember.run(u.id, t, maxPos + 1 + i));

  const keepReplaced = db.prepare(
    `INSERT INTO replaced_bars (batch_id, ticker, date, open, high, low, close, adj_close, volume, filled, written_by)
     SELECT ?, ticker, date, open, high, low, close, adj_close, volume, filled, batch_id FROM bars WHERE ticker = ?`,
  );
  const dropStored = db.prepare('DELETE FROM bars WHERE ticker = ?');
  let replacedBars = 0;
  for (const sp of plan.series) {
    if (!sp.replace) continue;
    replacedBars += keepReplaced.run(batchId, sp.series.ticker).changes;
    dropStored.run(sp.series.ticker);
  }
  const written = p.stage.copyInto(batchId, onCopied);
  return {
    plan,
    result: {
      batchId,
      universe: u.id,
      createdUniverse: !u.exists,
      tickers: plan.series.length,
      createdAssets: plan.newAssets.length,
      bars: written,
      replacedBars,
      filledCells: plan.filledCells,
      warnings: plan.preview.warnings,
    },
  };
}

export interface CommitOutcome {
  plan: ImportPlan;
  /** null when the plan had errors or the import was skipped (nothing written) */
  result: ImportResult | null;
  /** true when `onlyIf` gave false inside the write transaction (nothing written) */
  skipped?: boolean;
}

/**
 * Check and write an import synchronously: plan and stage the bars outside the write lock, then write everything
 * in one IMMEDIATE transaction (store/db.ts writeTransactionSync), which checks again when another process wrote
 * meanwhile (writePrepared). Takes the database, the collected files, the meta, the plan options, the batch
 * kind and an optional condition checked inside the transaction (false: nothing is written, `skipped`); gives
 * the plan and the result (null and nothing written when there are errors).
 */
export function commitImportSync(
  db: DB,
  c: Collected,
  meta: UniverseMeta | null,
  opts: PlanOptions,
  kind: BatchKind = 'import',
  onlyIf?: () => boolean,
): CommitOutcome {
  const first = planOutside(db, c, meta, opts);
  if (!first.plan.ok) return { plan: first.plan, result: null };
  const stage = new StagedBars(db);
  try {
    for (const _ of stage.fill(first.plan));
    const p: Prepared = { c, meta, opts, kind, ...first, stage, onlyIf };
    return writeTransactionSync(db, () => writePrepared(db, p));
  } finally {
    stage.drop();
  }
}

/** Share of an import's write progress given to staging the bars (the rest: copying them under the lock). */
const STAGE_SHARE = 0.5;

/**
 * The same as commitImportSync for a job or the command line: staging yields to the event loop between chunks
 * so progress is reported and a cancel request (signal) honoured (JobCancelled is thrown, nothing written);
 * the write transaction is taken without blocking the event loop (store/db.ts writeTransaction) and reports
 * progress between chunks of the copy. `onProgress(written, total)` counts bars through both steps, staging as
 * the first STAGE_SHARE of them.
 */
export async function commitImport(
  db: DB,
  c: Collected,
  meta: UniverseMeta | null,
  opts: PlanOptions,
  run: { kind?: BatchKind; signal?: AbortSignal; onProgress?: (written: number, total: number) => void } = {},
): Promise<CommitOutcome> {
  const cacheBefore = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${-importCacheMib() * 1024}`);
  const first = planOutside(db, c, meta, opts);
  if (!first.plan.ok) {
    db.pragma(`cache_size = ${cacheBefore}`);
    return { plan: first.plan, result: null };
  }
  const total = first.plan.bars;
  const report = (share: number) => run.onProgress?.(Math.min(total, Math.floor(share * total)), total);
  const stage = new StagedBars(db);
  try {
    report(0);
    const g = stage.fill(first.plan);
    for (let r = g.next(); !r.done; r = g.next()) {
      report((STAGE_SHARE * r.value) / Math.max(1, total));
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (run.signal?.aborted) throw new JobCancelled('import');
    }
    if (run.signal?.aborted) throw new JobCancelled('import');
    const p: Prepared = { c, meta, opts, kind: run.kind ?? 'import', ...first, stage };
    const out = await writeTransaction(db, () =>
      writePrepared(db, p, (copied) => report(STAGE_SHARE + ((1 - STAGE_SHARE) * copied) / Math.max(1, total))),
    );
    if (out.result) run.onProgress?.(out.result.bars, out.result.bars);
    return out;
  } finally {
    stage.drop();
    db.pragma(`cache_size = ${cacheBefore}`);
  }
}

/**
 * Remove the most recent import that is not undone yet (the bundled data set is never undone): its bars, the
 * members it added, the universe it created (refused while runs use it), the assets it created (those no other
 * bar or universe uses), and the asset metadata it overwrote is restored. The batch row stays, marked undone.
 * One transaction. Takes the database; gives what was removed (undone: null when there was nothing to undo).
 */
export function undoLastImport(db: DB): UndoResult {
  return writeTransactionSync(db, (): UndoResult => {
    const b = db
      .prepare(
        `SELECT id, universe_id, created_universe, created_assets, added_members, asset_updates, created_at FROM import_batches WHERE undone_at IS NULL AND kind != 'bundled' ORDER BY id DESC LIMIT 1`,
      )
      .get() as
      | {
          id: number;
          universe_id: string;
          created_universe: number;
          created_assets: string;
          added_members: string;
          asset_updates: string;
          created_at: string;
        }
      | undefined;
    if (!b) return { undone: null, message: 'nothing to undo (no import besides the bundled data set)' };
    if (b.created_universe) {
      const runs = (
        db.prepare('SELECT COUNT(*) AS n FROM runs WHERE universe_id = ?').get(b.universe_id) as { n: number }
      ).n;
      if (runs > 0)
        throw new ImportConflict(
          `cannot undo import ${b.id}: ${runs} run${runs === 1 ? '' : 's'} use universe ${b.universe_id}; delete them first`,
        );
    }
    const bars = db.prepare('DELETE FROM bars WHERE batch_id = ?').run(b.id).changes;
    const restoredBars = db
      .prepare(
        `INSERT INTO bars (ticker, date, open, high, low, close, adj_close, volume, filled, batch_id)
         SELECT ticker, date, open, high, low, close, adj_close, volume, filled, written_by FROM replaced_bars WHERE batch_id = ?`,
      )
      .run(b.id).changes;
    db.prepare('DELETE FROM replaced_bars WHERE batch_id = ?').run(b.id);
    const addedMembers = JSON.parse(b.added_members) as string[];
    const delMember = db.prepare('DELETE FROM universe_members WHERE universe_id = ? AND ticker = ?');
    for (const t of addedMembers) delMember.run(b.universe_id, t);
    if (b.created_universe) {
      db.prepare('DELETE FROM universe_members WHERE universe_id = ?').run(b.universe_id);
      db.prepare('DELETE FROM universes WHERE id = ?').run(b.universe_id);
    }
    const upd = db.prepare('UPDATE assets SET name = ?, class = ?, sector = ? WHERE ticker = ?');
    for (const a of JSON.parse(b.asset_updates) as { ticker: string; name: string; class: string; sector: string }[])
      upd.run(a.name, a.class, a.sector, a.ticker);
    const used = db.prepare(
      'SELECT (SELECT COUNT(*) FROM bars WHERE ticker = ?) + (SELECT COUNT(*) FROM universe_members WHERE ticker = ?) AS n',
    );
    const delAsset = db.prepare('DELETE FROM assets WHERE ticker = ?');
    const removedAssets: string[] = [];
    for (const t of JSON.parse(b.created_assets) as string[]) {
      if ((used.get(t, t) as { n: number }).n > 0) continue;
      delAsset.run(t);
      removedAssets.push(t);
    }
    db.prepare('UPDATE import_batches SET undone_at = ? WHERE id = ?').run(new Date().toISOString(), b.id);
    return {
      undone: {
        batchId: b.id,
        universe: b.universe_id,
        bars,
        removedAssets,
        removedMembers: addedMembers,
        removedUniverse: b.created_universe === 1,
        restoredBars,
        createdAt: b.created_at,
      },
      message:
        `undid import ${b.id} into ${b.universe_id}: ${bars} bars, ${addedMembers.length} members${b.created_universe ? ', the universe' : ''}, ${removedAssets.length} assets removed` +
        (restoredBars ? `; ${restoredBars} replaced bars restored` : ''),
    };
  });
}
