/**
 * Training of a Long/Hold/Short classifier on one training window (docs/drl-baselines.md "MLP and CNN Long/Hold/Short
 * classifiers"): the samples and periods of samples.ts, minibatch cross-entropy with Adam on the ONNX training engine
 * (compute/train/lhs.ts), and the checkpoint chosen on the held-out validation days.
 *
 * Epochs: every epoch shuffles the training samples (a seeded Fisher-Yates shuffle) and takes consecutive
 * minibatches of `batchSize` of them; the samples left over after the last full minibatch wait for another epoch
 * (a different shuffle leaves out different ones), so every update runs on one graph. After each epoch the network
 * classifies the validation samples; their balanced accuracy (plain accuracy without `balanceClasses`, matching
 * the loss's weighting) scores the epoch, `CheckpointSelector` keeps the best network and stops training after
 * `patience` epochs in a row without improvement. With no validation days the last network is kept.
 *
 * The whole run is a function of the seed (initialisation and shuffles). The view it is given ends at trainEnd, so
 * a label that would read a later close throws instead.
 */
import seedrandom from 'seedrandom';
import { OnnxLhs } from '../../compute/train/lhs';
import { shuffled } from '../../compute/train/learner';
import type { TrainRunOptions } from '../../compute/train/session';
import type { ParamValues } from '../../compute/params';
import type { MarketView } from '../../market/view';
import { abortError } from '../samp/episodes';
import { CheckpointSelector } from '../samp/selection';
import { CLASS_COUNT, predictedClasses } from './classes';
import type { LhsConfig } from './config';
import {
  classCounts,
  classificationScore,
  classWeights,
  lhsPeriods,
  lhsSamples,
  type LhsPeriods,
  type LhsSampleSet,
} from './samples';

/** One epoch's figures. */
export interface LhsEpoch {
  epoch: number;
  /** mean minibatch loss over the epoch (before each step) */
  loss: number;
  /** plain accuracy on the training samples after the epoch */
  trainAccuracy: number;
  /** the validation score after the epoch (NaN without validation) */
  validationScore: number;
}

export interface LhsTrainResult {
  params: ParamValues;
  periods: LhsPeriods;
  /** training and validation samples per class (Long, Hold, Short) */
  counts: { train: [number, number, number]; validation: [number, number, number] };
  /** the class weights of the loss */
  weights: [number, number, number];
  /** plain accuracy of the initial network on the training samples */
  initialTrainAccuracy: number;
  /** the epochs run, in order */
  epochs: LhsEpoch[];
  /** the kept checkpoint's epoch and validation score (null without validation: the last network) */
  chosen: { epoch: number; score: number } | null;
  /** Adam steps taken */
  updates: number;
  elapsedMs: number;
}

export interface LhsTrainOptions extends TrainRunOptions {
  onProgress?: (p: { fraction: number; epoch: LhsEpoch }) => void;
  signal?: AbortSignal;
}

/** Plain accuracy of the learner on a sample set. */
function accuracy(learner: OnnxLhs, set: LhsSampleSet): number {
  return classificationScore(predictedClasses(learner.probabilities(set.x, set.count), set.count), set.y, false);
}

/** Train the classifier `cfg.model` on `view` (which ends at trainEnd) from trainStart. */
export function trainLhs(
  view: MarketView,
  trainStart: number,
  cfg: LhsConfig,
  seed: number,
  o: LhsTrainOptions = {},
): LhsTrainResult {
  const t0 = Date.now();
  const per = lhsPeriods(cfg, trainStart, view.t);
  const train = lhsSamples(view, per.first, per.trainLast, cfg);
  const val = lhsSamples(view, per.validationStart, per.validationLast, cfg);
  const weights = classWeights(train.y, cfg.balanceClasses);
  const n = cfg.window;
  const B = Math.min(cfg.batchSize, train.count);
  const perEpoch = Math.floor(train.count / B);
  const learner = new OnnxLhs(cfg, cfg.lr, seed, o);
  try {
    const rng = seedrandom(`${seed}|lhs|shuffle`);
    const selector = new CheckpointSelector<Float32Array>(cfg.patience);
    const x = new Float32Array(B * n);
    const target = new Float32Array(B * CLASS_COUNT);
    const w = new Float32Array(B);
    const epochs: LhsEpoch[] = [];
    const initialTrainAccuracy = accuracy(learner, train);
    for (let e = 1; e <= cfg.epochs; e++) {
      const order = shuffled(train.count, rng);
      let lossSum = 0;
      for (let u = 0; u < perEpoch; u++) {
        if (o.signal?.aborted) throw abortError(o.signal);
        target.fill(0);
        let wSum = 0;
        for (let b = 0; b < B; b++) {
          const s = order[u * B + b]!;
          const c = train.y[s]!;
          x.set(train.x.subarray(s * n, (s + 1) * n), b * n);
          target[b * CLASS_COUNT + c] = 1;
          w[b] = weights[c]!;
          wSum += weights[c]!;
        }
        for (let b = 0; b < B; b++) w[b] = w[b]! / wSum;
        lossSum += learner.update({ x, target, weight: w }, B);
      }
      let score = Number.NaN;
      if (val.count > 0) {
        const pred = predictedClasses(learner.probabilities(val.x, val.count), val.count);
        score = classificationScore(pred, val.y, cfg.balanceClasses);
        selector.observe(e, score, () => learner.vector());
      }
      const epoch: LhsEpoch = {
        epoch: e,
        loss: lossSum / perEpoch,
        trainAccuracy: accuracy(learner, train),
        validationScore: score,
      };
      epochs.push(epoch);
      o.onProgress?.({ fraction: e / cfg.epochs, epoch });
      if (selector.stop) break;
    }
    const best = selector.best;
    if (best) learner.restore(best.value);
    return {
      params: learner.params(),
      periods: per,
      counts: { train: classCounts(train.y), validation: classCounts(val.y) },
      weights,
      initialTrainAccuracy,
      epochs,
      chosen: best ? { epoch: best.episode, score: best.score } : null,
      updates: learner.steps,
      elapsedMs: Date.now() - t0,
    };
  } finally {
    learner.dispose();
  }
}
