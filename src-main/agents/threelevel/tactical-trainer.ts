/**
 * Level 2's training (docs/three-level.md "Level 2"): the per-class policy of tactical-network.ts learned with the
 * engine's SAC (compute/train/sac.ts `OnnxSac`, as Level 3's) over tactical months of tactical-env.ts, each month
 * executed by a given Level 3 (a trained policy or a baseline), validated on held-out months, the best validation's
 * policy kept.
 *
 * Per-class transitions. The month's reward is a sum over classes (each class's tilt times its basket's move, minus
 * what its assets paid to trade), so each class's month is one transition (x_k, a_k, r_k, x_k', done), as Level 3
 * stores one per asset and day: the critic learns one class's value, Q(x_k, a_k). The tilts are bounded together
 * (they sum to zero), so a class's realised tilt also depends on the others' raw tilts; the state carries the
 * class's current weight and its deviation from the strategic target, which is what the coupling moves.
 *
 * Episodes. A training episode is `episodeMonths` consecutive months (a strategic year, shortened to what the
 * training days hold) from a start drawn uniformly from the training days (seeded); the strategic target is the
 * strategic rule's at the start (strategic.ts) and stays fixed over the episode, as it does over a strategic year of
 * the backtest; the book starts from the strategic target's assets drifted over the month before the start. Each
 * month: the class states, a sample of the policy per class (SAC's Gaussian draw on the pre-tanh value), the month
 * (Level 3 executing it), one transition per class (done on the episode's last month), then `updatesPerMonth`
 * updates once the buffer holds `warmup`.
 *
 * Validation. Every `episodesPerValidation` episodes the deterministic policy runs the validation days as
 * consecutive months from their first day (the strategic target recomputed every strategic period), and its mean
 * reward per month scores it; the best score's policy is the model (agents/samp/selection.ts CheckpointSelector, as
 * every learned strategy here). Training stops at the update budget, after `maxEpisodes` episodes, or after
 * `patience` validations without a better score; the learning rates follow the cosine schedule over the budget.
 */
import seedrandom from 'seedrandom';
import type { ParamValues } from '../../compute/params';
import { OnnxSac } from '../../compute/train/sac';
import type { TrainRunOptions } from '../../compute/train/session';
import type { ExecutionCosts } from '../../market/costs';
import type { PriceMatrix } from '../../market/prices';
import type { ClassLayout } from '../hadaps/classes';
import { ReplayBuffer } from '../replay';
import { CheckpointSelector, learningRateScale } from '../samp/selection';
import type { ExecutionPolicy } from './baselines';
import type { ExecutionConfig } from './config';
import { drift } from './env';
import { strategicTarget } from './strategic';
import type { TacticalConfig } from './tactical-config';
import { TacticalEnv, TACTICAL_FEATURE_COUNT } from './tactical-env';
import { tacticalModel } from './tactical-network';
import { assetWeights } from './tilts';
import { replayUpdate, sacTrainingConfig, type DayRange, type SacTransition } from './trainer';
import { abortError } from '../samp/episodes';

/** Inputs of {@link trainTacticalAgent}. */
export interface TacticalTrainOptions {
  /** the prices (the training strategy passes them cut at the training window's last day) */
  m: PriceMatrix;
  layout: ClassLayout;
  /** the run's execution-cost model over `m` (impact on) */
  costs: ExecutionCosts;
  /** Level 3's horizon and tracking penalty */
  execCfg: Pick<ExecutionConfig, 'horizon' | 'riskAversion'>;
  /** the Level 3 that executes every month (synchronous) */
  execution: ExecutionPolicy;
  cfg: TacticalConfig;
  train: DayRange;
  /** held-out days after `train`; none = the last policy is the model */
  validation?: DayRange;
  seed: number;
  onProgress?: (p: TacticalProgress) => void;
  signal?: AbortSignal;
  run?: TrainRunOptions;
}

/** One validation's figures. */
export interface TacticalProgress {
  episodes: number;
  updates: number;
  /** mean reward per validation month, basis points of the book (higher is better) */
  score: number;
}

/** Output of {@link trainTacticalAgent}. */
export interface TacticalTrainResult {
  /** the chosen policy's parameters (tactical-network.ts tacticalPolicySpecs) */
  actor: ParamValues;
  chosen: TacticalProgress | null;
  history: TacticalProgress[];
  episodes: number;
  months: number;
  updates: number;
  stoppedEarly: boolean;
  elapsedMs: number;
}

/** The book at the close of t0: the strategic target's assets bought at the close of t0 - horizon and drifted. */
export function startingHoldings(
  m: PriceMatrix,
  layout: ClassLayout,
  strategic: ArrayLike<number>,
  t0: number,
  horizon: number,
): Float64Array {
  const n = layout.nAssets;
  const h = new Float64Array(n + 1);
  h.set(assetWeights(layout, strategic));
  h[n] = Math.max(0, 1 - h.subarray(0, n).reduce((a, b) => a + b, 0));
  for (let t = Math.max(0, t0 - horizon); t < t0; t++) drift(h, m.close[t]!, m.close[t + 1]!, 0, n);
  return h;
}

/**
 * Run `months` consecutive months from the close of t0 with raw tilts from `decide` (one per class for the class
 * states [K x F]); the strategic target is recomputed every strategic period from t0. Gives the months' rewards.
 */
export function runMonths(
  env: TacticalEnv,
  t0: number,
  months: number,
  decide: (x: Float32Array) => ArrayLike<number>,
): number[] {
  const { cfg, m, layout } = env;
  const perYear = cfg.strategicPeriod / cfg.horizon;
  const closes = (d: number) => m.close[d]!;
  let strategic = strategicTarget(closes, t0, layout, cfg.strategicRule, cfg.strategicPeriod);
  let holdings = startingHoldings(m, layout, strategic, t0, cfg.horizon);
  const out: number[] = [];
  let t = t0;
  for (let k = 0; k < months; k++) {
    if (k > 0 && k % perYear === 0)
      strategic = strategicTarget(closes, t, layout, cfg.strategicRule, cfg.strategicPeriod);
    const month = env.month(t, holdings, strategic, decide(env.features(t, holdings, strategic)));
    out.push(month.reward);
    holdings = month.holdings;
    t = month.end;
  }
  return out;
}

/** Train a tactical agent (see the file overview). Deterministic for a given seed, config, data and Level 3. */
export async function trainTacticalAgent(o: TacticalTrainOptions): Promise<TacticalTrainResult> {
  const { cfg, m, layout } = o;
  const started = Date.now();
  const H = cfg.horizon;
  const F = TACTICAL_FEATURE_COUNT;
  if (o.validation && o.validation.first <= o.train.last)
    throw new RangeError(
      `the validation days (from ${o.validation.first}) overlap the training days (to ${o.train.last})`,
    );
  const lo = Math.max(o.train.first + H, 2);
  const months = Math.min(cfg.episodeMonths, Math.floor((o.train.last - lo) / H));
  if (months < 1)
    throw new RangeError(
      `days ${o.train.first}..${o.train.last} are too few for one tactical month of ${H} days after ${H} days of drift`,
    );
  const hi = o.train.last - months * H;
  const env = new TacticalEnv(m, layout, o.costs, o.execCfg, o.execution, cfg);
  const K = env.K;
  const { ddpg, sac } = sacTrainingConfig(cfg);
  const learner = new OnnxSac(tacticalModel(F, cfg), ddpg, sac, o.seed, { batchSize: cfg.batchSize, ...(o.run ?? {}) });
  const buffer = new ReplayBuffer<SacTransition>(cfg.bufferSize);
  const replayRng = seedrandom(`${o.seed}|threelevel|tactical|replay`);
  const startRng = seedrandom(`${o.seed}|threelevel|tactical|episodes`);
  const vStart = o.validation ? Math.max(o.validation.first, 2) : 0;
  const vMonths = o.validation ? Math.floor((o.validation.last - vStart) / H) : 0;
  const selector = new CheckpointSelector<ParamValues>(cfg.patience);
  const history: TacticalProgress[] = [];
  const zero = [new Float32Array(1)];
  const row = (x: Float32Array, k: number) => x.slice(k * F, (k + 1) * F);
  const deterministic = (x: Float32Array) =>
    Array.from({ length: K }, (_, k) => learner.act({ x: row(x, k) }, zero)[0]!);
  let updates = 0;
  let episodes = 0;
  let monthsRun = 0;
  let stoppedEarly = false;

  const validate = (): void => {
    if (vMonths < 1) return;
    const r = runMonths(env, vStart, vMonths, deterministic);
    const point = { episodes, updates, score: r.reduce((a, b) => a + b, 0) / r.length };
    history.push(point);
    selector.observe(history.length, point.score, () => learner.actorParams());
    o.onProgress?.(point);
  };

  const update = (): void => {
    learner.setLearningRateScale(learningRateScale(cfg, updates, cfg.updates));
    replayUpdate(learner, buffer, F, cfg.batchSize, replayRng);
    updates++;
  };

  try {
    const closes = (d: number) => m.close[d]!;
    while (updates < cfg.updates && !(cfg.maxEpisodes > 0 && episodes >= cfg.maxEpisodes)) {
      if (o.signal?.aborted) throw abortError(o.signal);
      const t0 = lo + Math.min(hi - lo, Math.floor(startRng() * (hi - lo + 1)));
      const strategic = strategicTarget(closes, t0, layout, cfg.strategicRule, cfg.strategicPeriod);
      let holdings = startingHoldings(m, layout, strategic, t0, H);
      let t = t0;
      let x = env.features(t, holdings, strategic);
      for (let k = 0; k < months; k++) {
        const raw = Array.from({ length: K }, (_, c) => learner.explore({ x: row(x, c) }).action[0]!);
        const month = env.month(t, holdings, strategic, raw);
        holdings = month.holdings;
        t = month.end;
        const x2 = env.features(t, holdings, strategic);
        const done = k === months - 1 ? 1 : 0;
        for (let c = 0; c < K; c++)
          buffer.push({ s: row(x, c), a: raw[c]!, r: month.rewards[c]!, s2: row(x2, c), done });
        x = x2;
        monthsRun++;
        if (buffer.size >= Math.max(cfg.warmup, cfg.batchSize))
          for (let u = 0; u < cfg.updatesPerMonth && updates < cfg.updates; u++) update();
      }
      episodes++;
      await new Promise<void>((r) => setImmediate(r));
      const lastEpisode = updates >= cfg.updates || (cfg.maxEpisodes > 0 && episodes >= cfg.maxEpisodes);
      if (updates > 0 && (episodes % cfg.episodesPerValidation === 0 || lastEpisode)) {
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
      episodes,
      months: monthsRun,
      updates,
      stoppedEarly,
      elapsedMs: Date.now() - started,
    };
  } finally {
    learner.dispose();
  }
}
