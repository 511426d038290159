/**
 * Online learning in the test window (Jiang, Xu and Liang 2017, section 5; docs/drl-baselines.md "EIIE", "Online
 * learning in the test window"): after each day's decision, at that day's close, the network takes a few more OSBL
 * steps on minibatches drawn from every period whose reward is known by then, so the next day decides with the
 * updated network. Written over osbl.ts's pieces (the portfolio-vector memory, the batch starts, the batch, the
 * learner), so any OSBL family could use it; EIIE's strategy (`eiie/online`) is the one that does.
 *
 * At the close of day t, once the decision w_t is made:
 *   - the memory gains the rows up to t; row t is w_t, the portfolio actually decided (days never decided on, as
 *     before the first decision, hold the previous row drifted: cash until the first decision);
 *   - `steps` minibatches of `batchSize` consecutive periods (fewer when the first day to learn on has fewer
 *     periods: that size is kept, so one update graph serves every day) are drawn from the periods first..t - 1
 *     (first = trainStart + window - 1, as in training): the periods whose next-day relatives are known at the close
 *     of t. The start is geometric from the latest one, as in training (osbl.ts geometricStart), so recent days are
 *     favoured and the whole history still contributes;
 *   - each takes one step of the family's update and writes its portfolios back into the memory, as training does
 *     (later steps can overwrite the rows of earlier test days, the paper's rule).
 * Everything is read through the view of day t (a MarketView ending at t), which refuses any later row: a batch
 * cannot reach past the day it is learned on.
 *
 * State: the learner (parameters and Adam moments, fixed size), the stream of batch starts (seeded) and the
 * memory, which grows by one row per day; windows are computed when a batch needs them, not kept.
 */
import seedrandom from 'seedrandom';
import type { MarketView } from '../../market/view';
import { abortError } from '../samp/episodes';
import { fillBatch, geometricStart, PortfolioVectorMemory, type OsblLearner, type OsblSettings } from './osbl';

/** What one online minibatch was: its first period and its size, learned at the close of `day` (tests). */
export interface OnlineBatch {
  start: number;
  batch: number;
  day: number;
}

export interface OnlineOsblOptions {
  /** the seed of the batch starts (`${seed}|${id}|online`) */
  seed: number;
  /** the family's id in that seed */
  id: string;
  /** steps after each decision */
  steps: number;
  /** the first period (trainStart + window - 1) */
  first: number;
  /** the windows [N * n] of day t read through `rowAt`, which gives rows <= today only */
  features: (rowAt: (day: number) => ArrayLike<number>, t: number) => Float32Array;
  signal?: AbortSignal;
  /** called with each minibatch, in order (tests) */
  onBatch?: (b: OnlineBatch) => void;
}

/** A learner that keeps learning after each decision (see the file overview). It owns the learner. */
export class OnlineOsbl {
  private readonly rng: () => number;
  private pvm: PortfolioVectorMemory | null = null;
  private lastDay = -1;
  /** the minibatch and its size, fixed at the first day with a period to learn from */
  private buf: { B: number; x: Float32Array; held: Float32Array; y: Float32Array } | null = null;
  /** steps taken so far */
  steps = 0;

  constructor(
    private readonly learner: OsblLearner,
    private readonly cfg: Pick<OsblSettings, 'window' | 'batchSize' | 'sampleBias'>,
    private readonly o: OnlineOsblOptions,
  ) {
    if (!(Number.isInteger(o.steps) && o.steps >= 0))
      throw new RangeError(`online steps must be an integer >= 0, got ${o.steps}`);
    if (!(Number.isInteger(o.first) && o.first >= 1))
      throw new RangeError(`the first online period must be a day >= 1, got ${o.first}`);
    this.rng = seedrandom(`${o.seed}|${o.id}|online`);
  }

  /** The portfolio [N + 1] (cash first) of day `view.t` with the current network: held [N + 1], cash first. */
  portfolio(view: MarketView, held: Float32Array): Float32Array {
    return this.learner.portfolio(
      this.o.features((d) => view.closes(d), view.t),
      held,
    );
  }

  /**
   * Record `decided` [N + 1] (cash first), the portfolio decided at the close of `view.t`, and take the day's steps.
   * Days must come in order, each once.
   */
  learn(view: MarketView, decided: Float32Array): void {
    const t = view.t;
    const N = view.nAssets;
    if (t <= this.lastDay) throw new RangeError(`online learning went back to day ${t} after day ${this.lastDay}`);
    if (decided.length !== N + 1)
      throw new RangeError(`online learning: ${decided.length} weights decided, expected ${N + 1} (cash first)`);
    const first = this.o.first;
    if (t < first) throw new RangeError(`online learning starts at day ${first} (a full window), got day ${t}`);
    // rows up to t: the days since the last one hold what was held (drifted), then today's decision
    let pvm = this.pvm;
    if (!pvm) this.pvm = pvm = new PortfolioVectorMemory(first, t, N);
    else {
      const from = pvm.last + 1;
      pvm.extend(t);
      for (let d = from; d < t; d++) pvm.write(d, pvm.held(d, view.relatives(d)), 1);
    }
    pvm.write(t, decided, 1);
    this.lastDay = t;

    const periods = t - first; // first..t - 1
    if (periods < 1) return;
    const buf = (this.buf ??= batchBuffers(Math.min(this.cfg.batchSize, periods), N, this.cfg.window));
    const B = buf.B;
    const features = (d: number) => this.o.features((r) => view.closes(r), d);
    for (let s = 0; s < this.o.steps; s++) {
      if (this.o.signal?.aborted) throw abortError(this.o.signal);
      const start = geometricStart(this.rng, first, t - B, this.cfg.sampleBias);
      this.o.onBatch?.({ start, batch: B, day: t });
      fillBatch(buf, B, start, view, pvm, features);
      const step = this.learner.update(buf, B);
      pvm.write(start, step.w, B);
      this.steps++;
    }
  }

  /** The rows the memory holds (tests: it is the one thing that grows). */
  get memoryDays(): number {
    return this.pvm ? this.pvm.last - this.pvm.first + 2 : 0;
  }

  dispose(): void {
    this.learner.dispose();
  }
}

/** A minibatch of B periods of N assets over windows of n days. */
function batchBuffers(B: number, N: number, n: number) {
  return { B, x: new Float32Array(B * N * n), held: new Float32Array(B * (N + 1)), y: new Float32Array(B * (N + 1)) };
}
