/**
 * The PM's daily loop over one book, as the books.* channels (services/books.ts) run it:
 *
 * - create: a named book on a universe, all cash at the latest data date, with a classic strategy (not a
 *   hindsight reference, not a learning one) or the trained model of a complete learning run on that universe.
 * - positions: the opening holdings, entered or from a CSV (positions.ts), valued at the latest data date; allowed
 *   until the first approval (afterwards the positions are what the approvals made of them).
 * - today: the strategy's decision at the close of the latest data date (decide.ts), stored with what it saw; one
 *   per book and date (asked again the same day it is given back as stored, unless `refresh` and still unanswered).
 * - answer: approve as proposed, approve with edits ('adjusted') or reject, with a note, only while the decision's
 *   date is still the latest data date (once later prices have arrived, its close has passed). Edits are checked:
 *   members of the universe, long-only, summing to at most 1, within the book's turnover budget.
 * - positions, values and track record follow from the opening, the approved targets and the prices (ledger.ts):
 *   an approval at date d trades at d's close and shows in the positions once the next session's prices arrive.
 * - track record: from the first approval on, the book as approved, the proposals as the strategy made them (every
 *   stored decision followed unadjusted) and equal weight rebalanced daily, all from the book's holdings before
 *   that first trade, with the backtests' metrics (metrics/index.ts).
 *
 * Why this file is long: it is the book's whole lifecycle (create, positions, today, answer, track record) over one
 * ledger; each step checks the state the previous one left, and keeping them together keeps those checks in sight
 * of each other.
 */
import fs from 'node:fs';
import type { DB } from '../store/db';
import { loadPriceMatrix, coverage, UnknownUniverseError } from '../store/prices';
import type { PriceMatrix } from '../market/prices';
import { getStrategy, resolveParams } from '../strategies/registry';
import { getRun } from '../store/runs';
import { modelFile, modelsDir } from '../store/models';
import {
  countApprovals,
  getBook,
  getDecision,
  getOpeningShares,
  insertBook,
  listDecisions,
  putAnswer,
  putDecision,
  setOpening,
  updateBookStrategy,
  type BookRow,
  type StoredDecision,
} from '../store/books';
import type {
  AnswerRequest,
  BookDecision,
  BookDetail,
  BookSettings,
  BookStrategyRequest,
  BookSummary,
  BookWarning,
  PositionsPreview,
  SetPositionsRequest,
  TrackRecord,
} from '../../src-shared/contract/books';
import { computeMetrics, drawdownSeries } from '../metrics';
import { metricValue } from '../services/runs';
import { ServiceError } from '../services/errors';
import { ledgerReturns, runLedger, weightsOf, type ApprovedTrade, type LedgerDay, type Opening } from './ledger';
import { allocationWarnings, propose, staleModelWarning, staleTickers, tradesFor, verdictWarning } from './decide';
import { checkPositions, parsePositionsCsv, WEIGHT_SUM_TOLERANCE, type PositionInput, type Problem } from './positions';

/** Settings of a new book where the request names none. */
export const DEFAULT_BOOK_SETTINGS: BookSettings = {
  cost: 0.001,
  concentrationLimit: 0.2,
  turnoverBudget: 0.25,
  staleModelDays: 92,
};

const pct = (x: number, d = 2) => `${(x * 100).toFixed(d)}%`;
const invalid = (message: string, issues?: Problem[]) => new ServiceError('INVALID_INPUT', message, issues);
const conflict = (message: string) => new ServiceError('CONFLICT', message);

function bookOrThrow(db: DB, name: string): BookRow {
  const b = getBook(db, name);
  if (!b) throw new ServiceError('NOT_FOUND', `book ${name} not found`);
  return b;
}

/** The universe's aligned closes (up to `to` when given); at least one date, else INVALID_INPUT. */
export function bookPrices(db: DB, universe: string, to?: string): PriceMatrix {
  let m: PriceMatrix;
  try {
    m = loadPriceMatrix(db, universe, to ? { to } : {});
  } catch (e) {
    if (e instanceof UnknownUniverseError) throw new ServiceError('NOT_FOUND', `universe ${universe} not found`);
    throw e;
  }
  if (m.dates.length === 0) throw invalid(`universe ${universe} has no date on which every member has a price`);
  return m;
}

/** What a strategy request resolves to, checked (see the file overview). */
async function resolveStrategy(
  db: DB,
  req: BookStrategyRequest,
  universe: string,
): Promise<Pick<BookRow, 'strategy' | 'params' | 'modelRun' | 'modelKey'>> {
  if (req.kind === 'classic') {
    const def = await getStrategy(req.id).catch(() => {
      throw invalid(`unknown strategy ${req.id}`);
    });
    if (def.hindsight)
      throw invalid(
        `${def.id} (${def.label}) is a hindsight reference: it sees the test window in advance, so it cannot run a book`,
      );
    if (def.family === 'learning')
      throw invalid(`${def.id} learns: assign the trained model of one of its runs (a model book) instead`);
    let params: Record<string, unknown>;
    try {
      params = resolveParams(def, req.params);
    } catch (e) {
      throw invalid((e as Error).message);
    }
    return { strategy: def.id, params, modelRun: null, modelKey: null };
  }
  const run = getRun(db, req.runId);
  if (!run) throw new ServiceError('NOT_FOUND', `run ${req.runId} not found`);
  if (run.status !== 'complete')
    throw invalid(`run ${run.id} is ${run.status}, not complete: its model cannot run a book`);
  if (run.universe !== universe) throw invalid(`run ${run.id} traded ${run.universe}, not ${universe}`);
  const def = await getStrategy(run.strategy).catch(() => null);
  if (!def || def.family !== 'learning')
    throw invalid(`run ${run.id} (${run.strategy}) has no trained model: a classic strategy is assigned by its id`);
  const row = db.prepare('SELECT model_path FROM runs WHERE id = ?').get(run.id) as { model_path: string | null };
  const key = row.model_path?.match(/([0-9a-f]{16,128})\.json$/)?.[1];
  const dir = modelsDir(db);
  if (!key || !dir || !fs.existsSync(modelFile(dir, key)))
    throw invalid(`the model of run ${run.id} is not stored next to the database`);
  return { strategy: def.id, params: {}, modelRun: run.id, modelKey: key };
}

/** A book as the contract shows it. */
export async function bookSummary(db: DB, b: BookRow): Promise<BookSummary> {
  const def = await getStrategy(b.strategy).catch(() => null);
  const run = b.modelRun ? getRun(db, b.modelRun) : undefined;
  return {
    name: b.name,
    universe: b.universe,
    currency: b.currency,
    strategy: {
      kind: b.modelKey ? 'model' : 'classic',
      id: b.strategy,
      label: def?.label ?? b.strategy,
      params: b.params,
      modelRunId: b.modelRun,
      modelKey: b.modelKey,
      trainedFrom: run?.trainFrom ?? null,
      trainedTo: run?.trainTo ?? null,
    },
    settings: b.settings,
    openingDate: b.openingDate,
    openingValue: b.openingValue,
    createdAt: b.createdAt,
  };
}

export type NewBook = Omit<BookRow, 'createdAt' | 'updatedAt'>;

/** Check a create request and resolve its strategy (async: the registry loads); store it with {@link insertNewBook}. */
export async function prepareBook(
  db: DB,
  req: {
    name: string;
    universe: string;
    currency?: string;
    value: number;
    strategy: BookStrategyRequest;
    settings?: Partial<BookSettings>;
  },
): Promise<NewBook> {
  if (getBook(db, req.name)) throw conflict(`a book named ${req.name} exists already`);
  const m = bookPrices(db, req.universe);
  const s = await resolveStrategy(db, req.strategy, req.universe);
  const date = m.dates[m.dates.length - 1]!;
  return {
    name: req.name,
    universe: req.universe,
    currency: req.currency ?? 'USD',
    ...s,
    settings: { ...DEFAULT_BOOK_SETTINGS, ...req.settings },
    openingDate: date,
    openingCash: req.value,
    openingValue: req.value,
  };
}

/** Store a prepared book (inside a write transaction); CONFLICT when the name was taken meanwhile. */
export function insertNewBook(db: DB, b: NewBook): BookRow {
  if (getBook(db, b.name)) throw conflict(`a book named ${b.name} exists already`);
  insertBook(db, b);
  return getBook(db, b.name)!;
}

/** Check an update request; gives what {@link updateBookStrategy} stores. */
export async function prepareUpdate(
  db: DB,
  req: { name: string; strategy?: BookStrategyRequest; settings?: Partial<BookSettings> },
): Promise<Parameters<typeof updateBookStrategy>[2]> {
  const b = bookOrThrow(db, req.name);
  const s = req.strategy
    ? await resolveStrategy(db, req.strategy, b.universe)
    : { strategy: b.strategy, params: b.params, modelRun: b.modelRun, modelKey: b.modelKey };
  return { ...s, settings: { ...b.settings, ...req.settings } };
}

/** Store an update (inside a write transaction). */
export function applyUpdate(db: DB, name: string, u: Parameters<typeof updateBookStrategy>[2]): BookRow {
  bookOrThrow(db, name);
  updateBookStrategy(db, name, u);
  return getBook(db, name)!;
}

/** The opening holdings in the matrix's ticker order. */
function openingOf(db: DB, b: BookRow, m: PriceMatrix): Opening {
  const stored = getOpeningShares(db, b.name);
  const shares = new Float64Array(m.tickers.length);
  const col = new Map(m.tickers.map((t, i) => [t, i]));
  for (const [t, s] of stored) {
    const i = col.get(t);
    if (i === undefined) throw conflict(`book ${b.name} holds ${t}, which is no longer a member of ${b.universe}`);
    shares[i] = s;
  }
  return { date: b.openingDate, shares, cash: b.openingCash };
}

/** The approved trades of stored decisions, by date (each must be in the matrix's ticker order). */
function approvedTrades(decisions: readonly StoredDecision[], m: PriceMatrix): Map<string, ApprovedTrade> {
  const out = new Map<string, ApprovedTrade>();
  for (const d of decisions) {
    if (!d.answer?.weights) continue;
    if (d.tickers.join(',') !== m.tickers.join(','))
      throw conflict(`the members of ${m.universe} changed since the decision of ${d.date}`);
    out.set(d.date, { weights: d.answer.weights, cost: d.cost });
  }
  return out;
}

/** The book's ledger over the universe's closes (ledger.ts), with its opening. */
function bookLedger(
  db: DB,
  b: BookRow,
  m: PriceMatrix,
  decisions = listDecisions(db, b.name),
): { opening: Opening; days: LedgerDay[] } {
  const opening = openingOf(db, b, m);
  const days = runLedger(m, opening, approvedTrades(decisions, m));
  if (days.length === 0)
    throw conflict(`book ${b.name} opens on ${b.openingDate}, after the last common date of ${b.universe}`);
  return { opening, days };
}

/** Holdings before the trade of ledger row k (the previous row's holdings, or the opening). */
function holdingsBefore(
  days: readonly LedgerDay[],
  k: number,
  opening: Opening,
): { shares: Float64Array; cash: number } {
  return k > 0
    ? { shares: days[k - 1]!.shares, cash: days[k - 1]!.cash }
    : { shares: opening.shares, cash: opening.cash };
}

export async function bookDetail(db: DB, name: string): Promise<BookDetail> {
  const b = bookOrThrow(db, name);
  const m = bookPrices(db, b.universe);
  const { opening, days } = bookLedger(db, b, m);
  const k = days.length - 1;
  const last = days[k]!;
  const held = holdingsBefore(days, k, opening);
  const close = m.close[m.dates.length - 1]!;
  const cov = coverage(db, b.universe);
  const { latest, stale } = staleTickers(cov);
  const staleSet = new Set(stale.map((s) => s.ticker));
  const pendingDecision = last.traded ? getDecision(db, b.name, last.date) : undefined;
  const status = pendingDecision?.answer?.status;
  return {
    ...(await bookSummary(db, b)),
    dataDate: last.date,
    latestPriceDate: latest,
    positions: m.tickers.map((t, i) => ({
      ticker: t,
      name: m.assets?.[i]?.name ?? '',
      sector: m.assets?.[i]?.sector ?? '',
      shares: held.shares[i]!,
      price: close[i]!,
      amount: held.shares[i]! * close[i]!,
      weight: last.drifted[i]!,
      lastDate: cov.get(t)?.last ?? null,
      stale: staleSet.has(t),
    })),
    cash: held.cash,
    value: last.before,
    pending: status === 'approved' || status === 'adjusted' ? { date: last.date, status } : null,
    approvals: countApprovals(db, b.name),
  };
}

export function setPositions(db: DB, req: SetPositionsRequest): PositionsPreview {
  const b = bookOrThrow(db, req.name);
  if ((req.csv === undefined) === (req.entries === undefined))
    throw invalid('give the positions either as entries or as the text of a CSV file');
  let unit = req.unit;
  let entries: PositionInput[];
  const problems: Problem[] = [];
  if (req.csv !== undefined) {
    const p = parsePositionsCsv(req.csv);
    problems.push(...p.problems);
    if (p.unit && unit && p.unit !== unit)
      problems.push({ path: 'file', message: `the file gives ${p.unit}, the request asks for ${unit}` });
    unit = p.unit ?? unit;
    entries = p.entries;
  } else
    entries = req.entries!.map((e, k) => ({
      ticker: e.ticker.toUpperCase(),
      amount: e.amount,
      where: `entry ${k + 1}`,
    }));
  if (!unit) throw invalid('say whether the positions are shares or weights', problems);
  if (unit === 'weights' && req.cash !== undefined)
    problems.push({ path: 'cash', message: 'with weights the rest of the value is cash: give the value instead' });
  if (unit === 'shares' && req.value !== undefined)
    problems.push({
      path: 'value',
      message: 'with shares the value is what they are worth plus the cash: give the cash instead',
    });
  const m = bookPrices(db, b.universe);
  const checked = checkPositions(unit, entries, m.tickers);
  problems.push(...checked.problems);
  if (problems.length)
    throw invalid(
      `${problems.length} problem${problems.length > 1 ? 's' : ''} in the positions; nothing was stored (first: ${problems[0]!.path}: ${problems[0]!.message})`,
      problems.slice(0, 100),
    );
  if (countApprovals(db, b.name) > 0)
    throw conflict(
      `book ${b.name} has approved decisions: its positions are what they made of the opening; they can be set only before the first approval`,
    );
  const t = m.dates.length - 1;
  const close = m.close[t]!;
  const n = m.tickers.length;
  const shares = new Float64Array(n);
  let cash: number;
  if (unit === 'shares') {
    shares.set(checked.amounts);
    cash = req.cash ?? 0;
  } else {
    const value = req.value ?? bookDetailValue(db, b, m);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      shares[i] = (checked.amounts[i]! * value) / close[i]!;
      sum += checked.amounts[i]!;
    }
    cash = Math.max(0, 1 - sum) * value;
    if (sum > 1 && sum <= 1 + WEIGHT_SUM_TOLERANCE) cash = 0;
  }
  let value = cash;
  for (let i = 0; i < n; i++) value += shares[i]! * close[i]!;
  if (!(value > 0)) throw invalid('the positions and cash are worth nothing');
  const { weights } = weightsOf(shares, cash, close);
  const date = m.dates[t]!;
  if (!req.dryRun) {
    setOpening(db, b.name, { date, cash, value, shares: new Map(m.tickers.map((tk, i) => [tk, shares[i]!])) });
    // unanswered decisions saw the old holdings
    db.prepare('DELETE FROM book_decisions WHERE book = ? AND id NOT IN (SELECT decision_id FROM book_answers)').run(
      b.name,
    );
  }
  return {
    unit,
    date,
    rows: m.tickers
      .map((tk, i) => ({
        ticker: tk,
        shares: shares[i]!,
        price: close[i]!,
        amount: shares[i]! * close[i]!,
        weight: weights[i]!,
      }))
      .filter((r) => r.shares > 0),
    cash,
    value,
    stored: !req.dryRun,
  };
}

/** The book's value at the last date of `m`, before any trade of that date. */
function bookDetailValue(db: DB, b: BookRow, m: PriceMatrix): number {
  const { days } = bookLedger(db, b, m);
  return days[days.length - 1]!.before;
}

/** A stored decision as the contract shows it; `latest` is the universe's latest data date. */
export function decisionOut(d: StoredDecision, latest: string): BookDecision {
  const n = d.tickers.length;
  const approved = d.answer?.weights ?? null;
  const t = tradesFor(d.tickers, d.prices, d.drifted, approved ?? d.target, d.value, d.cost);
  return {
    book: d.book,
    date: d.date,
    strategy: d.strategy,
    modelKey: d.modelKey,
    tickers: d.tickers,
    prices: Array.from(d.prices),
    value: d.value,
    current: { weights: Array.from(d.drifted.subarray(0, n)), cash: d.drifted[n]! },
    target: { weights: Array.from(d.target.subarray(0, n)), cash: d.target[n]! },
    trades: t.lines,
    turnover: t.turnover,
    cost: t.cost,
    detail: d.detail,
    warnings: d.warnings,
    outcome: d.answer
      ? {
          status: d.answer.status,
          weights: approved ? Array.from(approved.subarray(0, n)) : null,
          cash: approved ? approved[n]! : null,
          note: d.answer.note,
          createdAt: d.answer.createdAt,
        }
      : null,
    open: !d.answer && d.date === latest,
    createdAt: d.createdAt,
  };
}

/** What today's decision needs, computed outside any transaction (the strategy may take a while). */
export interface TodayPlan {
  book: BookRow;
  date: string;
  existing: StoredDecision | undefined;
  compute: () => Promise<Parameters<typeof putDecision>[1]>;
}

/** Prepare today's decision of a book (see {@link storeToday}). */
export function planToday(db: DB, name: string): TodayPlan {
  const b = bookOrThrow(db, name);
  const m = bookPrices(db, b.universe);
  const date = m.dates[m.dates.length - 1]!;
  return {
    book: b,
    date,
    existing: getDecision(db, b.name, date),
    compute: async () => {
      const { days } = bookLedger(db, b, m);
      const day = days[days.length - 1]!;
      if (day.traded) throw conflict(`the decision of ${date} is approved already`);
      const p = await propose(db, b, m, day.drifted);
      const t = tradesFor(m.tickers, m.close[m.dates.length - 1]!, day.drifted, p.target, day.before, b.settings.cost);
      const warnings: BookWarning[] = [];
      const { latest, stale } = staleTickers(coverage(db, b.universe));
      if (stale.length) {
        const list = stale
          .slice(0, 10)
          .map((s) => `${s.ticker} (${s.last ?? 'no price'})`)
          .join(', ');
        warnings.push({
          code: 'stale-data',
          message: `prices of ${list}${stale.length > 10 ? ` and ${stale.length - 10} more` : ''} stop before ${latest}: this decision is for ${date}, the last date every member has a price`,
        });
      }
      warnings.push(...allocationWarnings(m.tickers, p.target, t.turnover, b.settings));
      const v = verdictWarning(db, b);
      if (v) warnings.push(v);
      const s = staleModelWarning(db, b, p, date);
      if (s) warnings.push(s);
      return {
        book: b.name,
        date,
        strategy: b.strategy,
        modelKey: p.modelKey,
        tickers: m.tickers,
        prices: m.close[m.dates.length - 1]!,
        drifted: day.drifted,
        target: p.target,
        value: day.before,
        cost: b.settings.cost,
        detail: p.detail,
        warnings,
      };
    },
  };
}

/** Store a computed decision unless an answered one of its date appeared meanwhile; gives the stored one. */
export function storeToday(db: DB, d: Parameters<typeof putDecision>[1]): BookDecision {
  const now = getDecision(db, d.book, d.date);
  if (!now?.answer) putDecision(db, d);
  return decisionOut(getDecision(db, d.book, d.date)!, d.date);
}

/** The date the latest prices of a book's universe give (its data date). */
export function latestDate(db: DB, universe: string): string {
  const m = bookPrices(db, universe);
  return m.dates[m.dates.length - 1]!;
}

export function getBookDecision(db: DB, name: string, date?: string): BookDecision {
  const b = bookOrThrow(db, name);
  const d = getDecision(db, b.name, date);
  if (!d)
    throw new ServiceError(
      'NOT_FOUND',
      date ? `book ${b.name} has no decision on ${date}` : `book ${b.name} has no decision yet: ask for today's first`,
    );
  return decisionOut(d, latestDate(db, b.universe));
}

/**
 * The targets an answer approves: the proposal, or the proposal with the edits applied, checked (see the file
 * overview). Gives the weights (n + cash last) and whether they differ from the proposal; INVALID_INPUT with
 * one issue per problem otherwise.
 */
export function approvedTargets(
  d: StoredDecision,
  edits: AnswerRequest['edits'],
  s: BookSettings,
): { weights: Float64Array; adjusted: boolean } {
  const n = d.tickers.length;
  const w = Float64Array.from(d.target);
  if (!edits?.length) return { weights: w, adjusted: false };
  const problems: Problem[] = [];
  const col = new Map(d.tickers.map((t, i) => [t, i]));
  const seen = new Set<string>();
  edits.forEach((e, k) => {
    const at = `edits.${k}`;
    const ticker = e.ticker.toUpperCase();
    const i = col.get(ticker);
    if (i === undefined)
      return problems.push({ path: at, message: `${ticker} is not a member of the book's universe` });
    if (seen.has(ticker)) return problems.push({ path: at, message: `${ticker} is edited twice` });
    seen.add(ticker);
    if (!Number.isFinite(e.weight) || e.weight < 0)
      return problems.push({
        path: at,
        message: `${ticker}: the book is long-only, a weight must be zero or more (got ${e.weight})`,
      });
    w[i] = e.weight;
  });
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[i]!;
  if (!problems.length && sum > 1 + WEIGHT_SUM_TOLERANCE)
    problems.push({
      path: 'edits',
      message: `the edited weights sum to ${pct(sum, 4)}, more than 100%: lower some (the rest of the book is cash)`,
    });
  if (!problems.length) {
    w[n] = Math.max(0, 1 - sum);
    const t = tradesFor(d.tickers, d.prices, d.drifted, w, d.value, d.cost);
    if (t.turnover > s.turnoverBudget)
      problems.push({
        path: 'edits',
        message: `the edited targets trade ${pct(t.turnover)} of the book one way, above its turnover budget of ${pct(s.turnoverBudget)}`,
      });
  }
  if (problems.length)
    throw invalid(`the edit was refused; nothing was stored (${problems.map((p) => p.message).join('; ')})`, problems);
  let changed = false;
  for (let i = 0; i <= n; i++) if (Math.abs(w[i]! - d.target[i]!) > 1e-15) changed = true;
  return { weights: w, adjusted: changed };
}

/** Check an answer and store it (call inside one write transaction). */
export function answerDecision(db: DB, req: AnswerRequest): BookDecision {
  const b = bookOrThrow(db, req.name);
  const d = getDecision(db, b.name, req.date);
  if (!d)
    throw new ServiceError(
      'NOT_FOUND',
      req.date
        ? `book ${b.name} has no decision on ${req.date}`
        : `book ${b.name} has no decision yet: ask for today's first`,
    );
  if (d.answer)
    throw conflict(
      `the decision of ${d.date} was ${d.answer.status} already (${d.answer.createdAt.slice(0, 16).replace('T', ' ')})`,
    );
  const latest = latestDate(db, b.universe);
  if (d.date !== latest)
    throw conflict(
      `the decision of ${d.date} can no longer be answered: prices up to ${latest} have arrived since; ask for today's decision`,
    );
  if (!req.note.trim()) throw invalid('say why in a note');
  if (req.action === 'reject') {
    if (req.edits?.length) throw invalid('a rejection takes no edits');
    putAnswer(db, d.id, { status: 'rejected', weights: null, note: req.note });
  } else {
    const a = approvedTargets(d, req.edits, b.settings);
    putAnswer(db, d.id, { status: a.adjusted ? 'adjusted' : 'approved', weights: a.weights, note: req.note });
  }
  return decisionOut(getDecision(db, b.name, d.date)!, latest);
}

function metricsOut(m: Record<string, number>): Record<string, number | 'inf' | '-inf' | null> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, metricValue(v)]));
}

/** Series and metrics of ledger rows from row `from` on (see the file overview). */
function recordOf(days: readonly LedgerDay[], from: number, n: number) {
  const rows = days.slice(from);
  const returns = ledgerReturns(days, from);
  const metrics = computeMetrics(
    {
      returns,
      turnover: Float64Array.from(rows.slice(1), (d) => d.turnover),
      weights: rows.map((d) => d.held),
      nRisky: n,
      cost: Float64Array.from(rows, (d) => d.cost),
    },
    { riskFree: 0 },
  );
  return {
    series: {
      values: rows.map((d) => d.after),
      returns: Array.from(returns),
      drawdown: Array.from(drawdownSeries(returns)),
    },
    metrics: metricsOut(metrics),
  };
}

export function trackRecord(db: DB, name: string): TrackRecord {
  const b = bookOrThrow(db, name);
  const m = bookPrices(db, b.universe);
  const decisions = listDecisions(db, b.name);
  const answers = { approved: 0, adjusted: 0, rejected: 0 };
  for (const d of decisions) if (d.answer) answers[d.answer.status]++;
  const { opening, days } = bookLedger(db, b, m, decisions);
  const k0 = days.findIndex((d) => d.traded);
  const empty = { values: [], returns: [], drawdown: [] };
  if (k0 < 0)
    return {
      book: b.name,
      from: null,
      dates: [],
      realised: empty,
      proposed: empty,
      equalWeight: empty,
      metrics: { realised: {}, proposed: {}, equalWeight: {} },
      answers,
    };
  const n = m.tickers.length;
  const from = days[k0]!.date;
  const start = { date: from, ...holdingsBefore(days, k0, opening) };
  const proposals = new Map<string, ApprovedTrade>();
  for (const d of decisions)
    if (d.date >= from && d.tickers.join(',') === m.tickers.join(','))
      proposals.set(d.date, { weights: d.target, cost: d.cost });
  const ew = new Float64Array(n + 1).fill(1 / n);
  ew[n] = 0;
  const everyDay = new Map<string, ApprovedTrade>();
  for (const d of days.slice(k0)) everyDay.set(d.date, { weights: ew, cost: b.settings.cost });
  const realised = recordOf(days, k0, n);
  const proposed = recordOf(runLedger(m, start, proposals), 0, n);
  const equal = recordOf(runLedger(m, start, everyDay), 0, n);
  return {
    book: b.name,
    from,
    dates: days.slice(k0).map((d) => d.date),
    realised: realised.series,
    proposed: proposed.series,
    equalWeight: equal.series,
    metrics: { realised: realised.metrics, proposed: proposed.metrics, equalWeight: equal.metrics },
    answers,
  };
}
