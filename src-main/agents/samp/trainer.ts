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
 */
import seedrandom from 'seedrandom';
import type { DdpgLearner, StateArrays } from '../learner';
import { ReplayBuffer } from '../replay';
import { LogitNoise } from '../noise';
import type { ParamValues } from '../../compute/params';
import type { PortfolioEnv } from './env';
import type { SampConfig } from './config';
import type { LearnerAlgorithm, SampTrainEngine } from './engines';
import type { PolicyKind } from './policy';
import { stageNoiseInputs, type SampStage } from './stages';
import { CheckpointSelector, learningRateScale, netSharpe } from './selection';

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

/** Progress report, once per episode. */
export interface TrainProgress {
  stage: 'upper' | 'lower' | 'flat';
  /** 1-based episode within the stage */
  episode: number;
  /** the stage's episode cap */
  episodes: number;
  /** environment steps taken so far in the whole run */
  step: number;
  /** episode reward: sum of the daily rewards (log growth net of costs minus the turnover penalty, with noise) */
  reward: number;
  /** mean daily one-way turnover over the episode (with noise) */
  turnover: number;
  /** mean critic loss over the episode's updates (NaN when none ran) */
  criticLoss: number;
  /** mean actor loss (-Q) over the episode's updates that stepped the actor (NaN when none did) */
  actorLoss: number;
  /** milliseconds since training started */
  elapsedMs: number;
  /** DDPG updates so far in the whole run */
  updates: number;
  /** DDPG updates so far in this stage */
  stageUpdates: number;
  /** exploration sigma used in the episode: the logit noise's, or a stochastic policy's mean std at its last step */
  sigma: number;
  /** learning-rate factor of the episode's last update */
  lrScale: number;
  /** the policy after this episode on the validation period (absent without one) */
  validation?: ValidationScore;
  /** share of the whole training's update budget spent, 0..1 */
  fraction: number;
}

/** A policy's deterministic run over the validation period (with costs and the no-trade band, from cash). */
export interface ValidationScore {
  /** annualised Sharpe ratio of the daily net returns */
  sharpe: number;
  /** net return over the period (value multiple - 1) */
  netReturn: number;
  /** mean daily one-way turnover */
  turnover: number;
}

/** One point of a stage's validation curve. */
export interface ValidationPoint extends ValidationScore {
  episode: number;
  /** the stage's updates when the episode ended */
  updates: number;
}

/** What a stage did and which checkpoint it chose. */
export interface StageSummary {
  stage: SampStage;
  /** episodes run (the last may have been cut short by the update budget) */
  episodes: number;
  updates: number;
  /** why the stage ended: its update budget, its episode cap, or early stopping */
  endedBy: 'budget' | 'episodes' | 'patience';
  /** the 1-based episode whose policy the stage kept (the last one without validation; null when none ran) */
  chosenEpisode: number | null;
  /** the chosen episode's validation score (null without validation) */
  chosen: ValidationScore | null;
  /** validation score after every episode (empty without validation) */
  validation: ValidationPoint[];
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
  /** the update every stage's learner runs (engines.ts LearnerAlgorithm): 'ddpg' (default), 'td3' or 'sac' */
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

/** A per-sample state: every state input of the stage for one day and one set of drifted weights. */
type Sample = Record<string, Float32Array>;

interface Transition {
  /** decision day */
  t: number;
  s: Sample;
  a: Float32Array;
  r: number;
  s2: Sample;
}

function abortError(signal: AbortSignal): Error {
  const r = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('training aborted');
  e.name = 'AbortError';
  return e;
}

/** Stack per-sample Float32Arrays into one buffer. */
function stack(rows: Float32Array[]): Float32Array {
  const n = rows[0]!.length;
  const out = new Float32Array(rows.length * n);
  rows.forEach((r, k) => out.set(r, k * n));
  return out;
}

/** A minibatch's state inputs from its samples. */
function stackSamples(samples: Sample[]): StateArrays {
  const out: StateArrays = {};
  for (const k of Object.keys(samples[0]!)) out[k] = stack(samples.map((s) => s[k]!));
  return out;
}

interface StageSpec {
  stage: SampStage;
  maxEpisodes: number;
  /** the state at day t of `env` holding drifted weights `wprev` */
  sample(env: PortfolioEnv, t: number, wprev: Float32Array): Sample;
}

interface Counters {
  steps: number;
  updates: number;
  t0: number;
  /** stages of the whole run, and the index of the running one (for the progress fraction) */
  stages: number;
  stageIndex: number;
}

/** The policy of `learner` run without noise over `env` from cash (see ValidationScore). */
function validate(learner: DdpgLearner, spec: StageSpec, env: PortfolioEnv, noiseInputs: number): ValidationScore {
  const N = env.nAssets;
  const zeros = Array.from({ length: noiseInputs }, () => new Float32Array(N));
  const rets: number[] = [];
  let turnover = 0;
  let value = 1;
  let wprev = new Float32Array(N);
  for (let t = env.opts.firstDay; t < env.opts.lastDay; t++) {
    const a = learner.act(spec.sample(env, t, wprev), zeros);
    const res = env.step(t, a, wprev);
    const growth = (1 - res.cost) * res.growth;
    rets.push(growth - 1);
    value *= growth;
    turnover += res.turnover;
    wprev = Float32Array.from(res.drifted);
  }
  return { sharpe: netSharpe(rets), netReturn: value - 1, turnover: rets.length ? turnover / rets.length : 0 };
}

interface StageResult {
  actor: ParamValues;
  critic: ParamValues;
  summary: StageSummary;
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
  const budget = cfg.updatesPerStage;
  const learner = o.engine.learner(spec.stage, cfg, N, o.seed + seedOffset, o.algorithm ?? 'ddpg');
  const buffer = new ReplayBuffer<Transition>(d.bufferSize);
  const noiseRng = seedrandom(`${o.seed}|noise|${spec.stage}`);
  const replayRng = seedrandom(`${o.seed}|replay|${spec.stage}`);
  const nNoise = stageNoiseInputs(spec.stage);
  const noises = Array.from({ length: nNoise }, () => new LogitNoise(d.noise, N, noiseRng));
  const selector = new CheckpointSelector<{ actor: ParamValues; critic: ParamValues }>(o.validation ? cfg.patience : 0);
  const curve: ValidationPoint[] = [];
  const yieldEvery = o.yieldEvery ?? 32;
  const first = env.opts.firstDay;
  const last = env.opts.lastDay;
  let stageUpdates = 0;
  let lrScale = learningRateScale(cfg, 0, budget);
  let episodes = 0;
  let endedBy: StageSummary['endedBy'] = 'episodes';
  try {
    for (let e = 0; e < spec.maxEpisodes; e++) {
      if (stageUpdates >= budget) {
        endedBy = 'budget';
        break;
      }
      episodes++;
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
          lrScale = learningRateScale(cfg, stageUpdates, budget);
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
          stageUpdates++;
          counters.updates++;
          if (stageUpdates >= budget) break;
        }
      }
      let validation: ValidationScore | undefined;
      if (o.validation) {
        validation = validate(learner, spec, o.validation, nNoise);
        curve.push({ episode: e + 1, updates: stageUpdates, ...validation });
        selector.observe(e + 1, validation.sharpe, () => ({
          actor: learner.actorParams(),
          critic: learner.criticParams(),
        }));
      }
      // the stage ends after this episode by early stopping, its episode cap or its update budget
      const ending = selector.stop || e + 1 >= spec.maxEpisodes || stageUpdates >= budget;
      const p: TrainProgress = {
        stage: spec.stage,
        episode: e + 1,
        episodes: spec.maxEpisodes,
        step: counters.steps,
        reward: epReward,
        turnover: epSteps ? epTurnover / epSteps : 0,
        criticLoss: nUpd ? cSum / nUpd : Number.NaN,
        actorLoss: nAct ? aSum / nAct : Number.NaN,
        elapsedMs: Date.now() - counters.t0,
        updates: counters.updates,
        stageUpdates,
        sigma,
        lrScale,
        ...(validation ? { validation } : {}),
        fraction:
          (counters.stageIndex +
            (ending ? 1 : Math.min(1, Math.max(budget > 0 ? stageUpdates / budget : 1, (e + 1) / spec.maxEpisodes)))) /
          counters.stages,
      };
      history.push(p);
      o.onProgress?.(p);
      if (selector.stop) {
        endedBy = 'patience';
        break;
      }
      if (stageUpdates >= budget) endedBy = 'budget';
    }
    const best = selector.best;
    const kept = best ? best.value : { actor: learner.actorParams(), critic: learner.criticParams() };
    const chosen = best ? curve.find((c) => c.episode === best.episode)! : null;
    return {
      actor: kept.actor,
      critic: kept.critic,
      summary: {
        stage: spec.stage,
        episodes,
        updates: stageUpdates,
        endedBy,
        chosenEpisode: best ? best.episode : episodes > 0 ? episodes : null,
        chosen: chosen ? { sharpe: chosen.sharpe, netReturn: chosen.netReturn, turnover: chosen.turnover } : null,
        validation: curve,
      },
    };
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

  if (o.kind === 'flat') {
    const flat = await runStage(o, { stage: 'flat', maxEpisodes: cfg.flatEpisodes, sample: xw }, counters, history, 0);
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
