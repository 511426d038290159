/**
 * SAC, soft actor-critic (Haarnoja et al. 2018; the version with twin Q networks, target critics, no separate value
 * network and, as an option, a learned temperature), on the ONNX training engine: the update of the sac-flat
 * baseline (docs/drl-baselines.md), over any actor-critic pair the DDPG engine takes whose actor has one noise
 * input (`TrainDdpgModel`, ddpg.ts), written from the same pieces as ddpg.ts and td3.ts (the twin critics are
 * twin.ts's, as TD3's).
 *
 * Policy: the actor's logits are the mean m(s) of a diagonal Gaussian over the logits whose log standard deviation
 * is a learned parameter vector, one entry per action entry, not a function of the state. The vector `sac/logStdRaw`
 * is unconstrained; the log-std it gives is kept strictly inside SAC_LOG_STD_RANGE (agents/samp/config.ts,
 * [-5, 2]) by a scaled tanh, log sigma = min + (max - min) (tanh(raw) + 1) / 2, so it never sticks at a bound the
 * way a hard clip's zero gradient would. A sample is u = m(s) + sigma * eps with eps ~ N(0, I) drawn on the
 * JavaScript side from a seeded stream and fed to the graph (reparameterisation), the action softmax(u), and
 *
 *   log pi(u | s) = sum_i (-eps_i^2 / 2 - log sigma_i) - (N / 2) log(2 pi)
 *
 * the Gaussian density of u, written with eps = (u - m) / sigma (the same value and, since eps is fixed given
 * m and sigma, the same gradients). The softmax's change of variables is left out: softmax is not invertible on
 * R^N (adding a constant to every logit gives the same weights), so there is no density on the simplex to correct
 * to; the entropy the temperature rewards is the entropy of the logits. At decision time the policy is
 * deterministic, softmax(m(s)), which is what the exported ONNX policy computes: the log-std vector is a training
 * parameter and is not exported.
 *
 * One update, on a minibatch (s, a, r, s') with fed draws eps (at s) and eps' (at s'), in one graph:
 *   target        u' = m(s') + sigma eps' from the CURRENT actor, a' = softmax(u');
 *                 y = rewardScale r + gamma (1 - done) (min(Q1'(s', a'), Q2'(s', a')) - alpha log pi(u' | s'))
 *                 (target critics only, no gradient)
 *   critic steps  L_k = mean (Q_k(s, a) - y)^2 for k = 1, 2, each clipped by global norm and Adam(criticLr)
 *   actor step    L_pi = mean (alpha log pi(u | s) - min(Q1, Q2)(s, softmax(u))), u = m(s) + sigma eps, against the
 *                 critics as this update's steps left them (as DDPG and TD3 here, and as the authors' code orders it);
 *                 the minimum is differentiated as (q1 + q2 - |q1 - q2|) / 2; clip; Adam(actorLr)
 *   temperature   'auto' only: log alpha takes an Adam step (alphaLr, no clipping) on
 *                 J = -log alpha (mean log pi(u | s) + target entropy), whose gradient -(mean log pi + target) is
 *                 written directly (log pi is the actor step's, not differentiated here); 'fixed': log alpha stays
 *   soft update   theta' <- tau theta + (1 - tau) theta' for both critics, on every update
 * alpha in the target and the actor loss is exp(log alpha) as the update found it. Every network steps on every
 * update, so one pair of Adam bias corrections serves them all; the learning-rate schedule scales every step,
 * log alpha's included.
 *
 * State lives in flat float32 vectors fed in and returned by every call (actor with its log-std, two critics,
 * their targets, the Adam moments, log alpha and its moments); `OnnxSac` holds them between calls and is the
 * training loop's learner (agents/learner.ts `ActorCriticLearner`, with `explore`).
 */
import seedrandom from 'seedrandom';
import type { DdpgConfig } from '../../agents/ddpg';
import type { ActorCriticLearner, DdpgBatchArrays, StateArrays } from '../../agents/learner';
import { normalDraw } from '../../agents/noise';
import { checkSac, SAC_LOG_STD_RANGE, type SacSettings } from '../../agents/samp/config';
import { initParams, type ParamSpec, type ParamValues } from '../params';
import { adamStep, tfjsAdam } from './adam';
import {
  adamFeeds,
  checkBatch,
  checkLrScale,
  finishGraph,
  openGraph,
  flatten,
  meanAll,
  nextName,
  optimiserStep,
  total,
  unflatten,
  type TrainGraph,
} from './common';
import { ActingSession, batchFeeds, batchInputs, bellmanTarget, type TrainDdpgModel } from './ddpg';
import { Graph, numel, Tape, type Val } from './graph';
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

/** The state vectors of a SAC learner, in graph-input order. */
export const SAC_STATE = [
  'actor',
  'critic1',
  'critic2',
  'critic1Target',
  'critic2Target',
  'actorM',
  'actorV',
  'critic1M',
  'critic1V',
  'critic2M',
  'critic2V',
  'logAlpha',
  'logAlphaM',
  'logAlphaV',
] as const;
export type SacStateName = (typeof SAC_STATE)[number];

/** The unconstrained parameter whose scaled tanh is the policy's log standard deviation (see the file overview). */
export const LOG_STD_PARAM = 'sac/logStdRaw';

const HALF_RANGE = (SAC_LOG_STD_RANGE.max - SAC_LOG_STD_RANGE.min) / 2;

/** The log standard deviation a raw parameter value gives: min + (max - min) (tanh(raw) + 1) / 2. */
export function logStdOf(raw: number): number {
  return SAC_LOG_STD_RANGE.min + HALF_RANGE * (Math.tanh(raw) + 1);
}

/** The raw parameter value giving log standard deviation `logStd` (strictly inside the range). */
export function rawLogStd(logStd: number): number {
  return Math.atanh((logStd - SAC_LOG_STD_RANGE.min) / HALF_RANGE - 1);
}

/** The raw log-std vector's spec: one entry per action entry, starting at standard deviation `initStd`. */
export function logStdSpec(action: readonly number[], initStd: number): ParamSpec {
  return { name: LOG_STD_PARAM, shape: [...action], init: { kind: 'constant', value: rawLogStd(Math.log(initStd)) } };
}

/** The SAC actor's parameters: the model's actor, then the raw log-std vector (one entry per action entry). */
export function sacActorSpecs(model: TrainDdpgModel, sac: SacSettings): ParamSpec[] {
  return [...model.actorSpecs, logStdSpec(model.action, sac.initStd)];
}

/**
 * The starting values of a Gaussian policy's parameters `specs` (a model's actor, then the raw log-std vector):
 * drawn from `seed` as every learner draws an actor, the log-std at its spec's constant, and `given` (the model's
 * actor without the log-std) in place of the drawn values it names.
 */
export function policyStart(specs: readonly ParamSpec[], seed: number, given?: ParamValues): ParamValues {
  const start = initParams(specs, seed);
  if (given) for (const [k, v] of given) start.set(k, v);
  return start;
}

/**
 * The bounded log standard deviation (see the file overview) of the policy whose parameters `ops` reads, from its
 * raw parameter `name` (default {@link LOG_STD_PARAM}).
 */
export function policyLogStd(ops: TrainOps, name: string = LOG_STD_PARAM): Val {
  return ops.add(
    ops.scalar(SAC_LOG_STD_RANGE.min + HALF_RANGE),
    ops.mul(ops.scalar(HALF_RANGE), ops.tanh(ops.param(name))),
  );
}

/**
 * log pi [B, 1] of a diagonal Gaussian over N logits with log standard deviation `logStd` [N], at the samples whose
 * standardised draws (u - mean) / sigma are `eps` [B, N]: sum_i (-eps_i^2 / 2 - log sigma_i) - (N / 2) log(2 pi).
 */
export function gaussianLogProb(ops: TrainOps, eps: Val, logStd: Val): Val {
  const n = numel(logStd.shape);
  const quad = ops.mul(ops.scalar(-0.5), ops.sum(ops.mul(eps, eps), 1, true));
  return ops.sub(quad, ops.add(ops.sum(logStd, 0, false), ops.scalar(0.5 * n * Math.log(2 * Math.PI))));
}

/** The state vectors the graph reads: all of them with a learned temperature, all but log alpha's moments without. */
function sacReads(sac: SacSettings): readonly SacStateName[] {
  return sac.alphaTuning === 'auto' ? SAC_STATE : SAC_STATE.filter((n) => n !== 'logAlphaM' && n !== 'logAlphaV');
}

/** The state vectors an update changes: every one with a learned temperature, all but log alpha's three without. */
function sacChanges(sac: SacSettings): readonly SacStateName[] {
  return sac.alphaTuning === 'auto' ? SAC_STATE : SAC_STATE.filter((n) => !n.startsWith('logAlpha'));
}

function checkModel(model: TrainDdpgModel): void {
  if (model.noiseInputs !== 1)
    throw new Error(
      `SAC needs an actor with one noise input (its logits are the Gaussian's mean); this model takes ${model.noiseInputs}`,
    );
  if (model.action.length !== 1)
    throw new Error(`SAC needs a vector action (one logit per entry); this model's action is [${model.action}]`);
}

/**
 * A reparameterised sample of the policy whose parameters `ops` reads (the model's actor and LOG_STD_PARAM) at
 * states `s` with standard normal draws `eps` [B, N]: the action softmax(m(s) + sigma eps) and log pi [B, 1].
 */
function samplePolicy(
  ops: TrainOps,
  model: TrainDdpgModel,
  s: Record<string, Val>,
  eps: Val,
): { action: Val; logp: Val } {
  const logStd = policyLogStd(ops);
  const action = model.act(ops, s, [ops.mul(ops.exp(logStd), eps)]);
  return { action, logp: gaussianLogProb(ops, eps, logStd) };
}

/**
 * Build the SAC update graph of `model` for minibatches of `batch` samples (see the file overview). Inputs: the
 * state vectors it reads, `adam_c1`, `adam_c2`, the batch (`s.<name>`, `s2.<name>`, `a`, `r`, `done`), and the
 * draws `eps` (at s) and `eps_next` (at s'), each [batch, ...action]. Outputs: `<state>_next` for each vector it
 * changes, `critic1Loss`, `critic2Loss`, `actorLoss`, `logProb` (mean log pi of the actor step's sample) and
 * `alpha` (the temperature this update used).
 */
export function buildSacUpdate(
  model: TrainDdpgModel,
  cfg: DdpgConfig,
  sac: SacSettings,
  batch: number,
  conv: ConvImpl = 'toeplitz',
): TrainGraph {
  checkBatch(batch);
  checkSac(sac);
  checkModel(model);
  const g = new Graph();
  const specs = sacActorSpecs(model, sac);
  const size = (n: SacStateName) =>
    n.startsWith('actor') ? total(specs) : n.startsWith('critic') ? total(model.criticSpecs) : 1;
  const st = {} as Record<SacStateName, Val>;
  for (const n of sacReads(sac)) st[n] = g.input(n, [size(n)]);
  const c1 = g.input('adam_c1', []);
  const c2 = g.input('adam_c2', []);
  const b = batchInputs(g, model, batch);
  const eps = g.input('eps', [batch, ...model.action]);
  const epsNext = g.input('eps_next', [batch, ...model.action]);
  const alpha = g.node1('Exp', [st.logAlpha], [1]);

  // target y: a' sampled from the current actor at s', the smaller target value less the entropy term (no tape)
  const pT = new TrainOps(g, paramBlock(g, specs, st.actor, null), conv);
  const next = samplePolicy(pT, model, b.s2, epsNext);
  const minT = twinTargetValue(g, model, st, b.s2, next.action, conv);
  const soft = g.node1('Sub', [minT, g.node1('Mul', [next.logp, alpha], [...next.logp.shape])], [...minT.shape]);
  const y = bellmanTarget(pT, cfg, b.r, b.done, soft);

  // both critic steps on the same target
  const twins = twinCriticSteps(g, model, cfg, st, b, y, { c1, c2 }, conv);

  // actor step against the updated critics, through a reparameterised sample at s
  const tape = new Tape('actor');
  const params = paramBlock(g, specs, st.actor, tape);
  const ops = new TrainOps(g, params, conv);
  const pol = samplePolicy(ops, model, b.s, eps);
  const qNew = (p: Val) =>
    model.critic(new TrainOps(g, paramBlock(g, model.criticSpecs, p, null), conv), b.s, pol.action);
  const q1n = qNew(twins.q1.step.p);
  const q2n = qNew(twins.q2.step.p);
  const minQ = ops.mul(ops.scalar(0.5), ops.sub(ops.add(q1n, q2n), ops.abs(ops.sub(q1n, q2n))));
  const actorLoss = meanAll(ops, ops.sub(ops.mul(pol.logp, alpha), minQ));
  const actor = optimiserStep(g, specs, params, actorLoss, {
    lr: cfg.actorLr,
    clip: cfg.gradClipNorm,
    p: st.actor,
    m: st.actorM,
    v: st.actorV,
    c1,
    c2,
  });
  const logProb = g.node1('ReduceMean', [pol.logp], [], { keepdims: 0 });

  const out: Partial<Record<SacStateName, Val>> = {
    actor: actor.p,
    actorM: actor.m,
    actorV: actor.v,
    ...twinStepped(twins),
    ...twinSoftUpdates(g, twins, st, cfg.tau),
  };
  if (sac.alphaTuning === 'auto') {
    // dJ/d log alpha = -(mean log pi + target entropy); the target is per asset times the action's size
    const target = sac.targetEntropyPerAsset * numel(model.action);
    const grad = g.node1(
      'Reshape',
      [g.node1('Neg', [g.node1('Add', [logProb, g.scalar(target)], [])], []), g.ints([1])],
      [1],
    );
    const step = adamStep(g, tfjsAdam(sac.alphaLr), st.logAlpha, st.logAlphaM, st.logAlphaV, grad, c1, c2);
    Object.assign(out, { logAlpha: step.p, logAlphaM: step.m, logAlphaV: step.v });
  }
  for (const n of sacChanges(sac)) g.output(nextName(n), out[n]!);
  g.output('critic1Loss', twins.q1.loss);
  g.output('critic2Loss', twins.q2.loss);
  g.output('actorLoss', actorLoss);
  g.output('logProb', logProb);
  g.output('alpha', alpha);
  return finishGraph(
    g,
    'sac_update',
    `HDRL Desk SAC update (twin critic steps, actor step, ${sac.alphaTuning === 'auto' ? 'temperature step, ' : ''}soft target updates)`,
  );
}

/** Options of {@link OnnxSac}. */
export interface OnnxSacOptions extends TrainRunOptions {
  /** minibatch size the graph is built for (default cfg.batchSize) */
  batchSize?: number;
  /** how depthwise convolutions are written (ops.ts ConvImpl; default 'toeplitz') */
  conv?: ConvImpl;
  /**
   * starting values instead of the seeded initialisation (names and shapes as the specs; the actor's without the
   * log-std vector, which starts at the settings' initStd)
   */
  init?: { actor?: ParamValues; critic1?: ParamValues; critic2?: ParamValues };
}

/** One SAC update's figures. */
export interface SacLosses {
  /** mean of the two critics' losses */
  criticLoss: number;
  critic1Loss: number;
  critic2Loss: number;
  actorLoss: number;
  /** mean log pi of the actor step's sample (minus the policy's entropy estimate) */
  logProb: number;
  /** the temperature the update used */
  alpha: number;
}

/** Fed standard normal draws of one update, each [batch, ...action]: at s (actor step) and at s' (target). */
export interface SacDraws {
  eps: Float32Array;
  next: Float32Array;
}

/**
 * A SAC learner whose updates run in ONNX Runtime (see the file overview). Initialisation: the actor from `seed`
 * (the model's part drawn as every other learner draws it, the log-std vector at `initStd`), the critics from
 * `seed + 1` and `seed + 2`, targets equal to the online critics, Adam moments zero, log alpha = log(alpha). The
 * update's draws and the exploration's come from two streams seeded by `seed`, so the same seed, config and
 * minibatches give bit-identical weights.
 */
export class OnnxSac implements ActorCriticLearner {
  private state: Record<SacStateName, Float32Array>;
  private readonly session: TrainSession;
  private readonly acting: ActingSession;
  private readonly sampleRng: () => number;
  private readonly exploreRng: () => number;
  private readonly nModel: number;
  private readonly nAction: number;
  /** the model's part of the actor vector (what the acting graph reads), refreshed after every update */
  private modelActor: Float32Array;
  private lrScale = 1;
  readonly specs: ParamSpec[];
  readonly batchSize: number;
  readonly nodeCount: number;
  /** updates made */
  updates = 0;

  constructor(
    readonly model: TrainDdpgModel,
    readonly cfg: DdpgConfig,
    readonly sac: SacSettings,
    seed: number,
    opts: OnnxSacOptions = {},
  ) {
    checkSac(sac);
    checkModel(model);
    this.batchSize = opts.batchSize ?? cfg.batchSize;
    this.specs = sacActorSpecs(model, sac);
    this.nModel = total(model.actorSpecs);
    this.nAction = numel(model.action);
    const a0 = flatten(this.specs, policyStart(this.specs, seed, opts.init?.actor), 'initial actor');
    this.state = {
      actor: a0,
      actorM: new Float32Array(a0.length),
      actorV: new Float32Array(a0.length),
      ...twinStart(model.criticSpecs, seed, opts.init),
      logAlpha: Float32Array.of(Math.log(sac.alpha)),
      logAlphaM: new Float32Array(1),
      logAlphaV: new Float32Array(1),
    };
    this.modelActor = a0.slice(0, this.nModel);
    const built = buildSacUpdate(model, cfg, sac, this.batchSize, opts.conv);
    this.nodeCount = built.nodeCount;
    this.session = openGraph(built, opts);
    this.acting = new ActingSession(model, opts);
    this.sampleRng = seedrandom(`${seed}|sac|update-draws`);
    this.exploreRng = seedrandom(`${seed}|sac|explore`);
  }

  /** The deterministic policy softmax(m(s)) for one state, noise[0] added to the logits (zero: the policy itself). */
  act(s: StateArrays, noise: readonly Float32Array[]): Float32Array {
    return this.acting.act(this.modelActor, s, noise);
  }

  /**
   * An action sampled from the policy for one state: softmax(m(s) + sigma eps), eps standard normal from the
   * learner's exploration stream (or `eps`, one value per action entry), and the mean sigma it used.
   */
  explore(s: StateArrays, eps?: Float32Array): { action: Float32Array; std: number } {
    const z = eps ?? Float32Array.from({ length: this.nAction }, () => normalDraw(this.exploreRng));
    if (z.length !== this.nAction)
      throw new Error(`explore: ${z.length} draws, the action has ${this.nAction} entries`);
    const std = this.std();
    const action = this.act(s, [Float32Array.from(z, (e, i) => std[i]! * e)]);
    return { action, std: std.reduce((x, y) => x + y, 0) / std.length };
  }

  /** The policy's current standard deviation per action entry (logit units). */
  std(): number[] {
    return Array.from(this.state.actor.subarray(this.nModel), (raw) => Math.exp(logStdOf(raw)));
  }

  /** The current temperature exp(log alpha). */
  alpha(): number {
    return Math.exp(this.state.logAlpha[0]!);
  }

  /** Every learning rate (log alpha's included) becomes `f` times its configured value from the next update on. */
  setLearningRateScale(f: number): void {
    this.lrScale = checkLrScale(f);
  }

  /** The next update's draws from the learner's seeded stream. */
  private draw(): SacDraws {
    const n = this.batchSize * this.nAction;
    const eps = Float32Array.from({ length: n }, () => normalDraw(this.sampleRng));
    const next = Float32Array.from({ length: n }, () => normalDraw(this.sampleRng));
    return { eps, next };
  }

  /** One SAC update (see the file overview); `draws` replace the learner's own (each [batch, ...action]). */
  update(b: DdpgBatchArrays, draws?: SacDraws): SacLosses {
    const t = this.updates + 1;
    const d = draws ?? this.draw();
    const feeds: Record<string, Float32Array> = {
      ...adamFeeds(tfjsAdam(this.cfg.actorLr), t, this.lrScale),
      ...batchFeeds(this.model, b),
      eps: d.eps,
      eps_next: d.next,
    };
    for (const n of sacReads(this.sac)) feeds[n] = this.state[n];
    const out = this.session.run(feeds);
    const next = { ...this.state };
    for (const n of sacChanges(this.sac)) next[n] = out[nextName(n)]!;
    this.state = next;
    this.modelActor = next.actor.slice(0, this.nModel);
    this.updates = t;
    return {
      ...twinLosses(out),
      actorLoss: out.actorLoss![0]!,
      logProb: out.logProb![0]!,
      alpha: out.alpha![0]!,
    };
  }

  /** Current actor parameters: the model's actor alone (what the exported policy is made of). */
  actorParams(): ParamValues {
    return unflatten(this.model.actorSpecs, this.modelActor);
  }

  /** Current actor parameters with the raw log-std vector ({@link LOG_STD_PARAM}). */
  policyParams(): ParamValues {
    return unflatten(this.specs, this.state.actor);
  }

  /** Both critics in one map, as OnnxTd3 stores them (twin.ts joinTwins). */
  criticParams(): ParamValues {
    return joinTwins(this.twinParams());
  }

  /** The two online critics apart. */
  twinParams(): Twins {
    return twinValues(this.model.criticSpecs, this.state.critic1, this.state.critic2);
  }

  /** Current target critics (SAC has no target actor). */
  targetParams(): Twins {
    return twinValues(this.model.criticSpecs, this.state.critic1Target, this.state.critic2Target);
  }

  /** Release the ONNX Runtime sessions. */
  dispose(): void {
    this.session.dispose();
    this.acting.dispose();
  }
}
