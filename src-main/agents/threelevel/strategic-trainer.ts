/**
 * The learned Level 1's training (docs/three-level.md "Level 1, learned"): the per-class policy of
 * strategic-network.ts learned with the engine's PPO (compute/train/ppo.ts `OnnxPpo`) as a contextual bandit over
 * overlapping yearly episodes (strategic-env.ts), validated on held-out episodes, the best validation's policy kept.
 *
 * Why a bandit, and why PPO. A strategic decision is made once a year, so a training window of three years holds
 * two or three of them; instead every `stride`-th training day starts an episode of ONE decision whose reward is the
 * following year (ending inside the training days). The episodes overlap, so they are far from independent, but
 * each is a real year of the data after a real decision day. An episode has one step, so its advantage is its reward
 * minus the value of its state, with no bootstrapping and nothing for a critic of the action to learn: PPO's
 * state-value baseline is all it needs, and its Gaussian over the logits, whose softmax is the allocation, is the
 * target weights' own form. SAC would have to learn Q(state, allocation) over the whole simplex of class weights from
 * a few dozen episodes per window.
 *
 * One pass: every training start once, in order, each with a book drawn from a seeded stream (strategic-env.ts
 * drawAllocation, drifted over the `rebalanceEvery` days before the start); a sample of the policy per start and its
 * reward; then `epochs` passes of minibatches (shuffled, seeded) of PPO steps with advantage = reward − V(s) and
 * return = reward. Every `iterationsPerValidation` passes the deterministic policy decides every validation start
 * from a fixed book (equal class weights, cash 0, drifted as in training: the same for every seed), the mean reward
 * scores it and the best score's policy is the model (agents/samp/selection.ts CheckpointSelector, as every learned
 * level here). Training stops after `iterations` passes or `patience` validations without a better score; the
 * learning rate follows the cosine schedule over the budget.
 *
 * With macro inputs (strategic-macro.ts) each state also holds the series' features; the trainer takes them aligned
 * to the prices it is given, which end at the training window's last day, so it reads no value dated after it.
 */
import seedrandom from 'seedrandom';
import type { ParamValues } from '../../compute/params';
import { OnnxPpo } from '../../compute/train/ppo';
import type { TrainRunOptions } from '../../compute/train/session';
import type { PriceMatrix } from '../../market/prices';
import type { ClassLayout } from '../hadaps/classes';
import type { OnPolicySettings } from '../samp/config';
import { CheckpointSelector, learningRateScale } from '../samp/selection';
import type { StrategicConfig } from './strategic-config';
import {
  bookOf,
  drawAllocation,
  episodeStarts,
  regimesUpTo,
  splitStrategicDays,
  strategicFeatures,
  strategicOutcome,
} from './strategic-env';
import type { MacroInputs } from './strategic-macro';
import { strategicModel } from './strategic-network';
import { classWeightsOf } from './tilts';
import { abortError } from '../samp/episodes';

/** Inputs of {@link trainStrategicAgent}. */
export interface StrategicTrainOptions {
  /** the prices (the strategy passes them cut at the training window's last day) */
  m: PriceMatrix;
  layout: ClassLayout;
  cfg: StrategicConfig;
  /** the series `cfg.macro` names aligned to `m`'s dates (strategic-macro.ts); required exactly when it names any */
  macro?: MacroInputs;
  /** the training window (its last `validationDays`, at most half, are held out: strategic-env.ts) */
  first: number;
  last: number;
  seed: number;
  onProgress?: (p: StrategicProgress) => void;
  signal?: AbortSignal;
  run?: TrainRunOptions;
}

/** One validation's figures. */
export interface StrategicProgress {
  iterations: number;
  updates: number;
  /** mean reward per validation episode, percent of the book (higher is better) */
  score: number;
}

/** Output of {@link trainStrategicAgent}. */
export interface StrategicTrainResult {
  /** the chosen policy's parameters (the actor of strategic-network.ts strategicModel) */
  actor: ParamValues;
  chosen: StrategicProgress | null;
  history: StrategicProgress[];
  iterations: number;
  /** episodes sampled (training starts times passes) */
  episodes: number;
  updates: number;
  /** the days an episode's reward covered, and the starts of each part */
  horizon: number;
  trainStarts: number;
  validationStarts: number;
  stoppedEarly: boolean;
  elapsedMs: number;
}

/** The engine's on-policy settings from a strategic config (one-step episodes: no discount, no bootstrap). */
export function strategicPpoSettings(cfg: StrategicConfig): OnPolicySettings {
  return {
    rolloutSteps: 1,
    gamma: 0,
    gaeLambda: 1,
    entCoef: cfg.entCoef,
    vfCoef: cfg.vfCoef,
    lr: cfg.lr,
    initStd: cfg.initStd,
    normalizeAdvantages: true,
  };
}

/** One sampled strategic decision as PPO learns from it: its state, the draw behind its action, and its reward. */
export interface StrategicSample {
  x: Float32Array;
  /** the sampled logits (the policy's mean plus its Gaussian draw), whose softmax was the target */
  u: Float32Array;
  logp: number;
  /** V(x) when it was sampled */
  value: number;
  reward: number;
}

/**
 * PPO's learning from one batch of sampled decisions (see the file overview): `epochs` passes, each over the batch
 * shuffled with `rng` and cut into minibatches of `minibatch`, one step per minibatch with advantage = reward − V(x)
 * and return = reward (one-step episodes); the learning rate follows the schedule over `budget` steps. The bottom-up
 * trainer learns from a pass over its starts this way, the joint trainer from its last years (joint-trainer.ts).
 */
export function learnFromDecisions(
  learner: OnnxPpo,
  samples: readonly StrategicSample[],
  cfg: Pick<StrategicConfig, 'epochs' | 'minibatch' | 'lrSchedule' | 'lrFloor'>,
  rng: () => number,
  budget: number,
): void {
  if (!samples.length) return;
  const F = samples[0]!.x.length;
  const K = samples[0]!.u.length;
  for (let e = 0; e < cfg.epochs; e++) {
    const order = samples.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let b = 0; b < order.length; b += cfg.minibatch) {
      const batch = order.slice(b, b + cfg.minibatch).map((i) => samples[i]!);
      const B = batch.length;
      const x = new Float32Array(B * F);
      const u = new Float32Array(B * K);
      batch.forEach((s, k) => {
        x.set(s.x, k * F);
        u.set(s.u, k * K);
      });
      learner.setLearningRateScale(learningRateScale(cfg, learner.updates, budget));
      learner.update({
        s: { x },
        u,
        logp: Float32Array.from(batch, (s) => s.logp),
        adv: Float32Array.from(batch, (s) => s.reward - s.value),
        ret: Float32Array.from(batch, (s) => s.reward),
      });
    }
  }
}

/** Train a strategic agent (see the file overview). Deterministic for a given seed, config and data. */
export async function trainStrategicAgent(o: StrategicTrainOptions): Promise<StrategicTrainResult> {
  const { cfg, m, layout } = o;
  const started = Date.now();
  if (!(o.last < m.close.length)) throw new RangeError(`the training window ends on day ${o.last}, after the prices`);
  const days = splitStrategicDays(o.first, o.last, cfg);
  const { horizon } = days;
  const trainStarts = episodeStarts(days.train, horizon, cfg.stride);
  const validationStarts = days.validation ? episodeStarts(days.validation, horizon, cfg.stride) : [];
  if (!trainStarts.length) throw new RangeError(`days ${o.first}..${o.last} start no strategic training episode`);
  // every read of a close goes through here, refused past the window: nothing after o.last can reach the model
  const closes = (d: number) => {
    if (d > o.last) throw new RangeError(`strategic training read day ${d}, after the training window (${o.last})`);
    return m.close[d]!;
  };
  const regimes = regimesUpTo(closes, o.last, m.dates);
  const K = layout.classes.length + 1;
  const model = strategicModel(K, cfg);
  const learner = new OnnxPpo(
    model,
    { kind: 'ppo', clipEps: cfg.clipEps },
    strategicPpoSettings(cfg),
    cfg.gradClipNorm,
    o.seed,
    o.run ?? {},
  );
  const bookRng = seedrandom(`${o.seed}|threelevel|strategic|books`);
  const batchRng = seedrandom(`${o.seed}|threelevel|strategic|minibatches`);
  const selector = new CheckpointSelector<ParamValues>(cfg.patience);
  const history: StrategicProgress[] = [];
  const perPass = cfg.epochs * Math.ceil(trainStarts.length / cfg.minibatch);
  const budget = cfg.iterations * perPass;
  const equal = new Float64Array(K).fill(1 / (K - 1));
  equal[K - 1] = 0;
  let iterations = 0;
  let episodes = 0;
  let stoppedEarly = false;

  const classesHeld = (h: Float64Array) => classWeightsOf(layout, h);
  const validate = (): void => {
    if (!validationStarts.length) return;
    let sum = 0;
    for (const t0 of validationStarts) {
      const h = bookOf(closes, layout, equal, t0, cfg.rebalanceEvery);
      const x = strategicFeatures(closes, t0, layout, regimes, classesHeld(h), cfg, o.macro);
      const target = learner.act({ x });
      sum += strategicOutcome(closes, layout, target, h, t0, horizon, cfg).reward;
    }
    const point = { iterations, updates: learner.updates, score: sum / validationStarts.length };
    history.push(point);
    selector.observe(history.length, point.score, () => learner.actorParams());
    o.onProgress?.(point);
  };

  try {
    while (iterations < cfg.iterations) {
      if (o.signal?.aborted) throw abortError(o.signal);
      const samples: StrategicSample[] = trainStarts.map((t0) => {
        const h = bookOf(closes, layout, drawAllocation(bookRng, K - 1, cfg), t0, cfg.rebalanceEvery);
        const x = strategicFeatures(closes, t0, layout, regimes, classesHeld(h), cfg, o.macro);
        const s = learner.sample({ x });
        const reward = strategicOutcome(closes, layout, s.action, h, t0, horizon, cfg).reward;
        return { x, u: s.u, logp: s.logp, value: s.value, reward };
      });
      episodes += samples.length;
      learnFromDecisions(learner, samples, cfg, batchRng, budget);
      iterations++;
      await new Promise<void>((r) => setImmediate(r));
      if (iterations % cfg.iterationsPerValidation === 0 || iterations === cfg.iterations) {
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
      iterations,
      episodes,
      updates: learner.updates,
      horizon,
      trainStarts: trainStarts.length,
      validationStarts: validationStarts.length,
      stoppedEarly,
      elapsedMs: Date.now() - started,
    };
  } finally {
    learner.dispose();
  }
}
