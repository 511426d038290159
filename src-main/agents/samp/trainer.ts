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
 * The actor loss carries an entropy bonus on each agent's softmax weights (DdpgConfig.entropyCoef; against
 * collapse into one asset). Each stage has its own critic Q(s, a, w^drift) (networks/critic.ts), re-initialised per stage because the
 * portfolio it values changes. Episode = one pass over the training days, starting in cash. Each step: act
 * with logit noise, step the environment, store (t, a, w^drift, r, w^drift_next), and every `updateEvery`
 * steps run one DDPG update on a replay minibatch. The state of a transition is a pure function of its day
 * index (plus the stored drifted weights), so the buffer stores day indices, not windows.
 * Episode ends are time limits, not terminal states: targets always bootstrap (done = 0).
 *
 * This loop (episodes, environment, noise, replay and its sampling, the stage-2 day plans) is the same code for both
 * training engines; acting and the update step go through the engine's `DdpgLearner` (engines.ts, learner.ts),
 * which sees plain float32 arrays. Runs in plain Node; yields to the event loop every `yieldEvery` steps so an
 * AbortSignal fired from elsewhere is seen; aborting throws an AbortError.
 */
import seedrandom from 'seedrandom';
import type { DdpgLearner, StateArrays } from '../learner';
import { ReplayBuffer } from '../replay';
import { LogitNoise } from '../noise';
import type { ParamValues } from '../../compute/params';
import type { PortfolioEnv } from './env';
import type { SampConfig } from './config';
import type { SampTrainEngine } from './engines';
import type { PolicyKind } from './policy';
import { stageNoiseInputs, type SampStage } from './stages';

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
  /** episodes in the stage */
  episodes: number;
  /** environment steps taken so far in the whole run */
  step: number;
  /** episode reward: sum of daily log growth net of costs (= log of the episode's wealth multiple, with noise) */
  reward: number;
  /** mean critic loss over the episode's updates (NaN when none ran) */
  criticLoss: number;
  /** mean actor loss (-Q) over the episode's updates (NaN when none ran) */
  actorLoss: number;
  /** milliseconds since training started */
  elapsedMs: number;
  /** DDPG updates so far in the whole run */
  updates: number;
  /** exploration sigma used in the episode */
  sigma: number;
}

/** Inputs of {@link trainSampAgents}. */
export interface SampTrainOptions {
  /** the training engine (engines.ts openSampEngine) */
  engine: SampTrainEngine;
  env: PortfolioEnv;
  cfg: SampConfig;
  seed: number;
  /** 'hierarchical': stages 1 + 2; 'upper-only': stage 1; 'flat': the flat baseline */
  kind: PolicyKind;
  /** day plans for stage 2 (required for 'hierarchical') */
  plan?: (t: number) => DayPlan;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** steps between yields to the event loop (default 32) */
  yieldEvery?: number;
}

/** Output of {@link trainSampAgents}. */
export interface SampTrainResult {
  /** actor parameters of the policy (upper + lower1 + lower2, upper only, or flat) */
  actor: ParamValues;
  /** each stage's critic (for continued training) */
  critics: Partial<Record<'upper' | 'lower' | 'flat', ParamValues>>;
  history: TrainProgress[];
  updates: number;
  envSteps: number;
  elapsedMs: number;
}

interface Transition {
  t: number;
  a: Float32Array;
  wprev: Float32Array;
  r: number;
  wnext: Float32Array;
}

function abortError(signal: AbortSignal): Error {
  const r = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('training aborted');
  e.name = 'AbortError';
  return e;
}

/** Stack per-day Float32Arrays into one buffer. */
function stack(rows: Float32Array[]): Float32Array {
  const n = rows[0]!.length;
  const out = new Float32Array(rows.length * n);
  rows.forEach((r, k) => out.set(r, k * n));
  return out;
}

interface StageSpec {
  stage: SampStage;
  episodes: number;
  /** state arrays for days `days` with drifted weights `wprev` */
  state(days: number[], wprev: Float32Array[]): StateArrays;
}

async function runStage(o: SampTrainOptions, spec: StageSpec, counters: { steps: number; updates: number; t0: number }, history: TrainProgress[], seedOffset: number): Promise<DdpgLearner> {
  const { env, cfg } = o;
  const N = env.nAssets;
  const d = cfg.ddpg;
  const learner = o.engine.learner(spec.stage, cfg, N, o.seed + seedOffset);
  const buffer = new ReplayBuffer<Transition>(d.bufferSize);
  const noiseRng = seedrandom(`${o.seed}|noise|${spec.stage}`);
  const replayRng = seedrandom(`${o.seed}|replay|${spec.stage}`);
  const noises = Array.from({ length: stageNoiseInputs(spec.stage) }, () => new LogitNoise(d.noise, N, noiseRng));
  const yieldEvery = o.yieldEvery ?? 32;
  const first = env.opts.firstDay;
  const last = env.opts.lastDay;
  try {
    for (let e = 0; e < spec.episodes; e++) {
      noises.forEach((z) => z.startEpisode(e));
      let wprev = new Float32Array(N);
      let epReward = 0;
      let cSum = 0;
      let aSum = 0;
      let nUpd = 0;
      for (let t = first; t < last; t++) {
        if (o.signal?.aborted) throw abortError(o.signal);
        if ((t - first) % yieldEvery === yieldEvery - 1) {
          await new Promise<void>((r) => setImmediate(r));
          if (o.signal?.aborted) throw abortError(o.signal);
        }
        // act with exploration noise on the logits
        const action = learner.act(spec.state([t], [wprev]), noises.map((z) => z.sample()));
        const res = env.step(t, action, wprev);
        const wnext = Float32Array.from(res.drifted);
        buffer.push({ t, a: action, wprev, r: res.reward, wnext });
        epReward += res.reward;
        wprev = wnext;
        counters.steps++;
        if (buffer.size >= Math.max(d.warmup, d.batchSize) && counters.steps % d.updateEvery === 0) {
          const batch = buffer.sample(d.batchSize, replayRng);
          const days = batch.map((b) => b.t);
          const losses = learner.update({
            s: spec.state(days, batch.map((b) => b.wprev)),
            s2: spec.state(days.map((x) => x + 1), batch.map((b) => b.wnext)),
            a: stack(batch.map((b) => b.a)),
            r: Float32Array.from(batch, (b) => b.r),
            done: new Float32Array(batch.length),
          });
          cSum += losses.criticLoss;
          aSum += losses.actorLoss;
          nUpd++;
          counters.updates++;
        }
      }
      const p: TrainProgress = {
        stage: spec.stage,
        episode: e + 1,
        episodes: spec.episodes,
        step: counters.steps,
        reward: epReward,
        criticLoss: nUpd ? cSum / nUpd : Number.NaN,
        actorLoss: nUpd ? aSum / nUpd : Number.NaN,
        elapsedMs: Date.now() - counters.t0,
        updates: counters.updates,
        sigma: noises[0]?.currentSigma ?? 0,
      };
      history.push(p);
      o.onProgress?.(p);
    }
    return learner;
  } catch (err) {
    learner.dispose();
    throw err;
  }
}

/**
 * Train the agents of a SAMP-HDRL variant (see file overview) on `env` with DDPG. Deterministic for a given
 * seed, config and engine. Gives the policy's actor parameters, the critics and the per-episode history.
 */
export async function trainSampAgents(o: SampTrainOptions): Promise<SampTrainResult> {
  const { env, cfg } = o;
  const counters = { steps: 0, updates: 0, t0: Date.now() };
  const history: TrainProgress[] = [];
  const xw = (days: number[], wprev: Float32Array[]): StateArrays => ({ x: stack(days.map((t) => env.features(t))), wprev: stack(wprev) });
  const actor: ParamValues = new Map();
  const critics: SampTrainResult['critics'] = {};
  const done = () => ({ actor, critics, history, updates: counters.updates, envSteps: counters.steps, elapsedMs: Date.now() - counters.t0 });

  if (o.kind === 'flat') {
    const flat = await runStage(o, { stage: 'flat', episodes: cfg.flatEpisodes, state: xw }, counters, history, 0);
    for (const [k, v] of flat.actorParams()) actor.set(k, v);
    critics.flat = flat.criticParams();
    flat.dispose();
    return done();
  }

  // Stage 1: upper agent alone
  const up = await runStage(o, { stage: 'upper', episodes: cfg.stage1Episodes, state: xw }, counters, history, 0);
  const upper = up.actorParams();
  critics.upper = up.criticParams();
  up.dispose();
  for (const [k, v] of upper) actor.set(k, v);
  if (o.kind === 'upper-only') return done();

  // Stage 2: lower agents with the upper frozen
  if (!o.plan) throw new Error('hierarchical training needs day plans (masks and capital split)');
  const first = env.opts.firstDay;
  const last = env.opts.lastDay;
  const frozen = await o.engine.upperOutputs(cfg, env, upper, first, last);
  const plans = new Map<number, DayPlan>();
  for (let t = first; t <= last; t++) plans.set(t, o.plan(t));
  const lowerState = (days: number[], wprev: Float32Array[]): StateArrays => {
    const s = xw(days, wprev);
    s.w0 = stack(days.map((t) => frozen.get(t)!.w0));
    s.emb = stack(days.map((t) => frozen.get(t)!.emb));
    s.m1 = stack(days.map((t) => plans.get(t)!.m1));
    s.m2 = stack(days.map((t) => plans.get(t)!.m2));
    s.c1 = Float32Array.from(days, (t) => plans.get(t)!.c1);
    s.c2 = Float32Array.from(days, (t) => plans.get(t)!.c2);
    return s;
  };
  const lo = await runStage(o, { stage: 'lower', episodes: cfg.stage2Episodes, state: lowerState }, counters, history, 100);
  for (const [k, v] of lo.actorParams()) actor.set(k, v);
  critics.lower = lo.criticParams();
  lo.dispose();
  return done();
}
