/**
 * Online stochastic batch learning (Jiang, Xu and Liang 2017, section 5; docs/drl-baselines.md "EIIE" and "PPN"):
 * what EIIE's and PPN's training share, written once here and used by both trainers (agents/eiie/trainer.ts,
 * agents/ppn/trainer.ts), which differ only in the network and the reward their update graph computes.
 *   - the portfolio-vector memory (PVM): one row per training period holding the portfolio [cash, assets] the
 *     network last gave for it. A minibatch reads the rows before its periods as the weights held, and writes its
 *     new portfolios back, so periods of a minibatch are computed in parallel instead of one after another;
 *   - the batch starts: a minibatch is `batch` consecutive periods whose start is drawn from a geometric
 *     distribution favouring recent periods, P(start = latest - k) proportional to beta (1 - beta)^k, a draw past
 *     the earliest start being drawn again;
 *   - the loop (`trainOsbl`): periods, minibatches, the update, the write-back, and validated checkpoint selection.
 *
 * Periods: decisions at the close of days first..trainEnd - 1, first = trainStart + window - 1 (a full window of
 * closes). The last `validationDays` of them (at most half) are held out: minibatches are drawn only from the
 * periods before, whose rewards are realised by the first validation day, so nothing of the validation period is
 * learned from. Every `evalEvery` updates (and after the last) the current network trades the validation period
 * from cash, day by day, holding the drifted weights and paying the cost (agents/samp/env.ts portfolioStep); its
 * net Sharpe (agents/samp/selection.ts netSharpe) scores the checkpoint, `CheckpointSelector` keeps the best and
 * stops training after `patience` scores in a row without improvement. With no validation days the last network
 * is kept. The whole run is a function of the seed (the learner's initialisation and the batch starts).
 *
 * The network reads only days <= the period's day: the view it is given ends at trainEnd.
 */
import seedrandom from 'seedrandom';
import type { ParamValues } from '../../compute/params';
import type { MarketView } from '../../market/view';
import { abortError } from '../samp/episodes';
import { portfolioStep } from '../samp/env';
import { CheckpointSelector, netSharpe } from '../samp/selection';
import { driftWeights } from '../samp/trading';

/**
 * A batch start in [first, latest]: latest - k with k ~ Geometric(beta) (failures before the first success,
 * k = floor(ln u / ln(1 - beta))), redrawn while latest - k < first. `rng` gives uniforms in [0, 1).
 */
export function geometricStart(rng: () => number, first: number, latest: number, beta: number): number {
  if (!(Number.isInteger(first) && Number.isInteger(latest) && latest >= first))
    throw new RangeError(`batch starts need first <= latest, got ${first}..${latest}`);
  if (!(beta > 0 && beta < 1)) throw new RangeError(`beta must be in (0, 1), got ${beta}`);
  const span = latest - first;
  const lq = Math.log(1 - beta);
  for (;;) {
    const u = 1 - rng(); // in (0, 1]
    const k = Math.floor(Math.log(u) / lq);
    if (k <= span) return latest - k;
  }
}

/**
 * The portfolio-vector memory over decision days `first`..`last`, plus the row of day first - 1 (the weights held
 * before the first period: all cash, as a backtest starts). Rows are [cash, asset 1..N]. Online learning
 * (online.ts) extends it by a row per new day; nothing else in it grows.
 */
export class PortfolioVectorMemory {
  readonly width: number;
  private rows: Float32Array;
  private lastDay: number;
  constructor(
    readonly first: number,
    last: number,
    readonly nAssets: number,
  ) {
    if (!(last >= first)) throw new RangeError(`PVM needs first <= last, got ${first}..${last}`);
    this.width = nAssets + 1;
    this.lastDay = last;
    this.rows = new Float32Array((last - first + 2) * this.width);
    for (let d = first - 1; d <= last; d++) this.rows[(d - first + 1) * this.width] = 1;
  }

  /** The last day with a row. */
  get last(): number {
    return this.lastDay;
  }

  /** Add rows up to `day`, all cash (capacity doubles, so a row per day costs amortised constant time). */
  extend(day: number): void {
    if (!(Number.isInteger(day) && day > this.lastDay))
      throw new RangeError(`PVM extends past its last day ${this.lastDay}, got ${day}`);
    const need = (day - this.first + 2) * this.width;
    if (need > this.rows.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.rows.length));
      grown.set(this.rows.subarray(0, (this.lastDay - this.first + 2) * this.width));
      this.rows = grown;
    }
    for (let d = this.lastDay + 1; d <= day; d++) this.rows[(d - this.first + 1) * this.width] = 1;
    this.lastDay = day;
  }

  private offset(day: number): number {
    if (!(Number.isInteger(day) && day >= this.first - 1 && day <= this.lastDay))
      throw new RangeError(`PVM has no row for day ${day} (rows ${this.first - 1}..${this.lastDay})`);
    return (day - this.first + 1) * this.width;
  }

  /** The portfolio stored for `day` [cash, assets] (a copy). */
  row(day: number): Float32Array {
    const o = this.offset(day);
    return this.rows.slice(o, o + this.width);
  }

  /**
   * The weights held at the close of `day` before deciding: the row of day - 1 drifted by the day's price
   * relatives `ratio` [N], cash first.
   */
  held(day: number, ratio: ArrayLike<number>): Float32Array {
    const prev = this.row(day - 1);
    const risky = driftWeights(prev.subarray(1), ratio);
    const out = new Float32Array(this.width);
    let s = 0;
    for (let i = 0; i < this.nAssets; i++) {
      out[i + 1] = risky[i]!;
      s += risky[i]!;
    }
    out[0] = Math.max(0, 1 - s);
    return out;
  }

  /** Write `count` consecutive rows from `day` on: w [count * (N + 1)]. */
  write(day: number, w: Float32Array, count: number): void {
    if (w.length !== count * this.width)
      throw new RangeError(`PVM write: ${w.length} values for ${count} rows of ${this.width}`);
    this.offset(day + count - 1);
    this.rows.set(w, this.offset(day));
  }
}

/** The settings the loop reads; EIIE's and PPN's configs both carry them (each config documents them). */
export interface OsblSettings {
  /** days of closes per window (n) */
  window: number;
  /** consecutive periods per minibatch */
  batchSize: number;
  /** update budget */
  updates: number;
  /** beta of the batch-start distribution, per period */
  sampleBias: number;
  /** proportional cost of the validation runs (and of the update's reward) */
  costRate: number;
  /** held-out end of the training window (at most half of the periods) */
  validationDays: number;
  /** updates between validation runs */
  evalEvery: number;
  /** validation runs without improvement before stopping (0 = never) */
  patience: number;
}

/** The periods of a training window (see the file overview). */
export interface OsblPeriods {
  /** first decision day */
  first: number;
  /** first validation decision day (= trainEnd when there is no validation) */
  validationStart: number;
  /** last decision day (trainEnd - 1) */
  last: number;
  /** validation periods */
  validationDays: number;
  /** periods per minibatch: batchSize, or fewer when the training periods are fewer */
  batch: number;
}

/** The periods of the window trainStart..trainEnd; a RangeError naming `family` when it is too short. */
export function osblPeriods(
  cfg: Pick<OsblSettings, 'window' | 'batchSize' | 'validationDays'>,
  trainStart: number,
  trainEnd: number,
  family: string,
): OsblPeriods {
  const first = trainStart + cfg.window - 1;
  const last = trainEnd - 1;
  const periods = last - first + 1;
  if (periods < 2)
    throw new RangeError(
      `${family} needs at least ${cfg.window + 2} training days for a ${cfg.window}-day window, got ${trainEnd - trainStart + 1}`,
    );
  const validationDays = Math.min(cfg.validationDays, Math.floor(periods / 2));
  const validationStart = trainEnd - validationDays;
  return { first, validationStart, last, validationDays, batch: Math.min(cfg.batchSize, validationStart - first) };
}

/** One minibatch as an update graph takes it: windows, weights held (cash first), next-day relatives (cash first). */
export interface OsblBatch {
  /** [batch * N * n] */
  x: Float32Array;
  /** [batch * (N + 1)] */
  held: Float32Array;
  /** [batch * (N + 1)]: 1, then close[t + 1] / close[t] */
  y: Float32Array;
}

/** What a family's learner gives the loop: its update graph's step, its policy, and its parameter vector. */
export interface OsblLearner {
  /** One step on a minibatch of `batch` periods; `w` are the portfolios before the step (the PVM's new rows). */
  update(b: OsblBatch, batch: number): { loss: number; reward: number; w: Float32Array };
  /** The portfolio [N + 1] (cash first) of one period: x [N * n], held [N + 1] cash first. */
  portfolio(x: Float32Array, held: Float32Array): Float32Array;
  vector(): Float32Array;
  restore(p: Float32Array): void;
  params(): ParamValues;
  dispose(): void;
}

/** Progress after a validation run (or the last update). */
export interface OsblProgress {
  fraction: number;
  updates: number;
  /** the mean log return net of costs of the last minibatch (what the update's graph reports as `reward`) */
  reward: number;
  /** validation net Sharpe of the current network (NaN without validation) */
  validationSharpe: number;
}

/** A validation score: after `updates` updates. */
export interface OsblScore {
  updates: number;
  sharpe: number;
}

export interface OsblTrainResult {
  params: ParamValues;
  periods: OsblPeriods;
  updates: number;
  /** validation curve */
  scores: OsblScore[];
  /** the kept checkpoint's update count and score (null without validation: the last network) */
  chosen: OsblScore | null;
  elapsedMs: number;
}

export interface OsblTrainOptions {
  onProgress?: (p: OsblProgress) => void;
  signal?: AbortSignal;
  /** called with each minibatch start, in order (tests) */
  onBatch?: (start: number) => void;
}

/** What a family brings to the loop. */
export interface OsblFamily {
  /** the family's id in the seed of the batch starts (`${seed}|${id}|osbl`) */
  id: string;
  /** its name in error messages */
  label: string;
  /** its learner over `nAssets` assets, freshly initialised from the seed; disposed by the loop */
  learner(nAssets: number): OsblLearner;
  /** the windows of day t [N * n], reading rows <= t only */
  features(t: number): Float32Array;
}

/**
 * Fill `b` with the `batch` consecutive periods from `start`: each period's windows, the weights held (the PVM's
 * row before it, drifted over the period's day) and the next day's relatives. Reads closes up to start + batch.
 */
export function fillBatch(
  b: OsblBatch,
  batch: number,
  start: number,
  view: Pick<MarketView, 'nAssets' | 'relatives'>,
  pvm: PortfolioVectorMemory,
  features: (t: number) => Float32Array,
): void {
  const N = view.nAssets;
  const W = N + 1;
  for (let k = 0; k < batch; k++) {
    const t = start + k;
    const f = features(t);
    b.x.set(f, k * f.length);
    b.held.set(pvm.held(t, view.relatives(t)), k * W);
    const r = view.relatives(t + 1);
    b.y[k * W] = 1;
    for (let i = 0; i < N; i++) b.y[k * W + 1 + i] = r[i]!;
  }
}

/** Train `family`'s network on `view` (which ends at trainEnd) from trainStart (see the file overview). */
export function trainOsbl(
  view: MarketView,
  trainStart: number,
  cfg: OsblSettings,
  seed: number,
  family: OsblFamily,
  o: OsblTrainOptions = {},
): OsblTrainResult {
  const t0 = Date.now();
  const trainEnd = view.t;
  const per = osblPeriods(cfg, trainStart, trainEnd, family.label);
  const N = view.nAssets;
  const W = N + 1;
  const n = cfg.window;
  const feats = new Map<number, Float32Array>();
  const features = (t: number) => {
    let f = feats.get(t);
    if (!f) feats.set(t, (f = family.features(t)));
    return f;
  };
  const learner = family.learner(N);
  try {
    const pvm = new PortfolioVectorMemory(per.first, per.validationStart - 1, N);
    const rng = seedrandom(`${seed}|${family.id}|osbl`);
    const B = per.batch;
    const latest = per.validationStart - B;
    const selector = new CheckpointSelector<Float32Array>(cfg.patience);
    const scores: OsblScore[] = [];
    const x = new Float32Array(B * N * n);
    const held = new Float32Array(B * W);
    const y = new Float32Array(B * W);
    let updates = 0;
    for (let u = 1; u <= cfg.updates; u++) {
      if (o.signal?.aborted) throw abortError(o.signal);
      const start = geometricStart(rng, per.first, latest, cfg.sampleBias);
      o.onBatch?.(start);
      fillBatch({ x, held, y }, B, start, view, pvm, features);
      const step = learner.update({ x, held, y }, B);
      pvm.write(start, step.w, B);
      updates = u;
      const last = u === cfg.updates;
      if (u % cfg.evalEvery === 0 || last) {
        let sharpe = Number.NaN;
        if (per.validationDays > 0) {
          sharpe = validationSharpe(learner, view, per, cfg.costRate, features);
          scores.push({ updates: u, sharpe });
          selector.observe(u, sharpe, () => learner.vector());
        }
        o.onProgress?.({ fraction: u / cfg.updates, updates: u, reward: step.reward, validationSharpe: sharpe });
        if (selector.stop) break;
      }
    }
    const best = selector.best;
    if (best) learner.restore(best.value);
    return {
      params: learner.params(),
      periods: per,
      updates,
      scores,
      chosen: best ? { updates: best.episode, sharpe: best.score } : null,
      elapsedMs: Date.now() - t0,
    };
  } finally {
    learner.dispose();
  }
}

/** Net Sharpe of the current network trading the validation period from cash (see the file overview). */
function validationSharpe(
  learner: OsblLearner,
  view: MarketView,
  per: OsblPeriods,
  costRate: number,
  features: (t: number) => Float32Array,
): number {
  const N = view.nAssets;
  let risky: Float64Array = new Float64Array(N);
  const held = new Float32Array(N + 1);
  const returns: number[] = [];
  for (let t = per.validationStart; t <= per.last; t++) {
    let s = 0;
    for (let i = 0; i < N; i++) {
      held[i + 1] = risky[i]!;
      s += risky[i]!;
    }
    held[0] = Math.max(0, 1 - s);
    const w = learner.portfolio(features(t), held);
    const step = portfolioStep(w.subarray(1), risky, view.relatives(t + 1), costRate);
    returns.push((1 - step.cost) * step.growth - 1);
    risky = step.drifted;
  }
  return netSharpe(returns);
}
