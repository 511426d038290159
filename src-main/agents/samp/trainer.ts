/**
 * Staged DDPG training of SAMP-HDRL (step 7 of the method; the paper: "the upper- and lower-level
 * agents are optimized in a staged manner").
 *
 *   Stage 1 ('upper'): the upper agent alone is the actor; the portfolio is its guidance w0 (fully invested).
 *   Stage 2 ('lower'): the upper agent is frozen (its w0 and embedding are computed once per day); the two lower
 *                      agents are the actor; the portfolio is the fused w = a w0 + (1 - a)(c1 w1 + c2 w2) with the
 *                      day's masks m1/m2 and capital split c1/c2 (after the rebound cap) supplied by `plan(t)`,
 *                      so actor gradients flow through the fusion into both lower agents.
 *   'flat' (ddpg-flat baseline): one unconditioned SLaK actor over all assets, portfolio = its softmax.
 * The actor loss carries an entropy bonus on each agent's softmax weights (SampConfig.entropyBonus; against
 * collapse into one asset). Each stage has its own critic Q(s, a, w^drift) (networks/critic.ts), re-initialised per
 * stage because the portfolio it values changes. Episode = one pass over the training days, starting in cash. Each
 * step: act with logit noise on the state (window features and drifted weights; in stage 2 also the frozen upper
 * agent's outputs for that state, the day's masks and split), step the environment (no-trade band, costs, turnover
 * penalty: env.ts), store (s, a, r, s'), and every `updateEvery` steps run one DDPG update on a replay minibatch.
 * Episode ends are time limits, not terminal states: targets always bootstrap (done = 0).
 *
 * Validated training (issue 15; selection.ts has the rules): a stage runs until it has made `updatesPerStage`
 * updates (cutting its last episode short), reached its episode cap, or stopped early. After every episode the
 * current policy runs deterministically over the validation environment (`validation`: the end of the training
 * window, never stepped in training — the training environment ends where it starts) and its net Sharpe ratio
 * scores the episode; the best-scoring episode's actor (and critic) is kept and is the stage's result (stage 2
 * starts from stage 1's chosen upper agent). Both learning rates follow `lrSchedule` over the update budget.
 * Without a validation environment the last episode is the result and nothing stops early.
 *
 * This loop (episodes, environment, noise, replay and its sampling, the stage-2 day plans) is the same code for both
 * training engines; acting and the update step go through the engine's `DdpgLearner` (engines.ts, learner.ts),
 * which sees plain float32 arrays; `algorithm` picks the update the learner runs (DDPG, TD3 for td3-flat or SAC for
 * sac-flat, with the same loop, replay and budget: a TD3 or SAC update is one step of both critics). A learner
 * with a stochastic policy (SAC) explores by sampling it (`explore`) instead of taking the logit noise; the
 * validation runs every learner's deterministic policy. Runs in plain Node; yields to the event loop every
 * `yieldEvery` steps so an AbortSignal fired from elsewhere is seen; aborting throws an AbortError.
 * An on-policy algorithm (PPO, ppo-flat; A2C, a2c-flat) has no replay: its flat stage runs the rollout loop of
 * onpolicy.ts instead.
 * What both loops do after an episode (validation, checkpoint selection, early stopping, the progress report) and
 * the records they write live in episodes.ts.
 */
import seedrandom from 'seedrandom';
import { ReplayBuffer } from '../replay';
import { LogitNoise } from '../noise';
import type { ParamValues } from '../../compute/params';
import type { PortfolioEnv } from './env';
import type { SampConfig } from './config';
import { isOnPolicy, type LearnerAlgorithm, type SampTrainEngine } from './engines';
import type { PolicyKind } from './policy';
import { stageNoiseInputs } from './stages';
import { learningRateScale } from './selection';
import {
  abortError,
  stack,
  stackSamples,
  StageBook,
  type Counters,
  type Sample,
  type StageResult,
  type StageSpec,
  type StageSummary,
  type TrainProgress,
} from './episodes';
import { runOnPolicyStage } from './onpolicy';

export type { StageSummary, TrainProgress, ValidationPoint, ValidationScore } from './episodes';

/** What the allocation logic fixes for day t in stage 2: group masks and capital fractions (after the cap). */
export interface DayPlan {
  /** ordinary-group mask (1 = member), length N */
  m1: Float32Array;
  /** high-quality-group mask, length N */
  m2: Float32Array;
  /** capital fraction of the ordinary group */
  c1: number;
  /** capital fraction of the high-quality group */
  c2: number;
}

/** Inputs of {@link trainSampAgents}. */
export interface SampTrainOptions {
  /** the training engine (engines.ts openSampEngine) */
  engine: SampTrainEngine;
  /** the training environment (its days are the only ones stepped in training) */
  env: PortfolioEnv;
  /** the validation environment (the period after the training environment's last day); none = no selection */
  validation?: PortfolioEnv;
  cfg: SampConfig;
  seed: number;
  /** 'hierarchical': stages 1 + 2; 'upper-only': stage 1; 'flat': the flat baseline */
  kind: PolicyKind;
  /** the update every stage's learner runs (engines.ts LearnerAlgorithm): 'ddpg' (default), 'td3', 'sac', or 'ppo' / 'a2c' (flat only) */
  algorithm?: LearnerAlgorithm;
  /** day plans for stage 2 (required for 'hierarchical'), for training and validation days */
  plan?: (t: number) => DayPlan;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** steps between yields to the event loop (default 32) */
  yieldEvery?: number;
}

/** Output of {@link trainSampAgents}. */
export interface SampTrainResult {
  /** actor parameters of the policy (upper + lower1 + lower2, upper only, or flat): each stage's chosen checkpoint */
  actor: ParamValues;
  /** each stage's critic at its chosen checkpoint (for continued training) */
  critics: Partial<Record<'upper' | 'lower' | 'flat', ParamValues>>;
  history: TrainProgress[];
  /** per stage: episodes, updates, chosen checkpoint and validation curve */
  stages: StageSummary[];
  updates: number;
  envSteps: number;
  elapsedMs: number;
}

interface Transition {
  /** decision day */
  t: number;
  s: Sample;
  a: Float32Array;
  r: number;
  s2: Sample;
}

async function runStage(
  o: SampTrainOptions,
  spec: StageSpec,
  counters: Counters,
  history: TrainProgress[],
  seedOffset: number,
): Promise<StageResult> {
  const { env, cfg } = o;
  const N = env.nAssets;
  const d = cfg.ddpg;
  const learner = o.engine.learner(spec.stage, cfg, N, o.seed + seedOffset, o.algorithm ?? 'ddpg');
  const buffer = new ReplayBuffer<Transition>(d.bufferSize);
  const noiseRng = seedrandom(`${o.seed}|noise|${spec.stage}`);
  const replayRng = seedrandom(`${o.seed}|replay|${spec.stage}`);
  const nNoise = stageNoiseInputs(spec.stage);
  const noises = Array.from({ length: nNoise }, () => new LogitNoise(d.noise, N, noiseRng));
  const book = new StageBook(o, spec, counters, history, cfg.updatesPerStage, nNoise);
  const budget = book.budget;
  const yieldEvery = o.yieldEvery ?? 32;
  const first = env.opts.firstDay;
  const last = env.opts.lastDay;
  let lrScale = learningRateScale(cfg, 0, budget);
  try {
    for (let e = 0; e < spec.maxEpisodes; e++) {
      if (book.budgetSpent()) break;
      book.episodes++;
      noises.forEach((z) => z.startEpisode(e));
      let wprev = new Float32Array(N);
      let s = spec.sample(env, first, wprev);
      let epReward = 0;
      let epTurnover = 0;
      let epSteps = 0;
      let cSum = 0;
      let aSum = 0;
      let nUpd = 0;
      let nAct = 0;
      let sigma = noises[0]?.currentSigma ?? 0;
      for (let t = first; t < last; t++) {
        if (o.signal?.aborted) throw abortError(o.signal);
        if ((t - first) % yieldEvery === yieldEvery - 1) {
          await new Promise<void>((r) => setImmediate(r));
          if (o.signal?.aborted) throw abortError(o.signal);
        }
        // act with exploration noise on the logits, or by sampling a stochastic policy
        let action: Float32Array;
        if (learner.explore) {
          const x = learner.explore(s);
          action = x.action;
          sigma = x.std;
        } else
          action = learner.act(
            s,
            noises.map((z) => z.sample()),
          );
        const res = env.step(t, action, wprev);
        const wnext = Float32Array.from(res.drifted);
        const s2 = spec.sample(env, t + 1, wnext);
        buffer.push({ t, s, a: action, r: res.reward, s2 });
        epReward += res.reward;
        epTurnover += res.turnover;
        epSteps++;
        s = s2;
        wprev = wnext;
        counters.steps++;
        if (buffer.size >= Math.max(d.warmup, d.batchSize) && counters.steps % d.updateEvery === 0) {
          lrScale = learningRateScale(cfg, book.updates, budget);
          learner.setLearningRateScale(lrScale);
          const batch = buffer.sample(d.batchSize, replayRng);
          const losses = learner.update({
            s: stackSamples(batch.map((b) => b.s)),
            s2: stackSamples(batch.map((b) => b.s2)),
            a: stack(batch.map((b) => b.a)),
            r: Float32Array.from(batch, (b) => b.r),
            done: new Float32Array(batch.length),
          });
          cSum += losses.criticLoss;
          // an update that did not step the actor (TD3's delay) has no actor loss
          if (losses.actorStepped !== false) {
            aSum += losses.actorLoss;
            nAct++;
          }
          nUpd++;
          book.updates++;
          counters.updates++;
          if (book.updates >= budget) break;
        }
      }
      const stop = book.endEpisode(learner, e, {
        reward: epReward,
        turnover: epSteps ? epTurnover / epSteps : 0,
        criticLoss: nUpd ? cSum / nUpd : Number.NaN,
        actorLoss: nAct ? aSum / nAct : Number.NaN,
        sigma,
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

/**
 * Train the agents of a SAMP-HDRL variant (see file overview) on `env` with DDPG, choosing each stage's checkpoint
 * on `validation`. Deterministic for a given seed, config and engine. Gives the policy's actor parameters, the
 * critics, the per-episode history and the per-stage summaries.
 */
export async function trainSampAgents(o: SampTrainOptions): Promise<SampTrainResult> {
  const { env, cfg } = o;
  if (o.validation && o.validation.opts.firstDay < env.opts.lastDay) {
    throw new RangeError(
      `the validation period (from day ${o.validation.opts.firstDay}) overlaps the training period (to day ${env.opts.lastDay})`,
    );
  }
  const counters: Counters = {
    steps: 0,
    updates: 0,
    t0: Date.now(),
    stages: o.kind === 'hierarchical' ? 2 : 1,
    stageIndex: 0,
  };
  const history: TrainProgress[] = [];
  const stages: StageSummary[] = [];
  const xw = (e: PortfolioEnv, t: number, wprev: Float32Array): Sample => ({ x: e.features(t), wprev });
  const actor: ParamValues = new Map();
  const critics: SampTrainResult['critics'] = {};
  const done = () => ({
    actor,
    critics,
    history,
    stages,
    updates: counters.updates,
    envSteps: counters.steps,
    elapsedMs: Date.now() - counters.t0,
  });

  if (o.kind !== 'flat' && isOnPolicy(o.algorithm ?? 'ddpg'))
    throw new Error(`${(o.algorithm ?? '').toUpperCase()} trains the flat agent only, not the ${o.kind} policy`);
  if (o.kind === 'flat') {
    const spec: StageSpec = { stage: 'flat', maxEpisodes: cfg.flatEpisodes, sample: xw };
    const algorithm = o.algorithm ?? 'ddpg';
    const flat = isOnPolicy(algorithm)
      ? await runOnPolicyStage({ ...o, algorithm }, spec, counters, history)
      : await runStage(o, spec, counters, history, 0);
    for (const [k, v] of flat.actor) actor.set(k, v);
    critics.flat = flat.critic;
    stages.push(flat.summary);
    return done();
  }

  // Stage 1: upper agent alone
  const up = await runStage(o, { stage: 'upper', maxEpisodes: cfg.stage1Episodes, sample: xw }, counters, history, 0);
  for (const [k, v] of up.actor) actor.set(k, v);
  critics.upper = up.critic;
  stages.push(up.summary);
  if (o.kind === 'upper-only') return done();

  // Stage 2: lower agents with the (chosen) upper agent frozen
  const plan = o.plan;
  if (!plan) throw new Error('hierarchical training needs day plans (masks and capital split)');
  const runner = await o.engine.upperRunner(cfg, env.nAssets, up.actor);
  try {
    const plans = new Map<number, { m1: Float32Array; m2: Float32Array; c1: Float32Array; c2: Float32Array }>();
    const planAt = (t: number) => {
      let p = plans.get(t);
      if (!p) {
        const q = plan(t);
        p = { m1: q.m1, m2: q.m2, c1: Float32Array.of(q.c1), c2: Float32Array.of(q.c2) };
        plans.set(t, p);
      }
      return p;
    };
    const lowerSample = (e: PortfolioEnv, t: number, wprev: Float32Array): Sample => {
      const x = e.features(t);
      const u = runner.run(x, wprev, 1);
      const p = planAt(t);
      return { x, wprev, w0: u.w0, emb: u.emb, m1: p.m1, m2: p.m2, c1: p.c1, c2: p.c2 };
    };
    const lo = await runStage(
      o,
      { stage: 'lower', maxEpisodes: cfg.stage2Episodes, sample: lowerSample },
      counters,
      history,
      100,
    );
    for (const [k, v] of lo.actor) actor.set(k, v);
    critics.lower = lo.critic;
    stages.push(lo.summary);
  } finally {
    await runner.dispose();
  }
  return done();
}
