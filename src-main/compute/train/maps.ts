/**
 * The update of MAPS's agents on the ONNX training engine (docs/drl-baselines.md "MAPS"): minibatch Q-learning of K
 * agents at once with the diversity term, one graph per minibatch size. For a minibatch of B samples (one asset's
 * window each) and the Q-values Q [B, K, 3] of all agents (agents/maps/network.ts mapsQ):
 *
 *   td        = mean over b, k, a of (Q_b,k,a - y_b,k,a)^2        y: the fed Q-targets (agents/maps/rules.ts)
 *   C_k       = Q_.,k,. - its mean over the minibatch, per action, flattened to B * 3 values
 *   rho_jk    = <C_j, C_k> / sqrt((|C_j|^2 + eps)(|C_k|^2 + eps))   the correlation of two agents' action values
 *   diversity = mean of rho_jk over the ordered pairs j != k        (no term with a single agent)
 *   loss      = td + lambda diversity
 *
 * then Adam (compute/train/adam.ts; no gradient clipping). Minimising the diversity term pushes the agents to rate
 * different samples highly for each action, MAPS's "act as diversely as possible". eps = 1e-6 keeps the correlation
 * defined for an agent whose values do not vary over the minibatch; the vocabulary has no square root or division,
 * so 1 / sqrt(v + eps) is written exp(-log(v + eps) / 2). A second, forward-only graph gives Q of a fixed number of
 * rows under any fed parameter vector (the target networks, validation, the trainer's checks).
 *
 * State: the flat parameter vector of all agents and Adam's two moments, fed in and returned by every call
 * (`OnnxMaps`).
 */
import { CLASS_COUNT } from '../../agents/lhs/classes';
import { mapsQ, mapsSpecs, type MapsShape } from '../../agents/maps/network';
import type { ParamValues } from '../params';
import {
  checkBatch,
  finishGraph,
  meanAll,
  optimiserInputs,
  optimiserOutputs,
  optimiserStep,
  total,
  type TrainGraph,
} from './common';
import { AdamLearner } from './learner';
import { Graph, Tape, type Val } from './graph';
import { paramBlock, TrainOps } from './ops';
import type { TrainRunOptions } from './session';

/** Added to each agent's sum of squared centred values inside the correlation (see the file overview). */
export const MAPS_CORRELATION_EPSILON = 1e-6;

/** The diversity term of Q [B, K, 3] (see the file overview); K >= 2. */
function diversityTerm(ops: TrainOps, q: Val, batch: number, agents: number): Val {
  const K = agents;
  const centred = ops.sub(q, ops.mean(q, 0, true));
  const C = ops.reshape(ops.transpose(centred, [1, 0, 2]), [K, batch * CLASS_COUNT]);
  const gram = ops.matMul(C, ops.transpose(C, [1, 0]));
  const sq = ops.sum(ops.mul(C, C), 1, false);
  const inv = ops.exp(ops.mul(ops.scalar(-0.5), ops.log(ops.add(sq, ops.scalar(MAPS_CORRELATION_EPSILON)))));
  const rho = ops.mul(ops.mul(gram, ops.reshape(inv, [K, 1])), ops.reshape(inv, [1, K]));
  const pairs = new Float32Array(K * K);
  for (let j = 0; j < K; j++) for (let k = 0; k < K; k++) if (j !== k) pairs[j * K + k] = 1 / (K * (K - 1));
  return ops.sum(ops.reshape(ops.mul(rho, ops.constant(`maps:pairs:${K}`, pairs, [K, K])), [-1]), 0, false);
}

/**
 * The update graph for minibatches of `batch` samples. Inputs: `params`, `adam_m`, `adam_v` [P], `adam_c1`,
 * `adam_c2` [], `x` [batch, n], `target` [batch, K, 3]. Outputs: `params_next`, `adam_m_next`, `adam_v_next`, and
 * before the step `loss`, `td` and (with two agents or more) `diversity`.
 */
export function buildMapsUpdate(shape: MapsShape, batch: number, lr: number, diversity: number): TrainGraph {
  checkBatch(batch);
  const specs = mapsSpecs(shape);
  const g = new Graph();
  const state = optimiserInputs(g, total(specs));
  const x = g.input('x', [batch, shape.window]);
  const target = g.input('target', [batch, shape.agents, CLASS_COUNT]);

  const params = paramBlock(g, specs, state.p, new Tape('maps'));
  const ops = new TrainOps(g, params);
  const q = mapsQ(ops, shape, x);
  const err = ops.sub(q, target);
  const td = meanAll(ops, ops.mul(err, err));
  let loss = td;
  let div: Val | null = null;
  if (shape.agents >= 2) {
    div = diversityTerm(ops, q, batch, shape.agents);
    loss = ops.add(td, ops.mul(div, ops.scalar(diversity)));
  }
  const step = optimiserStep(g, specs, params, loss, { lr, clip: 0, ...state });
  optimiserOutputs(g, step, loss);
  g.output('td', td);
  if (div) g.output('diversity', div);
  return finishGraph(g, 'maps_update', 'HDRL Desk MAPS update (Q-learning of K agents with the diversity term, Adam)');
}

/** The forward graph of `rows` samples: inputs `params`, `x` [rows, n]; output `q` [rows, K, 3]. */
export function buildMapsQ(shape: MapsShape, rows: number): TrainGraph {
  checkBatch(rows);
  const specs = mapsSpecs(shape);
  const g = new Graph();
  const p = g.input('params', [total(specs)]);
  const x = g.input('x', [rows, shape.window]);
  const ops = new TrainOps(g, paramBlock(g, specs, p, null));
  g.output('q', mapsQ(ops, shape, x));
  return finishGraph(g, 'maps_q', 'HDRL Desk MAPS action values of K agents');
}

/** One minibatch as the update graph takes it (see {@link buildMapsUpdate}). */
export interface MapsBatch {
  x: Float32Array;
  target: Float32Array;
}

/** What one update reports, before its step. */
export interface MapsStepLoss {
  loss: number;
  td: number;
  /** the diversity term (0 with one agent) */
  diversity: number;
}

/**
 * The K agents as one learner (learner.ts): parameters initialised from `seed` (compute/params.ts, per parameter
 * name) unless given, Adam moments zero; one graph per minibatch size and per forward size, opened on first use.
 */
export class OnnxMaps extends AdamLearner {
  constructor(
    readonly shape: MapsShape,
    readonly lr: number,
    readonly diversity: number,
    seed: number,
    opts: TrainRunOptions & { init?: ParamValues } = {},
  ) {
    super(mapsSpecs(shape), lr, seed, 'initial MAPS agents', opts);
  }

  /** One Adam step on a minibatch of `batch` samples; gives the losses before the step. */
  update(b: MapsBatch, batch: number): MapsStepLoss {
    const out = this.adamUpdate(batch, (n) => buildMapsUpdate(this.shape, n, this.lr, this.diversity), {
      x: b.x,
      target: b.target,
    });
    return { loss: out.loss![0]!, td: out.td![0]!, diversity: out.diversity?.[0] ?? 0 };
  }

  /** Q-values [rows * K * 3] of windows x [rows * n], under the current parameters or the vector `params`. */
  q(x: Float32Array, rows: number, params?: Float32Array): Float32Array {
    return this.runForward(rows, (n) => buildMapsQ(this.shape, n), { x }, params).q!;
  }
}
