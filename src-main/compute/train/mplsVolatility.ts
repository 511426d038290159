/**
 * The forecaster of MPLS's volatility module (agents/mpls/volatility.ts, docs/mpls.md "Volatility module") described
 * to the ONNX training engine: a stack of LSTM layers (agents/networks/lstm.ts, one `lstmLayer` per layer) over a
 * window of per-sector daily features, a dropout mask on each layer's output, and a linear head to one number, the
 * sector's standardised log-volatility over the next period. One network serves every sector: a sample is one
 * (sector, day) window.
 *
 *   x      [R, L, F]                                 R windows of L days, F features a day (volatility.ts says which)
 *   s_0    = LSTM_0(x)                               [R, L, H]
 *   s_k    = LSTM_k(s_{k-1} * drop_{k-1})           layers k = 1 .. layers-1
 *   y      = (last step of s_{layers-1} * drop_{layers-1}) W + b   [P R]
 *
 * Dropout: one fed mask `drop<k>` [P, R, 1, H] per layer k, holding 0 or 1 / (1 - rate) per unit (inverted
 * dropout). Mask k multiplies layer k's output: the sequence crossing to the next layer, and for the last layer
 * the final state before the head, so even a one-layer network has a dropout to sample. A mask is the same at
 * every time step (its 1 broadcasts over L): the variational dropout of Gal and Ghahramani (2016) for recurrent
 * networks, which makes each Monte-Carlo pass one consistent thinned network. All-ones masks give the
 * deterministic network (inverted dropout needs no rescaling at inference).
 *
 * P, the passes: the first mask has a leading axis of P passes and multiplies layer 0's output by broadcasting, so
 * P differently-masked copies of the R windows leave layer 0 (rows pass-major: row p R + r) while layer 0 itself
 * runs once on the R windows: it reads no mask, so its output is the same in every pass. Training feeds P = 1
 * (R = the minibatch); the module feeds P = K + 1 (the deterministic pass and K Monte-Carlo passes) over R = the
 * S sectors of one day, which costs about half of running the K + 1 copies through both layers.
 *
 * Three graphs from the one forward definition (`volatilityForward`, written against the op vocabulary):
 *   - the update (`buildVolatilityUpdate`): MSE of y against the fed target, gradient clipped by global norm, one
 *     Adam step (adam.ts, tfjs's settings); parameters and moments fed in and returned;
 *   - the engine forward (`buildVolatilityForward`): y of a fixed number of windows under fed parameters, without
 *     masks (validation during training) or with them (the parity test);
 *   - the exported forecaster (`exportVolatilityOnnx`): parameters baked in as initializers, R and P symbolic,
 *     masks fed, output `logvol` [P R]: what the module runs, one call a day. test/compute/train-mpls-volatility.test.ts
 *     holds it, the engine forward and tfjs to 1e-5 of each other.
 */
import { lstmLayer, lstmSpecs, type LstmConfig } from '../../agents/networks/lstm';
import { buildOnnxModel } from '../onnx/emitter';
import { dense, type Ops } from '../ops';
import { denseSpecs, type ParamSpec, type ParamValues } from '../params';
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

/** The forecaster's shape. */
export interface VolatilityNetShape {
  /** L, days per window */
  window: number;
  /** F, features per day */
  features: number;
  /** H, units of every LSTM layer */
  hidden: number;
  /** stacked LSTM layers */
  layers: number;
}

/** Parameter-name prefix of the forecaster. */
const PREFIX = 'mplsvol';

/** The LSTM stack's config for a shape. */
function lstmConfig(s: VolatilityNetShape): LstmConfig {
  return { length: s.window, inDim: s.features, hidden: s.hidden, layers: s.layers };
}

/** Parameter specs: the LSTM stack `mplsvol/lstm/l<k>/...`, then the head `mplsvol/head` [H, 1]. */
export function volatilitySpecs(s: VolatilityNetShape): ParamSpec[] {
  return [...lstmSpecs(lstmConfig(s), `${PREFIX}/lstm`), ...denseSpecs(`${PREFIX}/head`, s.hidden, 1)];
}

/** The name of layer k's dropout mask input. */
export const dropName = (k: number): string => `drop${k}`;

/**
 * The forward pass (file overview) over x [R, L, F]; `drops`, when given, holds one mask [P, R, 1, H] per layer.
 * Gives y [P R] (P = 1 without masks).
 */
export function volatilityForward<T>(ops: Ops<T>, s: VolatilityNetShape, x: T, drops?: readonly T[]): T {
  if (drops && drops.length !== s.layers)
    throw new RangeError(
      `volatility forecaster: ${s.layers} layers take ${s.layers} dropout masks, got ${drops.length}`,
    );
  const { window: L, hidden: H } = s;
  // layer k's mask on v [rows, steps, H]; mask 0 ([P, R, 1, H]) also makes the P passes (file overview)
  const masked = (v: T, k: number, steps: number): T =>
    k === 0
      ? ops.reshape(ops.mul(ops.reshape(v, [1, -1, steps, H]), drops![0]!), [-1, steps, H])
      : ops.mul(v, ops.reshape(drops![k]!, [-1, 1, H]));
  let seq = x;
  let last: T | null = null;
  for (let k = 0; k < s.layers; k++) {
    const r = lstmLayer(ops, `${PREFIX}/lstm/l${k}`, seq, L, k === 0 ? s.features : H, H);
    seq = r.outputs;
    last = r.last.h;
    if (!drops) continue;
    if (k < s.layers - 1) seq = masked(seq, k, L);
    else last = ops.reshape(masked(ops.reshape(last, [-1, 1, H]), k, 1), [-1, H]);
  }
  return ops.reshape(dense(ops, `${PREFIX}/head`, last!), [-1]);
}

/**
 * The update graph for minibatches of `batch` windows. Inputs: `params`, `adam_m`, `adam_v` [P], `adam_c1`,
 * `adam_c2` [], `x` [batch, L, F], `y` [batch] (standardised log-volatility targets), `drop<k>` [1, batch, 1, H].
 * Outputs: `params_next`, `adam_m_next`, `adam_v_next`, `loss` (the minibatch MSE before the step).
 */
export function buildVolatilityUpdate(s: VolatilityNetShape, batch: number, lr: number, clip: number): TrainGraph {
  checkBatch(batch);
  const specs = volatilitySpecs(s);
  const g = new Graph();
  const state = optimiserInputs(g, total(specs));
  const x = g.input('x', [batch, s.window, s.features]);
  const y = g.input('y', [batch]);
  const drops = Array.from({ length: s.layers }, (_, k) => g.input(dropName(k), [1, batch, 1, s.hidden]));
  const params = paramBlock(g, specs, state.p, new Tape('mplsvol'));
  const ops = new TrainOps(g, params);
  const err = ops.sub(volatilityForward(ops, s, x, drops), y);
  const loss = meanAll(ops, ops.mul(err, err));
  const step = optimiserStep(g, specs, params, loss, { lr, clip, ...state });
  optimiserOutputs(g, step, loss);
  return finishGraph(g, 'mpls_volatility_update', 'HDRL Desk MPLS volatility forecaster update (MSE, Adam)');
}

/**
 * The engine's forward graph of `rows` windows: inputs `params`, `x` [rows, L, F], and with `passes` the masks
 * `drop<k>` [passes, rows, 1, H]; output `y` [passes * rows] (`rows` without masks).
 */
export function buildVolatilityForward(s: VolatilityNetShape, rows: number, passes?: number): TrainGraph {
  checkBatch(rows);
  if (passes !== undefined) checkBatch(passes);
  const specs = volatilitySpecs(s);
  const g = new Graph();
  const ops = new TrainOps(g, paramBlock(g, specs, g.input('params', [total(specs)]), null));
  const x = g.input('x', [rows, s.window, s.features]);
  const drops: Val[] | undefined =
    passes === undefined
      ? undefined
      : Array.from({ length: s.layers }, (_, k) => g.input(dropName(k), [passes, rows, 1, s.hidden]));
  g.output('y', volatilityForward(ops, s, x, drops));
  return finishGraph(g, 'mpls_volatility_forward', 'HDRL Desk MPLS volatility forecaster (engine forward)');
}

/**
 * The exported forecaster: `params` baked in, inputs `x` [windows, L, F] and `drop<k>` [passes, windows, 1, H],
 * output `logvol` [passes * windows] (pass-major; the standardised log-volatility, which volatility.ts undoes).
 */
export function exportVolatilityOnnx(s: VolatilityNetShape, params: ParamValues): Uint8Array {
  return buildOnnxModel({
    graphName: 'mpls_volatility_forecaster',
    params,
    inputs: [
      { name: 'x', dims: ['windows', s.window, s.features] },
      ...Array.from({ length: s.layers }, (_, k) => ({ name: dropName(k), dims: ['passes', 'windows', 1, s.hidden] })),
    ],
    outputs: [{ name: 'logvol', dims: ['rows'] }],
    build: (ops, i) => ({
      logvol: volatilityForward(
        ops,
        s,
        i.x!,
        Array.from({ length: s.layers }, (_, k) => i[dropName(k)]!),
      ),
    }),
    docString: 'HDRL Desk MPLS volatility forecaster: standardised log-volatility per window (LSTM, fed dropout masks)',
  });
}

/** One minibatch as the update graph takes it. */
export interface VolatilityBatch {
  /** [batch * L * F] */
  x: Float32Array;
  /** [batch] */
  y: Float32Array;
  /** one [batch * H] mask per layer (fed as [1, batch, 1, H]) */
  drops: readonly Float32Array[];
}

/**
 * The forecaster's learner (learner.ts): parameters initialised from `seed` (compute/params.ts, per name), Adam
 * moments zero; one update graph per minibatch size and one forward graph per row count, opened on first use.
 */
export class OnnxVolatilityRegressor extends AdamLearner {
  constructor(
    readonly shape: VolatilityNetShape,
    readonly lr: number,
    readonly clip: number,
    seed: number,
    opts: TrainRunOptions = {},
  ) {
    super(volatilitySpecs(shape), lr, seed, 'initial volatility forecaster', opts);
  }

  /** One Adam step on a minibatch of `batch` windows; gives the minibatch MSE before the step. */
  update(b: VolatilityBatch, batch: number): number {
    if (b.drops.length !== this.shape.layers)
      throw new RangeError(`volatility update: ${b.drops.length} dropout masks for ${this.shape.layers} layers`);
    const data: Record<string, Float32Array> = { x: b.x, y: b.y };
    b.drops.forEach((d, k) => (data[dropName(k)] = d));
    const out = this.adamUpdate(batch, (n) => buildVolatilityUpdate(this.shape, n, this.lr, this.clip), data);
    return out.loss![0]!;
  }

  /** The deterministic forecasts [rows] of windows x [rows * L * F] under the current parameters. */
  predict(x: Float32Array, rows: number): Float32Array {
    return this.runForward(rows, (n) => buildVolatilityForward(this.shape, n), { x }).y!;
  }
}
