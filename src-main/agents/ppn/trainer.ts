/**
 * PPN training on one training window (docs/drl-baselines.md "PPN"): EIIE's online stochastic batch learning with
 * the portfolio-vector memory and validated checkpoint selection (agents/eiie/osbl.ts `trainOsbl`, whose file
 * overview says which periods are trained on and which are held out), with PPN's network and cost-sensitive update
 * on the ONNX training engine (compute/train/ppn.ts). The input is the window of closes over the latest close, as
 * EIIE's and the authors' code (agents/eiie/network.ts eiieFeatures).
 */
import { OnnxPpn } from '../../compute/train/ppn';
import type { TrainRunOptions } from '../../compute/train/session';
import type { MarketView } from '../../market/view';
import { eiieFeatures } from '../eiie/network';
import { osblPeriods, trainOsbl, type OsblPeriods, type OsblTrainOptions, type OsblTrainResult } from '../eiie/osbl';
import type { PpnConfig } from './config';

export type PpnTrainOptions = OsblTrainOptions & TrainRunOptions;

/** The periods of the window trainStart..trainEnd under `cfg`; a RangeError when it is too short. */
export function ppnPeriods(cfg: PpnConfig, trainStart: number, trainEnd: number): OsblPeriods {
  return osblPeriods(cfg, trainStart, trainEnd, 'PPN');
}

/** Train on `view` (which ends at trainEnd) from trainStart; the whole run is a function of the seed. */
export function trainPpn(
  view: MarketView,
  trainStart: number,
  cfg: PpnConfig,
  seed: number,
  o: PpnTrainOptions = {},
): OsblTrainResult {
  return trainOsbl(
    view,
    trainStart,
    cfg,
    seed,
    {
      id: 'ppn',
      label: 'PPN',
      learner: (N) =>
        new OnnxPpn(
          cfg,
          N,
          { lr: cfg.lr, costRate: cfg.costRate, turnoverWeight: cfg.turnoverWeight, riskWeight: cfg.riskWeight },
          seed,
          o,
        ),
      features: (t) => eiieFeatures((d) => view.closes(d), t, view.nAssets, cfg.window),
    },
    o,
  );
}
