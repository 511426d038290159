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
 * The pieces the other replay-buffer updates (td3.ts, sac.ts, twin.ts) build from are exported here rather than
 * copied there: the minibatch's graph inputs and feeds, the Bellman target, the critic's regression step, the
 * deterministic actor step, and the acting graph and its session. What every learner of the engine shares, PPO's
 * included (flat vectors, optimiser step, Adam feeds), is one layer down in common.ts.
 */
import type { DdpgConfig } from '../../agents/ddpg';
import type { DdpgBatchArrays, DdpgLearner, StateArrays } from '../../agents/learner';
import type { ParamSpec, ParamValues } from '../params';
import { softUpdate, tfjsAdam } from './adam';
import {
  adamFeeds,
  checkBatch,
  checkLrScale,
  finishGraph,
  meanAll,
  nextName,
  openGraph,
  optimiserStep,
  type OptimizerRule,
  startVector,
  stateFeeds,
  stateInputs,
  total,
  unflatten,
  type TrainGraph,
} from './common';
import { Graph, Tape, type Val } from './graph';
import { paramBlock, TrainOps, type ConvImpl } from './ops';
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

/**
 * The part of a model the critic side of an update reads (the minibatch's shapes and the critic): what SAC-style
 * learners with their own actor (compute/train/hadaps.ts) pass to the critic steps and the twin critics.
 */
export type CriticModel = Pick<TrainDdpgModel, 'state' | 'action' | 'criticSpecs' | 'critic'>;

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

/** A minibatch (s, a, r, s', done) as graph values. */
export interface BatchInputs {
  s: Record<string, Val>;
  s2: Record<string, Val>;
  a: Val;
  r: Val;
  done: Val;
}

/**
 * The graph inputs of a minibatch of `batch` samples, in this order: `s.<name>` and `s2.<name>` for each state
 * input of `model`, `a`, `r`, `done` (fed by {@link batchFeeds}).
 */
export function batchInputs(g: Graph, model: CriticModel, batch: number): BatchInputs {
  const s = stateInputs(g, model.state, batch);
  const s2 = stateInputs(g, model.state, batch, 's2');
  const a = g.input('a', [batch, ...model.action]);
  const r = g.input('r', [batch, 1]);
  const done = g.input('done', [batch, 1]);
  return { s, s2, a, r, done };
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

/** A network's flat vectors as graph values (parameters, Adam moments) and the fed bias corrections. */
export interface StepVectors {
  p: Val;
  m: Val;
  v: Val;
  c1: Val;
  c2: Val;
}

/** A loss and the step it gave: the network's new parameters and moments. */
export interface StepResult {
  loss: Val;
  step: { p: Val; m: Val; v: Val };
}

/**
 * The critic's regression step: L_Q = mean (Q(s, a) - y)^2 of the critic whose vectors are `vec`, on its own tape
 * `tapeName`; clip; Adam(criticLr).
 */
export function criticStep(
  g: Graph,
  model: CriticModel,
  cfg: Pick<DdpgConfig, 'criticLr' | 'gradClipNorm'> & { rule?: OptimizerRule },
  vec: StepVectors,
  batch: Pick<BatchInputs, 's' | 'a'>,
  y: Val,
  tapeName: string,
  conv: ConvImpl,
): StepResult {
  const params = paramBlock(g, model.criticSpecs, vec.p, new Tape(tapeName));
  const ops = new TrainOps(g, params, conv);
  const diff = ops.sub(model.critic(ops, batch.s, batch.a), y);
  const loss = meanAll(ops, ops.mul(diff, diff));
  const step = optimiserStep(g, model.criticSpecs, params, loss, {
    lr: cfg.criticLr,
    clip: cfg.gradClipNorm,
    ...vec,
    ...(cfg.rule ? { rule: cfg.rule } : {}),
  });
  return { loss, step };
}

/**
 * The deterministic actor's step: L_mu = -mean Q(s, mu(s)) + R(s) of the actor whose vectors are `vec` against the
 * critic parameters `critic` (a flat vector, not differentiated); clip; Adam(actorLr).
 */
export function actorStep(
  g: Graph,
  model: TrainDdpgModel,
  cfg: Pick<DdpgConfig, 'actorLr' | 'gradClipNorm'>,
  vec: StepVectors,
  critic: Val,
  s: Record<string, Val>,
  conv: ConvImpl,
): StepResult {
  const params = paramBlock(g, model.actorSpecs, vec.p, new Tape('actor'));
  const ops = new TrainOps(g, params, conv);
  const q = new TrainOps(g, paramBlock(g, model.criticSpecs, critic, null), conv);
  const out = model.actor(ops, s);
  let loss = ops.mul(ops.scalar(-1), meanAll(ops, model.critic(q, s, out.action)));
  if (out.regularizer) loss = ops.add(loss, out.regularizer);
  const step = optimiserStep(g, model.actorSpecs, params, loss, { lr: cfg.actorLr, clip: cfg.gradClipNorm, ...vec });
  return { loss, step };
}

/** Build the update graph of `model` for minibatches of `batch` samples (see file overview). */
export function buildDdpgUpdate(
  model: TrainDdpgModel,
  cfg: DdpgConfig,
  batch: number,
  conv: ConvImpl = 'toeplitz',
): TrainGraph {
  checkBatch(batch);
  const g = new Graph();
  const nA = total(model.actorSpecs);
  const nC = total(model.criticSpecs);
  const st = {} as Record<DdpgStateName, Val>;
  for (const n of DDPG_STATE) st[n] = g.input(n, [n.startsWith('actor') ? nA : nC]);
  const c1 = g.input('adam_c1', []);
  const c2 = g.input('adam_c2', []);
  const b = batchInputs(g, model, batch);

  // target y (no tape: target networks and inputs only)
  const tA = new TrainOps(g, paramBlock(g, model.actorSpecs, st.actorTarget, null), conv);
  const tC = new TrainOps(g, paramBlock(g, model.criticSpecs, st.criticTarget, null), conv);
  const y = bellmanTarget(tC, cfg, b.r, b.done, model.critic(tC, b.s2, model.actor(tA, b.s2).action));

  const critic = criticStep(
    g,
    model,
    cfg,
    { p: st.critic, m: st.criticM, v: st.criticV, c1, c2 },
    b,
    y,
    'critic',
    conv,
  );
  // actor step against the updated critic
  const actor = actorStep(g, model, cfg, { p: st.actor, m: st.actorM, v: st.actorV, c1, c2 }, critic.step.p, b.s, conv);

  const next: Record<DdpgStateName, Val> = {
    actor: actor.step.p,
    critic: critic.step.p,
    actorTarget: softUpdate(g, actor.step.p, st.actorTarget, cfg.tau),
    criticTarget: softUpdate(g, critic.step.p, st.criticTarget, cfg.tau),
    actorM: actor.step.m,
    actorV: actor.step.v,
    criticM: critic.step.m,
    criticV: critic.step.v,
  };
  for (const n of DDPG_STATE) g.output(nextName(n), next[n]);
  g.output('criticLoss', critic.loss);
  g.output('actorLoss', actor.loss);
  return finishGraph(g, 'ddpg_update', 'HDRL Desk DDPG update (critic step, actor step, soft target update)');
}

export type { DdpgBatchArrays } from '../../agents/learner';

/**
 * Build the acting graph of `model`: inputs `actor` (the flat actor vector), `s.<name>` for each state input and
 * `noise<k>` for each noise vector, all with batch 1; output `action`.
 */
export function buildDdpgAct(model: TrainDdpgModel, conv: ConvImpl = 'toeplitz'): TrainGraph {
  const g = new Graph();
  const actor = g.input('actor', [total(model.actorSpecs)]);
  const s = stateInputs(g, model.state, 1);
  const noise = Array.from({ length: model.noiseInputs }, (_, k) => g.input(`noise${k}`, [1, ...model.action]));
  const ops = new TrainOps(g, paramBlock(g, model.actorSpecs, actor, null), conv);
  g.output('action', model.act(ops, s, noise));
  return finishGraph(g, 'ddpg_act', 'HDRL Desk DDPG acting (actor with exploration noise on its logits)');
}

/** The graph inputs of a minibatch: `a`, `r`, `done` and `s.<name>`, `s2.<name>` for each state input of `model`. */
export function batchFeeds(model: CriticModel, b: DdpgBatchArrays): Record<string, Float32Array> {
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
      this.session = openGraph(buildDdpgAct(this.model, this.opts.conv), this.opts);
    }
    const feeds: Record<string, Float32Array> = { actor, ...stateFeeds(this.model.state, s, 'act: state') };
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
    const a0 = startVector(model.actorSpecs, opts.init?.actor, seed, 'initial actor');
    const c0 = startVector(model.criticSpecs, opts.init?.critic, seed + 1, 'initial critic');
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
    this.session = openGraph(built, opts);
    this.acting = new ActingSession(model, opts);
  }

  /** mu(s) of the online actor for one state, noise[k] added to the k-th actor's logits (graph built on first use). */
  act(s: StateArrays, noise: readonly Float32Array[]): Float32Array {
    return this.acting.act(this.state.actor, s, noise);
  }

  /** Both learning rates become `f` times their configured values from the next update on (common.ts adamFeeds). */
  setLearningRateScale(f: number): void {
    this.lrScale = checkLrScale(f);
  }
  private lrScale = 1;

  /** One update (critic step, actor step, soft target update). Gives the critic loss and the actor loss. */
  update(b: DdpgBatchArrays): { criticLoss: number; actorLoss: number } {
    const t = this.updates + 1;
    const feeds: Record<string, Float32Array> = {
      ...this.state,
      ...adamFeeds(tfjsAdam(this.cfg.actorLr), t, this.lrScale),
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
