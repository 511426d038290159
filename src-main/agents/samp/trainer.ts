/**
 * Staged DDPG training of SAMP-HDRL (method.md SAMP-HDRL section 7; seed 000: "the upper- and lower-level
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
 * Runs in plain Node on the backend `loadTf()` chose; yields to the event loop every `yieldEvery` steps so an
 * AbortSignal fired from elsewhere is seen; aborting throws an AbortError.
 */
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { Ddpg, type DdpgModel, type StateTensors } from '../ddpg';
import { ReplayBuffer } from '../replay';
import { LogitNoise } from '../noise';
import { TfOps } from '../ops';
import type { ParamValues } from '../params';
import { criticForward } from '../networks/critic';
import type { PortfolioEnv } from './env';
import type { SampConfig } from './config';
import { flatPolicy, fusePolicy, lowerPolicy, sampNets, sampSpecs, upperPolicy, type PolicyKind, type SampNets } from './policy';

type Tensor = tfType.Tensor;

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
  tf: typeof tfType;
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

/** Mean over the batch of the entropy -sum_i w_i log(w_i + 1e-12) of weights w [B, N] (nats; exact zeros add 0). */
export function meanEntropy(tf: typeof tfType, w: Tensor): Tensor {
  return tf.neg(tf.mean(tf.sum(tf.mul(w, tf.log(tf.add(w, 1e-12))), 1)));
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
  stage: TrainProgress['stage'];
  episodes: number;
  model: DdpgModel;
  /** number of noise vectors the actor takes (names noise0, noise1, ...) */
  noiseInputs: number;
  /** state tensors for days `days` with drifted weights `wprev` */
  state(days: number[], wprev: Float32Array[]): StateTensors;
}

async function runStage(o: SampTrainOptions, spec: StageSpec, counters: { steps: number; updates: number; t0: number }, history: TrainProgress[], seedOffset: number): Promise<Ddpg> {
  const { tf, env, cfg } = o;
  const N = env.nAssets;
  const d = cfg.ddpg;
  const ddpg = new Ddpg(tf, spec.model, d, o.seed + seedOffset);
  const buffer = new ReplayBuffer<Transition>(d.bufferSize);
  const noiseRng = seedrandom(`${o.seed}|noise|${spec.stage}`);
  const replayRng = seedrandom(`${o.seed}|replay|${spec.stage}`);
  const noises = Array.from({ length: spec.noiseInputs }, () => new LogitNoise(d.noise, N, noiseRng));
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
        const action = tf.tidy(() => {
          const s = spec.state([t], [wprev]);
          noises.forEach((z, k) => (s[`noise${k}`] = tf.tensor(z.sample(), [1, N])));
          return Float32Array.from(ddpg.act(s).dataSync() as Float32Array);
        });
        const res = env.step(t, action, wprev);
        const wnext = Float32Array.from(res.drifted);
        buffer.push({ t, a: action, wprev, r: res.reward, wnext });
        epReward += res.reward;
        wprev = wnext;
        counters.steps++;
        if (buffer.size >= Math.max(d.warmup, d.batchSize) && counters.steps % d.updateEvery === 0) {
          const batch = buffer.sample(d.batchSize, replayRng);
          const losses = tf.tidy(() => {
            const days = batch.map((b) => b.t);
            const s = spec.state(days, batch.map((b) => b.wprev));
            const s2 = spec.state(days.map((x) => x + 1), batch.map((b) => b.wnext));
            const a = tf.tensor(stack(batch.map((b) => b.a)), [batch.length, N]);
            const r = tf.tensor(Float32Array.from(batch, (b) => b.r), [batch.length, 1]);
            const done = tf.zeros([batch.length, 1]);
            return ddpg.update({ s, a, r, s2, done });
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
    return ddpg;
  } catch (err) {
    ddpg.dispose();
    throw err;
  }
}

/**
 * Precompute the frozen upper agent's w0 [N] and embedding [d] for days first..last (stage 2 input).
 * Gives per-day arrays keyed by day index.
 */
export function upperOutputs(tf: typeof tfType, nets: SampNets, env: PortfolioEnv, upper: ParamValues, first: number, last: number): Map<number, { w0: Float32Array; emb: Float32Array }> {
  const N = env.nAssets;
  const L = nets.upper.window;
  const d = nets.upper.dModel;
  const vars = new Map<string, Tensor>();
  for (const [k, v] of upper) vars.set(k, tf.tensor(v.data, v.shape, 'float32'));
  const ops = new TfOps(tf, vars);
  const out = new Map<number, { w0: Float32Array; emb: Float32Array }>();
  const chunk = 128;
  try {
    for (let s = first; s <= last; s += chunk) {
      const days: number[] = [];
      for (let t = s; t <= Math.min(last, s + chunk - 1); t++) days.push(t);
      const [w0, emb] = tf.tidy(() => {
        const x = tf.tensor(stack(days.map((t) => env.features(t))), [days.length, N, L]);
        const u = upperPolicy(ops, nets, N, x);
        return [u.w0.dataSync() as Float32Array, u.embedding.dataSync() as Float32Array];
      });
      days.forEach((t, k) => out.set(t, { w0: w0.slice(k * N, (k + 1) * N), emb: emb.slice(k * d, (k + 1) * d) }));
    }
  } finally {
    for (const v of vars.values()) v.dispose();
    ops.disposeConstants();
  }
  return out;
}

/**
 * Train the agents of a SAMP-HDRL variant (see file overview) on `env` with DDPG. Deterministic for a given
 * seed, config and backend. Gives the policy's actor parameters, the critics and the per-episode history.
 */
export async function trainSampAgents(o: SampTrainOptions): Promise<SampTrainResult> {
  const { tf, env, cfg } = o;
  const N = env.nAssets;
  const L = cfg.window;
  const nets = sampNets(cfg);
  const specs = sampSpecs(nets);
  const counters = { steps: 0, updates: 0, t0: Date.now() };
  const history: TrainProgress[] = [];
  const critic = (ops: TfOps, s: StateTensors, a: Tensor) => criticForward(ops, nets.critic, N, s.x!, a, s.wprev!, 'critic');
  const xw = (days: number[], wprev: Float32Array[]): StateTensors => ({
    x: tf.tensor(stack(days.map((t) => env.features(t))), [days.length, N, L]),
    wprev: tf.tensor(stack(wprev), [days.length, N]),
  });
  const actor: ParamValues = new Map();
  const critics: SampTrainResult['critics'] = {};
  const beta = cfg.ddpg.entropyCoef;
  const withEntropy = (w: Tensor) => (beta > 0 ? { action: w, regularizer: tf.mul(-beta, meanEntropy(tf, w)) } : { action: w });

  if (o.kind === 'flat') {
    const ddpg = await runStage(
      o,
      {
        stage: 'flat',
        episodes: cfg.flatEpisodes,
        noiseInputs: 1,
        model: { actorSpecs: specs.flat, criticSpecs: specs.critic, actor: (ops, s) => withEntropy(flatPolicy(ops, nets, N, s.x!, s.noise0)), critic },
        state: xw,
      },
      counters,
      history,
      0,
    );
    for (const [k, v] of ddpg.actorParams()) actor.set(k, v);
    critics.flat = ddpg.criticParams();
    ddpg.dispose();
    return { actor, critics, history, updates: counters.updates, envSteps: counters.steps, elapsedMs: Date.now() - counters.t0 };
  }

  // Stage 1: upper agent alone
  const up = await runStage(
    o,
    {
      stage: 'upper',
      episodes: cfg.stage1Episodes,
      noiseInputs: 1,
      model: { actorSpecs: specs.upper, criticSpecs: specs.critic, actor: (ops, s) => withEntropy(upperPolicy(ops, nets, N, s.x!, s.noise0).w0), critic },
      state: xw,
    },
    counters,
    history,
    0,
  );
  const upper = up.actorParams();
  critics.upper = up.criticParams();
  up.dispose();
  for (const [k, v] of upper) actor.set(k, v);
  if (o.kind === 'upper-only') return { actor, critics, history, updates: counters.updates, envSteps: counters.steps, elapsedMs: Date.now() - counters.t0 };

  // Stage 2: lower agents with the upper frozen
  if (!o.plan) throw new Error('hierarchical training needs day plans (masks and capital split)');
  const first = env.opts.firstDay;
  const last = env.opts.lastDay;
  const frozen = upperOutputs(tf, nets, env, upper, first, last);
  const plans = new Map<number, DayPlan>();
  for (let t = first; t <= last; t++) plans.set(t, o.plan(t));
  const d = nets.upper.dModel;
  const a = cfg.fusionA;
  const lowerState = (days: number[], wprev: Float32Array[]): StateTensors => {
    const B = days.length;
    const s = xw(days, wprev);
    s.w0 = tf.tensor(stack(days.map((t) => frozen.get(t)!.w0)), [B, N]);
    s.emb = tf.tensor(stack(days.map((t) => frozen.get(t)!.emb)), [B, d]);
    s.m1 = tf.tensor(stack(days.map((t) => plans.get(t)!.m1)), [B, N]);
    s.m2 = tf.tensor(stack(days.map((t) => plans.get(t)!.m2)), [B, N]);
    s.c1 = tf.tensor(Float32Array.from(days, (t) => plans.get(t)!.c1), [B, 1]);
    s.c2 = tf.tensor(Float32Array.from(days, (t) => plans.get(t)!.c2), [B, 1]);
    return s;
  };
  const lo = await runStage(
    o,
    {
      stage: 'lower',
      episodes: cfg.stage2Episodes,
      noiseInputs: 2,
      model: {
        actorSpecs: specs.lower,
        criticSpecs: specs.critic,
        actor: (ops, s) => {
          const l = lowerPolicy(ops, nets, N, s.x!, s.emb!, s.m1!, s.m2!, s.noise0, s.noise1);
          const action = fusePolicy(ops, a, s.w0!, l.w1, l.w2, s.c1!, s.c2!);
          if (!(beta > 0)) return { action };
          return { action, regularizer: tf.mul(-beta, tf.add(meanEntropy(tf, l.w1), meanEntropy(tf, l.w2))) };
        },
        critic,
      },
      state: lowerState,
    },
    counters,
    history,
    100,
  );
  for (const [k, v] of lo.actorParams()) actor.set(k, v);
  critics.lower = lo.criticParams();
  lo.dispose();
  return { actor, critics, history, updates: counters.updates, envSteps: counters.steps, elapsedMs: Date.now() - counters.t0 };
}
