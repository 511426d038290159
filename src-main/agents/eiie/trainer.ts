/**
 * EIIE training on one training window (docs/drl-baselines.md "EIIE"): online stochastic batch learning over the
 * training periods with the portfolio-vector memory (osbl.ts), the update on the ONNX training engine
 * (compute/train/eiie.ts), and validated checkpoint selection as the other learned strategies do it.
 *
 * Periods: decisions at the close of days first..trainEnd - 1, first = trainStart + window - 1 (a full window of
 * closes). The last `validationDays` of them (at most half) are held out: OSBL draws minibatches only from the
 * periods before, whose rewards are realised by the first validation day, so nothing of the validation period is
 * learned from. Every `evalEvery` updates (and after the last) the current network trades the validation period
 * from cash, day by day, holding the drifted weights and paying the cost (agents/samp/env.ts portfolioStep); its
 * net Sharpe (agents/samp/selection.ts netSharpe) scores the checkpoint, `CheckpointSelector` keeps the best and
 * stops training after `patience` scores in a row without improvement. With no validation days the last network
 * is kept. The whole run is a function of the seed (initialisation and batch starts).
 *
 * The network reads only days <= the period's day: the view it is given ends at trainEnd.
 */
import seedrandom from 'seedrandom';
import { OnnxEiie } from '../../compute/train/eiie';
import type { TrainRunOptions } from '../../compute/train/session';
import type { ParamValues } from '../../compute/params';
import type { MarketView } from '../../market/view';
import { abortError } from '../samp/episodes';
import { portfolioStep } from '../samp/env';
import { CheckpointSelector, netSharpe } from '../samp/selection';
import type { EiieConfig } from './config';
import { eiieFeatures } from './network';
import { geometricStart, PortfolioVectorMemory } from './osbl';

/** The periods of a training window (see the file overview). */
export interface EiiePeriods {
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

/** The periods of the window trainStart..trainEnd under `cfg`; a RangeError when it is too short. */
export function eiiePeriods(cfg: EiieConfig, trainStart: number, trainEnd: number): EiiePeriods {
  const first = trainStart + cfg.window - 1;
  const last = trainEnd - 1;
  const periods = last - first + 1;
  if (periods < 2)
    throw new RangeError(
      `EIIE needs at least ${cfg.window + 2} training days for a ${cfg.window}-day window, got ${trainEnd - trainStart + 1}`,
    );
  const validationDays = Math.min(cfg.validationDays, Math.floor(periods / 2));
  const validationStart = trainEnd - validationDays;
  return { first, validationStart, last, validationDays, batch: Math.min(cfg.batchSize, validationStart - first) };
}

/** Progress after a validation run (or the last update). */
export interface EiieProgress {
  fraction: number;
  updates: number;
  /** mean log return net of costs of the last minibatch */
  reward: number;
  /** validation net Sharpe of the current network (NaN without validation) */
  validationSharpe: number;
}

/** A validation score: after `updates` updates. */
export interface EiieScore {
  updates: number;
  sharpe: number;
}

export interface EiieTrainResult {
  params: ParamValues;
  periods: EiiePeriods;
  updates: number;
  /** validation curve */
  scores: EiieScore[];
  /** the kept checkpoint's update count and score (null without validation: the last network) */
  chosen: EiieScore | null;
  elapsedMs: number;
}

export interface EiieTrainOptions extends TrainRunOptions {
  onProgress?: (p: EiieProgress) => void;
  signal?: AbortSignal;
  /** called with each minibatch start, in order (tests) */
  onBatch?: (start: number) => void;
}

/** Train on `view` (which ends at trainEnd) from trainStart. */
export function trainEiie(
  view: MarketView,
  trainStart: number,
  cfg: EiieConfig,
  seed: number,
  o: EiieTrainOptions = {},
): EiieTrainResult {
  const t0 = Date.now();
  const trainEnd = view.t;
  const per = eiiePeriods(cfg, trainStart, trainEnd);
  const N = view.nAssets;
  const W = N + 1;
  const n = cfg.window;
  const feats = new Map<number, Float32Array>();
  const features = (t: number) => {
    let f = feats.get(t);
    if (!f) feats.set(t, (f = eiieFeatures((d) => view.closes(d), t, N, n)));
    return f;
  };
  const learner = new OnnxEiie(cfg, N, { lr: cfg.lr, weightDecay: cfg.weightDecay, costRate: cfg.costRate }, seed, o);
  try {
    const pvm = new PortfolioVectorMemory(per.first, per.validationStart - 1, N);
    const rng = seedrandom(`${seed}|eiie|osbl`);
    const B = per.batch;
    const latest = per.validationStart - B;
    const selector = new CheckpointSelector<Float32Array>(cfg.patience);
    const scores: EiieScore[] = [];
    const x = new Float32Array(B * N * n);
    const held = new Float32Array(B * W);
    const y = new Float32Array(B * W);
    let updates = 0;
    for (let u = 1; u <= cfg.updates; u++) {
      if (o.signal?.aborted) throw abortError(o.signal);
      const start = geometricStart(rng, per.first, latest, cfg.sampleBias);
      o.onBatch?.(start);
      for (let b = 0; b < B; b++) {
        const t = start + b;
        x.set(features(t), b * N * n);
        held.set(pvm.held(t, view.relatives(t)), b * W);
        const r = view.relatives(t + 1);
        y[b * W] = 1;
        for (let i = 0; i < N; i++) y[b * W + 1 + i] = r[i]!;
      }
      const step = learner.update({ x, held, y }, B);
      pvm.write(start, step.w, B);
      updates = u;
      const last = u === cfg.updates;
      if (u % cfg.evalEvery === 0 || last) {
        let sharpe = Number.NaN;
        if (per.validationDays > 0) {
          sharpe = validationSharpe(learner, view, per, cfg, features);
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
  learner: OnnxEiie,
  view: MarketView,
  per: EiiePeriods,
  cfg: EiieConfig,
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
    const step = portfolioStep(w.subarray(1), risky, view.relatives(t + 1), cfg.costRate);
    returns.push((1 - step.cost) * step.growth - 1);
    risky = step.drifted;
  }
  return netSharpe(returns);
}
