/**
 * MPLS's agents' training (docs/mpls.md "Training"): the modules are fitted first and frozen (the caller gives
 * them, inside `states`); then the fusion, high-level and low-level agents learn together, each its own PPO learner
 * (compute/train/ppo.ts OnnxPpo over its network.ts PpoModel), all from one shared team reward (independent PPO:
 * each agent's advantages come from its own value network and the same rewards).
 *
 * An iteration collects a rollout of whole episodes, at least `ppo.rolloutSteps` steps (2,079 at 63-day episodes:
 * 33 episodes), then learns from it:
 *   - an episode walks `episodeDays` consecutive training days from a start drawn (seeded) uniformly among those
 *     that leave a whole episode before the training environment's last day, starting from the equal-weight book
 *     bought at the previous close and drifted over the start day. Each day the agents act in order, each sampling
 *     its Gaussian over its logits (env.ts MplsStates.decide), and PortfolioEnv.step trades the target through the
 *     no-trade band and the trade rate and charges the costs;
 *   - the reward is 0 on every day but the episode's last, where it is env.ts episodeReward of the episode's daily
 *     net returns; the last day is terminal (nothing is bootstrapped past it), so a rollout of whole episodes needs
 *     no bootstrap at all;
 *   - each agent: advantages and returns by GAE (agents/samp/onpolicy.ts gae) over its own values, then `epochs`
 *     passes over a fresh seeded shuffle of the rollout in minibatches of `minibatch` (one shuffle serves all three
 *     agents, so they step on the same samples), one gradient step per minibatch and agent, the learning rate on the
 *     cosine schedule over the budget (selection.ts learningRateScale).
 * After every iteration the three agents' deterministic policies run over the validation days from cash
 * (agents/samp/episodes.ts StageBook, as every learned strategy here: scored by net Sharpe, the best iteration's
 * networks kept, `patience` iterations without a better one end the training); StageBook's "episode" is an iteration
 * here. The budget, in gradient steps of each agent, is `iterations` x epochs x minibatches per rollout.
 *
 * The flat PPO baseline's loop (agents/samp/onpolicy.ts runOnPolicyStage) drives one learner over one policy and
 * rewards every day; this loop drives three learners acting in sequence on one end-of-episode reward, so it is its
 * own, sharing the GAE and the validation book.
 */
import seedrandom from 'seedrandom';
import type { ParamValues } from '../../compute/params';
import { OnnxPpo } from '../../compute/train/ppo';
import type { TrainRunOptions } from '../../compute/train/session';
import type { StateArrays } from '../learner';
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
import { gae } from '../samp/onpolicy';
import { learningRateScale } from '../samp/selection';
import { driftWeights } from '../samp/trading';
import type { MplsConfig } from './config';
import {
  episodeReward,
  maskedSoftmax,
  softmax,
  type AgentState,
  type ConservativeRule,
  type MplsAgents,
  type MplsStates,
} from './env';
import { fusionModel, highModel, lowModel, lowSectors, type MplsShape } from './network';

/** Inputs of {@link trainMpls}. */
export interface MplsTrainOptions {
  sh: MplsShape;
  cfg: MplsConfig;
  /** the agents' states over the price matrix, with the fitted modules */
  states: MplsStates;
  /** the volatility module's conservative switch (null when it is off or the setting is) */
  rule: ConservativeRule | null;
  /** the training environment (its days are the only ones stepped in training) */
  env: PortfolioEnv;
  /** the validation environment (after the training environment's last day); none = no selection */
  validation?: PortfolioEnv;
  seed: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** steps between yields to the event loop (default 32) */
  yieldEvery?: number;
  /** where the updates run (ONNX Runtime provider) */
  run?: TrainRunOptions;
}

/** The three agents' parameters: each policy network (decision-time, without its log-std) and value network. */
export interface MplsAgentParams {
  fusion: ParamValues | null;
  high: ParamValues;
  low: ParamValues | null;
}

/** Output of {@link trainMpls}. */
export interface MplsTrainResult {
  /** the chosen iteration's policy networks */
  actors: MplsAgentParams;
  /** the chosen iteration's value networks */
  values: MplsAgentParams;
  summary: StageSummary;
  history: TrainProgress[];
  /** gradient steps of each agent */
  updates: number;
  envSteps: number;
  elapsedMs: number;
}

/** The agents' learners by name (the fusion and low-level ones may not exist). */
interface Learners {
  fusion: OnnxPpo | null;
  high: OnnxPpo;
  low: OnnxPpo | null;
}

type AgentName = keyof Learners;
const AGENTS: readonly AgentName[] = ['fusion', 'high', 'low'];

/** One agent's part of a rollout step. */
interface AgentStep {
  s: AgentState;
  u: Float32Array;
  logp: number;
  value: number;
}

/** The weights inside each low-level sector from the low-level learner's logits (a softmax per sector). */
export function lowFromLogits(sh: Pick<MplsShape, 'layout'>, u: ArrayLike<number>): Float64Array {
  const out = new Float64Array(u.length);
  let o = 0;
  for (const c of lowSectors(sh)) {
    const m = c.members.length;
    out.set(softmax(Array.from({ length: m }, (_, k) => u[o + k]!)), o);
    o += m;
  }
  return out;
}

/** The agents' decision-time policies from their learners: the Gaussians' means through the softmaxes. */
function meanAgents(sh: MplsShape, l: Learners): MplsAgents {
  const mean = (x: OnnxPpo, s: AgentState) => x.sample(s, new Float32Array(x.model.action[0]!)).u;
  return {
    ...(l.fusion ? { fusion: (s: AgentState) => maskedSoftmax(mean(l.fusion!, s), sh.on) } : {}),
    high: (s) => softmax(mean(l.high, s)),
    ...(l.low ? { low: (s: AgentState) => lowFromLogits(sh, mean(l.low!, s)) } : {}),
  };
}

/** Parameters of every agent in one map (their names do not overlap: network.ts prefixes them). */
function merged(parts: (ParamValues | null)[]): ParamValues {
  const out: ParamValues = new Map();
  for (const p of parts) if (p) for (const [k, v] of p) out.set(k, v);
  return out;
}

/** One map of {@link merged} back into the agents' parts, by their names' prefixes. */
function split(all: ParamValues, l: Pick<Learners, 'fusion' | 'low'>): MplsAgentParams {
  const pick = (pre: (k: string) => boolean) => new Map([...all].filter(([k]) => pre(k)));
  return {
    fusion: l.fusion ? pick((k) => k.startsWith('fusion/')) : null,
    high: pick((k) => k.startsWith('high/')),
    low: l.low ? pick((k) => k.startsWith('low')) : null,
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

/** Days of an episode on a training environment: `episodeDays`, or all its days when it has fewer. */
export function episodeLength(cfg: Pick<MplsConfig, 'episodeDays'>, env: PortfolioEnv): number {
  return Math.min(cfg.episodeDays, env.steps);
}

/** Steps of a rollout: whole episodes, at least `rolloutSteps`. */
export function rolloutLength(cfg: Pick<MplsConfig, 'episodeDays' | 'ppo'>, env: PortfolioEnv): number {
  const ep = episodeLength(cfg, env);
  return Math.ceil(cfg.ppo.rolloutSteps / ep) * ep;
}

/** Train the MPLS agents (see the file overview). Deterministic for a given seed, config and modules. */
export async function trainMpls(o: MplsTrainOptions): Promise<MplsTrainResult> {
  const { env, cfg, sh, states } = o;
  if (o.validation && o.validation.opts.firstDay < env.opts.lastDay)
    throw new RangeError(
      `the validation period (from day ${o.validation.opts.firstDay}) overlaps the training period (to day ${env.opts.lastDay})`,
    );
  if (env.opts.firstDay < Math.max(1, states.firstDay))
    throw new RangeError(
      `MPLS training starts on day ${env.opts.firstDay}, before its modules can be read (day ${Math.max(1, states.firstDay)})`,
    );
  const rule = { kind: 'ppo' as const, clipEps: cfg.ppo.clipEps };
  const make = (m: ReturnType<typeof highModel> | null, k: number) =>
    m ? new OnnxPpo(m, rule, cfg.ppo, cfg.gradClipNorm, o.seed * 3 + k, o.run ?? {}) : null;
  const learners: Learners = {
    fusion: make(fusionModel(sh), 0),
    high: make(highModel(sh), 1)!,
    low: make(lowModel(sh), 2),
  };
  const live = AGENTS.filter((a) => learners[a] !== null);
  const counters = { steps: 0, updates: 0, t0: Date.now(), stages: 1, stageIndex: 0 };
  const history: TrainProgress[] = [];
  const deterministic = meanAgents(sh, learners);
  const spec: StageSpec<'mpls'> = {
    stage: 'mpls',
    maxEpisodes: cfg.iterations,
    // the validation run's state: the day and the weights held; the team forms each agent's state from them
    sample: (_env, t, wprev) => ({ t: Float32Array.of(t), wprev }),
  };
  const team = {
    act: (s: StateArrays) => Float32Array.from(states.decide(s.t![0]!, s.wprev!, deterministic, o.rule).target),
    actorParams: () => merged(live.map((a) => learners[a]!.actorParams())),
    criticParams: () => merged(live.map((a) => learners[a]!.valueParams())),
  };
  const epLen = episodeLength(cfg, env);
  const rollLen = rolloutLength(cfg, env);
  const perPass = Math.ceil(rollLen / cfg.ppo.minibatch);
  const budget = cfg.iterations * cfg.ppo.epochs * perPass;
  const book = new StageBook(o, spec, counters, history, budget, 0);
  const startRng = seedrandom(`${o.seed}|mpls|episode-starts`);
  const shuffleRng = seedrandom(`${o.seed}|mpls|minibatches`);
  const yieldEvery = o.yieldEvery ?? 32;
  const first = env.opts.firstDay;
  const starts = env.opts.lastDay - epLen - first + 1;
  const N = env.nAssets;
  let lrScale = learningRateScale(cfg, 0, budget);
  try {
    for (let it = 0; it < cfg.iterations; it++) {
      if (book.budgetSpent()) break;
      book.episodes++;
      const steps: Record<AgentName, AgentStep[]> = { fusion: [], high: [], low: [] };
      const rewards: number[] = [];
      const done: boolean[] = [];
      let turnover = 0;
      let endRewards = 0;
      let sigma = 0;
      while (rewards.length < rollLen) {
        const t0 = first + Math.floor(startRng() * starts);
        let wprev = driftWeights(new Float64Array(N).fill(1 / N), env.relatives(t0));
        const rets: number[] = [];
        for (let t = t0; t < t0 + epLen; t++) {
          if (o.signal?.aborted) throw abortError(o.signal);
          if (counters.steps % yieldEvery === yieldEvery - 1) {
            await new Promise<void>((r) => setImmediate(r));
            if (o.signal?.aborted) throw abortError(o.signal);
          }
          const sampled = (name: AgentName, map: (u: Float32Array) => Float64Array) => (s: AgentState) => {
            const x = learners[name]!.sample(s);
            steps[name].push({ s, u: x.u, logp: x.logp, value: x.value });
            if (name === 'high') sigma = x.std;
            return map(x.u);
          };
          const agents: MplsAgents = {
            ...(learners.fusion ? { fusion: sampled('fusion', (u) => maskedSoftmax(u, sh.on)) } : {}),
            high: sampled('high', softmax),
            ...(learners.low ? { low: sampled('low', (u) => lowFromLogits(sh, u)) } : {}),
          };
          const day = states.decide(t, wprev, agents, o.rule);
          const res = env.step(t, day.target, wprev);
          rets.push((1 - res.cost) * res.growth - 1);
          const last = t === t0 + epLen - 1;
          const r = last ? episodeReward(rets, cfg) : 0;
          rewards.push(r);
          done.push(last);
          endRewards += r;
          turnover += res.turnover;
          wprev = res.drifted;
          counters.steps++;
        }
      }
      // learn: GAE per agent (every rollout ends on a terminal day), then the shared minibatches
      const n = rewards.length;
      const targets = Object.fromEntries(
        live.map((a) => {
          const values = steps[a].map((x) => x.value);
          const next = values.map((_, k) => (k + 1 < n && !done[k] ? values[k + 1]! : 0));
          return [a, gae(rewards, values, next, done, done, cfg.ppo.gamma, cfg.ppo.gaeLambda)];
        }),
      ) as Partial<Record<AgentName, { adv: Float64Array; ret: Float64Array }>>;
      let vSum = 0;
      let pSum = 0;
      let nUpd = 0;
      passes: for (let epoch = 0; epoch < cfg.ppo.epochs; epoch++) {
        const order = permutation(n, shuffleRng);
        for (let k = 0; k < n; k += cfg.ppo.minibatch) {
          const idx = order.slice(k, k + cfg.ppo.minibatch);
          lrScale = learningRateScale(cfg, book.updates, budget);
          for (const a of live) {
            const learner = learners[a]!;
            const rows = steps[a];
            const { adv, ret } = targets[a]!;
            learner.setLearningRateScale(lrScale);
            const losses = learner.update({
              s: stackSamples(idx.map((i) => rows[i]!.s as Sample)),
              u: stack(idx.map((i) => rows[i]!.u)),
              logp: Float32Array.from(idx, (i) => rows[i]!.logp),
              adv: Float32Array.from(idx, (i) => adv[i]!),
              ret: Float32Array.from(idx, (i) => ret[i]!),
            });
            vSum += losses.valueLoss;
            pSum += losses.policyLoss;
            nUpd++;
          }
          book.updates++;
          counters.updates++;
          if (book.updates >= budget) break passes;
        }
      }
      const stop = book.endEpisode(team, it, {
        reward: endRewards,
        turnover: n ? turnover / n : 0,
        criticLoss: nUpd ? vSum / nUpd : Number.NaN,
        actorLoss: nUpd ? pSum / nUpd : Number.NaN,
        sigma,
        lrScale,
      });
      if (stop) break;
    }
    const res = book.result(team);
    return {
      actors: split(res.actor, learners),
      values: split(res.critic, learners),
      summary: res.summary,
      history,
      updates: counters.updates,
      envSteps: counters.steps,
      elapsedMs: Date.now() - counters.t0,
    };
  } finally {
    for (const a of live) learners[a]!.dispose();
  }
}
