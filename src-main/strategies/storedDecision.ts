/**
 * A learned strategy's stored decision reopened for explanation: the steps every family with a stored model takes the
 * same way before it rebuilds its own inputs (HADAPS strategies/hadaps/explainable.ts, MPLS explain/mpls.ts). The
 * run and its decision at a date are read from the store, the decision's detail must be the family's, the model is
 * loaded by the key the decision records, the universe's closes up to the decision day are restricted to the model's
 * stocks, the model's training span is located in them, and the weights the decision held are the run's previous
 * stored decision drifted to the day (the strategies' own rule). Every refusal is a NotExplainableError saying
 * what is missing.
 *
 * Background days: a family replays its own daily rule over the training days from an all-cash book
 * ({@link replayFromCash}: the drift of the weights between days is common, the decision is the family's), and
 * {@link backgroundPicks} spreads BACKGROUND_WINDOWS picks evenly over that replay.
 */
import type { DecisionDetail } from '../../src-shared/domain/decision';
import { decisionModel } from '../../src-shared/domain/decision';
import { driftWeights } from '../agents/samp/trading';
import type { PriceMatrix } from '../market/prices';
import { restrictPrices } from '../market/scenarios';
import type { DB } from '../store/db';
import { modelsDir } from '../store/models';
import { loadPriceMatrix } from '../store/prices';
import { getRun, getRunWeightsAt, type RunRow, type RunWeightsAt } from '../store/runs';
import { BACKGROUND_WINDOWS, NotExplainableError } from './samp/explainable';

/** How one family reads its decisions and models. */
export interface StoredDecisionFamily<A, D> {
  /** what the refusal of another family's decision calls the family's runs ("a HADAPS run") */
  runs: string;
  /** the decision detail as the family's, or null when it is another family's */
  detail(d: DecisionDetail | null): D | null;
  /** the family's model store in the models folder */
  store(dir: string): { get(key: string): Promise<A | undefined> };
}

/** A stored decision with its model and prices (file overview). */
export interface StoredDecision<A, D> {
  run: RunRow;
  at: RunWeightsAt;
  detail: D;
  model: A;
  /** the universe's closes up to the decision day, the model's stocks only */
  prices: PriceMatrix;
  /** the decision day: the last day of `prices` */
  t: number;
  /** the model's first and last training day in `prices` (the last no later than t) */
  trainStart: number;
  trainEnd: number;
  /** the weights the decision held: the previous stored decision drifted to day t (zero on the first day) */
  held: Float64Array;
}

/** A stored model by key, from the models folder next to the database. */
async function loadModel<A>(
  db: DB,
  runId: string,
  key: string,
  store: StoredDecisionFamily<A, unknown>['store'],
): Promise<A> {
  const dir = modelsDir(db);
  const gone = () =>
    new NotExplainableError(
      `the model of run ${runId} is no longer stored next to the database (key ${key.slice(0, 12)})`,
    );
  if (!dir) throw gone();
  let m: A | undefined;
  try {
    m = await store(dir).get(key);
  } catch (e) {
    throw new NotExplainableError(`the model of run ${runId} cannot be read: ${(e as Error).message}`);
  }
  if (!m) throw gone();
  return m;
}

/**
 * Reopen run `runId`'s decision at `date` (default: its last) with its model, as {@link StoredDecision} says.
 * @throws NotExplainableError when the run, the decision or its model is missing, the decision is not the family's,
 *   or the universe no longer holds the model's stocks or the decision's or training span's days
 */
export async function reopenStoredDecision<A extends { tickers: readonly string[] }, D>(
  db: DB,
  runId: string,
  date: string | undefined,
  family: StoredDecisionFamily<A, D>,
): Promise<StoredDecision<A, D>> {
  const run = getRun(db, runId);
  if (!run) throw new NotExplainableError(`run ${runId} not found`);
  const at = getRunWeightsAt(db, runId, date);
  if (!at) throw new NotExplainableError(`run ${runId} has no decision on ${date}`);
  const detail = family.detail(at.detail);
  if (!detail) throw new NotExplainableError(`run ${runId} (${run.strategy}) is not ${family.runs}`);
  const record = decisionModel(at.detail);
  if (!record) throw new NotExplainableError(`run ${runId}'s decision of ${at.date} records no model to reopen`);
  const model = await loadModel(db, runId, record.key, family.store);
  let prices: PriceMatrix;
  try {
    prices = restrictPrices(loadPriceMatrix(db, run.universe, { to: at.date }), model.tickers);
  } catch (e) {
    throw new NotExplainableError(
      `the universe ${run.universe} no longer holds the stocks the model of run ${runId} decides over: ${(e as Error).message}`,
    );
  }
  const t = prices.dates.length - 1;
  if (prices.dates[t] !== at.date)
    throw new NotExplainableError(`the universe ${run.universe} has no closes of every stock on ${at.date}`);
  const day = (d: string, what: string) => {
    const i = prices.dates.indexOf(d);
    if (i < 0) throw new NotExplainableError(`the universe ${run.universe} has no closes on ${d}, the ${what}`);
    return i;
  };
  const trainStart = day(record.trainedFrom, "model's first training day");
  const trainEnd = Math.min(day(record.trainedTo, "model's last training day"), t);
  const n = model.tickers.length;
  const prevDay = at.previous ? prices.dates.indexOf(at.previous.date) : -1;
  const held =
    prevDay >= 0
      ? driftWeights(
          at.previous!.weights.subarray(0, n),
          Float64Array.from(prices.close[t]!, (c, i) => c / prices.close[prevDay]![i]!),
        )
      : new Float64Array(n);
  return { run, at, detail, model, prices, t, trainStart, trainEnd, held };
}

/** Indexes into a replay of `length` days: BACKGROUND_WINDOWS spread evenly, first and last included, each once. */
export function backgroundPicks(length: number): number[] {
  return [
    ...new Set(
      Array.from({ length: BACKGROUND_WINDOWS }, (_, b) =>
        Math.round(((length - 1) * b) / Math.max(1, BACKGROUND_WINDOWS - 1)),
      ),
    ),
  ];
}

/** One day of {@link replayFromCash}. */
export interface ReplayDay {
  day: number;
  /** the weights held at the day's close before deciding (drifted from the previous decision; cash at first) */
  held: Float64Array;
  /** the weights decided (after the family's trading rule: its no-trade band, its trade rate) */
  weights: Float64Array;
}

/**
 * A strategy's daily rule replayed over days from..to of `n` stocks from an all-cash book: each day the previous
 * decision drifts with the day's price relatives (cash stays), then `decide` gives the day's traded weights from
 * the weights held.
 */
export function replayFromCash(
  n: number,
  closes: (d: number) => ArrayLike<number>,
  from: number,
  to: number,
  decide: (t: number, held: Float64Array) => Float64Array,
): ReplayDay[] {
  const out: ReplayDay[] = [];
  let prev: Float64Array | null = null;
  for (let t = from; t <= to; t++) {
    let held: Float64Array = new Float64Array(n);
    if (prev) {
      const a = closes(t - 1);
      const b = closes(t);
      held = driftWeights(
        prev,
        Float64Array.from({ length: n }, (_, i) => b[i]! / a[i]!),
      );
    }
    const w = decide(t, held);
    out.push({ day: t, held, weights: w });
    prev = w;
  }
  return out;
}
