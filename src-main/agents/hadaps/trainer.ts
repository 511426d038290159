/**
 * HADAPS's training (docs/hadaps.md "Training"; the paper's Algorithm 1 with the validated, cost-controlled training
 * every learned strategy here gets): one stage in which the whole hierarchy — the inter-class layer and every
 * intra-class layer — learns at once with SAC (compute/train/hadaps.ts).
 *
 * Episode = one pass over the training days, starting in cash. Each day t: the states at t (features.ts, with the
 * drifted weights held), an action sampled from the current policy (decision-mode means plus the Gaussian's noise),
 * the environment's step (no-trade band, costs, turnover penalty: agents/samp/env.ts, with the paper's simple-return
 * reward or the net log return), the transition (s, w, 100 x reward, s') into the replay buffer (4,000 by default),
 * and once the buffer holds `warmup` transitions one update per day on a uniform minibatch. Episode ends are time
 * limits, not terminal states (done = 0).
 *
 * After every episode the deterministic policy runs over the validation period and its net Sharpe ratio scores it;
 * the best episode's policy is the model (agents/samp/episodes.ts StageBook and selection.ts, the same rules as
 * SAMP-HDRL and the flat baselines), training stops after `patience` episodes without a better score, at the
 * update budget or at the episode cap; the learning rates follow the cosine schedule over the budget.
 */
import seedrandom from 'seedrandom';
import type { ParamValues } from '../../compute/params';
import { OnnxHadaps, splitCheckpoint, type HadapsWarmState } from '../../compute/train/hadapsLearner';
import { TWIN_PREFIX } from '../../compute/train/twin';
import type { TrainRunOptions } from '../../compute/train/session';
import { ReplayBuffer } from '../replay';
import type { PortfolioEnv } from '../samp/env';
import {
  abortError,
  stack,
  stackSamples,
  StageBook,
  type Sample,
  type StageSpec,
  type StageSummary,
  type TrainProgress,
} from '../samp/episodes';
import { learningRateScale } from '../samp/selection';
import type { HadapsConfig } from './config';
import type { HadapsShape } from './network';

/** The reward's multiplier: the paper's 100 (rewards in percent), for either reward. */
export const REWARD_PERCENT = 100;

/** Inputs of {@link trainHadaps}. */
export interface HadapsTrainOptions {
  sh: HadapsShape;
  cfg: HadapsConfig;
  /** the training environment (its days are the only ones stepped in training) */
  env: PortfolioEnv;
  /** the validation environment (after the training environment's last day); none = no selection */
  validation?: PortfolioEnv;
  /** the states at day t of `env` holding drifted weights `wprev` (p, v, wprev) */
  sample(env: PortfolioEnv, t: number, wprev: Float32Array): Sample;
  seed: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** steps between yields to the event loop (default 32) */
  yieldEvery?: number;
  /** where the update runs (ONNX Runtime provider) */
  run?: TrainRunOptions;
  /** start from these networks (a warm start from the previous month's model) instead of the seeded draw */
  init?: HadapsWarmState;
}

/** Output of {@link trainHadaps}. */
export interface HadapsTrainResult {
  /** decision-time policy parameters of the chosen checkpoint (network.ts policyInferSpecs) */
  actor: ParamValues;
  critic: ParamValues;
  /** the chosen checkpoint's networks, for a warm start of the next model */
  warm: HadapsWarmState;
  summary: StageSummary;
  history: TrainProgress[];
  updates: number;
  envSteps: number;
  elapsedMs: number;
}

interface Transition {
  s: Sample;
  a: Float32Array;
  r: number;
  s2: Sample;
}

/** Train a HADAPS policy (see the file overview). Deterministic for a given seed and config. */
export async function trainHadaps(o: HadapsTrainOptions): Promise<HadapsTrainResult> {
  const { env, cfg } = o;
  if (o.validation && o.validation.opts.firstDay < env.opts.lastDay)
    throw new RangeError(
      `the validation period (from day ${o.validation.opts.firstDay}) overlaps the training period (to day ${env.opts.lastDay})`,
    );
  const counters = { steps: 0, updates: 0, t0: Date.now(), stages: 1, stageIndex: 0 };
  const history: TrainProgress[] = [];
  const spec: StageSpec<'hadaps'> = { stage: 'hadaps', maxEpisodes: cfg.maxEpisodes, sample: o.sample };
  const learner = new OnnxHadaps(o.sh, cfg, o.seed, {
    batchSize: cfg.batchSize,
    ...(o.run ?? {}),
    ...(o.init ? { init: o.init } : {}),
  });
  const buffer = new ReplayBuffer<Transition>(cfg.bufferSize);
  const replayRng = seedrandom(`${o.seed}|hadaps|replay`);
  const book = new StageBook(o, spec, counters, history, cfg.updates, 0);
  const yieldEvery = o.yieldEvery ?? 32;
  const first = env.opts.firstDay;
  const last = env.opts.lastDay;
  let lrScale = learningRateScale(cfg, 0, cfg.updates);
  try {
    for (let e = 0; e < cfg.maxEpisodes; e++) {
      if (book.budgetSpent()) break;
      book.episodes++;
      let wprev = new Float32Array(env.nAssets);
      let s = o.sample(env, first, wprev);
      let reward = 0;
      let turnover = 0;
      let steps = 0;
      let cSum = 0;
      let aSum = 0;
      let nUpd = 0;
      let sigma = 0;
      for (let t = first; t < last; t++) {
        if (o.signal?.aborted) throw abortError(o.signal);
        if ((t - first) % yieldEvery === yieldEvery - 1) {
          await new Promise<void>((r) => setImmediate(r));
          if (o.signal?.aborted) throw abortError(o.signal);
        }
        const x = learner.explore(s);
        sigma = x.std;
        const res = env.step(t, x.action, wprev);
        const wnext = Float32Array.from(res.drifted);
        const s2 = o.sample(env, t + 1, wnext);
        const r = REWARD_PERCENT * res.reward;
        buffer.push({ s, a: x.action, r, s2 });
        reward += r;
        turnover += res.turnover;
        steps++;
        s = s2;
        wprev = wnext;
        counters.steps++;
        if (buffer.size >= Math.max(cfg.warmup, cfg.batchSize)) {
          lrScale = learningRateScale(cfg, book.updates, cfg.updates);
          learner.setLearningRateScale(lrScale);
          const batch = buffer.sample(cfg.batchSize, replayRng);
          const losses = learner.update({
            s: stackSamples(batch.map((b) => b.s)),
            s2: stackSamples(batch.map((b) => b.s2)),
            a: stack(batch.map((b) => b.a)),
            r: Float32Array.from(batch, (b) => b.r),
            done: new Float32Array(batch.length),
          });
          cSum += losses.criticLoss;
          aSum += losses.actorLoss;
          nUpd++;
          book.updates++;
          counters.updates++;
          if (book.updates >= cfg.updates) break;
        }
      }
      const stop = book.endEpisode(learner, e, {
        reward,
        turnover: steps ? turnover / steps : 0,
        criticLoss: nUpd ? cSum / nUpd : Number.NaN,
        actorLoss: nUpd ? aSum / nUpd : Number.NaN,
        sigma,
        lrScale,
      });
      if (stop) break;
    }
    const res = book.result(learner);
    const parts = splitCheckpoint(res.actor);
    const critic1: ParamValues = new Map();
    const critic2: ParamValues = new Map();
    for (const [k, v] of res.critic)
      if (k.startsWith(TWIN_PREFIX)) critic2.set(k.slice(TWIN_PREFIX.length), v);
      else critic1.set(k, v);
    return {
      actor: parts.infer,
      critic: res.critic,
      warm: { actor: parts.actor, stats: parts.stats, critic1, critic2 },
      summary: res.summary,
      history,
      updates: counters.updates,
      envSteps: counters.steps,
      elapsedMs: Date.now() - counters.t0,
    };
  } finally {
    learner.dispose();
  }
}
