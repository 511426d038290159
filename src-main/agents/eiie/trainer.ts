/**
 * EIIE training on one training window (docs/drl-baselines.md "EIIE"): online stochastic batch learning with the
 * portfolio-vector memory and validated checkpoint selection (the loop, shared with PPN, is osbl.ts `trainOsbl`;
 * its file overview says which periods are trained on and which are held out), with EIIE's network and update on
 * the ONNX training engine (compute/train/eiie.ts) and the window of closes over the latest close as its input.
 */
import { OnnxEiie } from '../../compute/train/eiie';
import type { TrainRunOptions } from '../../compute/train/session';
import type { MarketView } from '../../market/view';
import type { EiieConfig } from './config';
import { eiieFeatures } from './network';
import {
  osblPeriods,
  trainOsbl,
  type OsblPeriods,
  type OsblProgress,
  type OsblScore,
  type OsblTrainOptions,
  type OsblTrainResult,
} from './osbl';

export type EiiePeriods = OsblPeriods;
export type EiieProgress = OsblProgress;
export type EiieScore = OsblScore;
export type EiieTrainResult = OsblTrainResult;
export type EiieTrainOptions = OsblTrainOptions & TrainRunOptions;

/** The periods of the window trainStart..trainEnd under `cfg`; a RangeError when it is too short. */
export function eiiePeriods(cfg: EiieConfig, trainStart: number, trainEnd: number): EiiePeriods {
  return osblPeriods(cfg, trainStart, trainEnd, 'EIIE');
}

/** Train on `view` (which ends at trainEnd) from trainStart. */
export function trainEiie(
  view: MarketView,
  trainStart: number,
  cfg: EiieConfig,
  seed: number,
  o: EiieTrainOptions = {},
): EiieTrainResult {
  return trainOsbl(
    view,
    trainStart,
    cfg,
    seed,
    {
      id: 'eiie',
      label: 'EIIE',
      learner: (N) =>
        new OnnxEiie(cfg, N, { lr: cfg.lr, weightDecay: cfg.weightDecay, costRate: cfg.costRate }, seed, o),
      features: (t) => eiieFeatures((d) => view.closes(d), t, view.nAssets, cfg.window),
    },
    o,
  );
}
