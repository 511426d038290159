/**
 * Writing a checked import, all or nothing, and undoing the last one (design.md "Storage": transactional writes).
 *
 * One transaction per import: the import_batches row, the universe (when new), the assets, the members and every
 * bar. The async writer inserts bars in chunks of WRITE_CHUNK_BARS and yields to the event loop between chunks
 * (progress, cancellation) while the transaction stays open; a crash or kill at any point leaves the database as
 * it was (SQLite's WAL discards frames of a transaction that never committed).
 */
import type { ImportResult, UndoResult } from '../../src-shared/contract/data';
import type { DB } from '../store/db';
import type { UniverseMeta } from './meta';
import { planImport, type ImportPlan, type PlanOptions } from './plan';
import { ImportCancelled, type Collected } from './reader';
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

/**
 * The writes of a plan as a generator: yields the number of bars written after each chunk, returns the result.
 * Must run inside a transaction (the drivers below open it).
 */
function* writeSteps(db: DB, c: Collected, plan: ImportPlan, kind: BatchKind): Generator<number, ImportResult> {
  const now = new Date().toISOString();
  const u = plan.universe;
  if (!u.exists) db.prepare('INSERT INTO universes (id, name, source, created_at) VALUES (?, ?, ?, ?)').run(u.id, u.name, u.source, now);
  const files = c.files.map((f) => ({ path: f.absPath, sha256: f.sha256, format: f.format, rows: f.rows, bytes: f.bytes }));
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
  const maxPos = (db.prepare('SELECT COALESCE(MAX(position), -1) AS p FROM universe_members WHERE universe_id = ?').get(u.id) as { p: number }).p;
  const insMember = db.prepare('INSERT INTO universe_members (universe_id, ticker, position) VALUES (?, ?, ?)');
  plan.newMembers.forEach((t, i) => insMember.run(u.id, t, maxPos + 1 + i));

  const insBar = db.prepare('INSERT INTO bars (ticker, date, open, high, low, close, adj_close, volume, filled, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  // bars with a close only (wide files): a statement binding 3 values instead of 10
  const insClose = db.prepare(`INSERT INTO bars (ticker, date, close, filled, batch_id) VALUES (?, ?, ?, 0, ${batchId})`);
  // ticker-major, date-minor: the order of the bars primary key, so the B-tree grows at its end
  const ordered = [...plan.series].sort((a, b) => (a.series.ticker < b.series.ticker ? -1 : 1));
  let written = 0;
  let sinceYield = 0;
  for (const sp of ordered) {
    const s = sp.series;
    const closeOnly = Object.keys(s.fields).length === 0;
    for (let w = 0; w < sp.write.length; w++) {
      const e = sp.write[w]!;
      if (e >= 0 && closeOnly) {
        insClose.run(s.ticker, plan.calendar[plan.rankOf[s.date.get(e)]!]!, s.close.get(e));
      } else if (e >= 0) {
        insBar.run(s.ticker, plan.calendar[plan.rankOf[s.date.get(e)]!]!, nullIfNaN(s.opt('open', e)), nullIfNaN(s.opt('high', e)), nullIfNaN(s.opt('low', e)), s.close.get(e), nullIfNaN(s.opt('adj', e)), nullIfNaN(s.opt('volume', e)), 0, batchId);
      } else {
        const k = -e - 1;
        const from = sp.fillFrom[k]!;
        insBar.run(s.ticker, plan.calendar[sp.fillRank[k]!]!, null, null, null, s.close.get(from), nullIfNaN(s.opt('adj', from)), null, 1, batchId);
      }
      written++;
      if (++sinceYield >= WRITE_CHUNK_BARS) {
        sinceYield = 0;
        yield written;
      }
    }
  }
  return {
    batchId,
    universe: u.id,
    createdUniverse: !u.exists,
    tickers: plan.series.length,
    createdAssets: plan.newAssets.length,
    bars: written,
    filledCells: plan.filledCells,
    warnings: plan.preview.warnings,
  };
}

export interface CommitOutcome {
  plan: ImportPlan;
  /** null when the plan had errors (nothing written) */
  result: ImportResult | null;
}

/**
 * Check and write an import synchronously in one IMMEDIATE transaction (the plan is made inside it, so no other
 * writer can slip in between check and write). Takes the database, the collected files, the meta, the plan
 * options and the batch kind; gives the plan and the result (null and nothing written when there are errors).
 */
export function commitImportSync(db: DB, c: Collected, meta: UniverseMeta | null, opts: PlanOptions, kind: BatchKind = 'import'): CommitOutcome {
  return db.transaction((): CommitOutcome => {
    const plan = planImport(db, c, meta, opts);
    if (!plan.ok) return { plan, result: null };
    const g = writeSteps(db, c, plan, kind);
    let r = g.next();
    while (!r.done) r = g.next();
    return { plan, result: r.value };
  }).immediate();
}

/**
 * The same as commitImportSync, yielding to the event loop between chunks of bars so progress can be reported
 * and a cancel request (signal) honoured; the transaction stays open throughout and is rolled back on any
 * error or cancellation (ImportCancelled is thrown). `onProgress(written, total)` counts bars.
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
  db.exec('BEGIN IMMEDIATE');
  try {
    const plan = planImport(db, c, meta, opts);
    if (!plan.ok) {
      db.exec('ROLLBACK');
      return { plan, result: null };
    }
    const g = writeSteps(db, c, plan, run.kind ?? 'import');
    run.onProgress?.(0, plan.bars);
    let r = g.next();
    while (!r.done) {
      run.onProgress?.(r.value, plan.bars);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (run.signal?.aborted) throw new ImportCancelled();
      r = g.next();
    }
    run.onProgress?.(plan.bars, plan.bars);
    db.exec('COMMIT');
    return { plan, result: r.value };
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  } finally {
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
  return db.transaction((): UndoResult => {
    const b = db
      .prepare(`SELECT id, universe_id, created_universe, created_assets, added_members, asset_updates, created_at FROM import_batches WHERE undone_at IS NULL AND kind != 'bundled' ORDER BY id DESC LIMIT 1`)
      .get() as { id: number; universe_id: string; created_universe: number; created_assets: string; added_members: string; asset_updates: string; created_at: string } | undefined;
    if (!b) return { undone: null, message: 'nothing to undo (no import besides the bundled data set)' };
    if (b.created_universe) {
      const runs = (db.prepare('SELECT COUNT(*) AS n FROM runs WHERE universe_id = ?').get(b.universe_id) as { n: number }).n;
      if (runs > 0) throw new ImportConflict(`cannot undo import ${b.id}: ${runs} run${runs === 1 ? '' : 's'} use universe ${b.universe_id}; delete them first`);
    }
    const bars = db.prepare('DELETE FROM bars WHERE batch_id = ?').run(b.id).changes;
    const addedMembers = JSON.parse(b.added_members) as string[];
    const delMember = db.prepare('DELETE FROM universe_members WHERE universe_id = ? AND ticker = ?');
    for (const t of addedMembers) delMember.run(b.universe_id, t);
    if (b.created_universe) {
      db.prepare('DELETE FROM universe_members WHERE universe_id = ?').run(b.universe_id);
      db.prepare('DELETE FROM universes WHERE id = ?').run(b.universe_id);
    }
    const upd = db.prepare('UPDATE assets SET name = ?, class = ?, sector = ? WHERE ticker = ?');
    for (const a of JSON.parse(b.asset_updates) as { ticker: string; name: string; class: string; sector: string }[]) upd.run(a.name, a.class, a.sector, a.ticker);
    const used = db.prepare('SELECT (SELECT COUNT(*) FROM bars WHERE ticker = ?) + (SELECT COUNT(*) FROM universe_members WHERE ticker = ?) AS n');
    const delAsset = db.prepare('DELETE FROM assets WHERE ticker = ?');
    const removedAssets: string[] = [];
    for (const t of JSON.parse(b.created_assets) as string[]) {
      if ((used.get(t, t) as { n: number }).n > 0) continue;
      delAsset.run(t);
      removedAssets.push(t);
    }
    db.prepare('UPDATE import_batches SET undone_at = ? WHERE id = ?').run(new Date().toISOString(), b.id);
    return {
      undone: { batchId: b.id, universe: b.universe_id, bars, removedAssets, removedMembers: addedMembers, removedUniverse: b.created_universe === 1, createdAt: b.created_at },
      message: `undid import ${b.id} into ${b.universe_id}: ${bars} bars, ${addedMembers.length} members${b.created_universe ? ', the universe' : ''}, ${removedAssets.length} assets removed`,
    };
  }).immediate();
}
