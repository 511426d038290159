/**
 * A DDPG update as ONE ONNX graph, run by ONNX Runtime (issue 14): the same update as agents/ddpg.ts, in the
 * same order, so the two agree to float32 rounding:
 *
 *   target        y = rewardScale r + gamma (1 - done) Q'(s', mu'(s'))            (target networks, no gradient)
 *   critic step   L_Q = mean (Q(s, a) - y)^2; clip by global norm; Adam(criticLr)
 *   actor step    L_mu = -mean Q_new(s, mu(s)) + R(s) with the critic ALREADY UPDATED (tfjs applies the critic
 *                 step before it differentiates the actor loss); clip; Adam(actorLr)
 *   soft update   theta' <- tau theta + (1 - tau) theta' for both networks, from the updated online values
 *
 * State lives in eight flat float32 vectors (actor, critic, their targets, and the Adam moments of each), fed in
 * and returned by every call; `OnnxDdpg` holds them between calls. The graph is built once per model and batch
 * size, through `TrainOps` (ops.ts) so the networks are the very `forward(ops, ...)` definitions the tfjs
 * trainer and the ONNX exporter use, with gradients from gradients.ts and the optimiser from adam.ts.
 *
 * Acting (the exploration step of the training loop) runs a second, small graph: the actor alone on one state,
 * with the exploration noise added to its logits, reading the same actor vector. `OnnxDdpg` is the training
 * loop's `DdpgLearner` (agents/learner.ts) for this engine.
 *
 * The pieces another actor-critic update builds from (td3.ts) are exported here rather than copied there: the
 * Bellman target, the optimiser step on a loss (gradient, clip, Adam), the acting graph and its session, and the
 * flat parameter vectors.
 */
import type { DdpgConfig } from '../../agents/ddpg';
import type { DdpgBatchArrays, DdpgLearner, StateArrays } from '../../agents/learner';
import { initParams, sizeOf, type ParamSpec, type ParamValues } from '../params';
import { adamCorrections, adamStep, clipByGlobalNorm, softUpdate, tfjsAdam } from './adam';
import { backward } from './gradients';
import { Graph, Tape, type Val, type ValueSpec } from './graph';
import { flattenGrads, paramBlock, TrainOps, type ConvImpl } from './ops';
import { TrainSession, type TrainRunOptions } from './session';

/** An actor-critic pair as the training engine sees it (the counterpart of agents/ddpg.ts DdpgModel). */
export interface TrainDdpgModel {
  actorSpecs: ParamSpec[];
  criticSpecs: ParamSpec[];
  /** per-sample shape of each state input (without the batch axis), e.g. { x: [N, L], wprev: [N] } */
  state: Record<string, number[]>;
  /** per-sample shape of the action */
  action: number[];
  /** mu(s), and optionally a scalar added to the actor loss */
  actor(ops: TrainOps, s: Record<string, Val>): { action: Val; regularizer?: Val };
  /**
   * How many noise vectors (each of the action's shape) acting takes, and mu(s) with noise[k] added to the k-th
   * actor's logits (as the tfjs models read s.noise0, s.noise1, ...).
   */
  noiseInputs: number;
  act(ops: TrainOps, s: Record<string, Val>, noise: Val[]): Val;
  /** Q(s, a) [B, 1] */
  critic(ops: TrainOps, s: Record<string, Val>, a: Val): Val;
}

/** The eight state vectors of a DDPG learner, in graph-input order. */
export const DDPG_STATE = [
  'actor',
  'critic',
  'actorTarget',
  'criticTarget',
  'actorM',
  'actorV',
  'criticM',
  'criticV',
] as const;
export type DdpgStateName = (typeof DDPG_STATE)[number];

/** A built update graph: serialised model and its interface. */
export interface DdpgUpdateGraph {
  bytes: Uint8Array;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  /** number of ONNX nodes (before ONNX Runtime's own fusions) */
  nodeCount: number;
}

/** Name of the output that carries the next value of state vector `n`. */
export const nextName = (n: DdpgStateName): string => `${n}_next`;

/** Number of values in a network's flat parameter vector. */
export function total(specs: readonly ParamSpec[]): number {
  return specs.reduce((a, s) => a + sizeOf(s.shape), 0);
}

/** Scalar mean over every element of v. */
export function meanAll(ops: TrainOps, v: Val): Val {
  return ops.mean(ops.reshape(v, [-1]), 0, false);
}

/** The critic target rewardScale r + gamma (1 - done) q of next-state values `q` [B, 1] (no tape: no gradient). */
export function bellmanTarget(
  ops: TrainOps,
  cfg: Pick<DdpgConfig, 'rewardScale' | 'gamma'>,
  r: Val,
  done: Val,
  q: Val,
): Val {
  return ops.add(
    ops.mul(r, ops.scalar(cfg.rewardScale)),
    ops.mul(ops.mul(ops.sub(ops.scalar(1), done), ops.scalar(cfg.gamma)), q),
  );
}

/**
 * One optimiser step of a network on `loss`: the gradient with respect to its taped parameters `params` (from
 * `paramBlock` over `specs` on the loss's tape), clipped by global norm, then an Adam step on its flat vectors
 * p, m, v with the fed bias corrections c1, c2. Gives the new p, m, v.
 */
export function optimiserStep(
  g: Graph,
  specs: readonly ParamSpec[],
  params: ReadonlyMap<string, Val>,
  loss: Val,
  step: { lr: number; clip: number; p: Val; m: Val; v: Val; c1: Val; c2: Val },
): { p: Val; m: Val; v: Val } {
  const names = [...params.keys()];
  const grads = backward(g, loss, [...params.values()]);
  const flat = flattenGrads(g, specs, new Map(names.flatMap((n, i) => (grads[i] ? [[n, grads[i]!] as const] : []))));
  return adamStep(g, tfjsAdam(step.lr), step.p, step.m, step.v, clipByGlobalNorm(g, flat, step.clip), step.c1, step.c2);
}

/** Build the update graph of `model` for minibatches of `batch` samples (see file overview). */
export function buildDdpgUpdate(
  model: TrainDdpgModel,
  cfg: DdpgConfig,
  batch: number,
  conv: ConvImpl = 'toeplitz',
): DdpgUpdateGraph {
  if (!(Number.isInteger(batch) && batch >= 1)) throw new RangeError(`batch must be a positive integer, got ${batch}`);
  const g = new Graph();
  const nA = total(model.actorSpecs);
  const nC = total(model.criticSpecs);
  const st = {} as Record<DdpgStateName, Val>;
  for (const n of DDPG_STATE) st[n] = g.input(n, [n.startsWith('actor') ? nA : nC]);
  const c1 = g.input('adam_c1', []);
  const c2 = g.input('adam_c2', []);
  const s: Record<string, Val> = {};
  const s2: Record<string, Val> = {};
  for (const [k, shape] of Object.entries(model.state)) s[k] = g.input(`s.${k}`, [batch, ...shape]);
  for (const [k, shape] of Object.entries(model.state)) s2[k] = g.input(`s2.${k}`, [batch, ...shape]);
  const a = g.input('a', [batch, ...model.action]);
  const r = g.input('r', [batch, 1]);
  const done = g.input('done', [batch, 1]);

  // target y (no tape: target networks and inputs only)
  const tA = new TrainOps(g, paramBlock(g, model.actorSpecs, st.actorTarget, null), conv);
  const tC = new TrainOps(g, paramBlock(g, model.criticSpecs, st.criticTarget, null), conv);
  const y = bellmanTarget(tC, cfg, r, done, model.critic(tC, s2, model.actor(tA, s2).action));

  // critic step
  const cTape = new Tape('critic');
  const cParams = paramBlock(g, model.criticSpecs, st.critic, cTape);
  const cOps = new TrainOps(g, cParams, conv);
  const diff = cOps.sub(model.critic(cOps, s, a), y);
  const criticLoss = meanAll(cOps, cOps.mul(diff, diff));
  const cAdam = optimiserStep(g, model.criticSpecs, cParams, criticLoss, {
    lr: cfg.criticLr,
    clip: cfg.gradClipNorm,
    p: st.critic,
    m: st.criticM,
    v: st.criticV,
    c1,
    c2,
  });

  // actor step against the updated critic
  const aTape = new Tape('actor');
  const aParams = paramBlock(g, model.actorSpecs, st.actor, aTape);
  const aOps = new TrainOps(g, aParams, conv);
  const cNew = new TrainOps(g, paramBlock(g, model.criticSpecs, cAdam.p, null), conv);
  const out = model.actor(aOps, s);
  let actorLoss = aOps.mul(aOps.scalar(-1), meanAll(aOps, model.critic(cNew, s, out.action)));
  if (out.regularizer) actorLoss = aOps.add(actorLoss, out.regularizer);
  const aAdam = optimiserStep(g, model.actorSpecs, aParams, actorLoss, {
    lr: cfg.actorLr,
    clip: cfg.gradClipNorm,
    p: st.actor,
    m: st.actorM,
    v: st.actorV,
    c1,
    c2,
  });

  const next: Record<DdpgStateName, Val> = {
    actor: aAdam.p,
    critic: cAdam.p,
    actorTarget: softUpdate(g, aAdam.p, st.actorTarget, cfg.tau),
    criticTarget: softUpdate(g, cAdam.p, st.criticTarget, cfg.tau),
    actorM: aAdam.m,
    actorV: aAdam.v,
    criticM: cAdam.m,
    criticV: cAdam.v,
  };
  for (const n of DDPG_STATE) g.output(nextName(n), next[n]);
  g.output('criticLoss', criticLoss);
  g.output('actorLoss', actorLoss);
  return {
    bytes: g.encode('ddpg_update', 'HDRL Desk DDPG update (critic step, actor step, soft target update)'),
    inputs: g.inputs,
    outputs: g.outputs,
    nodeCount: g.nodes.length,
  };
}

export type { DdpgBatchArrays } from '../../agents/learner';

/**
 * Build the acting graph of `model`: inputs `actor` (the flat actor vector), `s.<name>` for each state input and
 * `noise<k>` for each noise vector, all with batch 1; output `action`.
 */
export function buildDdpgAct(model: TrainDdpgModel, conv: ConvImpl = 'toeplitz'): DdpgUpdateGraph {
  const g = new Graph();
  const actor = g.input('actor', [total(model.actorSpecs)]);
  const s: Record<string, Val> = {};
  for (const [k, shape] of Object.entries(model.state)) s[k] = g.input(`s.${k}`, [1, ...shape]);
  const noise = Array.from({ length: model.noiseInputs }, (_, k) => g.input(`noise${k}`, [1, ...model.action]));
  const ops = new TrainOps(g, paramBlock(g, model.actorSpecs, actor, null), conv);
  g.output('action', model.act(ops, s, noise));
  return {
    bytes: g.encode('ddpg_act', 'HDRL Desk DDPG acting (actor with exploration noise on its logits)'),
    inputs: g.inputs,
    outputs: g.outputs,
    nodeCount: g.nodes.length,
  };
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

/** The graph inputs of a minibatch: `a`, `r`, `done` and `s.<name>`, `s2.<name>` for each state input of `model`. */
export function batchFeeds(model: TrainDdpgModel, b: DdpgBatchArrays): Record<string, Float32Array> {
  const feeds: Record<string, Float32Array> = { a: b.a, r: b.r, done: b.done };
  for (const k of Object.keys(model.state)) {
    const x = b.s[k];
    const x2 = b.s2[k];
    if (!x || !x2) throw new Error(`batch state ${k} missing (s or s2)`);
    feeds[`s.${k}`] = x;
    feeds[`s2.${k}`] = x2;
  }
  return feeds;
}

/** The acting graph of a model ({@link buildDdpgAct}) in ONNX Runtime, opened on first use, fed an actor vector. */
export class ActingSession {
  private session: TrainSession | undefined;
  constructor(
    private readonly model: TrainDdpgModel,
    private readonly opts: TrainRunOptions & { conv?: ConvImpl },
  ) {}

  /** mu(s) of the actor vector `actor` for one state, noise[k] added to the k-th actor's logits. */
  act(actor: Float32Array, s: StateArrays, noise: readonly Float32Array[]): Float32Array {
    if (noise.length !== this.model.noiseInputs)
      throw new Error(`act: ${noise.length} noise vectors, the model takes ${this.model.noiseInputs}`);
    if (!this.session) {
      const built = buildDdpgAct(this.model, this.opts.conv);
      this.session = TrainSession.open(built.bytes, built.inputs, built.outputs, this.opts);
    }
    const feeds: Record<string, Float32Array> = { actor };
    for (const k of Object.keys(this.model.state)) {
      const x = s[k];
      if (!x) throw new Error(`act: state ${k} missing`);
      feeds[`s.${k}`] = x;
    }
    noise.forEach((z, k) => (feeds[`noise${k}`] = z));
    return this.session.run(feeds).action!;
  }

  dispose(): void {
    this.session?.dispose();
    this.session = undefined;
  }
}

/** Options of {@link OnnxDdpg}. */
export interface OnnxDdpgOptions extends TrainRunOptions {
  /** minibatch size the graph is built for (default cfg.batchSize) */
  batchSize?: number;
  /** how depthwise convolutions are written (ops.ts ConvImpl; default 'toeplitz', the faster on CPU here) */
  conv?: ConvImpl;
  /** starting values instead of the seeded initialisation (names and shapes as the specs) */
  init?: { actor?: ParamValues; critic?: ParamValues };
}

/**
 * A DDPG learner whose updates run in ONNX Runtime. Same initialisation as agents/ddpg.ts `Ddpg` (actor from
 * `seed`, critic from `seed + 1`, targets equal to the online networks, Adam moments zero).
 */
export class OnnxDdpg implements DdpgLearner {
  private state: Record<DdpgStateName, Float32Array>;
  private readonly session: TrainSession;
  private readonly acting: ActingSession;
  readonly batchSize: number;
  readonly nodeCount: number;
  updates = 0;

  constructor(
    readonly model: TrainDdpgModel,
    readonly cfg: DdpgConfig,
    seed: number,
    opts: OnnxDdpgOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? cfg.batchSize;
    const a0 = flatten(model.actorSpecs, opts.init?.actor ?? initParams(model.actorSpecs, seed), 'initial actor');
    const c0 = flatten(
      model.criticSpecs,
      opts.init?.critic ?? initParams(model.criticSpecs, seed + 1),
      'initial critic',
    );
    this.state = {
      actor: a0,
      critic: c0,
      actorTarget: a0.slice(),
      criticTarget: c0.slice(),
      actorM: new Float32Array(a0.length),
      actorV: new Float32Array(a0.length),
      criticM: new Float32Array(c0.length),
      criticV: new Float32Array(c0.length),
    };
    const built = buildDdpgUpdate(model, cfg, this.batchSize, opts.conv);
    this.nodeCount = built.nodeCount;
    this.session = TrainSession.open(built.bytes, built.inputs, built.outputs, opts);
    this.acting = new ActingSession(model, opts);
  }

  /** mu(s) of the online actor for one state, noise[k] added to the k-th actor's logits (graph built on first use). */
  act(s: StateArrays, noise: readonly Float32Array[]): Float32Array {
    return this.acting.act(this.state.actor, s, noise);
  }

  /**
   * Both learning rates become `f` times their configured values from the next update on. The graph's Adam
   * step is lr (m / c1) / (sqrt(v / c2) + eps), so feeding c1 / f scales exactly the step, not the moments.
   */
  setLearningRateScale(f: number): void {
    if (!(f > 0 && Number.isFinite(f))) throw new RangeError(`learning-rate scale must be a positive number, got ${f}`);
    this.lrScale = f;
  }
  private lrScale = 1;

  /** One update (critic step, actor step, soft target update). Gives the critic loss and the actor loss. */
  update(b: DdpgBatchArrays): { criticLoss: number; actorLoss: number } {
    const t = this.updates + 1;
    const { c1, c2 } = adamCorrections(tfjsAdam(this.cfg.actorLr), t);
    const feeds: Record<string, Float32Array> = {
      ...this.state,
      adam_c1: Float32Array.of(c1 / this.lrScale),
      adam_c2: Float32Array.of(c2),
      ...batchFeeds(this.model, b),
    };
    const out = this.session.run(feeds);
    const next = {} as Record<DdpgStateName, Float32Array>;
    for (const n of DDPG_STATE) next[n] = out[nextName(n)]!;
    this.state = next;
    this.updates = t;
    return { criticLoss: out.criticLoss![0]!, actorLoss: out.actorLoss![0]! };
  }

  /** Current actor parameters. */
  actorParams(): ParamValues {
    return unflatten(this.model.actorSpecs, this.state.actor);
  }
  /** Current critic parameters. */
  criticParams(): ParamValues {
    return unflatten(this.model.criticSpecs, this.state.critic);
  }
  /** Current target networks. */
  targetParams(): { actor: ParamValues; critic: ParamValues } {
    return {
      actor: unflatten(this.model.actorSpecs, this.state.actorTarget),
      critic: unflatten(this.model.criticSpecs, this.state.criticTarget),
    };
  }

  /** Release the ONNX Runtime sessions. */
  dispose(): void {
    this.session.dispose();
    this.acting.dispose();
  }
}
