/**
 * Today's decision of a book: its strategy's target weights at the close of the latest data date, the trades from
 * the book's current (drifted) weights to them, and the checks a PM reads before approving.
 *
 * - Classic strategies come from the registry and decide through market/simulate.ts over the days from the
 *   book's opening date to the data date (online learners need every day; a backtest from the opening date would
 *   take the same decisions). Hindsight references are refused: they would read the future.
 * - Learned strategies run the stored model of the book's run (store/models.ts) through ONNX Runtime, without
 *   training, at the data date only (the SAMP policy's grouping and rebound state are read from prices up to that
 *   date, not from earlier calls).
 * - Either way the prices are loaded up to the data date and the strategy reads them through MarketView, so the
 *   decision cannot see a later price.
 *
 * Trades follow the ledger's rule (ledger.ts): the change of each weight, in shares and currency at the close the
 * decision saw, with its part of the cost `cost × |Δw_i| × value`; the whole cost is cost × Σ|Δw| × value.
 */
import type { DB } from '../store/db';
import type { PriceMatrix } from '../market/prices';
import { simulate } from '../market/simulate';
import { usingInstance } from '../market/decision';
import { explicitWindow } from '../market/walkforward';
import { getStrategy, resolveParams } from '../strategies/registry';
import type { StrategyContext, StrategyInstance } from '../strategies/types';
import { loadModelArtifacts } from '../store/models';
import { getRun, getRunMetrics, listRuns } from '../store/runs';
import type { BookRow } from '../store/books';
import type { BookSettings, BookWarning, TradeLine } from '../../src-shared/contract/books';
import { BacktestStartRequest } from '../../src-shared/contract/runs';
import {
  equalWeightReference,
  equalWeightVerdict,
  marketIdentity,
  verdictPhrase,
  type EqualWeightId,
} from '../../src-shared/domain';
import { ServiceError } from '../services/errors';

/** Training days before the opening date a classic strategy may estimate from (the backtest's default lookback). */
export const CLASSIC_LOOKBACK_DAYS = 252;

/** Weight changes below this are not trades (rounding noise). */
export const TRADE_EPSILON = 1e-12;

export interface Proposal {
  /** n risky weights + cash last, checked by the simulator's rule */
  target: Float64Array;
  detail: Record<string, unknown> | null;
  modelKey: string | null;
  /** learned models: last training date */
  trainedTo: string | null;
  /** learned models: the run's training window length in trading days and seed, to retrain the same way */
  train: { days: number; seed: number } | null;
}

const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)}%`;

/** A classic (non-learning, non-hindsight) strategy's decision at the last date of `m`, from the opening date on. */
async function classicProposal(book: BookRow, m: PriceMatrix): Promise<Proposal> {
  const def = await getStrategy(book.strategy);
  if (def.hindsight)
    throw new ServiceError(
      'INVALID_INPUT',
      `${def.id} is a hindsight reference (it reads the test window in advance) and cannot decide for a book`,
    );
  if (def.family === 'learning')
    throw new ServiceError('INVALID_INPUT', `${def.id} learns: assign the trained model of one of its runs instead`);
  const params = resolveParams(def, book.params);
  const last = m.dates.length - 1;
  const w = explicitWindow(m.dates, book.openingDate, m.dates[last], CLASSIC_LOOKBACK_DAYS);
  const ctx: StrategyContext = {
    prices: m,
    trainStart: w.trainStart,
    trainEnd: w.trainEnd,
    testStart: w.testStart,
    testEnd: w.testEnd,
    seed: 1,
    params,
  };
  const inst = await def.create(ctx);
  const sim = await usingInstance(inst, (strategy) =>
    simulate(m, strategy, { strategyId: def.id, testStart: w.testStart, testEnd: w.testEnd }),
  );
  const k = sim.target.length - 1;
  const detail = sim.details?.[k] ?? null;
  return {
    target: Float64Array.from(sim.target[k]!),
    detail: detail as Record<string, unknown> | null,
    modelKey: null,
    trainedTo: null,
    train: null,
  };
}

/** The book's stored model's decision at the last date of `m`, through ONNX Runtime. */
async function modelProposal(db: DB, book: BookRow, m: PriceMatrix, held?: ArrayLike<number>): Promise<Proposal> {
  if (!book.modelKey) throw new ServiceError('INVALID_INPUT', `book ${book.name} has no model assigned`);
  const artifacts = await loadModelArtifacts(db, book.modelKey);
  if (!artifacts)
    throw new ServiceError(
      'NOT_FOUND',
      `the model of book ${book.name} (key ${book.modelKey.slice(0, 12)}) is no longer stored next to the database; assign another run's model`,
    );
  if (artifacts.tickers.join(',') !== m.tickers.join(','))
    throw new ServiceError(
      'CONFLICT',
      `the model of book ${book.name} was trained on other tickers than ${m.universe} holds now`,
    );
  if (m.dates[artifacts.train.end] !== artifacts.train.endDate) {
    throw new ServiceError(
      'CONFLICT',
      `the price history of ${m.universe} changed before ${artifacts.train.endDate} since the model of book ${book.name} was trained; retrain it`,
    );
  }
  const { loadSampPolicy } = await import('../strategies/samp');
  const policy = await loadSampPolicy(artifacts);
  try {
    // a holdings-aware model decides from what the book holds (its drifted risky weights; cash is the rest)
    const inner = policy.instance(held ? { holdings: Array.from(held).slice(0, m.tickers.length) } : {});
    const model = {
      key: artifacts.key,
      sha256: artifacts.sha256.onnx,
      backend: artifacts.backend,
      trainedFrom: artifacts.train.startDate,
      trainedTo: artifacts.train.endDate,
    };
    const inst: StrategyInstance = {
      decide(view) {
        const d = inner.decide(view);
        return { ...d, detail: { ...d.detail, model } };
      },
    };
    const t = m.dates.length - 1;
    const sim = simulate(m, inst, { strategyId: artifacts.variant, testStart: t, testEnd: t });
    return {
      target: Float64Array.from(sim.target[0]!),
      detail: (sim.details?.[0] ?? null) as Record<string, unknown> | null,
      modelKey: artifacts.key,
      trainedTo: artifacts.train.endDate,
      train: { days: artifacts.train.end - artifacts.train.start + 1, seed: artifacts.seed },
    };
  } finally {
    await policy.dispose();
  }
}

/** The book's strategy's targets at the last date of `m` (prices loaded up to the data date). */
export function propose(db: DB, book: BookRow, m: PriceMatrix, held?: ArrayLike<number>): Promise<Proposal> {
  return book.modelKey ? modelProposal(db, book, m, held) : classicProposal(book, m);
}

/**
 * The trades from `drifted` to `target` (both n + cash last) for a book worth `value` at `prices` (rule in the
 * file overview). Gives the lines (changes above TRADE_EPSILON), the one-way turnover and the cost in currency.
 */
export function tradesFor(
  tickers: readonly string[],
  prices: ArrayLike<number>,
  drifted: ArrayLike<number>,
  target: ArrayLike<number>,
  value: number,
  cost: number,
): { lines: TradeLine[]; turnover: number; cost: number } {
  const n = tickers.length;
  let risky = 0;
  for (let i = 0; i < n; i++) risky += Math.abs(target[i]! - drifted[i]!);
  const after = value * (1 - cost * risky);
  const lines: TradeLine[] = [];
  for (let i = 0; i < n; i++) {
    const dw = target[i]! - drifted[i]!;
    if (Math.abs(dw) <= TRADE_EPSILON) continue;
    const shares = (target[i]! * after - drifted[i]! * value) / prices[i]!;
    lines.push({
      ticker: tickers[i]!,
      side: shares >= 0 ? 'BUY' : 'SELL',
      weightChange: dw,
      shares,
      price: prices[i]!,
      amount: shares * prices[i]!,
      cost: cost * Math.abs(dw) * value,
    });
  }
  return { lines, turnover: 0.5 * (risky + Math.abs(target[n]! - drifted[n]!)), cost: cost * risky * value };
}

/** Largest risky weight and its ticker. */
export function largestWeight(tickers: readonly string[], w: ArrayLike<number>): { ticker: string; weight: number } {
  let best = { ticker: '', weight: -Infinity };
  for (let i = 0; i < tickers.length; i++) if (w[i]! > best.weight) best = { ticker: tickers[i]!, weight: w[i]! };
  return best;
}

/** Calendar days from ISO date a to ISO date b. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The concentration and turnover checks of a set of targets against the book's settings (proposal or edit). */
export function allocationWarnings(
  tickers: readonly string[],
  target: ArrayLike<number>,
  turnover: number,
  s: BookSettings,
): BookWarning[] {
  const out: BookWarning[] = [];
  const top = largestWeight(tickers, target);
  if (top.weight > s.concentrationLimit)
    out.push({
      code: 'concentration',
      message: `${top.ticker} would be ${pct(top.weight)} of the book, above its limit of ${pct(s.concentrationLimit)}`,
    });
  if (turnover > s.turnoverBudget)
    out.push({
      code: 'turnover',
      message: `one-way turnover ${pct(turnover)} is above the book's budget of ${pct(s.turnoverBudget)}`,
    });
  return out;
}

/**
 * The verdict of the book's model against equal weight in its own evaluation: the run that trained it beside the
 * equal-weight runs (crp, else ubah) of the same market and test window (src-shared/domain/verdict.ts). A warning
 * unless it beats equal weight.
 */
export function verdictWarning(db: DB, book: BookRow): BookWarning | null {
  if (!book.modelRun) return null;
  const run = getRun(db, book.modelRun);
  if (!run)
    return {
      code: 'verdict',
      message: `the run that trained the model (${book.modelRun}) is no longer stored: its evaluation against equal weight is unknown`,
    };
  const figures = (id: string) => {
    const x = getRunMetrics(db, id);
    return { sharpe: x.sharpe ?? Number.NaN, cumulativeReturn: x.cumulativeReturn ?? Number.NaN };
  };
  const market = marketIdentity(run.config);
  const same = listRuns(db, { universe: run.universe, status: 'complete', limit: 5000 }).filter(
    (r) => r.windowFrom === run.windowFrom && r.windowTo === run.windowTo && marketIdentity(r.config) === market,
  );
  const ewId = equalWeightReference((id: EqualWeightId) => same.some((r) => r.strategy === id));
  const window = `${run.windowFrom} – ${run.windowTo}`;
  if (!ewId)
    return {
      code: 'verdict',
      message: `the model's evaluation (${window}) has no equal-weight run to compare with: run crp on the same window to know whether it beats equal weight`,
    };
  const v = equalWeightVerdict(
    [figures(run.id)],
    same.filter((r) => r.strategy === ewId).map((r) => figures(r.id)),
  );
  if (v.outcome === 'beats') return null;
  const num = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
  return {
    code: 'verdict',
    message: `the model ${verdictPhrase(v.outcome)} equal weight in its evaluation (${window}): Sharpe ${num(v.sharpe.mean)} vs ${num(v.ewSharpe.mean)}, cumulative return ${pct(v.cumulativeReturn.mean)} vs ${pct(v.ewCumulativeReturn.mean)}`,
  };
}

/** The stale-model warning with its retrain request, when the data date is too far past the model's training. */
export function staleModelWarning(db: DB, book: BookRow, p: Proposal, dataDate: string): BookWarning | null {
  if (!p.trainedTo || !p.train) return null;
  const days = daysBetween(p.trainedTo, dataDate);
  if (days <= book.settings.staleModelDays) return null;
  const run = book.modelRun ? getRun(db, book.modelRun) : undefined;
  const params = (run?.config.params ?? {}) as Record<string, unknown>;
  const message = `the model was trained on data up to ${p.trainedTo}, ${days} days before ${dataDate} (the book allows ${book.settings.staleModelDays}): retrain it on the ${p.train.days} trading days before ${dataDate}, then assign the new run's model`;
  // the request the desk starts as it is; a model whose parameters the contract cannot carry is retrained from the command line
  const req = BacktestStartRequest.safeParse({
    universe: book.universe,
    strategies: [book.strategy],
    from: dataDate,
    to: dataDate,
    lookback: p.train.days,
    seeds: 1,
    seedFirst: p.train.seed,
    params: { [book.strategy]: params },
  });
  if (!req.success)
    return {
      code: 'stale-model',
      message: `${message} (its parameters are too long for the desk's request: use hdrl backtest with the same --param values)`,
    };
  return { code: 'stale-model', message, retrain: req.data };
}

/** Tickers whose prices stop before the latest price of any member, with their last date. */
export function staleTickers(coverage: ReadonlyMap<string, { last: string | null }>): {
  latest: string | null;
  stale: { ticker: string; last: string | null }[];
} {
  let latest: string | null = null;
  for (const c of coverage.values()) if (c.last && (!latest || c.last > latest)) latest = c.last;
  const stale = [...coverage.entries()]
    .filter(([, c]) => latest !== null && (c.last === null || c.last < latest))
    .map(([ticker, c]) => ({ ticker, last: c.last }));
  return { latest, stale };
}
