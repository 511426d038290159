/**
 * The update of the Long/Hold/Short classifiers on the ONNX training engine (docs/drl-baselines.md "MLP and CNN
 * Long/Hold/Short classifiers"): minibatch cross-entropy of the softmax over the three classes, one graph per
 * minibatch size. For a minibatch of samples b (one asset's window each):
 *
 *   p_b   = softmax(network(x_b))                 the classes Long, Hold, Short (agents/lhs/network.ts)
 *   loss  = -sum_b omega_b log(p_b,y_b + 1e-12)   omega_b = the sample's class weight over the batch's total
 *                                                 (the trainer feeds it normalised, so the loss is a weighted mean)
 *
 * then Adam (compute/train/adam.ts; no gradient clipping). The 1e-12 keeps the logarithm finite where float32
 * rounds a probability to zero; elsewhere it is far below a float32 step of the probability. The label enters as a
 * one-hot row, so log p_b,y_b = sum_c onehot_b,c log p_b,c. A second, forward-only graph gives the probabilities of
 * a fixed number of samples (validation, training accuracy).
 *
 * State: the flat parameter vector and Adam's two moments, fed in and returned by every call (`OnnxLhs`).
 */
import { CLASS_COUNT } from '../../agents/lhs/classes';
import { lhsForward, lhsSpecs, type LhsShape } from '../../agents/lhs/network';
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
import { AdamLearner } from './learner';
import { Graph, Tape } from './graph';
import { paramBlock, TrainOps } from './ops';
import type { TrainRunOptions } from './session';

/** Added to every probability inside the logarithm of the loss (see the file overview). */
export const LHS_LOG_EPSILON = 1e-12;

/**
 * The update graph for minibatches of `batch` samples. Inputs: `params`, `adam_m`, `adam_v` [P], `adam_c1`,
 * `adam_c2` [], `x` [batch, n], `target` [batch, 3] (one-hot labels), `weight` [batch] (normalised class weights).
 * Outputs: `params_next`, `adam_m_next`, `adam_v_next`, `loss` (before the step).
 */
export function buildLhsUpdate(shape: LhsShape, batch: number, lr: number): TrainGraph {
  checkBatch(batch);
  const specs = lhsSpecs(shape);
  const g = new Graph();
  const state = optimiserInputs(g, total(specs));
  const x = g.input('x', [batch, shape.window]);
  const target = g.input('target', [batch, CLASS_COUNT]);
  const weight = g.input('weight', [batch]);

  const params = paramBlock(g, specs, state.p, new Tape('lhs'));
  const ops = new TrainOps(g, params);
  const prob = lhsForward(ops, shape, x);
  const logp = ops.log(ops.add(prob, ops.scalar(LHS_LOG_EPSILON)));
  const picked = ops.sum(ops.mul(logp, target), 1, false);
  const loss = ops.sub(ops.scalar(0), ops.sum(ops.mul(picked, weight), 0, false));
  const step = optimiserStep(g, specs, params, loss, { lr, clip: 0, ...state });
  optimiserOutputs(g, step, loss);
  return finishGraph(g, 'lhs_update', 'HDRL Desk Long/Hold/Short classifier update (weighted cross-entropy, Adam)');
}

/** The forward graph of `rows` samples: inputs `params`, `x` [rows, n]; output `p` [rows, 3]. */
export function buildLhsProbabilities(shape: LhsShape, rows: number): TrainGraph {
  checkBatch(rows);
  const specs = lhsSpecs(shape);
  const g = new Graph();
  const p = g.input('params', [total(specs)]);
  const x = g.input('x', [rows, shape.window]);
  const ops = new TrainOps(g, paramBlock(g, specs, p, null));
  g.output('p', lhsForward(ops, shape, x));
  return finishGraph(g, 'lhs_probabilities', 'HDRL Desk Long/Hold/Short class probabilities');
}

/** One minibatch as the update graph takes it (see {@link buildLhsUpdate}). */
export interface LhsBatch {
  x: Float32Array;
  target: Float32Array;
  weight: Float32Array;
}

/**
 * A classifier learner (learner.ts): parameters initialised from `seed` (compute/params.ts, per parameter name)
 * unless given, Adam moments zero; one graph per minibatch size and per forward size, opened on first use.
 */
export class OnnxLhs extends AdamLearner {
  constructor(
    readonly shape: LhsShape,
    readonly lr: number,
    seed: number,
    opts: TrainRunOptions & { init?: ParamValues } = {},
  ) {
    super(lhsSpecs(shape), lr, seed, 'initial LHS classifier', opts);
  }

  /** One Adam step on a minibatch of `batch` samples; gives the loss before the step. */
  update(b: LhsBatch, batch: number): number {
    const out = this.adamUpdate(batch, (n) => buildLhsUpdate(this.shape, n, this.lr), {
      x: b.x,
      target: b.target,
      weight: b.weight,
    });
    return out.loss![0]!;
  }

  /** Class probabilities [rows * 3] of windows x [rows * n] under the current parameters. */
  probabilities(x: Float32Array, rows: number): Float32Array {
    return this.runForward(rows, (n) => buildLhsProbabilities(this.shape, n), { x }).p!;
  }
}
