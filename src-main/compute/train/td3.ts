/**
 * TD3, twin delayed DDPG (Fujimoto, van Hoof and Meger 2018), on the ONNX training engine: the update of the
 * td3-flat baseline (docs/drl-baselines.md), over any actor-critic pair the DDPG engine takes (`TrainDdpgModel`,
 * ddpg.ts), written from the same pieces (ddpg.ts: minibatch inputs, Bellman target, actor step, acting graph;
 * twin.ts: the twin critics, shared with SAC; common.ts: flat vectors and Adam feeds):
 *
 *   target        a~ = mu'(s') with clip(eps, -c, c) added to its logits, eps ~ N(0, targetNoise^2) drawn on the
 *                 JavaScript side from a seeded stream and fed to the graph (target policy smoothing);
 *                 y = rewardScale r + gamma (1 - done) min(Q1'(s', a~), Q2'(s', a~))      (no gradient)
 *   critic steps  L_k = mean (Q_k(s, a) - y)^2 for k = 1, 2, each clipped by global norm and Adam(criticLr),
 *                 on EVERY update
 *   actor step    on every `policyDelay`-th update only: L_mu = -mean Q1_new(s, mu(s)) + R(s) against the
 *                 critic Q1 already updated by this update's step (as in DDPG here); clip; Adam(actorLr)
 *   soft update   on the same updates as the actor step: theta' <- tau theta + (1 - tau) theta' for the actor and
 *                 both critics, from the updated online values
 *
 * Delayed actor updates use TWO graphs built from one function: a critic-only graph (target and both critic
 * steps) and a full graph (that, the actor step and the soft updates). One graph with a fed 0/1 gate would run
 * the actor's forward and reverse pass — the larger part of an update with the SLaK actor — on every update and
 * throw it away on every other one, and could keep the actor and targets unchanged only by selecting old values
 * node by node; with two graphs the critic-only graph has no actor, target or actor-moment outputs at all, so
 * they cannot move.
 *
 * Adam counts each network's own steps: the critics step on every update, the actor on every `policyDelay`-th, so
 * the actor's bias corrections 1 - beta^t use t = the number of actor steps (1 on its first step). The minimum of
 * the twin targets and the noise clip sit in the target part, which is never differentiated, so they are plain
 * ONNX Min and Clip nodes.
 *
 * State lives in twelve flat float32 vectors (actor, two critics, their three targets, and the Adam moments of
 * the three online networks), fed in and returned by every call; `OnnxTd3` holds them between calls and is the
 * training loop's learner (agents/learner.ts `ActorCriticLearner`).
 */
import seedrandom from 'seedrandom';
import type { DdpgConfig } from '../../agents/ddpg';
import type { ActorCriticLearner, DdpgBatchArrays, StateArrays } from '../../agents/learner';
import { normalDraw } from '../../agents/noise';
import { checkTd3, type Td3Settings } from '../../agents/samp/config';
import type { ParamValues } from '../params';
import { softUpdate, tfjsAdam } from './adam';
import {
  adamFeeds,
  checkBatch,
  checkLrScale,
  finishGraph,
  openGraph,
  nextName,
  startVector,
  total,
  unflatten,
  type TrainGraph,
} from './common';
import { ActingSession, actorStep, batchFeeds, batchInputs, bellmanTarget, type TrainDdpgModel } from './ddpg';
import { Graph, type Val } from './graph';
import { paramBlock, TrainOps, type ConvImpl } from './ops';
import { TrainSession, type TrainRunOptions } from './session';
import {
  joinTwins,
  twinCriticSteps,
  twinLosses,
  twinSoftUpdates,
  twinStart,
  twinStepped,
  twinTargetValue,
  twinValues,
  type Twins,
} from './twin';

/** The twelve state vectors of a TD3 learner, in graph-input order. */
export const TD3_STATE = [
  'actor',
  'critic1',
  'critic2',
  'actorTarget',
  'critic1Target',
  'critic2Target',
  'actorM',
  'actorV',
  'critic1M',
  'critic1V',
  'critic2M',
  'critic2V',
] as const;
export type Td3StateName = (typeof TD3_STATE)[number];

/** The state vectors the critic-only graph changes; the full graph changes every one. */
export const TD3_CRITIC_STATE: readonly Td3StateName[] = [
  'critic1',
  'critic2',
  'critic1M',
  'critic1V',
  'critic2M',
  'critic2V',
];

/** Name of the k-th target-noise input (one per noise input of the model, each [batch, ...action]). */
export const targetNoiseName = (k: number): string => `target_noise${k}`;

/**
 * Build a TD3 update graph of `model` for minibatches of `batch` samples: with `withActor` false the critic-only
 * graph, with true the full one (see the file overview). Inputs: the state vectors it reads, `critic_c1`,
 * `critic_c2` (and `actor_c1`, `actor_c2` for the full graph), the batch (`s.<name>`, `s2.<name>`, `a`, `r`,
 * `done`) and the target noise. Outputs: `<state>_next` for each vector it changes, `critic1Loss`, `critic2Loss`,
 * and `actorLoss` for the full graph.
 */
export function buildTd3Update(
  model: TrainDdpgModel,
  cfg: DdpgConfig,
  td3: Td3Settings,
  batch: number,
  withActor: boolean,
  conv: ConvImpl = 'toeplitz',
): TrainGraph {
  checkBatch(batch);
  checkTd3(td3);
  const g = new Graph();
  const nA = total(model.actorSpecs);
  const nC = total(model.criticSpecs);
  const reads: readonly Td3StateName[] = withActor
    ? TD3_STATE
    : ['actorTarget', ...TD3_CRITIC_STATE, 'critic1Target', 'critic2Target'];
  const st = {} as Record<Td3StateName, Val>;
  for (const n of TD3_STATE) if (reads.includes(n)) st[n] = g.input(n, [n.startsWith('actor') ? nA : nC]);
  const cc = { c1: g.input('critic_c1', []), c2: g.input('critic_c2', []) };
  const b = batchInputs(g, model, batch);
  const noise = Array.from({ length: model.noiseInputs }, (_, k) => {
    const z = g.input(targetNoiseName(k), [batch, ...model.action]);
    const c = td3.targetNoiseClip;
    return g.node1('Clip', [z, g.scalar(-c), g.scalar(c)], [batch, ...model.action]);
  });

  // target y from the target networks: smoothed target action, the smaller of the twin values (no tape)
  const tA = new TrainOps(g, paramBlock(g, model.actorSpecs, st.actorTarget, null), conv);
  const smoothed = model.act(tA, b.s2, noise);
  const y = bellmanTarget(tA, cfg, b.r, b.done, twinTargetValue(g, model, st, b.s2, smoothed, conv));

  // both critic steps on the same target
  const twins = twinCriticSteps(g, model, cfg, st, b, y, cc, conv);
  const next: Partial<Record<Td3StateName, Val>> = twinStepped(twins);

  let actorLoss: Val | undefined;
  if (withActor) {
    const ac = { c1: g.input('actor_c1', []), c2: g.input('actor_c2', []) };
    // against Q1 as this update's step left it
    const actor = actorStep(
      g,
      model,
      cfg,
      { p: st.actor, m: st.actorM, v: st.actorV, ...ac },
      twins.q1.step.p,
      b.s,
      conv,
    );
    actorLoss = actor.loss;
    Object.assign(next, {
      actor: actor.step.p,
      actorM: actor.step.m,
      actorV: actor.step.v,
      actorTarget: softUpdate(g, actor.step.p, st.actorTarget, cfg.tau),
      ...twinSoftUpdates(g, twins, st, cfg.tau),
    });
  }
  for (const n of TD3_STATE) {
    const v = next[n];
    if (v) g.output(nextName(n), v);
  }
  g.output('critic1Loss', twins.q1.loss);
  g.output('critic2Loss', twins.q2.loss);
  if (actorLoss) g.output('actorLoss', actorLoss);
  return withActor
    ? finishGraph(g, 'td3_update', 'HDRL Desk TD3 update (twin critic steps, delayed actor step, soft target updates)')
    : finishGraph(g, 'td3_critic_update', 'HDRL Desk TD3 critic-only update (twin critic steps)');
}

/** Options of {@link OnnxTd3}. */
export interface OnnxTd3Options extends TrainRunOptions {
  /** minibatch size the graphs are built for (default cfg.batchSize) */
  batchSize?: number;
  /** how depthwise convolutions are written (ops.ts ConvImpl; default 'toeplitz') */
  conv?: ConvImpl;
  /** starting values instead of the seeded initialisation (names and shapes as the specs) */
  init?: { actor?: ParamValues; critic1?: ParamValues; critic2?: ParamValues };
}

/** One TD3 update's losses; `actorLoss` is NaN when the update did not step the actor. */
export interface Td3Losses {
  /** mean of the two critics' losses */
  criticLoss: number;
  critic1Loss: number;
  critic2Loss: number;
  actorLoss: number;
  /** whether this update stepped the actor and the target networks */
  actorStepped: boolean;
}

/**
 * A TD3 learner whose updates run in ONNX Runtime (see the file overview). Initialisation: the actor from `seed`,
 * the critics from `seed + 1` and `seed + 2` (independent draws), targets equal to the online networks, Adam
 * moments zero. The target-policy noise comes from its own stream seeded by `seed`, so the same seed, config and
 * minibatches give bit-identical weights.
 */
export class OnnxTd3 implements ActorCriticLearner {
  private state: Record<Td3StateName, Float32Array>;
  private readonly criticSession: TrainSession;
  private readonly fullSession: TrainSession;
  private readonly acting: ActingSession;
  private readonly noiseRng: () => number;
  private lrScale = 1;
  readonly batchSize: number;
  /** updates made (each stepped both critics) */
  updates = 0;
  /** actor steps made (one per `policyDelay` updates) */
  actorUpdates = 0;

  constructor(
    readonly model: TrainDdpgModel,
    readonly cfg: DdpgConfig,
    readonly td3: Td3Settings,
    seed: number,
    opts: OnnxTd3Options = {},
  ) {
    checkTd3(td3);
    this.batchSize = opts.batchSize ?? cfg.batchSize;
    const a0 = startVector(model.actorSpecs, opts.init?.actor, seed, 'initial actor');
    this.state = {
      actor: a0,
      actorTarget: a0.slice(),
      actorM: new Float32Array(a0.length),
      actorV: new Float32Array(a0.length),
      ...twinStart(model.criticSpecs, seed, opts.init),
    };
    const open = (withActor: boolean) =>
      openGraph(buildTd3Update(model, cfg, td3, this.batchSize, withActor, opts.conv), opts);
    this.criticSession = open(false);
    this.fullSession = open(true);
    this.acting = new ActingSession(model, opts);
    this.noiseRng = seedrandom(`${seed}|td3|target-noise`);
  }

  /** mu(s) of the online actor for one state, noise[k] added to the k-th actor's logits. */
  act(s: StateArrays, noise: readonly Float32Array[]): Float32Array {
    return this.acting.act(this.state.actor, s, noise);
  }

  /** Both learning rates become `f` times their configured values from the next update on (as OnnxDdpg). */
  setLearningRateScale(f: number): void {
    this.lrScale = checkLrScale(f);
  }

  /** The next update's target-policy noise: N(0, targetNoise^2) per action entry, unclipped (the graph clips). */
  private drawTargetNoise(): Float32Array[] {
    const n = this.batchSize * this.model.action.reduce((x, y) => x * y, 1);
    const sd = this.td3.targetNoise;
    return Array.from({ length: this.model.noiseInputs }, () =>
      Float32Array.from({ length: n }, () => sd * normalDraw(this.noiseRng)),
    );
  }

  /**
   * One TD3 update (see the file overview): both critics always; the actor and the targets when this is a
   * `policyDelay`-th update. `targetNoise` replaces the drawn target-policy noise (one [batch, ...action] array
   * per noise input, clipped by the graph); without it the learner draws from its seeded stream.
   */
  update(b: DdpgBatchArrays, targetNoise?: readonly Float32Array[]): Td3Losses {
    const t = this.updates + 1;
    const withActor = t % this.td3.policyDelay === 0;
    const noise = targetNoise ?? this.drawTargetNoise();
    if (noise.length !== this.model.noiseInputs)
      throw new Error(`update: ${noise.length} target-noise arrays, the model takes ${this.model.noiseInputs}`);
    const adam = tfjsAdam(this.cfg.criticLr);
    const feeds: Record<string, Float32Array> = {
      ...this.state,
      ...adamFeeds(adam, t, this.lrScale, 'critic'),
      ...(withActor ? adamFeeds(adam, this.actorUpdates + 1, this.lrScale, 'actor') : {}),
      ...batchFeeds(this.model, b),
    };
    noise.forEach((z, k) => (feeds[targetNoiseName(k)] = z));
    const out = (withActor ? this.fullSession : this.criticSession).run(feeds);
    const next = { ...this.state };
    for (const n of withActor ? TD3_STATE : TD3_CRITIC_STATE) next[n] = out[nextName(n)]!;
    this.state = next;
    this.updates = t;
    if (withActor) this.actorUpdates++;
    return {
      ...twinLosses(out),
      actorLoss: withActor ? out.actorLoss![0]! : Number.NaN,
      actorStepped: withActor,
    };
  }

  /** Current actor parameters. */
  actorParams(): ParamValues {
    return unflatten(this.model.actorSpecs, this.state.actor);
  }

  /** Both critics in one map, what the trainer stores with a checkpoint (twin.ts joinTwins). */
  criticParams(): ParamValues {
    return joinTwins(this.twinParams());
  }

  /** The two online critics apart. */
  twinParams(): Twins {
    return twinValues(this.model.criticSpecs, this.state.critic1, this.state.critic2);
  }

  /** Current target networks. */
  targetParams(): { actor: ParamValues } & Twins {
    return {
      actor: unflatten(this.model.actorSpecs, this.state.actorTarget),
      ...twinValues(this.model.criticSpecs, this.state.critic1Target, this.state.critic2Target),
    };
  }

  /** Release the ONNX Runtime sessions. */
  dispose(): void {
    this.criticSession.dispose();
    this.fullSession.dispose();
    this.acting.dispose();
  }
}
