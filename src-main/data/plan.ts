/**
 * Checking an import against its own calendar and the database, and planning what a commit writes.
 *
 * Calendar: the union of the dates of all files in the import. For each ticker, a missing cell is a date of that
 * calendar between the ticker's first and last price where it has no price (an empty or NA cell, or no row).
 * - fill 'reject' (default): every missing cell is an error; nothing is written.
 * - fill 'ffill': a missing cell takes the ticker's previous price; it is stored with bars.filled = 1, counted per
 *   ticker in the preview and announced in a warning.
 * Dates before a ticker's first price (a leading gap) and after its last price (a trailing gap) are never filled
 * and are not errors: the ticker simply has no bars there, a warning says so, and the universe's aligned price
 * matrix (store/prices.ts loadPriceMatrix) starts at the latest first date and ends at the earliest last date of
 * its members — the dates on which every member has a close.
 *
 * Against the database: a ticker already stored keeps its bars; an imported bar for a (ticker, date) already
 * stored must carry the same close and adjusted close (OVERLAP_REL_TOLERANCE), and is then not written again.
 * A ticker whose bars differ is one error naming both series (unless `replace`: then the ticker's whole stored
 * series is overwritten by the file's, and an undo puts it back). Meta-file tickers that are neither imported nor
 * members of the target universe are errors (likely typos).
 *
 * Plausibility: a day-over-day move beyond IMPLAUSIBLE_MOVE_RATIO is an error unless `allowImplausible` (the
 * reader checks the price range). Common range: the target universe's aligned range (store/prices.ts
 * alignedRange) is compared before and after the import — and, when tickers are replaced, that of every other
 * universe holding them; an import that would shrink one is an error unless `allowShrink`.
 *
 * Why this file is long: every rule an import is checked by (calendar, gaps, conflicts, shrinking, implausible
 * prices, renames, replaces) decides what the one commit writes; they read and update one plan, so they live with
 * it.
 */
import type { FillPolicy, ImportFormat, ImportPreview, TickerPreview } from '../../src-shared/contract/data';
import type { DB } from '../store/db';
import { alignedRange, coverage } from '../store/prices';
import { universeIdOf } from './cells';
import { DEFAULT_ASSET_CLASS, type UniverseMeta } from './meta';
import type { Collected } from './reader';
import { CELL_BAD, CELL_DUPLICATE, CELL_EMPTY, CELL_NA, CELL_VALUE, type TickerSeries } from './series';
import { IMPLAUSIBLE_MOVE_RATIO, JUMP_DOWN_RATIO, JUMP_UP_RATIO, OVERLAP_REL_TOLERANCE } from './settings';

export interface PlanOptions {
  /** universe name as the user gave it */
  universe: string;
  /** explicit universe id (the bundled data set uses 'djia30'); default universeIdOf(universe) */
  universeId?: string;
  fill?: FillPolicy;
  /** source line for a new universe (default: from the meta file, else a line naming the files) */
  source?: string;
  /** an import that shrinks a universe's common range is accepted (with a warning) */
  allowShrink?: boolean;
  /** hundredfold one-day moves are warnings instead of errors (the reader handles the price range) */
  allowImplausible?: boolean;
  /** tickers stored with different data are overwritten instead of refused */
  replace?: boolean;
}

/** What one ticker writes: entries in calendar order, fills, and which stored bars it leaves alone. */
export interface SeriesPlan {
  series: TickerSeries;
  /** entry indices to write, in calendar order; a negative value -(k+1) is fill k */
  write: Int32Array;
  fillRank: Int32Array;
  /** entry whose prices a fill copies */
  fillFrom: Int32Array;
  bars: number;
  /** the ticker's stored bars are removed first (kept for undo) */
  replace: boolean;
}

export interface ImportPlan {
  preview: ImportPreview;
  ok: boolean;
  universe: { id: string; name: string; source: string; exists: boolean };
  /** calendar: sorted dates; rankOf[date index] = position in it */
  calendar: string[];
  rankOf: Int32Array;
  newAssets: { ticker: string; name: string; class: string; sector: string }[];
  /** metadata changes to stored assets, with the previous values (for undo) */
  assetUpdates: {
    ticker: string;
    before: { name: string; class: string; sector: string };
    after: { name: string; class: string; sector: string };
  }[];
  /** tickers to add to the universe, in order */
  newMembers: string[];
  series: SeriesPlan[];
  bars: number;
  filledCells: number;
  format: ImportFormat | null;
  fill: FillPolicy;
}

interface Loc {
  file: string;
  line: number | null;
  col: number | null;
}

/**
 * Check collected cells against the calendar, the fill policy and the database, and plan the writes.
 * Takes the database (read only here), the collected files, the meta file (or null) and the options; gives the
 * plan with its preview. Reads the database: call it inside the write transaction for a commit.
 */
export function planImport(db: DB, c: Collected, meta: UniverseMeta | null, opts: PlanOptions): ImportPlan {
  const P = c.problems;
  const fill: FillPolicy = opts.fill ?? 'reject';
  const fileName = (i: number) => c.files[i]!.path;
  const at = (s: TickerSeries, i: number): Loc => ({
    file: fileName(s.file.get(i)),
    line: s.line.get(i),
    col: s.col.get(i) + 1,
  });

  // format of the whole import
  const formats = [...new Set(c.files.map((f) => f.format).filter((f): f is ImportFormat => f !== null))];
  if (formats.length > 1) {
    const first = (f: ImportFormat) => c.files.find((x) => x.format === f)!.path;
    P.error(
      'mixed-formats',
      c.files[0]!.path,
      null,
      null,
      `files of different layouts: ${formats.map((f) => `${first(f)} is ${f}`).join(', ')}; import them separately or force one with --format`,
    );
  }
  const format = formats.length === 1 ? formats[0]! : null;

  // universe
  const universeId = opts.universeId ?? universeIdOf(opts.universe);
  if (!universeId)
    P.error(
      'bad-universe',
      c.files[0]?.path ?? '(import)',
      null,
      null,
      `universe name "${opts.universe}" has no letters or digits`,
    );
  const urow = db.prepare('SELECT id, name, source FROM universes WHERE id = ?').get(universeId) as
    { id: string; name: string; source: string } | undefined;
  const members = new Map<string, number>();
  if (urow)
    for (const r of db
      .prepare('SELECT ticker, position FROM universe_members WHERE universe_id = ?')
      .all(universeId) as { ticker: string; position: number }[])
      members.set(r.ticker, r.position);
  const universe = {
    id: universeId,
    name: urow?.name ?? meta?.name ?? opts.universe,
    source:
      urow?.source ??
      opts.source ??
      meta?.source ??
      `imported from ${c.files.map((f) => f.path.split(/[\\/]/).pop()).join(', ')} (${format ?? 'csv'}) on ${new Date().toISOString().slice(0, 10)}`,
    exists: !!urow,
  };

  // calendar
  const order = c.dates
    .map((_, i) => i)
    .sort((a, b) => (c.dates[a]! < c.dates[b]! ? -1 : c.dates[a]! > c.dates[b]! ? 1 : 0));
  const calendar = order.map((i) => c.dates[i]!);
  const rankOf = new Int32Array(c.dates.length);
  order.forEach((di, r) => (rankOf[di] = r));
  const N = calendar.length;

  const getAsset = db.prepare('SELECT ticker, name, class, sector FROM assets WHERE ticker = ?');
  const storedBars = db.prepare(
    'SELECT date, close, adj_close AS adj FROM bars WHERE ticker = ? AND date >= ? AND date <= ?',
  );
  const storedRange = db.prepare(
    'SELECT MIN(date) AS first, MAX(date) AS last, COUNT(*) AS n FROM bars WHERE ticker = ?',
  );

  const tickers: TickerPreview[] = [];
  const plans: SeriesPlan[] = [];
  const newAssets: ImportPlan['newAssets'] = [];
  const assetUpdates: ImportPlan['assetUpdates'] = [];
  let totalBars = 0;
  let totalFilled = 0;
  let totalMissing = 0;
  let alignedFrom = -1;
  let alignedTo = N;

  const seriesList = [...c.series.values()].sort((a, b) => a.order - b.order);
  for (const s of seriesList) {
    const T = s.ticker;
    const n = s.length;
    // entries in calendar order
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (rankOf[s.date.get(i)]! < rankOf[s.date.get(i - 1)]!) sorted = false;
    if (!sorted) idx.sort((a, b) => rankOf[s.date.get(a)]! - rankOf[s.date.get(b)]! || a - b);
    // duplicates across files (within a file they were refused row by row)
    for (let k = 1; k < n; k++) {
      const i = idx[k]!;
      const j = idx[k - 1]!;
      if (rankOf[s.date.get(i)] === rankOf[s.date.get(j)]) {
        const l = at(s, i);
        P.error(
          'duplicate-date',
          l.file,
          l.line,
          l.col,
          `${T}: ${calendar[rankOf[s.date.get(i)]!]} already given at ${at(s, j).file}:${s.line.get(j)}`,
          T,
        );
        s.state.set(i, CELL_DUPLICATE);
      }
    }
    let firstK = -1;
    let lastK = -1;
    let values = 0;
    for (let k = 0; k < n; k++) {
      if (s.state.get(idx[k]!) !== CELL_VALUE) continue;
      if (firstK < 0) firstK = k;
      lastK = k;
      values++;
    }
    const tp: TickerPreview = {
      ticker: T,
      isNew: true,
      member: members.has(T),
      first: null,
      last: null,
      values,
      missing: 0,
      filled: 0,
      leading: 0,
      trailing: 0,
      overlap: 0,
      jumps: 0,
      stored: null,
      conflicts: 0,
      replaces: false,
    };
    tickers.push(tp);
    const asset = getAsset.get(T) as { ticker: string; name: string; class: string; sector: string } | undefined;
    tp.isNew = !asset;
    const sr = asset ? (storedRange.get(T) as { first: string | null; last: string | null; n: number }) : null;
    if (sr?.first && sr.last) tp.stored = { from: sr.first, to: sr.last };
    if (values === 0) {
      // n === 0: the file-level error (no rows, every row refused) already says it
      if (!s.emptyReported && n > 0) {
        const l = n ? at(s, idx[0]!) : { file: c.files[0]!.path, line: null, col: null };
        P.error('no-prices', l.file, l.line, l.col, `${T} has no prices`, T);
      }
      continue;
    }
    const firstRank = rankOf[s.date.get(idx[firstK]!)]!;
    const lastRank = rankOf[s.date.get(idx[lastK]!)]!;
    tp.first = calendar[firstRank]!;
    tp.last = calendar[lastRank]!;
    tp.leading = firstRank;
    tp.trailing = N - 1 - lastRank;
    alignedFrom = Math.max(alignedFrom, firstRank);
    alignedTo = Math.min(alignedTo, lastRank);
    const lf = at(s, idx[firstK]!);
    const ll = at(s, idx[lastK]!);
    if (tp.leading > 0)
      P.warning(
        'leading-gap',
        lf.file,
        lf.line,
        lf.col,
        `${T} starts on ${tp.first}, ${tp.leading} date${tp.leading === 1 ? '' : 's'} after the import's first date (${calendar[0]}): leading gaps are not filled; the aligned matrix starts where every member has data`,
        T,
      );
    if (tp.trailing > 0)
      P.warning(
        'trailing-gap',
        ll.file,
        ll.line,
        ll.col,
        `${T} ends on ${tp.last}, ${tp.trailing} date${tp.trailing === 1 ? '' : 's'} before the import's last date (${calendar[N - 1]}): trailing gaps are not filled; the aligned matrix ends where every member has data`,
        T,
      );

    // walk the calendar from the first to the last price: gaps, fills, jumps
    const write: number[] = [];
    const fillRank: number[] = [];
    const fillFrom: number[] = [];
    let k = firstK;
    let prevValue = -1; // entry index of the previous price
    let firstMissing: Loc | null = null;
    for (let r = firstRank; r <= lastRank; r++) {
      // entries on this date (skip duplicates and bad cells, which are errors already)
      let entry = -1;
      let missingEntry = -1;
      let bad = false;
      while (k <= lastK && rankOf[s.date.get(idx[k]!)]! === r) {
        const i = idx[k]!;
        const stt = s.state.get(i);
        if (stt === CELL_VALUE) entry = i;
        else if (stt === CELL_EMPTY || stt === CELL_NA) missingEntry = i;
        else if (stt === CELL_BAD) bad = true;
        k++;
      }
      while (k <= lastK && rankOf[s.date.get(idx[k]!)]! < r) k++;
      if (entry >= 0) {
        if (prevValue >= 0) {
          const ratio = s.price(entry) / s.price(prevValue);
          if (ratio > IMPLAUSIBLE_MOVE_RATIO || ratio < 1 / IMPLAUSIBLE_MOVE_RATIO) {
            tp.jumps++;
            const l = at(s, entry);
            const what = `${T}: ${calendar[r]} is ${ratio.toPrecision(3)}x the previous price (${calendar[rankOf[s.date.get(prevValue)]!]}): a one-day move beyond x${IMPLAUSIBLE_MOVE_RATIO} or /${IMPLAUSIBLE_MOVE_RATIO} is implausible`;
            if (opts.allowImplausible) P.warning('implausible-move', l.file, l.line, l.col, what, T);
            else
              P.error(
                'implausible-move',
                l.file,
                l.line,
                l.col,
                `${what}; pass --allow-implausible (allowImplausible) if it is right`,
                T,
              );
          } else if (ratio > JUMP_UP_RATIO || ratio < JUMP_DOWN_RATIO) {
            tp.jumps++;
            const l = at(s, entry);
            P.warning(
              'jump',
              l.file,
              l.line,
              l.col,
              `${T}: ${calendar[r]} is ${ratio.toFixed(3)}x the previous price (${calendar[rankOf[s.date.get(prevValue)]!]}): an unadjusted split?`,
              T,
            );
          }
        }
        write.push(entry);
        prevValue = entry;
        continue;
      }
      if (bad) continue;
      // a missing cell inside the ticker's range
      tp.missing++;
      let l: Loc;
      let what: string;
      if (missingEntry >= 0) {
        l = at(s, missingEntry);
        what = s.state.get(missingEntry) === CELL_NA ? 'a NA/NaN/null cell' : 'an empty cell';
      } else {
        // no row: point at the ticker's next row
        const next = k <= lastK ? idx[k]! : idx[lastK]!;
        l = { file: fileName(s.file.get(next)), line: s.line.get(next), col: null };
        what = format === 'wide' ? 'no row' : 'no row for this date';
      }
      if (!firstMissing) firstMissing = l;
      if (fill === 'reject') {
        P.error(
          'missing-cell',
          l.file,
          l.line,
          l.col,
          `${T}: missing price on ${calendar[r]} (${what}); use --fill ffill to forward-fill`,
          T,
        );
      } else {
        tp.filled++;
        write.push(-(fillRank.length + 1));
        fillRank.push(r);
        fillFrom.push(prevValue);
      }
    }
    totalMissing += tp.missing;

    // against stored bars of this ticker
    let skip = 0;
    const keep = new Uint8Array(write.length).fill(1);
    if (asset && tp.stored) {
      const stored = new Map<string, { close: number; adj: number | null }>();
      for (const b of storedBars.all(T, tp.first, tp.last) as { date: string; close: number; adj: number | null }[])
        stored.set(b.date, b);
      let differ = 0;
      let firstDiff: { e: number; date: string; stored: { close: number; adj: number | null } } | null = null;
      for (let w = 0; w < write.length && stored.size; w++) {
        const e = write[w]!;
        const r = e >= 0 ? rankOf[s.date.get(e)]! : fillRank[-e - 1]!;
        const b = stored.get(calendar[r]!);
        if (!b) continue;
        keep[w] = 0;
        skip++;
        if (e < 0) continue; // a fill where a real bar is stored: the stored bar stays
        const adj = s.opt('adj', e);
        const same = near(s.close.get(e), b.close) && (b.adj === null || Number.isNaN(adj) || near(adj, b.adj));
        if (!same) {
          differ++;
          firstDiff ??= { e, date: calendar[r]!, stored: b };
        }
      }
      tp.conflicts = differ;
      tp.overlap = skip - differ;
      if (firstDiff && opts.replace) {
        // the whole stored series goes (undo restores it); every bar of the file is written
        tp.replaces = true;
        tp.overlap = 0;
        keep.fill(1);
        const l = at(s, firstDiff.e);
        P.warning(
          'replace',
          l.file,
          l.line,
          l.col,
          `${T}: the stored series (${tp.stored.from} .. ${tp.stored.to}, ${sr!.n} bars, ${differ} differing) is replaced by this file's (${tp.first} .. ${tp.last}); undo puts it back`,
          T,
        );
      } else if (firstDiff) {
        const l = at(s, firstDiff.e);
        const e = firstDiff.e;
        const adj = s.opt('adj', e);
        const b = firstDiff.stored;
        P.error(
          'conflict',
          l.file,
          l.line,
          l.col,
          `${T} is already stored with different data: stored ${tp.stored.from} .. ${tp.stored.to} (${sr!.n} bars), this file ${tp.first} .. ${tp.last}; ` +
            `first difference on ${firstDiff.date}: stored close ${b.close}${b.adj !== null ? ` (adj ${b.adj})` : ''}, this file has ${s.close.get(e)}${Number.isNaN(adj) ? '' : ` (adj ${adj})`}` +
            `${differ > 1 ? ` (${differ} dates differ)` : ''}. Import it under another name (--rename ${T}=NEW) or overwrite the stored series (--replace)`,
          T,
        );
      }
    }
    const finalWrite = Int32Array.from(write.filter((_, w) => keep[w] === 1));
    tp.filled = finalWrite.reduce((n, e) => n + (e < 0 ? 1 : 0), 0);
    if (tp.filled > 0 && firstMissing) {
      const fl: Loc = firstMissing;
      P.warning(
        'filled',
        fl.file,
        fl.line,
        fl.col,
        `${T}: ${tp.filled} missing cell${tp.filled === 1 ? '' : 's'} forward-filled (stored with filled=1)`,
        T,
      );
    }
    totalFilled += tp.filled;
    totalBars += finalWrite.length;
    plans.push({
      series: s,
      write: finalWrite,
      fillRank: Int32Array.from(fillRank),
      fillFrom: Int32Array.from(fillFrom),
      bars: finalWrite.length,
      replace: tp.replaces,
    });

    // asset row and metadata
    const m = meta?.assets.get(T);
    const after = { name: m?.name ?? '', class: m?.class ?? DEFAULT_ASSET_CLASS, sector: m?.sector ?? '' };
    if (!asset) newAssets.push({ ticker: T, ...after });
    else if (m && (asset.name !== after.name || asset.class !== after.class || asset.sector !== after.sector)) {
      assetUpdates.push({ ticker: T, before: { name: asset.name, class: asset.class, sector: asset.sector }, after });
    }
  }

  // meta tickers that name nothing
  if (meta) {
    for (const m of meta.assets.values()) {
      if (c.series.has(m.ticker)) continue;
      if (members.has(m.ticker)) {
        const asset = getAsset.get(m.ticker) as { name: string; class: string; sector: string } | undefined;
        if (asset && (asset.name !== m.name || asset.class !== m.class || asset.sector !== m.sector))
          assetUpdates.push({
            ticker: m.ticker,
            before: { name: asset.name, class: asset.class, sector: asset.sector },
            after: { name: m.name, class: m.class, sector: m.sector },
          });
        continue;
      }
      P.error(
        'unknown-meta-ticker',
        meta.path,
        m.line,
        null,
        `ticker ${m.ticker} in the meta file is not in the imported data${universe.exists ? ` nor in universe ${universeId}` : ''}`,
      );
    }
  }
  if (c.series.size === 0 && !P.hasErrors)
    P.error('no-tickers', c.files[0]?.path ?? '(import)', null, null, 'no tickers found');

  const newMembers = seriesList
    .filter((s) => !members.has(s.ticker) && plans.some((p) => p.series === s))
    .map((s) => s.ticker);

  // common ranges before and after: the target universe, and every other universe holding a replaced ticker
  const previewOf = new Map(tickers.map((t) => [t.ticker, t]));
  const written = new Map<string, TickerPreview>();
  for (const p of plans) written.set(p.series.ticker, previewOf.get(p.series.ticker)!);
  const firstEntry = (t: string): Loc => {
    const sp = plans.find((p) => p.series.ticker === t);
    const e = sp ? [...sp.write].find((x) => x >= 0) : undefined;
    return sp && e !== undefined ? at(sp.series, e) : { file: c.files[0]?.path ?? '(import)', line: null, col: null };
  };
  const change = (uid: string, exists: boolean, addAll: boolean) => {
    const cov = new Map<string, { first: string | null; last: string | null }>(exists ? coverage(db, uid) : []);
    const before = exists ? rangeOf(alignedRange(cov.values())) : null;
    for (const [t, tp] of written) {
      const prev = cov.get(t);
      if (!prev && !addAll) continue;
      const file = { first: tp.first, last: tp.last };
      // a replaced ticker keeps only the file's bars; any other keeps its stored bars beside the new ones
      const stored = tp.replaces
        ? null
        : (tp.stored ?? (prev?.first && prev.last ? { from: prev.first, to: prev.last } : null));
      cov.set(t, stored ? { first: minDate(stored.from, file.first), last: maxDate(stored.to, file.last) } : file);
    }
    const after = rangeOf(alignedRange(cov.values()));
    const shrinks = before !== null && (after === null || after.from > before.from || after.to < before.to);
    if (shrinks) {
      const short = [...cov]
        .filter(([, v]) => v.first === null || v.last === null || v.first > before.from || v.last < before.to)
        .map(([t, v]) => ({ t, v }));
      const named = short
        .slice(0, 5)
        .map(({ t, v }) => `${t} ${v.first ?? '-'} .. ${v.last ?? '-'}${written.has(t) ? '' : ' (stored)'}`);
      const culprit = short.find(({ t }) => written.has(t));
      const l = culprit ? firstEntry(culprit.t) : firstEntry('');
      const what =
        `this import shrinks the common range of universe ${uid} (the dates on which every member has a close) from ${before.from} .. ${before.to} to ${after ? `${after.from} .. ${after.to}` : 'nothing'}: ` +
        `${named.join(', ')}${short.length > 5 ? ` and ${short.length - 5} more` : ''}`;
      if (opts.allowShrink) P.warning('shrinks-universe', l.file, l.line, l.col, what);
      else P.error('shrinks-universe', l.file, l.line, l.col, `${what}; pass --allow-shrink (allowShrink) to accept`);
    }
    return { before, after, shrinks };
  };
  const universeRange = change(universeId, universe.exists, true);
  const replaced = [...written.values()].filter((t) => t.replaces).map((t) => t.ticker);
  if (replaced.length) {
    const others = db
      .prepare(
        `SELECT DISTINCT universe_id AS id FROM universe_members WHERE ticker IN (SELECT value FROM json_each(?)) AND universe_id != ? ORDER BY universe_id`,
      )
      .all(JSON.stringify(replaced), universeId) as { id: string }[];
    for (const o of others) change(o.id, true, false);
  }

  const { problems, omitted } = P.list();
  const ok = !P.hasErrors;
  const preview: ImportPreview = {
    ok,
    universe: { id: universeId || '-', name: universe.name, exists: universe.exists },
    format,
    fill,
    files: c.files.map((f) => ({
      path: f.path,
      format: f.format,
      detected: f.detected,
      rows: f.rows,
      bytes: f.bytes,
      sha256: f.sha256,
    })),
    meta: meta ? { path: meta.path, assets: meta.assets.size } : null,
    dateRange: N ? { from: calendar[0]!, to: calendar[N - 1]! } : null,
    alignedRange:
      alignedFrom >= 0 && alignedFrom <= alignedTo ? { from: calendar[alignedFrom]!, to: calendar[alignedTo]! } : null,
    universeRange,
    rows: c.rows,
    bars: totalBars,
    missingCells: totalMissing,
    filledCells: totalFilled,
    tickers,
    errors: P.errors,
    warnings: P.warnings,
    problems,
    problemsOmitted: omitted,
  };
  return {
    preview,
    ok,
    universe,
    calendar,
    rankOf,
    newAssets,
    assetUpdates,
    newMembers,
    series: plans,
    bars: totalBars,
    filledCells: totalFilled,
    format,
    fill,
  };
}

function rangeOf(r: { from: string | null; to: string | null }): { from: string; to: string } | null {
  return r.from !== null && r.to !== null ? { from: r.from, to: r.to } : null;
}

function minDate(a: string, b: string | null): string {
  return b !== null && b < a ? b : a;
}

function maxDate(a: string, b: string | null): string {
  return b !== null && b > a ? b : a;
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= OVERLAP_REL_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}
