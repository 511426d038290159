/**
 * The three-level hierarchy trained jointly (docs/three-level.md "Joint training"; issue 20's "jointly with fixed
 * timescales as an option"): Level 1 (strategic, PPO), Level 2 (tactical, SAC) and Level 3 (execution, SAC) learn
 * at the same time, in the same episodes, each on its own timescale, from the same freshly seeded networks the
 * bottom-up trainers start from (strategic-trainer.ts, tactical-trainer.ts, trainer.ts; the same seed gives each
 * learner the same starting weights and the same exploration stream as its bottom-up trainer).
 *
 * Why joint. Bottom up, each level learns around fixed levels below it and a stand-in above it: Level 3 executes
 * randomly drawn targets, Level 2 tilts around the fixed inverse-volatility rule's targets, Level 1 is rewarded for
 * holding its target at a proportional cost. Trained jointly, Level 3 executes the targets Level 2 actually sets,
 * Level 2 tilts around the targets the learned Level 1 actually sets, and Level 1 is rewarded for the year the two
 * levels below it actually make of its target, costs and all.
 *
 * One episode is one strategic year:
 *   - its start t0 is one of Level 1's episode starts (strategic-env.ts episodeStarts: every `stride`-th day of the
 *     training part, the year ending inside it; days 0 and 1 left out, since an execution period needs two days of
 *     history): every start once per pass, as Level 1's trainer samples them, in a new seeded random order each
 *     pass, because here the order matters (the levels learn during the pass);
 *   - the book at t0 is Level 1's training book (strategic-env.ts drawAllocation: all cash a quarter of the time,
 *     else a random class allocation, drifted over the `rebalanceEvery` days before t0);
 *   - at the close of t0 Level 1 SAMPLES its class weights once from its state (strategic-env.ts
 *     strategicFeatures); they stay fixed for the year;
 *   - every `horizon` (21) days, at the close of t0 + 21k, Level 2 SAMPLES one raw tilt per class from each class's
 *     state (tactical-env.ts), and the month runs (TacticalEnv.month: the tilts bounded around Level 1's weights,
 *     Level 3 executing the combined target over the month in its own environment);
 *   - every day of the month but its last, Level 3 SAMPLES one trade fraction per asset; on the last day the
 *     environment trades the whole rest (not a decision, as in every trainer of Level 3).
 * The year is `months` = floor(Level 1's episode days / horizon) months (12 for a 252-day year; fewer on a window
 * too short for a year, strategic-env.ts splitStrategicDays).
 *
 * Transitions, each level at its own timescale and with its own reward as its bottom-up trainer defines it:
 *   - Level 3: one per asset per decision day, reward −(the asset's execution costs + its tracking penalty) in basis
 *     points (env.ts), the forced last day's reward added to the day before's, which ends the episode (done = 1):
 *     n x (horizon − 1) a month (trainer.ts ExecutionTransitions);
 *   - Level 2: one per class per month, reward the class's tilt times its basket's move minus what Level 3 paid
 *     trading its assets, in basis points (tactical-env.ts); done on the year's last month: K x months a year;
 *   - Level 1: one per year, reward 100 x (G − 1 − λ x D x var(r_d)) (strategic-env.ts riskAdjustedReward, the
 *     formula of its bottom-up reward) over the year the hierarchy actually ran: G the book's growth over the D days,
 *     r_d its daily returns, both after the execution costs Level 3 paid (commission, spread and impact), instead of
 *     the bottom-up reward's target held at a proportional cost. The levels below run inside every episode here, so
 *     there is no reason to stand in for them.
 *
 * Updates: every learner's update is synchronous (the engine's ONNX Runtime training sessions run with runSync,
 * compute/train/sac.ts and ppo.ts), and so is the month (TacticalEnv.month calls Level 3's policy and reports each
 * day through its `onDay` hook), so each level updates exactly at the end of its own period — the "fixed
 * timescales":
 *   - Level 3 after every trading day of every month (its last included), `updatesPerDay` SAC steps once its
 *     replay holds `warmup` transitions: inside the month, between one day's trade and the next day's decision;
 *   - Level 2 after every month, `updatesPerMonth` SAC steps once its replay holds `warmup`;
 *   - Level 1 after every `strategicBatch`-th year (joint-config.ts): PPO's `epochs` passes over those years'
 *     decisions (strategic-trainer.ts learnFromDecisions), and after the last episode over what is left.
 * A level's policy moves only at these points, so within a month Level 2's tilts and Level 1's weights are fixed,
 * and within a year Level 1's are; the levels below see the upper ones' policies change between their own periods.
 * Each level's learning rate follows its cosine schedule over the updates it makes in `episodes` years; the levels'
 * own update budgets do not apply (joint-config.ts lists what a joint training reads from each level's config).
 *
 * Validation and checkpoints. Every `episodesPerValidation` episodes (and after the last) the three policies run
 * DETERMINISTICALLY over the held-out days, as `three-level/learned-strategic` decides in a backtest: from a book of
 * equal class weights (the same for every seed, as Level 1's validation), Level 1 decides at the first held-out day
 * and every `strategicPeriod` days after it, Level 2 every month, Level 3 every day, over as many whole months as the
 * held-out days hold. The score is Level 1's reward of that path (the formula above over all its days, after
 * costs). The best score's set of three policies is the model (agents/samp/selection.ts CheckpointSelector, as every
 * learned level here); training stops after `episodes` episodes or `patience` validations without a better score.
 * The held-out days are Level 1's (its last `validationDays`, 378 by default: strategic-env.ts splitStrategicDays);
 * no training episode reads them.
 *
 * What may be read: the trainer reads every price it is given (its months and the cost model read the matrix), so
 * the training window ends on the matrix's last day; the strategy passes the prices cut at trainEnd.
 * Deterministic for a given seed, configs and data.
 */
import seedrandom from 'seedrandom';
import type { ParamValues } from '../../compute/params';
import { OnnxPpo } from '../../compute/train/ppo';
import { OnnxSac } from '../../compute/train/sac';
import type { TrainRunOptions } from '../../compute/train/session';
import type { ExecutionCosts } from '../../market/costs';
import type { PriceMatrix } from '../../market/prices';
import type { ClassLayout } from '../hadaps/classes';
import { ReplayBuffer } from '../replay';
import { CheckpointSelector, learningRateScale } from '../samp/selection';
import type { ExecutionPolicy } from './baselines';
import type { ExecutionConfig } from './config';
import { FEATURE_COUNT } from './env';
import type { JointConfig } from './joint-config';
import { executionModel } from './network';
import type { StrategicConfig } from './strategic-config';
import {
  bookOf,
  drawAllocation,
  episodeStarts,
  regimesUpTo,
  riskAdjustedReward,
  splitStrategicDays,
  strategicFeatures,
} from './strategic-env';
import type { MacroInputs } from './strategic-macro';
import { strategicModel, strategicTargetOf } from './strategic-network';
import { learnFromDecisions, strategicPpoSettings, type StrategicSample } from './strategic-trainer';
import type { TacticalConfig } from './tactical-config';
import { TacticalEnv, TACTICAL_FEATURE_COUNT, type MonthDay } from './tactical-env';
import { tacticalModel } from './tactical-network';
import { classWeightsOf } from './tilts';
import { ExecutionTransitions, replayUpdate, sacTrainingConfig, type SacTransition } from './trainer';
import { abortError } from '../samp/episodes';
import { shuffled } from '../../compute/train/learner';

/** The three levels, top first. */
export const JOINT_LEVELS = ['strategic', 'tactical', 'execution'] as const;
export type JointLevel = (typeof JOINT_LEVELS)[number];

/**
 * What a level did at one close of a training episode (validation runs are not reported): `act`, it sampled `count`
 * actions (Level 1 one allocation, Level 2 one tilt per class, Level 3 one fraction per asset); `record`, it stored
 * `count` transitions; `update`, its learner made `count` gradient steps.
 */
export interface JointTraceEvent {
  level: JointLevel;
  kind: 'act' | 'record' | 'update';
  /** the close it happened at (matrix index) */
  day: number;
  count: number;
}

/** Inputs of {@link trainJointHierarchy}. */
export interface JointTrainOptions {
  /** the prices up to the training window's last day and no further (see the file overview) */
  m: PriceMatrix;
  layout: ClassLayout;
  /** the run's execution-cost model over `m` (impact on) */
  costs: ExecutionCosts;
  exec: ExecutionConfig;
  tactical: TacticalConfig;
  strategic: StrategicConfig;
  joint: JointConfig;
  /** the series `strategic.macro` names aligned to `m`'s dates (strategic-macro.ts); required exactly when it names any */
  macro?: MacroInputs;
  /** the training window's first day; its last is m's last */
  first: number;
  seed: number;
  /** after every validation */
  onProgress?: (p: JointProgress) => void;
  /** every act, record and update of a training episode, in order (for tests and diagnostics) */
  trace?: (e: JointTraceEvent) => void;
  signal?: AbortSignal;
  run?: TrainRunOptions;
}

/** One validation's figures. */
export interface JointProgress {
  episodes: number;
  /** gradient steps each level had made */
  updates: Record<JointLevel, number>;
  /** Level 1's reward of the held-out path, percent of the book (higher is better) */
  score: number;
}

/** Output of {@link trainJointHierarchy}. */
export interface JointTrainResult {
  /** the chosen policies' parameters (strategic-network.ts, tactical-network.ts, network.ts actor specs) */
  actors: Record<JointLevel, ParamValues>;
  /** the validation that chose them (null without validation days: the last policies are the model) */
  chosen: JointProgress | null;
  history: JointProgress[];
  episodes: number;
  /** months per episode */
  months: number;
  updates: Record<JointLevel, number>;
  /** transitions each level recorded */
  transitions: Record<JointLevel, number>;
  stoppedEarly: boolean;
  elapsedMs: number;
}

/** One decision per row of a [rows x F] state matrix (an asset's or a class's state), in row order. */
function byRow(x: Float32Array, F: number, decide: (row: Float32Array) => number): Float64Array {
  const rows = x.length / F;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = decide(x.slice(r * F, (r + 1) * F));
  return out;
}

/** Train the three levels together (see the file overview). */
export async function trainJointHierarchy(o: JointTrainOptions): Promise<JointTrainResult> {
  const { m, layout, exec: ecfg, tactical: tcfg, strategic: scfg, joint } = o;
  const started = Date.now();
  const last = m.dates.length - 1;
  if (!(Number.isInteger(o.first) && o.first >= 0 && o.first < last))
    throw new RangeError(`the training window's first day ${o.first} is not inside the prices (0..${last})`);
  const H = ecfg.horizon;
  if (tcfg.horizon !== H)
    throw new RangeError(`the tactical horizon (${tcfg.horizon} days) must be the execution level's (${H} days)`);
  const days = splitStrategicDays(o.first, last, scfg);
  const months = Math.floor(days.horizon / H);
  if (months < 1)
    throw new RangeError(
      `days ${o.first}..${last} are too few for a joint episode: a strategic episode of ${days.horizon} days holds no month of ${H}`,
    );
  const yearDays = months * H;
  const starts = episodeStarts(days.train, yearDays, scfg.stride).filter((t) => t >= 2);
  if (!starts.length) throw new RangeError(`days ${o.first}..${last} start no joint training episode`);
  const perYear = tcfg.strategicPeriod / H;
  const vStart = days.validation ? Math.max(days.validation.first, 2) : 0;
  const vMonths = days.validation ? Math.floor((days.validation.last - vStart) / H) : 0;

  const closes = (d: number) => m.close[d]!;
  const regimes = regimesUpTo(closes, last, m.dates);
  const K = layout.classes.length + 1;
  const n = layout.nAssets;
  const F2 = TACTICAL_FEATURE_COUNT;
  const trace = o.trace;
  const zero = [new Float32Array(1)];

  // the three learners, as their bottom-up trainers make them
  const run = o.run ?? {};
  const l3cfg = sacTrainingConfig(ecfg);
  const l2cfg = sacTrainingConfig(tcfg);
  const l3 = new OnnxSac(executionModel(FEATURE_COUNT, ecfg), l3cfg.ddpg, l3cfg.sac, o.seed, {
    batchSize: ecfg.batchSize,
    ...run,
  });
  const l2 = new OnnxSac(tacticalModel(F2, tcfg), l2cfg.ddpg, l2cfg.sac, o.seed, { batchSize: tcfg.batchSize, ...run });
  const l1 = new OnnxPpo(
    strategicModel(K, scfg),
    { kind: 'ppo', clipEps: scfg.clipEps },
    strategicPpoSettings(scfg),
    scfg.gradClipNorm,
    o.seed,
    run,
  );
  const buffer3 = new ReplayBuffer<SacTransition>(ecfg.bufferSize);
  const buffer2 = new ReplayBuffer<SacTransition>(tcfg.bufferSize);
  const rollout: StrategicSample[] = [];
  const replay3Rng = seedrandom(`${o.seed}|threelevel|joint|execution-replay`);
  const replay2Rng = seedrandom(`${o.seed}|threelevel|joint|tactical-replay`);
  const minibatchRng = seedrandom(`${o.seed}|threelevel|joint|strategic-minibatches`);
  const orderRng = seedrandom(`${o.seed}|threelevel|joint|starts`);
  const bookRng = seedrandom(`${o.seed}|threelevel|joint|books`);

  // each level's learning-rate schedule runs over the updates it makes in the whole budget
  const E = joint.episodes;
  const budget3 = E * months * H * ecfg.updatesPerDay;
  const budget2 = E * months * tcfg.updatesPerMonth;
  const stepsPerRollout = (years: number) => scfg.epochs * Math.ceil(years / scfg.minibatch);
  const budget1 =
    Math.floor(E / joint.strategicBatch) * stepsPerRollout(joint.strategicBatch) +
    (E % joint.strategicBatch ? stepsPerRollout(E % joint.strategicBatch) : 0);
  let updates3 = 0;
  let updates2 = 0;
  const transitions: Record<JointLevel, number> = { strategic: 0, tactical: 0, execution: 0 };

  // Level 3 in the months: sampled in training, the policy's mean in validation
  const exploring: ExecutionPolicy = {
    name: 'joint training (sampled)',
    fractions: (features, _left, s) => {
      trace?.({ level: 'execution', kind: 'act', day: s.t, count: n });
      return byRow(features, FEATURE_COUNT, (x) => l3.explore({ x }).action[0]!);
    },
  };
  const deterministic: ExecutionPolicy = {
    name: 'joint validation',
    fractions: (features) => byRow(features, FEATURE_COUNT, (x) => l3.act({ x }, zero)[0]!),
  };
  const trainEnv = new TacticalEnv(m, layout, o.costs, ecfg, exploring, tcfg);
  const checkEnv = new TacticalEnv(m, layout, o.costs, ecfg, deterministic, tcfg);

  const selector = new CheckpointSelector<Record<JointLevel, ParamValues>>(joint.patience);
  const history: JointProgress[] = [];
  const equal = new Float64Array(K).fill(1 / (K - 1));
  equal[K - 1] = 0;
  let episodes = 0;
  let stoppedEarly = false;
  const updatesNow = (): Record<JointLevel, number> => ({
    strategic: l1.updates,
    tactical: updates2,
    execution: updates3,
  });

  const validate = (): void => {
    if (vMonths < 1) return;
    let book: Float64Array = bookOf(closes, layout, equal, vStart, scfg.rebalanceEvery);
    let strategic: Float64Array = new Float64Array(K);
    const daily: number[] = [];
    let growth = 1;
    let t = vStart;
    for (let k = 0; k < vMonths; k++) {
      if (k % perYear === 0)
        strategic = strategicTargetOf(
          l1.act({ x: strategicFeatures(closes, t, layout, regimes, classWeightsOf(layout, book), scfg, o.macro) }),
        );
      const raw = byRow(checkEnv.features(t, book, strategic), F2, (x) => l2.act({ x }, zero)[0]!);
      const month = checkEnv.month(t, book, strategic, raw);
      for (const g of month.growth) {
        daily.push(g - 1);
        growth *= g;
      }
      book = month.holdings;
      t = month.end;
    }
    const point = {
      episodes,
      updates: updatesNow(),
      score: riskAdjustedReward(growth, daily, scfg.riskPenalty).reward,
    };
    history.push(point);
    selector.observe(history.length, point.score, () => ({
      strategic: l1.actorParams(),
      tactical: l2.actorParams(),
      execution: l3.actorParams(),
    }));
    o.onProgress?.(point);
  };

  const update3 = (day: number): void => {
    if (buffer3.size < Math.max(ecfg.warmup, ecfg.batchSize)) return;
    for (let k = 0; k < ecfg.updatesPerDay; k++) {
      l3.setLearningRateScale(learningRateScale(ecfg, updates3, budget3));
      replayUpdate(l3, buffer3, FEATURE_COUNT, ecfg.batchSize, replay3Rng);
      updates3++;
    }
    trace?.({ level: 'execution', kind: 'update', day, count: ecfg.updatesPerDay });
  };
  const update2 = (day: number): void => {
    if (buffer2.size < Math.max(tcfg.warmup, tcfg.batchSize)) return;
    for (let k = 0; k < tcfg.updatesPerMonth; k++) {
      l2.setLearningRateScale(learningRateScale(tcfg, updates2, budget2));
      replayUpdate(l2, buffer2, F2, tcfg.batchSize, replay2Rng);
      updates2++;
    }
    trace?.({ level: 'tactical', kind: 'update', day, count: tcfg.updatesPerMonth });
  };
  const update1 = (day: number): void => {
    const before = l1.updates;
    learnFromDecisions(l1, rollout, scfg, minibatchRng, budget1);
    rollout.length = 0;
    trace?.({ level: 'strategic', kind: 'update', day, count: l1.updates - before });
  };

  try {
    let order: number[] = [];
    while (episodes < E) {
      if (o.signal?.aborted) throw abortError(o.signal);
      if (!order.length) order = Array.from(shuffled(starts.length, orderRng));
      const t0 = starts[order.shift()!]!;

      // Level 1: one decision for the year
      let book: Float64Array = bookOf(closes, layout, drawAllocation(bookRng, K - 1, scfg), t0, scfg.rebalanceEvery);
      const x1 = strategicFeatures(closes, t0, layout, regimes, classWeightsOf(layout, book), scfg, o.macro);
      const s1 = l1.sample({ x: x1 });
      const strategic = strategicTargetOf(s1.action);
      trace?.({ level: 'strategic', kind: 'act', day: t0, count: 1 });

      const daily: number[] = [];
      let growth = 1;
      let t = t0;
      let x2 = trainEnv.features(t, book, strategic);
      for (let k = 0; k < months; k++) {
        // Level 2: one tilt per class for the month
        const raw = byRow(x2, F2, (x) => l2.explore({ x }).action[0]!);
        trace?.({ level: 'tactical', kind: 'act', day: t, count: K });
        // Level 3: the month's days, each one's transitions recorded and learned from before the next day
        const period = new ExecutionTransitions(n, (tr) => {
          buffer3.push(tr);
          transitions.execution++;
        });
        const onDay = (d: MonthDay): void => {
          const before = transitions.execution;
          period.day(d.features, d.step.fractions, d.step.rewards, d.last);
          if (transitions.execution > before)
            trace?.({ level: 'execution', kind: 'record', day: d.t, count: transitions.execution - before });
          update3(d.t);
        };
        const month = trainEnv.month(t, book, strategic, raw, onDay);
        for (const g of month.growth) {
          daily.push(g - 1);
          growth *= g;
        }
        book = month.holdings;
        t = month.end;
        // Level 2's month: one transition per class, then its updates
        const next = trainEnv.features(t, book, strategic);
        const done = k === months - 1 ? 1 : 0;
        for (let c = 0; c < K; c++)
          buffer2.push({
            s: x2.slice(c * F2, (c + 1) * F2),
            a: raw[c]!,
            r: month.rewards[c]!,
            s2: next.slice(c * F2, (c + 1) * F2),
            done,
          });
        transitions.tactical += K;
        trace?.({ level: 'tactical', kind: 'record', day: t, count: K });
        update2(t);
        x2 = next;
        await new Promise<void>((r) => setImmediate(r));
        if (o.signal?.aborted) throw abortError(o.signal);
      }

      // Level 1's year: one transition, its reward the year the hierarchy ran
      rollout.push({
        x: x1,
        u: s1.u,
        logp: s1.logp,
        value: s1.value,
        reward: riskAdjustedReward(growth, daily, scfg.riskPenalty).reward,
      });
      transitions.strategic++;
      trace?.({ level: 'strategic', kind: 'record', day: t, count: 1 });
      episodes++;
      const lastEpisode = episodes >= E;
      if (rollout.length >= joint.strategicBatch || lastEpisode) update1(t);

      if (episodes % joint.episodesPerValidation === 0 || lastEpisode) {
        validate();
        if (selector.stop) {
          stoppedEarly = true;
          break;
        }
      }
    }
    const best = selector.best;
    return {
      actors: best
        ? best.value
        : { strategic: l1.actorParams(), tactical: l2.actorParams(), execution: l3.actorParams() },
      chosen: best ? history[best.episode - 1]! : null,
      history,
      episodes,
      months,
      updates: updatesNow(),
      transitions,
      stoppedEarly,
      elapsedMs: Date.now() - started,
    };
  } finally {
    l1.dispose();
    l2.dispose();
    l3.dispose();
  }
}
