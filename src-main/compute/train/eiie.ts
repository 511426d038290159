/**
 * The EIIE update on the ONNX training engine (Jiang, Xu and Liang 2017; docs/drl-baselines.md "EIIE"): the
 * deterministic policy gradient of the paper, one graph per minibatch size. For a minibatch of consecutive periods
 * t (decisions at the close of day t, held over day t + 1):
 *
 *   w_t   = network(x_t, w'_t)                  x_t the windows, w'_t the weights held before the decision: the
 *                                                previous period's portfolio from the PVM, drifted to day t
 *   mu_t  = 1 - c sum_i |w_t,i - w'_t,i|         over the risky assets: exactly the engine's proportional cost
 *                                                (agents/samp/env.ts portfolioStep), not an approximation
 *   r_t   = log(mu_t  y_t+1 . w_t)               y_t+1 = (1, close[t+1] / close[t]), cash first
 *   loss  = -mean_t r_t + weightDecay sum ||W||^2 over the weight matrices (agents/eiie/network.ts eiieDecayed:
 *                                                the CNN's kernels or the recurrent layer's W, and the vote's)
 *
 * then Adam (compute/train/adam.ts; no gradient clipping, as the paper). The PVM is not differentiated: w'_t is an
 * input, as in the paper, where the memory breaks the recursion so that a minibatch's periods are computed in
 * parallel. The graph also returns the w_t it computed, which the trainer writes back into the PVM rows of the
 * batch (agents/eiie/osbl.ts). A second, forward-only graph gives the portfolio of one period for validation runs.
 *
 * State: the flat parameter vector and Adam's two moments, fed in and returned by every call (`OnnxEiie`).
 *
 * Shared with PPN (compute/train/ppn.ts), whose training is the same OSBL scheme with another network and reward:
 * `netLogReturns` (the per-period r_t and traded amount above) and `OsblOnnxLearner` (the learner over one update
 * graph per minibatch size and one forward graph, which `OnnxEiie` is with EIIE's graphs).
 */
import { eiieDecayed, eiieForward, eiieSpecs, type EiieShape } from '../../agents/eiie/network';
import type { ParamSpec, ParamValues } from '../params';
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
import { Graph, Tape, type Val } from './graph';
import { paramBlock, TrainOps } from './ops';
import type { TrainRunOptions } from './session';

/** The training settings the update graph is built with. */
export interface EiieUpdateSettings {
  lr: number;
  weightDecay: number;
  costRate: number;
}

/** Constant S [N + 1, N] with held S = the risky part of a cash-first weight vector (a slice as a product). */
export function riskySelector(g: Graph, nAssets: number): Val {
  const s = new Float32Array((nAssets + 1) * nAssets);
  for (let i = 0; i < nAssets; i++) s[(i + 1) * nAssets + i] = 1;
  return g.constant(`eiie:select:${nAssets}`, s, [nAssets + 1, nAssets]);
}

/**
 * The per-period terms of the reward for portfolios w, weights held w' and relatives y (each [B, N + 1], cash
 * first): traded_t = sum_i |w_t,i - w'_t,i| over the risky assets and r_t = log((1 - c traded_t) y_t+1 . w_t),
 * each [B]. Differentiable in w; w' and y are inputs.
 */
export function netLogReturns(
  ops: TrainOps,
  nAssets: number,
  w: Val,
  held: Val,
  y: Val,
  costRate: number,
): { r: Val; traded: Val } {
  const growth = ops.sum(ops.mul(w, y), 1, false);
  const mask = new Float32Array(nAssets + 1).fill(1);
  mask[0] = 0;
  const traded = ops.sum(
    ops.mul(ops.abs(ops.sub(w, held)), ops.constant(`eiie:risky:${nAssets}`, mask, [nAssets + 1])),
    1,
    false,
  );
  const mu = ops.sub(ops.scalar(1), ops.mul(ops.scalar(costRate), traded));
  return { r: ops.log(ops.mul(mu, growth)), traded };
}

/**
 * The update graph for minibatches of `batch` periods over `nAssets` assets. Inputs: `params`, `adam_m`, `adam_v`
 * [P], `adam_c1`, `adam_c2` [], `x` [batch, N, n], `held` [batch, N + 1] (w'_t, cash first), `y` [batch, N + 1]
 * (1, then the next day's price relatives). Outputs: `params_next`, `adam_m_next`, `adam_v_next`, `loss`,
 * `reward` (mean r_t) and `w` [batch, N + 1] (the portfolios before the step, for the PVM).
 */
export function buildEiieUpdate(shape: EiieShape, nAssets: number, batch: number, s: EiieUpdateSettings): TrainGraph {
  checkBatch(batch);
  const specs = eiieSpecs(shape);
  const g = new Graph();
  const state = optimiserInputs(g, total(specs));
  const x = g.input('x', [batch, nAssets, shape.window]);
  const held = g.input('held', [batch, nAssets + 1]);
  const y = g.input('y', [batch, nAssets + 1]);

  const tape = new Tape('eiie');
  const params = paramBlock(g, specs, state.p, tape);
  const ops = new TrainOps(g, params);
  const w = eiieForward(ops, shape, nAssets, x, ops.matMul(held, riskySelector(g, nAssets)));
  const reward = ops.mean(netLogReturns(ops, nAssets, w, held, y, s.costRate).r, 0, false);
  let loss = ops.sub(ops.scalar(0), reward);
  if (s.weightDecay > 0)
    for (const name of eiieDecayed(shape)) {
      const W = ops.param(name);
      const sq = ops.sum(ops.reshape(ops.mul(W, W), [-1]), 0, false);
      loss = ops.add(loss, ops.mul(ops.scalar(s.weightDecay), sq));
    }
  const step = optimiserStep(g, specs, params, loss, { lr: s.lr, clip: 0, ...state });
  optimiserOutputs(g, step, loss);
  g.output('reward', reward);
  g.output('w', w);
  return finishGraph(g, 'eiie_update', 'HDRL Desk EIIE update (mean log return net of costs, Adam, L2)');
}

/** The forward graph of one period: inputs `params`, `x` [1, N, n], `held` [1, N + 1]; output `w` [1, N + 1]. */
export function buildEiieAct(shape: EiieShape, nAssets: number): TrainGraph {
  const specs = eiieSpecs(shape);
  const g = new Graph();
  const p = g.input('params', [total(specs)]);
  const x = g.input('x', [1, nAssets, shape.window]);
  const held = g.input('held', [1, nAssets + 1]);
  const ops = new TrainOps(g, paramBlock(g, specs, p, null));
  g.output('w', eiieForward(ops, shape, nAssets, x, ops.matMul(held, riskySelector(g, nAssets))));
  return finishGraph(g, 'eiie_act', 'HDRL Desk EIIE portfolio of one period');
}

/** One minibatch as the update graph takes it (see {@link buildEiieUpdate}). */
export interface EiieBatch {
  x: Float32Array;
  held: Float32Array;
  y: Float32Array;
}

/** What one update gives back. */
export interface EiieStepResult {
  loss: number;
  /** mean log return net of costs over the batch, before the step */
  reward: number;
  /** the batch's portfolios before the step [batch * (N + 1)], cash first: the PVM's new rows */
  w: Float32Array;
}

/** Builds a learner's graphs: the update of a minibatch of `batch` periods, and the forward graph of one period. */
export interface OsblGraphs {
  update(batch: number): TrainGraph;
  act(): TrainGraph;
}

/**
 * A learner trained by OSBL on the ONNX training engine (learner.ts): parameters initialised from `seed`
 * (compute/params.ts, per parameter name) unless given, Adam moments zero; one update graph per minibatch size,
 * opened on first use. Its update graphs take `x`, `held`, `y` besides the optimiser state and return `reward`
 * and `w` besides it; its forward graph takes `params`, `x`, `held` and returns `w` (see {@link buildEiieUpdate}).
 */
export class OsblOnnxLearner extends AdamLearner {
  constructor(
    specs: readonly ParamSpec[],
    lr: number,
    seed: number,
    what: string,
    private readonly graphs: OsblGraphs,
    opts: TrainRunOptions & { init?: ParamValues } = {},
  ) {
    super(specs, lr, seed, what, opts);
  }

  /** One Adam step on a minibatch of `batch` periods. */
  update(b: EiieBatch, batch: number): EiieStepResult {
    const out = this.adamUpdate(batch, (n) => this.graphs.update(n), { x: b.x, held: b.held, y: b.y });
    return { loss: out.loss![0]!, reward: out.reward![0]!, w: out.w! };
  }

  /** The portfolio [N + 1] (cash first) of one period: x the period's windows, held [N + 1] cash first. */
  portfolio(x: Float32Array, held: Float32Array): Float32Array {
    return this.runForward(1, () => this.graphs.act(), { x, held }).w!;
  }
}

/** An EIIE learner (any of its evaluators): {@link OsblOnnxLearner} with EIIE's network and update. */
export class OnnxEiie extends OsblOnnxLearner {
  constructor(
    readonly shape: EiieShape,
    readonly nAssets: number,
    readonly settings: EiieUpdateSettings,
    seed: number,
    opts: TrainRunOptions & { init?: ParamValues } = {},
  ) {
    super(
      eiieSpecs(shape),
      settings.lr,
      seed,
      'initial EIIE network',
      {
        update: (batch) => buildEiieUpdate(shape, nAssets, batch, settings),
        act: () => buildEiieAct(shape, nAssets),
      },
      opts,
    );
  }
}
