/**
 * Training of MAPS's agents on one training window (docs/drl-baselines.md "MAPS"): the samples and periods of
 * samples.ts, minibatch Q-learning of all K agents at once with the diversity term on the ONNX training engine
 * (compute/train/maps.ts), and the checkpoint chosen on the held-out end of the window.
 *
 * Episodes: an episode takes floor(S / B) updates (S training samples, B = min(batchSize, S)); each update draws B
 * samples uniformly with replacement (a seeded draw, as DQN draws from its replay memory; every sample's reward is
 * known, so no exploration is needed), makes their Q-targets (rules.ts qTargets; with gamma > 0 from the target
 * networks, a copy of the agents refreshed every `targetEvery` updates) and takes one Adam step.
 *
 * Validation: after every episode the agents trade the validation days from cash, day by day: the long-only book of
 * their averaged Q-values (rules.ts mapsBook) at each close, held to the next close with the drifted weights and
 * charged `costRate` per unit traded (agents/samp/env.ts portfolioStep). The net Sharpe of that book
 * (agents/samp/selection.ts netSharpe) scores the episode; `CheckpointSelector` keeps the best agents and stops
 * training after `patience` episodes in a row without improvement. With no validation days the last agents are kept.
 *
 * The whole run is a function of the seed (initialisation and draws). The view it is given ends at trainEnd, so a
 * reward that would read a later close throws instead.
 */
import seedrandom from 'seedrandom';
import { OnnxMaps } from '../../compute/train/maps';
import type { TrainRunOptions } from '../../compute/train/session';
import type { ParamValues } from '../../compute/params';
import type { MarketView } from '../../market/view';
import type { LhsPeriods } from '../lhs/samples';
import { abortError } from '../samp/episodes';
import { portfolioStep } from '../samp/env';
import { CheckpointSelector, netSharpe } from '../samp/selection';
import type { MapsConfig } from './config';
import { mapsBook, qTargets } from './rules';
import { mapsPeriods, mapsSamples, type MapsSampleSet } from './samples';

/** One episode's figures. */
export interface MapsEpisode {
  episode: number;
  /** mean minibatch loss over the episode (before each step) */
  loss: number;
  /** mean squared TD error over the episode */
  td: number;
  /** mean diversity term over the episode (0 with one agent) */
  diversity: number;
  /** the validation book's net Sharpe after the episode (NaN without validation) */
  validationSharpe: number;
}

export interface MapsTrainResult {
  params: ParamValues;
  periods: LhsPeriods;
  /** training samples (days x assets) */
  samples: number;
  /** the episodes run, in order */
  episodes: MapsEpisode[];
  /** the kept checkpoint's episode and validation Sharpe (null without validation: the last agents) */
  chosen: { episode: number; score: number } | null;
  /** Adam steps taken */
  updates: number;
  elapsedMs: number;
}

export interface MapsTrainOptions extends TrainRunOptions {
  onProgress?: (p: { fraction: number; episode: MapsEpisode }) => void;
  signal?: AbortSignal;
}

/** Net Sharpe of the current agents' book over the validation days (see the file overview). */
export function mapsValidationSharpe(
  learner: OnnxMaps,
  view: MarketView,
  per: LhsPeriods,
  val: MapsSampleSet,
  cfg: MapsConfig,
): number {
  const N = view.nAssets;
  if (val.count === 0) return Number.NaN;
  const q = learner.q(val.x, val.count);
  const per3 = cfg.agents * 3;
  let risky: Float64Array = new Float64Array(N);
  const returns: number[] = [];
  for (let k = 0; k * N < val.count; k++) {
    const t = per.validationStart + k;
    const book = mapsBook(q.subarray(k * N * per3, (k + 1) * N * per3), N, cfg.agents);
    const step = portfolioStep(book.weights, risky, view.relatives(t + 1), cfg.costRate);
    returns.push((1 - step.cost) * step.growth - 1);
    risky = step.drifted;
  }
  return netSharpe(returns);
}

/** Train MAPS's agents under `cfg` on `view` (which ends at trainEnd) from trainStart. */
export function trainMaps(
  view: MarketView,
  trainStart: number,
  cfg: MapsConfig,
  seed: number,
  o: MapsTrainOptions = {},
): MapsTrainResult {
  const t0 = Date.now();
  const per = mapsPeriods(cfg, trainStart, view.t);
  const bootstrap = cfg.gamma > 0;
  const train = mapsSamples(view, per.first, per.trainLast, cfg.window, bootstrap);
  const val = mapsSamples(view, per.validationStart, per.validationLast, cfg.window, false);
  const n = cfg.window;
  const K = cfg.agents;
  const B = Math.min(cfg.batchSize, train.count);
  const perEpisode = Math.floor(train.count / B);
  const learner = new OnnxMaps(cfg, cfg.lr, cfg.diversity, seed, o);
  try {
    const rng = seedrandom(`${seed}|maps|draws`);
    const selector = new CheckpointSelector<Float32Array>(cfg.patience);
    const x = new Float32Array(B * n);
    const xNext = new Float32Array(bootstrap ? B * n : 0);
    const R = new Float32Array(B);
    let targetNet = learner.vector();
    const episodes: MapsEpisode[] = [];
    for (let e = 1; e <= cfg.episodes; e++) {
      let loss = 0;
      let td = 0;
      let diversity = 0;
      for (let u = 0; u < perEpisode; u++) {
        if (o.signal?.aborted) throw abortError(o.signal);
        for (let b = 0; b < B; b++) {
          const s = Math.floor(rng() * train.count);
          x.set(train.x.subarray(s * n, (s + 1) * n), b * n);
          if (bootstrap) xNext.set(train.xNext.subarray(s * n, (s + 1) * n), b * n);
          R[b] = train.R[s]!;
        }
        const nextQ = bootstrap ? learner.q(xNext, B, targetNet) : null;
        const step = learner.update({ x, target: qTargets(R, B, K, cfg.gamma, nextQ) }, B);
        loss += step.loss;
        td += step.td;
        diversity += step.diversity;
        if (bootstrap && learner.steps % cfg.targetEvery === 0) targetNet = learner.vector();
      }
      const score = per.validationDays > 0 ? mapsValidationSharpe(learner, view, per, val, cfg) : Number.NaN;
      if (per.validationDays > 0) selector.observe(e, score, () => learner.vector());
      const episode: MapsEpisode = {
        episode: e,
        loss: loss / perEpisode,
        td: td / perEpisode,
        diversity: diversity / perEpisode,
        validationSharpe: score,
      };
      episodes.push(episode);
      o.onProgress?.({ fraction: e / cfg.episodes, episode });
      if (selector.stop) break;
    }
    const best = selector.best;
    if (best) learner.restore(best.value);
    return {
      params: learner.params(),
      periods: per,
      samples: train.count,
      episodes,
      chosen: best ? { episode: best.episode, score: best.score } : null,
      updates: learner.steps,
      elapsedMs: Date.now() - t0,
    };
  } finally {
    learner.dispose();
  }
}
