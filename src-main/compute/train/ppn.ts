/**
 * The PPN update on the ONNX training engine (Zhang et al. 2020; docs/drl-baselines.md "PPN"): the cost-sensitive
 * reward maximised directly by gradient ascent, one graph per minibatch size. For a minibatch of consecutive periods
 * t (decisions at the close of day t, held over day t + 1), as EIIE's update (compute/train/eiie.ts):
 *
 *   w_t       = network(x_t, w'_t)                  w'_t the weights held: the PVM's previous row drifted to day t
 *   traded_t  = sum_i |w_t,i - w'_t,i|              over the risky assets
 *   r_t       = log((1 - c traded_t) y_t+1 . w_t)   the log return net of the engine's proportional cost c
 *
 * and the cost-sensitive reward of the paper, the mean net log return less a turnover penalty (gamma) and a risk
 * penalty (lambda), the variance of the minibatch's net log returns:
 *
 *   loss = -mean_t r_t + gamma mean_t traded_t + lambda mean_t (r_t - mean r)^2
 *
 * then Adam (compute/train/adam.ts; no gradient clipping, as EIIE). The variance is the biased one (divided by the
 * batch size), as in the authors' code; with a batch of one period it is 0. The per-period terms and the learner are
 * EIIE's (`netLogReturns`, `OsblOnnxLearner`); only the network and the two penalties are PPN's. The graph also
 * returns the w_t it computed (the PVM's new rows) and reports `reward` as mean r_t, the figure EIIE reports. A
 * second, forward-only graph gives the portfolio of one period for validation runs.
 */
import { ppnForward, ppnSpecs, type PpnShape } from '../../agents/ppn/network';
import type { ParamValues } from '../params';
import {
  checkBatch,
  finishGraph,
  optimiserInputs,
  optimiserOutputs,
  optimiserStep,
  total,
  type TrainGraph,
} from './common';
import { netLogReturns, OsblOnnxLearner, riskySelector } from './eiie';
import { Graph, Tape } from './graph';
import { paramBlock, TrainOps } from './ops';
import type { TrainRunOptions } from './session';

/** The training settings the update graph is built with. */
export interface PpnUpdateSettings {
  lr: number;
  costRate: number;
  /** gamma: weight of the mean L1 turnover */
  turnoverWeight: number;
  /** lambda: weight of the variance of the net log returns */
  riskWeight: number;
}

/**
 * The update graph for minibatches of `batch` periods over `nAssets` assets. Inputs: `params`, `adam_m`, `adam_v`
 * [P], `adam_c1`, `adam_c2` [], `x` [batch, N, n], `held` [batch, N + 1] (w'_t, cash first), `y` [batch, N + 1]
 * (1, then the next day's price relatives). Outputs: `params_next`, `adam_m_next`, `adam_v_next`, `loss`,
 * `reward` (mean r_t), `turnover` (mean traded_t), `risk` (the variance of r_t) and `w` [batch, N + 1] (the
 * portfolios before the step, for the PVM).
 */
export function buildPpnUpdate(shape: PpnShape, nAssets: number, batch: number, s: PpnUpdateSettings): TrainGraph {
  checkBatch(batch);
  const specs = ppnSpecs(shape, nAssets);
  const g = new Graph();
  const state = optimiserInputs(g, total(specs));
  const x = g.input('x', [batch, nAssets, shape.window]);
  const held = g.input('held', [batch, nAssets + 1]);
  const y = g.input('y', [batch, nAssets + 1]);

  const tape = new Tape('ppn');
  const params = paramBlock(g, specs, state.p, tape);
  const ops = new TrainOps(g, params);
  const w = ppnForward(ops, shape, nAssets, x, ops.matMul(held, riskySelector(g, nAssets)));
  const { r, traded } = netLogReturns(ops, nAssets, w, held, y, s.costRate);
  const reward = ops.mean(r, 0, false);
  const turnover = ops.mean(traded, 0, false);
  const dev = ops.sub(r, reward);
  const risk = ops.mean(ops.mul(dev, dev), 0, false);
  const loss = ops.add(
    ops.sub(ops.mul(ops.scalar(s.turnoverWeight), turnover), reward),
    ops.mul(ops.scalar(s.riskWeight), risk),
  );
  const step = optimiserStep(g, specs, params, loss, { lr: s.lr, clip: 0, ...state });
  optimiserOutputs(g, step, loss);
  g.output('reward', reward);
  g.output('turnover', turnover);
  g.output('risk', risk);
  g.output('w', w);
  return finishGraph(
    g,
    'ppn_update',
    'HDRL Desk PPN update (cost-sensitive reward: net log return, turnover, variance; Adam)',
  );
}

/** The forward graph of one period: inputs `params`, `x` [1, N, n], `held` [1, N + 1]; output `w` [1, N + 1]. */
export function buildPpnAct(shape: PpnShape, nAssets: number): TrainGraph {
  const specs = ppnSpecs(shape, nAssets);
  const g = new Graph();
  const p = g.input('params', [total(specs)]);
  const x = g.input('x', [1, nAssets, shape.window]);
  const held = g.input('held', [1, nAssets + 1]);
  const ops = new TrainOps(g, paramBlock(g, specs, p, null));
  g.output('w', ppnForward(ops, shape, nAssets, x, ops.matMul(held, riskySelector(g, nAssets))));
  return finishGraph(g, 'ppn_act', 'HDRL Desk PPN portfolio of one period');
}

/** A PPN learner: the OSBL learner of compute/train/eiie.ts with PPN's network and update. */
export class OnnxPpn extends OsblOnnxLearner {
  constructor(
    readonly shape: PpnShape,
    readonly nAssets: number,
    readonly settings: PpnUpdateSettings,
    seed: number,
    opts: TrainRunOptions & { init?: ParamValues } = {},
  ) {
    super(
      ppnSpecs(shape, nAssets),
      settings.lr,
      seed,
      'initial PPN network',
      {
        update: (batch) => buildPpnUpdate(shape, nAssets, batch, settings),
        act: () => buildPpnAct(shape, nAssets),
      },
      opts,
    );
  }
}
