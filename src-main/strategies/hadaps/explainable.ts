/**
 * A stored HADAPS decision opened for explanation (explain/hadaps.ts forms the players and runs SHAP on it): the
 * model is reopened by the key the decision records (hdrl-data/models/hadaps-<key>.json), the states of the decision
 * day are rebuilt from the universe's closes up to that day with the model's own price normalisation
 * (agents/hadaps/features.ts), and the weights held are the run's previous stored decision drifted to the day, as
 * the strategy fed them to its policy. The exported ONNX policy is evaluated in batches.
 *
 * One input row is every input of the policy in one vector: for N assets and window k,
 *   [0, Nk)       price state p[i, j] at i * k + j          (the intra-class layers read it)
 *   [Nk, 2Nk)     volatility state v[i, j] at Nk + i * k + j (the inter-class layer reads it)
 *   [2Nk, 2Nk+N)  weights held, asset i at 2Nk + i          (every layer reads them: summed by class, or its members')
 * (`rowIndex`). Steps j run oldest first, as the states do.
 *
 * Background rows: the states of BACKGROUND_WINDOWS days spread evenly over the model's training days, each with the
 * weights the policy itself would have held that day — a replay of the strategy's daily rule over the training
 * days from an all-cash book ({@link replayHadaps}). So a baseline is a typical day of the period the policy learned
 * on, holding what it held then (docs/hadaps.md "Explanations").
 */
import type { DB } from '../../store/db';
import { fileHadapsModelStore } from '../../store/models';
import { CASH_CLASS, type ClassLayout } from '../../agents/hadaps/classes';
import type { HadapsConfig } from '../../agents/hadaps/config';
import { firstStateDay, hadapsStates, type PriceNorm } from '../../agents/hadaps/features';
import { policyNets, type HadapsShape, type PolicyNet } from '../../agents/hadaps/network';
import { HadapsPolicy } from '../../agents/hadaps/policy';
import { NotExplainableError } from '../samp/explainable';
import { backgroundPicks, reopenStoredDecision, replayFromCash, type ReplayDay } from '../storedDecision';
import { hadapsTrade, layoutOf } from './index';
import { hadapsDetail, type HadapsDecisionDetail } from '../../../src-shared/domain/decision';

/** Where each input of the policy lies in one row (file overview). */
export interface HadapsRowIndex {
  /** price state of asset i at step j */
  p(i: number, j: number): number;
  /** volatility state of asset i at step j */
  v(i: number, j: number): number;
  /** weight held of asset i */
  held(i: number): number;
  /** row length */
  length: number;
}

export function rowIndex(n: number, k: number): HadapsRowIndex {
  return {
    p: (i, j) => i * k + j,
    v: (i, j) => n * k + i * k + j,
    held: (i) => 2 * n * k + i,
    length: 2 * n * k + n,
  };
}

/** What a batch of rows gives: per row, the risky weights [N] and the class weights [C] (cash last). */
export interface HadapsOutputs {
  weights: Float64Array[];
  classes: Float64Array[];
}

/** A stored HADAPS decision, ready to be explained (file overview). */
export interface HadapsExplainable {
  date: string;
  detail: HadapsDecisionDetail;
  /** the model's tickers, in the order its policy reads them (the run's, under a sector scenario its stocks) */
  tickers: string[];
  /** k, days of every state */
  window: number;
  /** the policy's form: the hierarchy or one of its ablations */
  policyKind: HadapsConfig['policy'];
  /** the classes (risky ones; cash is the last class and has no assets) */
  layout: ClassLayout;
  /** every class's name, cash last */
  classNames: string[];
  /** the policy's layers (network.ts policyNets): 'inter', 'intra<c>' for each class of two or more, or 'flat' */
  layers: PolicyNet[];
  index: HadapsRowIndex;
  /** the decision's input */
  x: Float64Array;
  /** the weights the decision held (drifted), the held part of x */
  held: Float64Array;
  /** the days the background rows come from */
  backgroundDates: string[];
  background: Float64Array[];
  evaluate(rows: readonly Float64Array[]): HadapsOutputs;
  close(): Promise<void>;
}

/**
 * The strategy's daily rule (strategies/hadaps/index.ts decide) replayed over days from..to from an all-cash book:
 * drift the last decision to the day, feed the states and the drifted weights to the policy, trade as decide trades
 * (hadapsTrade). A test checks that replaying a run's test window gives its stored weights.
 */
export function replayHadaps(
  policy: HadapsPolicy,
  closes: (d: number) => ArrayLike<number>,
  from: number,
  to: number,
  cfg: Pick<HadapsConfig, 'window' | 'noTradeBand' | 'tradeRate'>,
  norm: PriceNorm,
): ReplayDay[] {
  const n = policy.sh.n;
  return replayFromCash(n, closes, from, to, (t, held) => {
    const st = hadapsStates(closes, t, n, cfg.window, norm);
    return hadapsTrade(policy.run(st.p, st.v, Float32Array.from(held)).weights, held, cfg);
  });
}

/** One input row of states at day t and the weights `held`. */
function stateRow(
  closes: (d: number) => ArrayLike<number>,
  t: number,
  n: number,
  k: number,
  norm: PriceNorm,
  held: ArrayLike<number>,
): Float64Array {
  const st = hadapsStates(closes, t, n, k, norm);
  const row = new Float64Array(2 * n * k + n);
  row.set(st.p, 0);
  row.set(st.v, n * k);
  row.set(held, 2 * n * k);
  return row;
}

/**
 * Open a HADAPS run's decision at `date` (default: its last) for explanation.
 * @throws NotExplainableError when the run, the decision or its model is missing, the decision is not HADAPS's, or
 *   the universe no longer holds the model's stocks
 */
export async function hadapsExplainable(db: DB, runId: string, date?: string): Promise<HadapsExplainable> {
  const {
    at,
    detail,
    model: m,
    prices,
    t,
    trainStart,
    trainEnd,
    held,
  } = await reopenStoredDecision(db, runId, date, {
    runs: 'a HADAPS run',
    detail: hadapsDetail,
    store: fileHadapsModelStore,
  });
  const n = m.tickers.length;
  const k = m.cfg.window;
  const layout = layoutOf(m, m.tickers);
  const sh: HadapsShape = { n, layout, cfg: m.cfg };
  const closes = (d: number) => prices.close[d]!;
  const policy = await HadapsPolicy.open(m.onnx, sh);
  try {
    const x = stateRow(closes, t, n, k, m.norm, held);
    const first = Math.max(trainStart, firstStateDay(k));
    if (first > trainEnd)
      throw new NotExplainableError(`the model of run ${runId} has no training day with ${2 * k} days of history`);
    const replay = replayHadaps(policy, closes, first, trainEnd, m.cfg, m.norm);
    const picks = backgroundPicks(replay.length);
    const background = picks.map((b) => stateRow(closes, replay[b]!.day, n, k, m.norm, replay[b]!.held));
    const C = layout.classes.length + 1;
    return {
      date: at.date,
      detail,
      tickers: [...m.tickers],
      window: k,
      policyKind: m.cfg.policy,
      layout,
      classNames: [...layout.classes.map((c) => c.name), CASH_CLASS],
      layers: policyNets(sh),
      index: rowIndex(n, k),
      x,
      held,
      backgroundDates: picks.map((b) => prices.dates[replay[b]!.day]!),
      background,
      evaluate(rows) {
        const B = rows.length;
        const P = new Float32Array(B * n * k);
        const V = new Float32Array(B * n * k);
        const W = new Float32Array(B * n);
        rows.forEach((r, b) => {
          P.set(r.subarray(0, n * k), b * n * k);
          V.set(r.subarray(n * k, 2 * n * k), b * n * k);
          W.set(r.subarray(2 * n * k, 2 * n * k + n), b * n);
        });
        const out = policy.run(P, V, W, B);
        return {
          weights: Array.from({ length: B }, (_, b) => Float64Array.from(out.weights.subarray(b * n, (b + 1) * n))),
          classes: Array.from({ length: B }, (_, b) => Float64Array.from(out.classes.subarray(b * C, (b + 1) * C))),
        };
      },
      close: () => policy.dispose(),
    };
  } catch (e) {
    await policy.dispose();
    throw e;
  }
}
