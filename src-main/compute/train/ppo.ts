/**
 * PPO (Schulman et al. 2017, the clipped surrogate) and A2C's loss on the ONNX training engine: the update of the
 * ppo-flat baseline (docs/drl-baselines.md), over a policy-value model ({@link PpoModel}): the flat actor's logits
 * as the mean of a Gaussian over the logits and a state-value network V(s) (agents/networks/value.ts: the flat
 * critic's trunk without the action input).
 *
 * Policy: sac-flat's (compute/train/sac.ts, whose pieces are reused): the logits m(s) are the mean, the log standard
 * deviation a learned vector `sac/logStdRaw` bounded by a scaled tanh, a sample u = m(s) + sigma eps and the action
 * softmax(u); log pi(u | s) is the Gaussian density of u over the logits (no softmax change of variables, as SAC's).
 * At decision time the policy is softmax(m(s)), the exported ONNX policy.
 *
 * One gradient step, on a minibatch (s, u, log pi_old, A, R) of a rollout, in one graph (one per minibatch size):
 *   log pi    z = (u - m(s)) / sigma, log pi = sum_i (-z_i^2 / 2 - log sigma_i) - (N / 2) log(2 pi)
 *   surrogate PPO: r = exp(log pi - log pi_old), L_pi = -mean min(r A, clip(r, 1 - eps, 1 + eps) A);
 *             A2C: L_pi = -mean(log pi A)
 *   entropy   H = sum_i log sigma_i + (N / 2)(1 + log(2 pi))   (the Gaussian's, state-independent)
 *   value     L_V = mean (V(s) - R)^2
 *   step      L = L_pi - entCoef H + vfCoef L_V; the gradient of all parameters (actor, log-std, value network)
 *             clipped by one global norm; one Adam step (lr)
 * The minimum is written as a mask computed from the values (not differentiated): min(rA, c A) is r A where
 * r A <= c A and the constant c A elsewhere (c = clip(r)). Where the clipped term is the smaller one it is either
 * equal to r A (r inside the range) or constant in the parameters (r outside), so this gives the value and the
 * gradient of the minimum exactly, without a Min or Clip of a differentiated value.
 * The advantages are fed as given: the learner normalises them per minibatch (a setting) before feeding.
 *
 * Rollouts run a second, small graph on one state: the action, u, log pi(u | s) and V(s) for fed draws eps (zero
 * draws give the deterministic policy and its value).
 *
 * State lives in three flat float32 vectors (parameters, Adam's two moments), fed in and returned by every call;
 * `OnnxPpo` holds them and is the on-policy loop's learner (agents/learner.ts `OnPolicyLearner`).
 */
import seedrandom from 'seedrandom';
import type { OnPolicyBatch, OnPolicyLearner, OnPolicyLosses, StateArrays } from '../../agents/learner';
import { normalDraw } from '../../agents/noise';
import { lowerForward } from '../../agents/networks/lower';
import { valueForward, valueSpecs } from '../../agents/networks/value';
import { checkOnPolicy, type OnPolicySettings, type SampConfig } from '../../agents/samp/config';
import { sampNets, sampSpecs } from '../../agents/samp/policy';
import { stageStateShapes } from '../../agents/samp/stages';
import { initParams, type ParamSpec, type ParamValues } from '../params';
import { tfjsAdam } from './adam';
import {
  adamFeeds,
  checkBatch,
  checkLrScale,
  finishGraph,
  openGraph,
  flatten,
  meanAll,
  optimiserStep,
  stateFeeds,
  stateInputs,
  total,
  unflatten,
  type TrainGraph,
} from './common';
import { Graph, numel, Tape, type Val } from './graph';
import { paramBlock, TrainOps, type ConvImpl } from './ops';
import { gaussianLogProb, logStdOf, logStdSpec, policyLogStd, policyStart } from './sac';
import { TrainSession, type TrainRunOptions } from './session';

/** A policy-value pair as the on-policy update sees it. */
export interface PpoModel {
  actorSpecs: ParamSpec[];
  valueSpecs: ParamSpec[];
  /** per-sample shape of each state input (without the batch axis) */
  state: Record<string, number[]>;
  /** per-sample shape of the action (a vector: one logit per entry) */
  action: number[];
  /** the logits m(s) [B, ...action], the Gaussian's mean */
  logits(ops: TrainOps, s: Record<string, Val>): Val;
  /** V(s) [B, 1] */
  value(ops: TrainOps, s: Record<string, Val>): Val;
}

/** The flat agent's policy-value pair over `nAssets` assets: the ddpg-flat actor's logits and the value network. */
export function ppoFlatModel(cfg: SampConfig, nAssets: number): PpoModel {
  const nets = sampNets(cfg);
  const N = nAssets;
  return {
    actorSpecs: sampSpecs(nets).flat,
    valueSpecs: valueSpecs(nets.critic, 'value'),
    state: stageStateShapes('flat', cfg, N),
    action: [N],
    // the logits of agents/samp/policy.ts flatPolicy, whose softmax the exported policy computes
    logits: (ops, s) => lowerForward(ops, nets.flat, N, s.x!, null, 'flat', s.wprev!),
    value: (ops, s) => valueForward(ops, nets.critic, N, s.x!, s.wprev!, 'value'),
  };
}

/** The surrogate of an update: PPO's clipped ratio with its epsilon, or A2C's plain log pi A. */
export type OnPolicyRule = { kind: 'ppo'; clipEps: number } | { kind: 'a2c' };

/** All parameters in one vector: the actor, the raw log-std vector, the value network. */
export function ppoSpecs(model: PpoModel, initStd: number): ParamSpec[] {
  return [...model.actorSpecs, logStdSpec(model.action, initStd), ...model.valueSpecs];
}

function checkModel(model: PpoModel): void {
  if (model.action.length !== 1)
    throw new Error(`the on-policy update needs a vector action (one logit per entry); this one is [${model.action}]`);
}

function checkRule(rule: OnPolicyRule): void {
  if (rule.kind === 'ppo' && !(rule.clipEps > 0 && rule.clipEps < 1))
    throw new RangeError(`ppo.clipEps must be a number in (0, 1), got ${String(rule.clipEps)}`);
}

/** The Gaussian's entropy sum_i log sigma_i + (N / 2)(1 + log(2 pi)) from the log-std vector [N] (scalar). */
function gaussianEntropy(ops: TrainOps, logStd: Val): Val {
  const n = numel(logStd.shape);
  return ops.add(ops.sum(logStd, 0, false), ops.scalar(0.5 * n * (1 + Math.log(2 * Math.PI))));
}

/**
 * Build the update graph for minibatches of `batch` samples (see the file overview). Inputs: `params`, `adam_m`,
 * `adam_v`, `adam_c1`, `adam_c2`, `s.<name>`, `u`, `logp_old`, `adv`, `ret`. Outputs: `params_next`, `adam_m_next`,
 * `adam_v_next`, `loss`, `policyLoss`, `valueLoss`, `entropy`, `clipFraction`, `approxKl`.
 */
export function buildPpoUpdate(
  model: PpoModel,
  rule: OnPolicyRule,
  settings: Pick<OnPolicySettings, 'entCoef' | 'vfCoef' | 'lr' | 'initStd'>,
  gradClipNorm: number,
  batch: number,
  conv: ConvImpl = 'toeplitz',
): TrainGraph {
  checkBatch(batch);
  checkModel(model);
  checkRule(rule);
  const g = new Graph();
  const specs = ppoSpecs(model, settings.initStd);
  const n = total(specs);
  const p = g.input('params', [n]);
  const m = g.input('adam_m', [n]);
  const v = g.input('adam_v', [n]);
  const c1 = g.input('adam_c1', []);
  const c2 = g.input('adam_c2', []);
  const s = stateInputs(g, model.state, batch);
  const u = g.input('u', [batch, ...model.action]);
  const logpOld = g.input('logp_old', [batch, 1]);
  const adv = g.input('adv', [batch, 1]);
  const ret = g.input('ret', [batch, 1]);

  const tape = new Tape('ppo');
  const params = paramBlock(g, specs, p, tape);
  const ops = new TrainOps(g, params, conv);
  const logStd = policyLogStd(ops);
  const z = ops.mul(ops.sub(u, model.logits(ops, s)), ops.exp(ops.mul(ops.scalar(-1), logStd)));
  const logp = gaussianLogProb(ops, z, logStd);
  const col = [batch, 1];
  let surrogate: Val;
  let clipFraction: Val;
  if (rule.kind === 'ppo') {
    const ratio = ops.exp(ops.sub(logp, logpOld));
    const plain = ops.mul(ratio, adv);
    // the clipped term and the mask are values only (see the file overview)
    const lo = g.scalar(1 - rule.clipEps);
    const hi = g.scalar(1 + rule.clipEps);
    const clipped = g.node1('Mul', [g.node1('Clip', [ratio, lo, hi], col), adv], col);
    const mask = g.node1('Cast', [g.node1('LessOrEqual', [plain, clipped], col)], col, { to: 1 });
    const rest = g.node1('Mul', [clipped, g.node1('Sub', [g.scalar(1), mask], col)], col);
    surrogate = ops.add(ops.mul(plain, mask), rest);
    const outside = g.node1(
      'Cast',
      [
        g.node1(
          'Greater',
          [g.node1('Abs', [g.node1('Sub', [ratio, g.scalar(1)], col)], col), g.scalar(rule.clipEps)],
          col,
        ),
      ],
      col,
      { to: 1 },
    );
    clipFraction = g.node1('ReduceMean', [outside], [], { keepdims: 0 });
  } else {
    surrogate = ops.mul(logp, adv);
    clipFraction = g.scalar(0);
  }
  const policyLoss = ops.mul(ops.scalar(-1), meanAll(ops, surrogate));
  const entropy = gaussianEntropy(ops, logStd);
  const dv = ops.sub(model.value(ops, s), ret);
  const valueLoss = meanAll(ops, ops.mul(dv, dv));
  const loss = ops.add(
    ops.sub(policyLoss, ops.mul(ops.scalar(settings.entCoef), entropy)),
    ops.mul(ops.scalar(settings.vfCoef), valueLoss),
  );
  const step = optimiserStep(g, specs, params, loss, { lr: settings.lr, clip: gradClipNorm, p, m, v, c1, c2 });
  const approxKl = g.node1('ReduceMean', [g.node1('Sub', [logpOld, logp], col)], [], { keepdims: 0 });
  g.output('params_next', step.p);
  g.output('adam_m_next', step.m);
  g.output('adam_v_next', step.v);
  g.output('loss', loss);
  g.output('policyLoss', policyLoss);
  g.output('valueLoss', valueLoss);
  g.output('entropy', entropy);
  g.output('clipFraction', clipFraction);
  g.output('approxKl', approxKl);
  return finishGraph(
    g,
    `${rule.kind}_update`,
    rule.kind === 'ppo'
      ? 'HDRL Desk PPO update (clipped surrogate, entropy bonus, value loss, one Adam step)'
      : 'HDRL Desk A2C update (policy gradient, entropy bonus, value loss, one Adam step)',
  );
}

/**
 * Build the rollout graph: inputs `params` and `s.<name>` (batch 1), `eps` [1, ...action]; outputs `action`
 * softmax(u), `u` = m(s) + sigma eps, `logp` [1, 1] and `value` [1, 1].
 */
export function buildPpoRollout(model: PpoModel, initStd: number, conv: ConvImpl = 'toeplitz'): TrainGraph {
  checkModel(model);
  const g = new Graph();
  const specs = ppoSpecs(model, initStd);
  const p = g.input('params', [total(specs)]);
  const s = stateInputs(g, model.state, 1);
  const eps = g.input('eps', [1, ...model.action]);
  const ops = new TrainOps(g, paramBlock(g, specs, p, null), conv);
  const logStd = policyLogStd(ops);
  const u = ops.add(model.logits(ops, s), ops.mul(ops.exp(logStd), eps));
  g.output('action', ops.softmax(u));
  g.output('u', u);
  g.output('logp', gaussianLogProb(ops, eps, logStd));
  g.output('value', model.value(ops, s));
  return finishGraph(
    g,
    'ppo_rollout',
    'HDRL Desk on-policy rollout step (policy sample, log-probability, state value)',
  );
}

/** Options of {@link OnnxPpo}. */
export interface OnnxPpoOptions extends TrainRunOptions {
  /** how depthwise convolutions are written (ops.ts ConvImpl; default 'toeplitz') */
  conv?: ConvImpl;
  /** starting values instead of the seeded initialisation (names and shapes as the specs; the actor without the log-std) */
  init?: { actor?: ParamValues; value?: ParamValues };
}

/**
 * (adv - mean) / (std + 1e-8) over a minibatch, std the sample standard deviation (as Stable-Baselines3); a
 * minibatch of one sample is left as it is (it has no spread to normalise by).
 */
export function normalizeAdvantages(adv: Float32Array): Float32Array {
  const n = adv.length;
  if (n < 2) return adv;
  let s = 0;
  for (const a of adv) s += a;
  const mean = s / n;
  let q = 0;
  for (const a of adv) q += (a - mean) ** 2;
  const sd = Math.sqrt(q / (n - 1));
  return Float32Array.from(adv, (a) => (a - mean) / (sd + 1e-8));
}

/**
 * An on-policy learner (PPO or A2C by its rule) whose updates run in ONNX Runtime (see the file overview).
 * Initialisation: the actor from `seed` (the model's part drawn as every other learner draws it, the log-std vector
 * at `initStd`), the value network from `seed + 1`, Adam moments zero. The rollout draws come from a stream seeded by
 * `seed`, so the same seed, settings and minibatches give bit-identical weights.
 */
export class OnnxPpo implements OnPolicyLearner {
  private params: Float32Array;
  private adamM: Float32Array;
  private adamV: Float32Array;
  private readonly sessions = new Map<number, TrainSession>();
  private rolloutSession: TrainSession | undefined;
  private readonly drawRng: () => number;
  private readonly nActor: number;
  private readonly nAction: number;
  private lrScale = 1;
  readonly specs: ParamSpec[];
  /** gradient steps made */
  updates = 0;

  constructor(
    readonly model: PpoModel,
    readonly rule: OnPolicyRule,
    readonly settings: OnPolicySettings,
    readonly gradClipNorm: number,
    seed: number,
    private readonly opts: OnnxPpoOptions = {},
  ) {
    checkOnPolicy(settings, rule.kind);
    checkModel(model);
    checkRule(rule);
    this.specs = ppoSpecs(model, settings.initStd);
    this.nAction = numel(model.action);
    this.nActor = total(model.actorSpecs);
    const start = policyStart(this.specs.slice(0, model.actorSpecs.length + 1), seed, opts.init?.actor);
    for (const [k, v] of opts.init?.value ?? initParams(model.valueSpecs, seed + 1)) start.set(k, v);
    this.params = flatten(this.specs, start, 'initial parameters');
    this.adamM = new Float32Array(this.params.length);
    this.adamV = new Float32Array(this.params.length);
    this.drawRng = seedrandom(`${seed}|${rule.kind}|rollout-draws`);
  }

  private rollout(s: StateArrays, eps: Float32Array): Record<string, Float32Array> {
    if (eps.length !== this.nAction)
      throw new Error(`sample: ${eps.length} draws, the action has ${this.nAction} entries`);
    if (!this.rolloutSession) {
      this.rolloutSession = openGraph(buildPpoRollout(this.model, this.settings.initStd, this.opts.conv), this.opts);
    }
    return this.rolloutSession.run({ params: this.params, eps, ...stateFeeds(this.model.state, s, 'state') });
  }

  /** The deterministic policy softmax(m(s)) for one state (the noise of the replay loop's interface is not used). */
  act(s: StateArrays, _noise: readonly Float32Array[] = []): Float32Array {
    return this.rollout(s, new Float32Array(this.nAction)).action!;
  }

  /** A sample of the policy (see agents/learner.ts OnPolicyLearner); draws from the learner's stream unless given. */
  sample(
    s: StateArrays,
    eps?: Float32Array,
  ): { action: Float32Array; u: Float32Array; logp: number; value: number; std: number } {
    const z = eps ?? Float32Array.from({ length: this.nAction }, () => normalDraw(this.drawRng));
    const out = this.rollout(s, z);
    const std = this.std();
    return {
      action: out.action!,
      u: out.u!,
      logp: out.logp![0]!,
      value: out.value![0]!,
      std: std.reduce((a, b) => a + b, 0) / std.length,
    };
  }

  /** V(s) for one state. */
  value(s: StateArrays): number {
    return this.rollout(s, new Float32Array(this.nAction)).value![0]!;
  }

  /** The policy's standard deviation per action entry (logit units). */
  std(): number[] {
    return Array.from(this.params.subarray(this.nActor, this.nActor + this.nAction), (raw) => Math.exp(logStdOf(raw)));
  }

  /** The learning rate becomes `f` times its configured value from the next step on. */
  setLearningRateScale(f: number): void {
    this.lrScale = checkLrScale(f);
  }

  private session(batch: number): TrainSession {
    let s = this.sessions.get(batch);
    if (!s) {
      s = openGraph(
        buildPpoUpdate(this.model, this.rule, this.settings, this.gradClipNorm, batch, this.opts.conv),
        this.opts,
      );
      this.sessions.set(batch, s);
    }
    return s;
  }

  /** One gradient step on a minibatch (advantages normalised first when the settings say so). */
  update(b: OnPolicyBatch): OnPolicyLosses {
    const B = b.adv.length;
    if (!(B >= 1)) throw new Error('update: an empty minibatch');
    for (const [k, a] of [
      ['logp', b.logp],
      ['ret', b.ret],
    ] as const)
      if (a.length !== B) throw new Error(`update: ${k} has ${a.length} values, adv ${B}`);
    const t = this.updates + 1;
    const feeds: Record<string, Float32Array> = {
      params: this.params,
      adam_m: this.adamM,
      adam_v: this.adamV,
      ...adamFeeds(tfjsAdam(this.settings.lr), t, this.lrScale),
      u: b.u,
      logp_old: b.logp,
      adv: this.settings.normalizeAdvantages ? normalizeAdvantages(b.adv) : b.adv,
      ret: b.ret,
      ...stateFeeds(this.model.state, b.s, 'batch state'),
    };
    const out = this.session(B).run(feeds);
    this.params = out.params_next!;
    this.adamM = out.adam_m_next!;
    this.adamV = out.adam_v_next!;
    this.updates = t;
    return {
      loss: out.loss![0]!,
      policyLoss: out.policyLoss![0]!,
      valueLoss: out.valueLoss![0]!,
      entropy: out.entropy![0]!,
      clipFraction: out.clipFraction![0]!,
      approxKl: out.approxKl![0]!,
    };
  }

  /** The actor network alone (what the exported policy is made of). */
  actorParams(): ParamValues {
    return unflatten(this.model.actorSpecs, this.params.subarray(0, this.nActor));
  }

  /** The actor with the raw log-std vector. */
  policyParams(): ParamValues {
    return unflatten(
      this.specs.slice(0, this.model.actorSpecs.length + 1),
      this.params.subarray(0, this.nActor + this.nAction),
    );
  }

  /** The value network. */
  valueParams(): ParamValues {
    return unflatten(this.model.valueSpecs, this.params.subarray(this.nActor + this.nAction));
  }

  /** The value network, stored as the stage's critic. */
  criticParams(): ParamValues {
    return this.valueParams();
  }

  /** Release the ONNX Runtime sessions. */
  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.rolloutSession?.dispose();
    this.rolloutSession = undefined;
  }
}
