/**
 * Level 3's training (docs/three-level.md "The learned agent"): the per-asset policy of network.ts learned with the
 * engine's SAC (compute/train/sac.ts `OnnxSac`, twin critics, fixed or learned temperature) over execution periods
 * of env.ts on the training days, validated on held-out periods, the best validation's policy kept.
 *
 * Why SAC: the action is a continuous fraction per asset, the rewards are dense (every day's cost and penalty), and
 * the periods are short; an off-policy learner reuses every per-asset transition from its replay buffer, which is
 * what lets a model train in well under a minute on two cores, and SAC's entropy term keeps the fractions from
 * collapsing onto 0 or 1 before the critics know better. PPO's update here is written for softmax portfolios
 * (compute/train/ppo.ts) and would discard each rollout after a few passes.
 *
 * Per-asset transitions. The reward is additive over assets (each asset's cost and penalty, env.ts), so each asset's
 * day is one transition (x_i, f_i, r_i, x_i'), stored and sampled on its own: the critic learns one asset's
 * remaining cost in the period, Q(x_i, f_i). This treats the rest of the book as part of the environment: an asset's
 * future depends on the others only through the drift of its weight (a small effect over a month) and the book's
 * value in its liquidity. The period's last day is the environment's forced trade, not a decision: its reward is
 * added to the day before's transition, which ends the episode (done = 1); the next period starts from its own
 * target, so nothing after the end depends on the actions in it.
 *
 * The loop. Each training period (targets.ts sampleTrainingPeriod, seeded) runs day by day: the assets' states, a
 * sample of the policy per asset (the logit's mean plus SAC's Gaussian draw, through the sigmoid), the
 * environment's step; then, once the buffer holds `warmup` transitions, `updatesPerDay` updates on uniform
 * minibatches. Every `periodsPerValidation` periods the deterministic policy runs the fixed validation periods
 * (starts spread over the held-out days, targets drawn once from a fixed seed, the same for every seed) and its
 * mean reward per period scores it; the best score's policy is the model (agents/samp/selection.ts
 * CheckpointSelector, as every learned strategy here), training stops at the update budget or after `patience`
 * validations without a better score; the learning rates follow the cosine schedule over the budget.
 */
import seedrandom from 'seedrandom';
import type { DdpgConfig } from '../ddpg';
import type { StateArrays } from '../learner';
import type { SacSettings } from '../samp/config';
import type { ParamValues } from '../../compute/params';
import { OnnxSac } from '../../compute/train/sac';
import type { TrainRunOptions } from '../../compute/train/session';
import type { ExecutionCosts } from '../../market/costs';
import type { PriceMatrix } from '../../market/prices';
import { ReplayBuffer } from '../replay';
import { CheckpointSelector, learningRateScale } from '../samp/selection';
import type { ExecutionConfig } from './config';
import { ExecutionEnv, FEATURE_COUNT, type ExecutionState } from './env';
import { executionModel } from './network';
import { periodAllocations, sampleTrainingPeriod, type TrainingPeriod } from './targets';
import { abortError } from '../samp/episodes';

/** A range of trading days (matrix indices, both ends included). */
export interface DayRange {
  first: number;
  last: number;
}

/** Inputs of {@link trainExecutionAgent}. */
export interface ExecutionTrainOptions {
  m: PriceMatrix;
  /** the run's execution-cost model over `m` (impact on) */
  costs: ExecutionCosts;
  cfg: ExecutionConfig;
  /** the days training periods are drawn from */
  train: DayRange;
  /** the held-out days the validation periods run over (after `train`); none = the last policy is the model */
  validation?: DayRange;
  seed: number;
  /** after every validation */
  onProgress?: (p: ExecutionProgress) => void;
  signal?: AbortSignal;
  /** where the updates run (ONNX Runtime provider) */
  run?: TrainRunOptions;
}

/** One validation's figures. */
export interface ExecutionProgress {
  periods: number;
  updates: number;
  /** mean reward per validation period, basis points of the book (higher is better) */
  score: number;
  /** the policy's mean standard deviation over the logit */
  std: number;
}

/** Output of {@link trainExecutionAgent}. */
export interface ExecutionTrainResult {
  /** the chosen policy's parameters (network.ts executionPolicySpecs) */
  actor: ParamValues;
  /** the validation that chose it (null without validation) */
  chosen: ExecutionProgress | null;
  history: ExecutionProgress[];
  periods: number;
  updates: number;
  stoppedEarly: boolean;
  elapsedMs: number;
}

/**
 * The training and validation days of a training window [first, last]: its last `validationDays` days (at most
 * half of them) held out.
 */
export function splitTrainingDays(
  first: number,
  last: number,
  validationDays: number,
): {
  train: DayRange;
  validation?: DayRange;
} {
  const days = last - first + 1;
  const v = Math.min(validationDays, Math.floor(days / 2));
  if (v <= 0) return { train: { first, last } };
  return { train: { first, last: last - v }, validation: { first: last - v + 1, last } };
}

/** The seed every validation period's target is drawn from (the same for every training seed). */
export const VALIDATION_SEED = 'threelevel|validation';

/** The fixed validation periods over `days` (see the file overview). */
export function validationPeriods(
  m: PriceMatrix,
  days: DayRange,
  cfg: Pick<ExecutionConfig, 'horizon' | 'tiltStd' | 'reallocationProb' | 'allocationSpread' | 'validationPeriods'>,
): TrainingPeriod[] {
  const H = cfg.horizon;
  const lo = Math.max(days.first + H, 2);
  const hi = days.last - H;
  const k = cfg.validationPeriods;
  if (k === 0 || hi < lo) return [];
  const rng = seedrandom(VALIDATION_SEED);
  return Array.from({ length: k }, (_, j) => {
    const t0 = k === 1 ? lo : lo + Math.round(((hi - lo) * j) / (k - 1));
    return { t0, ...periodAllocations(m, t0, cfg, rng) };
  });
}

/** The SAC settings a level's config names (Level 3's ExecutionConfig, Level 2's TacticalConfig). */
export type SacLevelSettings = Pick<
  ExecutionConfig,
  | 'actorLr'
  | 'criticLr'
  | 'gamma'
  | 'tau'
  | 'batchSize'
  | 'bufferSize'
  | 'warmup'
  | 'gradClipNorm'
  | 'rewardScale'
  | 'alpha'
  | 'alphaTuning'
  | 'initStd'
>;

/**
 * The engine's DDPG-shaped settings SAC reads, from a SAC level's config (no logit noise: SAC samples its policy),
 * for the execution and the tactical level alike.
 */
export function sacTrainingConfig(cfg: SacLevelSettings): { ddpg: DdpgConfig; sac: SacSettings } {
  return {
    ddpg: {
      actorLr: cfg.actorLr,
      criticLr: cfg.criticLr,
      gamma: cfg.gamma,
      tau: cfg.tau,
      batchSize: cfg.batchSize,
      bufferSize: cfg.bufferSize,
      warmup: cfg.warmup,
      updateEvery: 1,
      gradClipNorm: cfg.gradClipNorm,
      rewardScale: cfg.rewardScale,
      noise: { kind: 'gaussian', sigma: 0, sigmaDecay: 1, sigmaMin: 0, theta: 0 },
    },
    sac: {
      alpha: cfg.alpha,
      alphaTuning: cfg.alphaTuning,
      targetEntropyPerAsset: -1,
      alphaLr: 3e-4,
      initStd: cfg.initStd,
    },
  };
}

/**
 * One stored transition of a per-row SAC learner (Level 3: one asset on one day; Level 2: one class in one month):
 * the row's state, its scalar action, its reward, the row's next state and whether the episode ended.
 */
export interface SacTransition {
  s: Float32Array;
  a: number;
  r: number;
  s2: Float32Array;
  done: number;
}

/** One asset's state, a row of the features matrix. */
function row(features: Float32Array, i: number): Float32Array {
  return features.slice(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT);
}

/**
 * One SAC update of a per-row learner on a uniform minibatch of `batchSize` transitions of `features` entries each,
 * drawn from `buffer` with `rng` (the caller sets the learning-rate scale first). Levels 2 and 3 update this way,
 * in their own trainers and in the joint one.
 */
export function replayUpdate(
  learner: OnnxSac,
  buffer: ReplayBuffer<SacTransition>,
  features: number,
  batchSize: number,
  rng: () => number,
): void {
  const batch = buffer.sample(batchSize, rng);
  const B = batch.length;
  const s = new Float32Array(B * features);
  const s2 = new Float32Array(B * features);
  batch.forEach((b, k) => {
    s.set(b.s, k * features);
    s2.set(b.s2, k * features);
  });
  learner.update({
    s: { x: s },
    s2: { x: s2 },
    a: Float32Array.from(batch, (b) => b.a),
    r: Float32Array.from(batch, (b) => b.r),
    done: Float32Array.from(batch, (b) => b.done),
  });
}

/**
 * Level 3's per-asset transitions of one execution period, fed day by day (see the file overview): a day's
 * transitions wait for the next day's states; the period's last day is the forced trade, whose rewards are added
 * to the day before's transitions, which end the episode. Each finished transition goes to `push`.
 */
export class ExecutionTransitions {
  private pending: SacTransition[] | null = null;

  constructor(
    readonly n: number,
    private readonly push: (t: SacTransition) => void,
  ) {}

  /** One day of the period: the states it was decided from, the fractions applied and the rewards per asset. */
  day(features: Float32Array, fractions: ArrayLike<number>, rewards: ArrayLike<number>, last: boolean): void {
    const n = this.n;
    if (this.pending) {
      for (let i = 0; i < n; i++) {
        const tr = this.pending[i]!;
        tr.s2 = row(features, i);
        if (last) {
          tr.r += rewards[i]!;
          tr.done = 1;
        }
        this.push(tr);
      }
    }
    this.pending = last
      ? null
      : Array.from({ length: n }, (_, i) => ({
          s: row(features, i),
          a: fractions[i]!,
          r: rewards[i]!,
          s2: row(features, i),
          done: 0,
        }));
  }
}

/** Run one period with a per-asset action rule; gives the sum of the days' rewards (basis points). */
function runPeriod(
  env: ExecutionEnv,
  s: ExecutionState,
  decide: (x: StateArrays) => number,
  onDay?: (features: Float32Array, fractions: Float64Array, rewards: Float64Array, last: boolean) => void,
): number {
  const n = env.n;
  let total = 0;
  const x = new Float32Array(FEATURE_COUNT);
  while (env.daysLeft(s) >= 1) {
    const features = env.features(s);
    const last = env.daysLeft(s) === 1;
    const f = new Float64Array(n);
    if (!last)
      for (let i = 0; i < n; i++) {
        x.set(features.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
        f[i] = decide({ x });
      }
    const step = env.step(s, last ? f.fill(1) : f);
    total += step.reward;
    onDay?.(features, step.fractions, step.rewards, last);
  }
  return total;
}

/** Train an execution agent (see the file overview). Deterministic for a given seed, config and data. */
export async function trainExecutionAgent(o: ExecutionTrainOptions): Promise<ExecutionTrainResult> {
  const { cfg, m } = o;
  const t0 = Date.now();
  if (o.validation && o.validation.first <= o.train.last)
    throw new RangeError(
      `the validation days (from ${o.validation.first}) overlap the training days (to ${o.train.last})`,
    );
  const env = new ExecutionEnv(m, o.costs, cfg);
  const n = env.n;
  const { ddpg, sac } = sacTrainingConfig(cfg);
  const learner = new OnnxSac(executionModel(FEATURE_COUNT, cfg), ddpg, sac, o.seed, {
    batchSize: cfg.batchSize,
    ...(o.run ?? {}),
  });
  const buffer = new ReplayBuffer<SacTransition>(cfg.bufferSize);
  const replayRng = seedrandom(`${o.seed}|threelevel|replay`);
  const periodRng = seedrandom(`${o.seed}|threelevel|periods`);
  const checks = o.validation ? validationPeriods(m, o.validation, cfg) : [];
  const selector = new CheckpointSelector<ParamValues>(cfg.patience);
  const history: ExecutionProgress[] = [];
  const zero = [new Float32Array(1)];
  let updates = 0;
  let periods = 0;
  let stoppedEarly = false;

  const validate = (): void => {
    if (!checks.length) return;
    let sum = 0;
    for (const p of checks)
      sum += runPeriod(env, env.start(p.t0, p.holdings, p.target), (x) => learner.act(x, zero)[0]!);
    const std = learner.std()[0]!;
    const point = { periods, updates, score: sum / checks.length, std };
    history.push(point);
    selector.observe(history.length, point.score, () => learner.actorParams());
    o.onProgress?.(point);
  };

  const update = (): void => {
    learner.setLearningRateScale(learningRateScale(cfg, updates, cfg.updates));
    replayUpdate(learner, buffer, FEATURE_COUNT, cfg.batchSize, replayRng);
    updates++;
  };

  try {
    while (updates < cfg.updates) {
      if (o.signal?.aborted) throw abortError(o.signal);
      const p = sampleTrainingPeriod(m, o.train.first, o.train.last, cfg, periodRng);
      const s = env.start(p.t0, p.holdings, p.target);
      const transitions = new ExecutionTransitions(n, (tr) => buffer.push(tr));
      runPeriod(
        env,
        s,
        (x) => learner.explore(x).action[0]!,
        (features, fractions, rewards, last) => {
          transitions.day(features, fractions, rewards, last);
          if (buffer.size >= Math.max(cfg.warmup, cfg.batchSize))
            for (let k = 0; k < cfg.updatesPerDay && updates < cfg.updates; k++) update();
        },
      );
      periods++;
      await new Promise<void>((r) => setImmediate(r));
      if (updates > 0 && (periods % cfg.periodsPerValidation === 0 || updates >= cfg.updates)) {
        validate();
        if (selector.stop) {
          stoppedEarly = true;
          break;
        }
      }
    }
    const best = selector.best;
    return {
      actor: best ? best.value : learner.actorParams(),
      chosen: best ? history[best.episode - 1]! : null,
      history,
      periods,
      updates,
      stoppedEarly,
      elapsedMs: Date.now() - t0,
    };
  } finally {
    learner.dispose();
  }
}
