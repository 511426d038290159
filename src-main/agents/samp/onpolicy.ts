/**
 * The on-policy training loop of the flat agent (ppo-flat, a2c-flat; docs/drl-baselines.md), beside the replay loop of
 * trainer.ts and on the same environment (env.ts: the holdings-aware state, costs, turnover penalty and no-trade
 * band), the same validation, checkpoint selection, early stopping and learning-rate schedule (episodes.ts
 * StageBook, selection.ts), and the same budget in updates.
 *
 * An episode is one pass over the training days from cash. During it the learner's stochastic policy acts (a sample
 * of its Gaussian over the logits, action = softmax(u)), and every `rolloutSteps` steps — or at the episode's end,
 * whichever comes first, so a rollout never spans two episodes — the rollout is learned from and dropped:
 *   1. advantages by GAE(lambda) and returns R = A + V(s) ({@link gae}), with rewards times `ddpg.rewardScale`;
 *      the last step of a rollout bootstraps from V of the state after it (episode ends are time limits, as in the
 *      replay loop, so nothing is terminal);
 *   2. PPO: `epochs` passes, each over a fresh seeded shuffle of the rollout cut into minibatches of `minibatch`
 *      samples (the last one smaller when the rollout does not divide), one gradient step each — one update of the
 *      budget per step. A2C: one pass, the whole rollout as one minibatch in its own order: one gradient step per
 *      rollout (a single full batch is the same set of samples in any order, so there is nothing to shuffle).
 *      The learning-rate schedule follows the stage's updates as in the replay loop.
 * A stage ends when the budget is spent (in the middle of a pass if need be), after its episode cap, or by early
 * stopping; the chosen checkpoint is the best validation episode's actor and value network.
 */
import seedrandom from 'seedrandom';
import type { OnPolicyLearner } from '../learner';
import type { SampConfig } from './config';
import { A2C_DEFAULTS, PPO_DEFAULTS } from './config';
import type { OnPolicyAlgorithm, SampTrainEngine } from './engines';
import type { PortfolioEnv } from './env';
import {
  abortError,
  stack,
  stackSamples,
  StageBook,
  type Counters,
  type Sample,
  type StageResult,
  type StageSpec,
  type TrainProgress,
} from './episodes';
import { learningRateScale } from './selection';

/**
 * Generalised advantage estimation (Schulman et al. 2016) over a rollout of n steps, in float64:
 *   delta_t = r_t + gamma (1 - done_t) V(s'_t) - V(s_t)
 *   A_t     = delta_t + gamma lambda (1 - done_t) (1 - cut_t) A_{t+1}          (A_n = 0)
 *   R_t     = A_t + V(s_t)
 * `values[t]` is V(s_t), `nextValues[t]` V(s'_t) of the state the step led to; `done[t]` marks a terminal state (no
 * bootstrap), `cut[t]` a step after which the next row is not its successor (an episode ended by its time limit, or
 * the rollout's end): its V(s'_t) still bootstraps, but no advantage flows back across it.
 */
export function gae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  nextValues: ArrayLike<number>,
  done: ArrayLike<boolean>,
  cut: ArrayLike<boolean>,
  gamma: number,
  lambda: number,
): { adv: Float64Array; ret: Float64Array } {
  const n = rewards.length;
  for (const [k, a] of [
    ['values', values],
    ['nextValues', nextValues],
    ['done', done],
    ['cut', cut],
  ] as const)
    if (a.length !== n) throw new RangeError(`gae: ${k} has ${a.length} entries, rewards ${n}`);
  const adv = new Float64Array(n);
  const ret = new Float64Array(n);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const live = done[t] ? 0 : 1;
    const delta = rewards[t]! + gamma * live * nextValues[t]! - values[t]!;
    next = delta + gamma * lambda * live * (cut[t] ? 0 : 1) * next;
    adv[t] = next;
    ret[t] = next + values[t]!;
  }
  return { adv, ret };
}

/** What the on-policy loop reads of the training options (trainer.ts SampTrainOptions). */
export interface OnPolicyStageOptions {
  engine: SampTrainEngine;
  env: PortfolioEnv;
  validation?: PortfolioEnv;
  cfg: SampConfig;
  seed: number;
  algorithm: OnPolicyAlgorithm;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** steps between yields to the event loop (default 32) */
  yieldEvery?: number;
}

/** One step of a rollout. */
interface Step {
  s: Sample;
  u: Float32Array;
  logp: number;
  value: number;
  /** the unscaled reward */
  r: number;
}

/** How the loop collects and passes over rollouts. */
interface RolloutPlan {
  rolloutSteps: number;
  epochs: number;
  minibatch: number;
  /** whether each pass shuffles the rollout (PPO's minibatches); A2C's one full batch keeps the rollout's order */
  shuffle: boolean;
  gamma: number;
  gaeLambda: number;
}

/** The algorithm's settings as the loop uses them: PPO's as configured, A2C's as one pass in one minibatch. */
function rolloutPlan(cfg: SampConfig, algorithm: OnPolicyAlgorithm): RolloutPlan {
  if (algorithm === 'a2c') {
    const a = cfg.a2c ?? A2C_DEFAULTS;
    // the last rollout of an episode may be shorter, never longer, so a minibatch of rolloutSteps holds all of it
    const whole = { epochs: 1, minibatch: a.rolloutSteps, shuffle: false };
    return { rolloutSteps: a.rolloutSteps, ...whole, gamma: a.gamma, gaeLambda: a.gaeLambda };
  }
  const p = cfg.ppo ?? PPO_DEFAULTS;
  return {
    rolloutSteps: p.rolloutSteps,
    epochs: p.epochs,
    minibatch: p.minibatch,
    shuffle: true,
    gamma: p.gamma,
    gaeLambda: p.gaeLambda,
  };
}

/** In-place Fisher-Yates shuffle of 0..n-1 with `rng`. */
function permutation(n: number, rng: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

/** Train the flat agent on-policy (see the file overview); gives the chosen checkpoint and the stage summary. */
export async function runOnPolicyStage(
  o: OnPolicyStageOptions,
  spec: StageSpec,
  counters: Counters,
  history: TrainProgress[],
): Promise<StageResult> {
  const { env, cfg } = o;
  if (!o.engine.onPolicyLearner)
    throw new Error(
      `the ${o.engine.label} training engine has no on-policy learner, so it cannot train ${o.algorithm.toUpperCase()}`,
    );
  const learner: OnPolicyLearner = o.engine.onPolicyLearner(cfg, env.nAssets, o.seed, o.algorithm);
  const p = rolloutPlan(cfg, o.algorithm);
  const scale = cfg.ddpg.rewardScale;
  const shuffleRng = seedrandom(`${o.seed}|${o.algorithm}|minibatches`);
  const book = new StageBook(o, spec, counters, history, cfg.updatesPerStage, 1);
  const budget = book.budget;
  const yieldEvery = o.yieldEvery ?? 32;
  const first = env.opts.firstDay;
  const last = env.opts.lastDay;
  let lrScale = learningRateScale(cfg, 0, budget);
  try {
    for (let e = 0; e < spec.maxEpisodes; e++) {
      if (book.budgetSpent()) break;
      book.episodes++;
      let wprev = new Float32Array(env.nAssets);
      let s = spec.sample(env, first, wprev);
      let rollout: Step[] = [];
      const ep = { reward: 0, turnover: 0, steps: 0, vSum: 0, pSum: 0, nUpd: 0, sigma: 0 };
      /** learn from the rollout ending in state `sNext`; false once the budget is spent */
      const learn = (sNext: Sample): boolean => {
        const n = rollout.length;
        const values = rollout.map((x) => x.value);
        const nextValues = values.slice(1);
        nextValues.push(learner.value(sNext));
        const { adv, ret } = gae(
          rollout.map((x) => scale * x.r),
          values,
          nextValues,
          new Array<boolean>(n).fill(false),
          Array.from({ length: n }, (_, k) => k === n - 1),
          p.gamma,
          p.gaeLambda,
        );
        for (let epoch = 0; epoch < p.epochs; epoch++) {
          const order = p.shuffle ? permutation(n, shuffleRng) : Array.from({ length: n }, (_, i) => i);
          for (let k = 0; k < n; k += p.minibatch) {
            const idx = order.slice(k, k + p.minibatch);
            lrScale = learningRateScale(cfg, book.updates, budget);
            learner.setLearningRateScale(lrScale);
            const losses = learner.update({
              s: stackSamples(idx.map((i) => rollout[i]!.s)),
              u: stack(idx.map((i) => rollout[i]!.u)),
              logp: Float32Array.from(idx, (i) => rollout[i]!.logp),
              adv: Float32Array.from(idx, (i) => adv[i]!),
              ret: Float32Array.from(idx, (i) => ret[i]!),
            });
            ep.vSum += losses.valueLoss;
            ep.pSum += losses.policyLoss;
            ep.nUpd++;
            book.updates++;
            counters.updates++;
            if (book.updates >= budget) return false;
          }
        }
        return true;
      };
      for (let t = first; t < last; t++) {
        if (o.signal?.aborted) throw abortError(o.signal);
        if ((t - first) % yieldEvery === yieldEvery - 1) {
          await new Promise<void>((r) => setImmediate(r));
          if (o.signal?.aborted) throw abortError(o.signal);
        }
        const x = learner.sample(s);
        ep.sigma = x.std;
        const res = env.step(t, x.action, wprev);
        const wnext = Float32Array.from(res.drifted);
        const s2 = spec.sample(env, t + 1, wnext);
        rollout.push({ s, u: x.u, logp: x.logp, value: x.value, r: res.reward });
        ep.reward += res.reward;
        ep.turnover += res.turnover;
        ep.steps++;
        counters.steps++;
        s = s2;
        wprev = wnext;
        if (rollout.length === p.rolloutSteps || t === last - 1) {
          const more = learn(s2);
          rollout = [];
          if (!more) break;
        }
      }
      const stop = book.endEpisode(learner, e, {
        reward: ep.reward,
        turnover: ep.steps ? ep.turnover / ep.steps : 0,
        criticLoss: ep.nUpd ? ep.vSum / ep.nUpd : Number.NaN,
        actorLoss: ep.nUpd ? ep.pSum / ep.nUpd : Number.NaN,
        sigma: ep.sigma,
        lrScale,
      });
      if (stop) break;
    }
    return book.result(learner);
  } finally {
    learner.dispose();
    counters.stageIndex++;
  }
}
