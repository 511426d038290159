/**
 * What every update of the ONNX training engine is made of, whichever learner builds it (ddpg.ts, td3.ts, sac.ts,
 * ppo.ts): the finished graph, its interface and its session, the graph-input names of state vectors and per-sample states, the
 * optimiser step on a loss (gradient, clip, Adam), each network's flat parameter vector, and the fed Adam bias
 * corrections with the learning-rate scale folded in, and the optimiser inputs and outputs of a one-network update
 * (the learners of learner.ts). Nothing here knows an agent: the learners, their networks and
 * their configs sit above (the agents layer, scripts/layers.mjs).
 */
import { initParams, sizeOf, type ParamSpec, type ParamValues } from '../params';
import {
  adamCorrections,
  adamStep,
  clipByGlobalNorm,
  rmspropStep,
  tfjsAdam,
  torchRmsprop,
  type AdamSettings,
} from './adam';
import { backward } from './gradients';
import type { Graph, Val, ValueSpec } from './graph';
import { flattenGrads, type TrainOps } from './ops';
import { TrainSession, type TrainRunOptions } from './session';

/** A built training graph: serialised model and its interface. */
export interface TrainGraph {
  bytes: Uint8Array;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  /** number of ONNX nodes (before ONNX Runtime's own fusions) */
  nodeCount: number;
}

/** Serialise `g` under `name` with the description `doc`, with its interface. */
export function finishGraph(g: Graph, name: string, doc: string): TrainGraph {
  return { bytes: g.encode(name, doc), inputs: g.inputs, outputs: g.outputs, nodeCount: g.nodes.length };
}

/** Open a built graph in ONNX Runtime (session.ts), with `opts` saying where and how it runs. */
export function openGraph(built: TrainGraph, opts: TrainRunOptions): TrainSession {
  return TrainSession.open(built.bytes, built.inputs, built.outputs, opts);
}

/** Refuse a minibatch size a graph cannot be built for. */
export function checkBatch(batch: number): void {
  if (!(Number.isInteger(batch) && batch >= 1)) throw new RangeError(`batch must be a positive integer, got ${batch}`);
}

/** Name of the output that carries the next value of state vector `n`. */
export const nextName = (n: string): string => `${n}_next`;

/** Number of values in a network's flat parameter vector. */
export function total(specs: readonly ParamSpec[]): number {
  return specs.reduce((a, s) => a + sizeOf(s.shape), 0);
}

/** Scalar mean over every element of v. */
export function meanAll(ops: TrainOps, v: Val): Val {
  return ops.mean(ops.reshape(v, [-1]), 0, false);
}

/**
 * The graph inputs `<prefix>.<name>` [batch, ...shape] of a model's per-sample state inputs (`state`: name ->
 * shape without the batch axis), in the state's key order.
 */
export function stateInputs(
  g: Graph,
  state: Readonly<Record<string, number[]>>,
  batch: number,
  prefix = 's',
): Record<string, Val> {
  const s: Record<string, Val> = {};
  for (const [k, shape] of Object.entries(state)) s[k] = g.input(`${prefix}.${k}`, [batch, ...shape]);
  return s;
}

/**
 * The feeds `s.<name>` of the state arrays `arrays` for every state input of `state`; a missing one is refused
 * as `<what> <name> missing`.
 */
export function stateFeeds(
  state: Readonly<Record<string, number[]>>,
  arrays: Readonly<Record<string, Float32Array>>,
  what: string,
): Record<string, Float32Array> {
  const feeds: Record<string, Float32Array> = {};
  for (const k of Object.keys(state)) {
    const x = arrays[k];
    if (!x) throw new Error(`${what} ${k} missing`);
    feeds[`s.${k}`] = x;
  }
  return feeds;
}

/** Which rule steps a network: Adam (the default; tfjs's settings) or RMSProp (PyTorch's; adam.ts). */
export type OptimizerRule = 'adam' | 'rmsprop';

/**
 * One optimiser step of a network on `loss`: the gradient with respect to its taped parameters `params` (from
 * `paramBlock` over `specs` on the loss's tape), clipped by global norm, then an Adam step on its flat vectors
 * p, m, v with the fed bias corrections c1, c2 — or, with `rule` 'rmsprop', an RMSProp step whose c1 is the fed
 * 1 / learning-rate scale ({@link rmspropFeeds}). Gives the new p, m, v.
 */
export function optimiserStep(
  g: Graph,
  specs: readonly ParamSpec[],
  params: ReadonlyMap<string, Val>,
  loss: Val,
  step: { lr: number; clip: number; p: Val; m: Val; v: Val; c1: Val; c2: Val; rule?: OptimizerRule },
): { p: Val; m: Val; v: Val } {
  const names = [...params.keys()];
  const grads = backward(g, loss, [...params.values()]);
  const flat = flattenGrads(g, specs, new Map(names.flatMap((n, i) => (grads[i] ? [[n, grads[i]!] as const] : []))));
  const clipped = clipByGlobalNorm(g, flat, step.clip);
  if (step.rule === 'rmsprop') return rmspropStep(g, torchRmsprop(step.lr), step.p, step.m, step.v, clipped, step.c1);
  return adamStep(g, tfjsAdam(step.lr), step.p, step.m, step.v, clipped, step.c1, step.c2);
}

/** The optimiser-state inputs of a one-network update graph (learner.ts): the network's vector and Adam's state. */
export interface OptimiserInputs {
  p: Val;
  m: Val;
  v: Val;
  c1: Val;
  c2: Val;
}

/** Declares the inputs `params`, `adam_m`, `adam_v` [size] and `adam_c1`, `adam_c2` [] of a one-network update graph. */
export function optimiserInputs(g: Graph, size: number): OptimiserInputs {
  const p = g.input('params', [size]);
  const m = g.input('adam_m', [size]);
  const v = g.input('adam_v', [size]);
  const c1 = g.input('adam_c1', []);
  const c2 = g.input('adam_c2', []);
  return { p, m, v, c1, c2 };
}

/** Declares the outputs `params_next`, `adam_m_next`, `adam_v_next` of the step `next`, then `loss`. */
export function optimiserOutputs(g: Graph, next: { p: Val; m: Val; v: Val }, loss: Val): void {
  g.output('params_next', next.p);
  g.output('adam_m_next', next.m);
  g.output('adam_v_next', next.v);
  g.output('loss', loss);
}

/**
 * The feeds `<prefix>_c1`, `<prefix>_c2` of an RMSProp step with the learning rate scaled by `lrScale`: c1 is
 * 1 / lrScale (the step divides the gradient by it), c2 is unused and fed as 1.
 */
export function rmspropFeeds(lrScale: number, prefix = 'adam'): Record<string, Float32Array> {
  return { [`${prefix}_c1`]: Float32Array.of(1 / checkLrScale(lrScale)), [`${prefix}_c2`]: Float32Array.of(1) };
}

/**
 * The fed bias corrections `<prefix>_c1`, `<prefix>_c2` of Adam step `t` (1-based) with the learning rate scaled
 * by `lrScale`. The graph's step is lr (m / c1) / (sqrt(v / c2) + eps), so feeding c1 / lrScale scales exactly
 * the step, not the moments: a schedule needs no graph of its own.
 */
export function adamFeeds(
  adam: AdamSettings,
  t: number,
  lrScale: number,
  prefix = 'adam',
): Record<string, Float32Array> {
  const { c1, c2 } = adamCorrections(adam, t);
  return { [`${prefix}_c1`]: Float32Array.of(c1 / lrScale), [`${prefix}_c2`]: Float32Array.of(c2) };
}

/** A learning-rate scale as a learner takes it (a positive number), or a RangeError. */
export function checkLrScale(f: number): number {
  if (!(f > 0 && Number.isFinite(f))) throw new RangeError(`learning-rate scale must be a positive number, got ${f}`);
  return f;
}

/** One network's parameters as its flat vector (spec order); `what` names it in errors. */
export function flatten(specs: readonly ParamSpec[], values: ParamValues, what: string): Float32Array {
  const out = new Float32Array(total(specs));
  let o = 0;
  for (const sp of specs) {
    const v = values.get(sp.name);
    if (!v) throw new Error(`${what}: no value for ${sp.name}`);
    if (v.data.length !== sizeOf(sp.shape))
      throw new Error(`${what}: ${sp.name} has ${v.data.length} values, spec [${sp.shape}]`);
    out.set(v.data, o);
    o += v.data.length;
  }
  return out;
}

/** Inverse of {@link flatten}. */
export function unflatten(specs: readonly ParamSpec[], flat: Float32Array): ParamValues {
  const out: ParamValues = new Map();
  let o = 0;
  for (const sp of specs) {
    const n = sizeOf(sp.shape);
    out.set(sp.name, { shape: [...sp.shape], data: flat.slice(o, o + n) });
    o += n;
  }
  return out;
}

/** A network's starting vector: the given values, or the seeded initialisation of its specs (params.ts). */
export function startVector(
  specs: readonly ParamSpec[],
  given: ParamValues | undefined,
  seed: number,
  what: string,
): Float32Array {
  return flatten(specs, given ?? initParams(specs, seed), what);
}
