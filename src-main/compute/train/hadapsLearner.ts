/**
 * The HADAPS learner on the ONNX training engine: holds the state vectors of hadaps.ts's update graph between calls,
 * draws each update's Gaussian draws and dropout masks, acts through the batch-1 decision-mode graph, and keeps the
 * decision-time parameters (batch norm folded) in step with every update. It is the learner of
 * agents/hadaps/trainer.ts and what the tests drive (test/compute/train-hadaps.test.ts).
 */
import seedrandom from 'seedrandom';
import type { DdpgBatchArrays, StateArrays } from '../../agents/learner';
import { normalDraw } from '../../agents/noise';
import {
  dropoutLayout,
  inferVectorWriter,
  policyInferSpecs,
  policyNets,
  policyStatSpecs,
  policyTrainSpecs,
  stateShapes,
  type HadapsShape,
} from '../../agents/hadaps/network';
import { initParams, paramOffsets, type ParamSpec, type ParamValues } from '../params';
import { tfjsAdam } from './adam';
import { adamFeeds, flatten, nextName, openGraph, rmspropFeeds, stateFeeds, unflatten } from './common';
import { batchFeeds, type CriticModel } from './ddpg';
import {
  actorSpecs,
  buildHadapsAct,
  buildHadapsUpdate,
  changes,
  hadapsCriticModel,
  logStdName,
  reads,
  type HadapsStateName,
  type HadapsUpdateConfig,
} from './hadaps';
import { logStdOf } from './sac';
import type { TrainRunOptions, TrainSession } from './session';
import { joinTwins, twinLosses, twinStart } from './twin';

/**
 * A fast seeded uniform stream (mulberry32) for the many dropout draws of every update: `next()` gives a uniform
 * draw in [0, 1), `fillMask` a whole dropout mask from the stream's next draws.
 */
export class UniformStream {
  private a: number;
  constructor(seed: string) {
    let h = 1779033703 ^ seed.length;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    this.a = ((h << 13) | (h >>> 19)) >>> 0;
  }

  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * out[i] = scale where the i-th next draw is below `keep`, else 0: the same values as that loop over `next()`
   * (draw / 2^32 < keep exactly when draw < keep x 2^32, both exact in doubles), without a call per draw and in
   * signed 32-bit integers (the draw and the bound both shifted down by 2^31), which the JIT keeps in registers.
   */
  fillMask(out: Float32Array, keep: number, scale: number): void {
    const below = keep * 4294967296 - 2147483648;
    let a = this.a | 0;
    for (let i = 0; i < out.length; i++) {
      a = (a + 0x6d2b79f5) | 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = (t ^ (t >>> 14) ^ -2147483648) < below ? scale : 0;
    }
    this.a = a >>> 0;
  }
}

/** One update's figures. */
export interface HadapsLosses {
  criticLoss: number;
  critic1Loss: number;
  critic2Loss: number;
  actorLoss: number;
  logProb: number;
  alpha: number;
}

/** A learner's networks as a warm start takes them (the optimiser moments are not kept). */
export interface HadapsWarmState {
  /** the policy's trained parameters and log-std vectors (compute/train/hadaps.ts actorSpecs) */
  actor: ParamValues;
  /** the running batch-norm statistics (network.ts policyStatSpecs) */
  stats: ParamValues;
  critic1: ParamValues;
  critic2: ParamValues;
}

/** Options of {@link OnnxHadaps}. */
export interface OnnxHadapsOptions extends TrainRunOptions {
  batchSize?: number;
  /** start from these networks instead of the seeded draw (a warm start) */
  init?: HadapsWarmState;
}

/** The prefix under which a checkpoint carries the warm state beside the decision-time parameters. */
const WARM = 'warm/';

/** Split a checkpoint's actor map ({@link OnnxHadaps.actorParams}) into the decision-time parameters and the warm state's actor and statistics. */
export function splitCheckpoint(m: ParamValues): { infer: ParamValues; actor: ParamValues; stats: ParamValues } {
  const infer: ParamValues = new Map();
  const actor: ParamValues = new Map();
  const stats: ParamValues = new Map();
  for (const [k, v] of m) {
    if (k.startsWith(`${WARM}actor/`)) actor.set(k.slice(`${WARM}actor/`.length), v);
    else if (k.startsWith(`${WARM}stats/`)) stats.set(k.slice(`${WARM}stats/`.length), v);
    else infer.set(k, v);
  }
  return { infer, actor, stats };
}

/**
 * The HADAPS learner (see the file overview). Initialisation from `seed`: the policy as initParams draws it (batch
 * norm gamma 1, beta 0, running mean 0 and variance 1, each log-std at `initStd`), the critics from `seed + 1` and
 * `seed + 2`, targets equal to them, optimiser moments zero, log alpha = log(alpha). Update draws, dropout masks and
 * exploration come from three streams seeded by `seed`: the same seed, config and minibatches give the same weights.
 */
export class OnnxHadaps {
  private state: Record<HadapsStateName, Float32Array>;
  private readonly session: TrainSession;
  private acting: TrainSession | undefined;
  private readonly aSpecs: ParamSpec[];
  private readonly trainSpecs: ParamSpec[];
  private readonly sSpecs: ParamSpec[];
  private readonly critic: CriticModel;
  private readonly drawRng: () => number;
  private readonly maskRng: UniformStream;
  private readonly exploreRng: () => number;
  private readonly units: number;
  /** the decision-time parameters, rewritten in place after every update */
  private readonly infer: Float32Array;
  private readonly writeInfer: (train: Float32Array, stats: Float32Array, out: Float32Array) => void;
  /** where each policy layer's log-std vector lies in the actor vector */
  private readonly logStdAt: { name: string; at: number; n: number }[];
  private lrScale = 1;
  readonly batchSize: number;
  readonly nodeCount: number;
  updates = 0;

  constructor(
    readonly sh: HadapsShape,
    readonly cfg: HadapsUpdateConfig,
    seed: number,
    private readonly opts: OnnxHadapsOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 32;
    this.aSpecs = actorSpecs(sh, cfg.initStd);
    this.trainSpecs = policyTrainSpecs(sh);
    this.sSpecs = policyStatSpecs(sh);
    this.critic = hadapsCriticModel(sh, cfg);
    const init = opts.init;
    const a0 = flatten(this.aSpecs, init?.actor ?? initParams(this.aSpecs, seed), 'initial actor');
    this.state = {
      actor: a0,
      actorStats: flatten(this.sSpecs, init?.stats ?? initParams(this.sSpecs, seed), 'initial statistics'),
      actorM: new Float32Array(a0.length),
      actorV: new Float32Array(a0.length),
      ...twinStart(this.critic.criticSpecs, seed, init ? { critic1: init.critic1, critic2: init.critic2 } : {}),
      logAlpha: Float32Array.of(Math.log(cfg.alpha)),
      logAlphaM: new Float32Array(1),
      logAlphaV: new Float32Array(1),
    };
    this.units = dropoutLayout(sh).units;
    const built = buildHadapsUpdate(sh, cfg, this.batchSize);
    this.nodeCount = built.nodeCount;
    this.session = openGraph(built, opts);
    this.drawRng = seedrandom(`${seed}|hadaps|update-draws`);
    this.maskRng = new UniformStream(`${seed}|hadaps|dropout`);
    this.exploreRng = seedrandom(`${seed}|hadaps|explore`);
    const writer = inferVectorWriter(sh);
    this.writeInfer = writer.write;
    this.infer = new Float32Array(writer.size);
    this.writeInfer(this.state.actor, this.state.actorStats, this.infer);
    const logStd = paramOffsets(this.aSpecs);
    this.logStdAt = policyNets(sh).map((p) => ({ name: p.name, ...logStd.get(logStdName(p.name))! }));
  }

  /** The policy's trained parameters (without the log-std vectors) and running statistics, as maps. */
  policyState(): { train: ParamValues; stats: ParamValues } {
    const all = unflatten(this.aSpecs, this.state.actor);
    const train: ParamValues = new Map(this.trainSpecs.map((s) => [s.name, all.get(s.name)!]));
    return { train, stats: unflatten(this.sSpecs, this.state.actorStats) };
  }

  /** The deterministic policy (decision mode) for one state; the risky weights [N]. `noise` is not used. */
  act(s: StateArrays, noise: readonly Float32Array[] = []): Float32Array {
    void noise;
    return this.run(s, null);
  }

  private run(s: StateArrays, noise: Map<string, Float32Array> | null): Float32Array {
    this.acting ??= openGraph(buildHadapsAct(this.sh), this.opts);
    const feeds: Record<string, Float32Array> = {
      infer: this.infer,
      ...stateFeeds(stateShapes(this.sh), s, 'act: state'),
    };
    for (const p of policyNets(this.sh)) feeds[`noise.${p.name}`] = noise?.get(p.name) ?? new Float32Array(p.outDim);
    return this.acting.run(feeds).weights!;
  }

  /** The policy's standard deviation per layer (before the action scale). */
  std(): Map<string, number[]> {
    const actor = this.state.actor;
    return new Map(
      this.logStdAt.map((l) => [l.name, Array.from(actor.subarray(l.at, l.at + l.n), (r) => Math.exp(logStdOf(r)))]),
    );
  }

  /** A sample of the policy for one state (decision-mode means plus sigma eps), and the mean sigma it used. */
  explore(s: StateArrays): { action: Float32Array; std: number } {
    const noise = new Map<string, Float32Array>();
    let sum = 0;
    let cnt = 0;
    for (const [name, sd] of this.std()) {
      noise.set(
        name,
        Float32Array.from(sd, (x) => x * normalDraw(this.exploreRng)),
      );
      for (const x of sd) {
        sum += x;
        cnt++;
      }
    }
    return { action: this.run(s, noise), std: cnt ? sum / cnt : 0 };
  }

  /** The learning rates (log alpha's included) become `f` times their configured values from the next update on. */
  setLearningRateScale(f: number): void {
    if (!(f > 0 && Number.isFinite(f))) throw new RangeError(`learning-rate scale must be a positive number, got ${f}`);
    this.lrScale = f;
  }

  private draws(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = normalDraw(this.drawRng);
    return out;
  }

  private mask(): Float32Array {
    const keep = 1 - this.cfg.dropout;
    const m = new Float32Array(this.batchSize * this.units);
    this.maskRng.fillMask(m, keep, 1 / keep);
    return m;
  }

  /** One update (see the file overview). */
  update(b: DdpgBatchArrays): HadapsLosses {
    const t = this.updates + 1;
    const feeds: Record<string, Float32Array> = {
      ...(this.cfg.optimizer === 'rmsprop'
        ? rmspropFeeds(this.lrScale)
        : adamFeeds(tfjsAdam(this.cfg.lr), t, this.lrScale)),
      ...batchFeeds(this.critic, b),
    };
    if (this.cfg.alphaTuning === 'auto')
      Object.assign(feeds, adamFeeds(tfjsAdam(this.cfg.alphaLr), t, this.lrScale, 'alpha'));
    for (const p of policyNets(this.sh)) {
      const n = this.batchSize * p.outDim;
      feeds[`eps.${p.name}`] = this.draws(n);
      feeds[`eps_next.${p.name}`] = this.draws(n);
    }
    if (this.cfg.dropout > 0) {
      feeds.drop = this.mask();
      feeds.drop_next = this.mask();
    }
    for (const n of reads(this.cfg)) feeds[n] = this.state[n];
    const out = this.session.run(feeds);
    const next = { ...this.state };
    for (const n of changes(this.cfg)) next[n] = out[nextName(n)]!;
    this.state = next;
    this.writeInfer(this.state.actor, this.state.actorStats, this.infer);
    this.updates = t;
    return { ...twinLosses(out), actorLoss: out.actorLoss![0]!, logProb: out.logProb![0]!, alpha: out.alpha![0]! };
  }

  /**
   * A checkpoint of the policy: the decision-time parameters (what the exported policy is made of) and, under
   * `warm/actor/` and `warm/stats/`, the trained parameters and running statistics a warm start needs
   * ({@link splitCheckpoint} takes them apart).
   */
  actorParams(): ParamValues {
    const out = unflatten(policyInferSpecs(this.sh), this.infer);
    for (const [k, v] of unflatten(this.aSpecs, this.state.actor)) out.set(`${WARM}actor/${k}`, v);
    for (const [k, v] of unflatten(this.sSpecs, this.state.actorStats)) out.set(`${WARM}stats/${k}`, v);
    return out;
  }

  /** Both critics in one map (twin.ts joinTwins). */
  criticParams(): ParamValues {
    return joinTwins({
      critic1: unflatten(this.critic.criticSpecs, this.state.critic1),
      critic2: unflatten(this.critic.criticSpecs, this.state.critic2),
    });
  }

  /** The current temperature. */
  alpha(): number {
    return Math.exp(this.state.logAlpha[0]!);
  }

  dispose(): void {
    this.session.dispose();
    this.acting?.dispose();
  }
}
