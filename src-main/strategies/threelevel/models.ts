/**
 * The three-level strategies' trained models (docs/three-level.md "The strategy", "Joint training"): their training
 * keys, the training of each level on the prices cut at ctx.trainEnd, its export to ONNX and the stored file it
 * becomes (agents/threelevel/artifacts.ts), kept in memory within a process and, with a store installed
 * (`setThreeLevelModelStore`: the backtest installs the files next to the database), loaded instead of trained.
 *
 * Keys, by level: Level 3 by its config, the training costs, the seed, the tickers and the prices up to trainEnd
 * (shared by every id that executes with it); Level 2 by its config, the class layout, the Level 3 it trained with
 * and the same (so the learned-strategic id reuses three-level's Level 2 and 3); a learned Level 1 by its config,
 * the class layout and the same, and with macro inputs (macro.ts) the series and their values up to trainEnd. A
 * jointly trained hierarchy (agents/threelevel/joint-trainer.ts) has one key per
 * level, each naming the joint training, every level's config and the joint budget: one training makes all three,
 * and each is stored as its level's usual file.
 *
 * Levels 2 and 3 (and a joint training's three levels) train under the execution-cost model's default spread and
 * impact (market/costs.ts IMPACT_DEFAULTS) and the `costRate` commission: the prices a backtest with `--impact` and
 * default settings charges.
 */
import { createHash } from 'node:crypto';
import type { DecisionModel } from '../../../src-shared/domain/decision';
import type { StoredClasses } from '../../agents/hadaps/artifacts';
import type { ClassLayout } from '../../agents/hadaps/classes';
import type {
  ExecutionArtifacts,
  StrategicArtifacts,
  TacticalArtifacts,
  ThreeLevelArtifacts,
  ThreeLevelModelStore,
} from '../../agents/threelevel/artifacts';
import type { ExecutionPolicy } from '../../agents/threelevel/baselines';
import type { ExecutionConfig } from '../../agents/threelevel/config';
import { trainJointHierarchy, type JointLevel } from '../../agents/threelevel/joint-trainer';
import { exportExecutionOnnx } from '../../agents/threelevel/policy';
import type { StrategicConfig } from '../../agents/threelevel/strategic-config';
import { exportStrategicOnnx } from '../../agents/threelevel/strategic-network';
import { trainStrategicAgent } from '../../agents/threelevel/strategic-trainer';
import type { TacticalConfig } from '../../agents/threelevel/tactical-config';
import { exportTacticalOnnx } from '../../agents/threelevel/tactical-network';
import { trainTacticalAgent } from '../../agents/threelevel/tactical-trainer';
import { splitTrainingDays, trainExecutionAgent } from '../../agents/threelevel/trainer';
import { ExecutionCosts, IMPACT_DEFAULTS } from '../../market/costs';
import type { PriceMatrix } from '../../market/prices';
import type { StrategyContext } from '../types';
import { trainingKey, TrainedModels } from '../trained';
import { alignMacroSeries } from '../../agents/threelevel/strategic-macro';
import { macroKeyPart, type RunMacro } from './macro';
import type { threeLevelConfigsFromParams } from './params';

/** Bumped when a change to the training makes earlier models differ. */
export const THREE_LEVEL_TRAINING_REVISION = 1;

const models = new TrainedModels<ThreeLevelArtifacts>();

/** The level's number as the progress names it, and the level as an error names it. */
const LEVEL_NUMBER = { strategic: 1, tactical: 2, execution: 3 } as const;
const LEVEL_NOUN = { strategic: 'a strategic', tactical: 'a tactical', execution: 'an execution' } as const;

/**
 * One level's model of key `key`: the stored or in-memory one, or `train`'s; an error if what is stored under the key
 * is another level's model.
 */
async function levelModel<L extends ThreeLevelArtifacts['level']>(
  level: L,
  key: string,
  ctx: StrategyContext,
  id: string,
  train: () => Promise<Extract<ThreeLevelArtifacts, { level: L }>>,
): Promise<Extract<ThreeLevelArtifacts, { level: L }>> {
  const a = await models.get(key, ctx, `${id} (Level ${LEVEL_NUMBER[level]})`, train);
  if (a.level !== level) throw new Error(`${id}: model ${key.slice(0, 12)} is not ${LEVEL_NOUN[level]} model`);
  return a as Extract<ThreeLevelArtifacts, { level: L }>;
}

/** Install (or remove, with null) the store models are loaded from and written to; forgets the in-memory ones. */
export function setThreeLevelModelStore(store: ThreeLevelModelStore | null): void {
  models.setStore(store);
}

/** The prices of days 0..last only: what training may read. */
export function pricesUpTo(m: PriceMatrix, last: number): PriceMatrix {
  const cut: PriceMatrix = { ...m, dates: m.dates.slice(0, last + 1), close: m.close.slice(0, last + 1) };
  if (m.tradedValue) cut.tradedValue = m.tradedValue.slice(0, last + 1);
  return cut;
}

/** The cost model both learned levels train and decide under (see the file overview). */
export function trainingCosts(m: PriceMatrix, costRate: number): ExecutionCosts {
  return new ExecutionCosts(m, costRate, IMPACT_DEFAULTS);
}

function storedClasses(layout: ClassLayout, tickers: readonly string[]): StoredClasses {
  return {
    basis: layout.basis,
    classes: layout.classes.map((c) => ({ name: c.name, tickers: c.members.map((i) => tickers[i]!) })),
  };
}

function modelRecord(ctx: StrategyContext, key: string, onnx: Uint8Array): DecisionModel {
  return {
    key,
    sha256: createHash('sha256').update(onnx).digest('hex'),
    backend: 'onnxruntime-cpu',
    trainedFrom: ctx.prices.dates[ctx.trainStart]!,
    trainedTo: ctx.prices.dates[ctx.trainEnd]!,
  };
}

/** The training key of a Level 3 model (strategies/trained.ts trainingKey). */
export function executionTrainingKey(ctx: StrategyContext, cfg: ExecutionConfig, costRate: number): string {
  const what = {
    family: 'three-level/execution',
    revision: THREE_LEVEL_TRAINING_REVISION,
    config: cfg,
    costs: { commission: costRate, impact: IMPACT_DEFAULTS },
    seed: ctx.seed,
    tickers: ctx.prices.tickers,
    trainStart: ctx.trainStart,
    trainEnd: ctx.trainEnd,
  };
  return trainingKey(what, ctx.prices, ctx.trainEnd);
}

/** The training key of a Level 2 model; `execution` is the Level 3 it trains with (a model key or a baseline). */
export function tacticalTrainingKey(
  ctx: StrategyContext,
  cfg: TacticalConfig,
  exec: ExecutionConfig,
  execution: string,
  layout: ClassLayout,
  costRate: number,
): string {
  const what = {
    family: 'three-level/tactical',
    revision: THREE_LEVEL_TRAINING_REVISION,
    config: cfg,
    execution: { horizon: exec.horizon, riskAversion: exec.riskAversion, by: execution },
    costs: { commission: costRate, impact: IMPACT_DEFAULTS },
    seed: ctx.seed,
    tickers: ctx.prices.tickers,
    classes: storedClasses(layout, ctx.prices.tickers),
    trainStart: ctx.trainStart,
    trainEnd: ctx.trainEnd,
  };
  return trainingKey(what, ctx.prices, ctx.trainEnd);
}

/**
 * What a key names of a run's macro inputs (macro.ts macroKeyPart, up to trainEnd's date); nothing without them, so
 * a key without macro inputs is the one earlier models were stored under.
 */
function macroKey(ctx: StrategyContext, macro: RunMacro | undefined): object {
  return macro ? { macro: macroKeyPart(macro, ctx.prices.dates[ctx.trainEnd]!) } : {};
}

/** The macro series of `macro` aligned to the prices training reads (those up to trainEnd). */
function trainingMacro(macro: RunMacro | undefined, m: PriceMatrix) {
  return macro ? { macro: alignMacroSeries(macro.matrix, macro.config.series, m.dates) } : {};
}

/**
 * The training key of a learned Level 1 model; `macro`, the run's macro inputs, which `cfg.macro` names (a
 * RangeError when the two disagree).
 */
export function strategicTrainingKey(
  ctx: StrategyContext,
  cfg: StrategicConfig,
  layout: ClassLayout,
  macro?: RunMacro,
): string {
  checkRunMacro(cfg, macro);
  const what = {
    family: 'three-level/strategic',
    revision: THREE_LEVEL_TRAINING_REVISION,
    config: cfg,
    seed: ctx.seed,
    tickers: ctx.prices.tickers,
    classes: storedClasses(layout, ctx.prices.tickers),
    trainStart: ctx.trainStart,
    trainEnd: ctx.trainEnd,
    ...macroKey(ctx, macro),
  };
  return trainingKey(what, ctx.prices, ctx.trainEnd);
}

/** A RangeError unless the config's macro series are the run's. */
function checkRunMacro(cfg: StrategicConfig, macro: RunMacro | undefined): void {
  if (JSON.stringify(cfg.macro ?? null) !== JSON.stringify(macro?.config ?? null))
    throw new RangeError(
      `the strategic config's macro inputs (${JSON.stringify(cfg.macro ?? null)}) are not the run's (${JSON.stringify(macro?.config ?? null)})`,
    );
}

/** What a stored model records of the training that made it (any level; `episodes` in the level's own unit). */
function trainingRecord(
  res: {
    updates: number;
    chosen: { updates: number; score: number } | null;
    stoppedEarly: boolean;
    elapsedMs: number;
  },
  episodes: number,
) {
  return {
    updates: res.updates,
    episodes,
    chosen: res.chosen ? { updates: res.chosen.updates, score: res.chosen.score } : null,
    stoppedEarly: res.stoppedEarly,
    elapsedMs: res.elapsedMs,
  };
}
export async function strategicModelFor(
  ctx: StrategyContext,
  id: string,
  cfg: StrategicConfig,
  layout: ClassLayout,
  macro?: RunMacro,
): Promise<StrategicArtifacts> {
  const key = strategicTrainingKey(ctx, cfg, layout, macro);
  const K = layout.classes.length + 1;
  return levelModel('strategic', key, ctx, id, async () => {
    const m = pricesUpTo(ctx.prices, ctx.trainEnd);
    const res = await trainStrategicAgent({
      m,
      ...trainingMacro(macro, m),
      layout,
      cfg,
      first: ctx.trainStart,
      last: ctx.trainEnd,
      seed: ctx.seed,
      onProgress: (p) =>
        ctx.progress?.({
          fraction: Math.min(1, p.iterations / cfg.iterations),
          message: `${id}: Level 1, pass ${p.iterations}, validation ${p.score.toFixed(2)}% a year`,
          figures: { updates: p.updates, validationPct: p.score },
        }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const onnx = exportStrategicOnnx(res.actor, K, cfg);
    return {
      level: 'strategic',
      cfg,
      classes: storedClasses(layout, ctx.prices.tickers),
      tickers: [...ctx.prices.tickers],
      onnx,
      model: modelRecord(ctx, key, onnx),
      training: trainingRecord(res, res.episodes),
    };
  });
}

export async function executionModelFor(
  ctx: StrategyContext,
  id: string,
  cfg: ExecutionConfig,
  costRate: number,
): Promise<ExecutionArtifacts> {
  const key = executionTrainingKey(ctx, cfg, costRate);
  return levelModel('execution', key, ctx, id, async () => {
    const m = pricesUpTo(ctx.prices, ctx.trainEnd);
    const res = await trainExecutionAgent({
      m,
      costs: trainingCosts(m, costRate),
      cfg,
      ...splitTrainingDays(ctx.trainStart, ctx.trainEnd, cfg.validationDays),
      seed: ctx.seed,
      onProgress: (p) =>
        ctx.progress?.({
          fraction: Math.min(1, p.updates / cfg.updates) / 2,
          message: `${id}: Level 3, ${p.updates} updates, validation ${p.score.toFixed(2)} bp a period`,
          figures: { updates: p.updates, validationBp: p.score },
        }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const onnx = exportExecutionOnnx(res.actor, cfg);
    return {
      level: 'execution',
      cfg,
      tickers: [...ctx.prices.tickers],
      onnx,
      model: modelRecord(ctx, key, onnx),
      training: trainingRecord(res, res.periods),
    };
  });
}

export async function tacticalModelFor(
  ctx: StrategyContext,
  id: string,
  cfg: TacticalConfig,
  exec: ExecutionConfig,
  execution: { label: string; policy: ExecutionPolicy },
  layout: ClassLayout,
  costRate: number,
): Promise<TacticalArtifacts> {
  const key = tacticalTrainingKey(ctx, cfg, exec, execution.label, layout, costRate);
  return levelModel('tactical', key, ctx, id, async () => {
    const m = pricesUpTo(ctx.prices, ctx.trainEnd);
    const res = await trainTacticalAgent({
      m,
      layout,
      costs: trainingCosts(m, costRate),
      execCfg: exec,
      execution: execution.policy,
      cfg,
      ...splitTrainingDays(ctx.trainStart, ctx.trainEnd, cfg.validationDays),
      seed: ctx.seed,
      onProgress: (p) =>
        ctx.progress?.({
          fraction: 0.5 + Math.min(1, p.updates / cfg.updates) / 2,
          message: `${id}: Level 2, episode ${p.episodes}, ${p.updates} updates, validation ${p.score.toFixed(2)} bp a month`,
          figures: { updates: p.updates, validationBp: p.score },
        }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const onnx = exportTacticalOnnx(res.actor, cfg);
    return {
      level: 'tactical',
      cfg,
      classes: storedClasses(layout, ctx.prices.tickers),
      tickers: [...ctx.prices.tickers],
      execution: execution.label,
      onnx,
      model: modelRecord(ctx, key, onnx),
      training: trainingRecord(res, res.episodes),
    };
  });
}

/** The training key of one level of a jointly trained hierarchy: every level's config and the joint budget. */
export function jointTrainingKey(
  ctx: StrategyContext,
  cfgs: Pick<ReturnType<typeof threeLevelConfigsFromParams>, 'exec' | 'tactical' | 'strategic' | 'joint' | 'costRate'>,
  layout: ClassLayout,
  level: JointLevel,
  macro?: RunMacro,
): string {
  checkRunMacro(cfgs.strategic, macro);
  const what = {
    family: 'three-level/joint',
    revision: THREE_LEVEL_TRAINING_REVISION,
    level,
    config: { execution: cfgs.exec, tactical: cfgs.tactical, strategic: cfgs.strategic, joint: cfgs.joint },
    costs: { commission: cfgs.costRate, impact: IMPACT_DEFAULTS },
    seed: ctx.seed,
    tickers: ctx.prices.tickers,
    classes: storedClasses(layout, ctx.prices.tickers),
    trainStart: ctx.trainStart,
    trainEnd: ctx.trainEnd,
    ...macroKey(ctx, macro),
  };
  return trainingKey(what, ctx.prices, ctx.trainEnd);
}

/**
 * The three models of a jointly trained hierarchy: one training makes all three, each stored as its level's file
 * under its own key (jointTrainingKey), so the model list, the explanations and the desk read them as they read the
 * bottom-up levels'. Each is loaded where stored; the training runs once when any is missing (it is deterministic,
 * so a level stored earlier is the one it would make again).
 */
export async function jointModelsFor(
  ctx: StrategyContext,
  id: string,
  cfgs: ReturnType<typeof threeLevelConfigsFromParams>,
  layout: ClassLayout,
  macro?: RunMacro,
): Promise<{ execution: ExecutionArtifacts; tactical: TacticalArtifacts; strategic: StrategicArtifacts }> {
  const keys = {
    strategic: jointTrainingKey(ctx, cfgs, layout, 'strategic', macro),
    tactical: jointTrainingKey(ctx, cfgs, layout, 'tactical', macro),
    execution: jointTrainingKey(ctx, cfgs, layout, 'execution', macro),
  };
  const { exec, tactical, strategic, joint, costRate } = cfgs;
  let job: Promise<{
    strategic: StrategicArtifacts;
    tactical: TacticalArtifacts;
    execution: ExecutionArtifacts;
  }> | null = null;
  const train = async () => {
    const m = pricesUpTo(ctx.prices, ctx.trainEnd);
    const res = await trainJointHierarchy({
      m,
      ...trainingMacro(macro, m),
      layout,
      costs: trainingCosts(m, costRate),
      exec,
      tactical,
      strategic,
      joint,
      first: ctx.trainStart,
      seed: ctx.seed,
      onProgress: (p) =>
        ctx.progress?.({
          fraction: Math.min(1, p.episodes / joint.episodes),
          message: `${id}: joint training, episode ${p.episodes}, validation ${p.score.toFixed(2)}% (return minus risk penalty)`,
          figures: {
            updatesStrategic: p.updates.strategic,
            updatesTactical: p.updates.tactical,
            updatesExecution: p.updates.execution,
            validationPct: p.score,
          },
        }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const training = (level: JointLevel) =>
      trainingRecord(
        {
          updates: res.updates[level],
          chosen: res.chosen ? { updates: res.chosen.updates[level], score: res.chosen.score } : null,
          stoppedEarly: res.stoppedEarly,
          elapsedMs: res.elapsedMs,
        },
        res.episodes,
      );
    const classes = storedClasses(layout, ctx.prices.tickers);
    const tickers = [...ctx.prices.tickers];
    const onnx = {
      strategic: exportStrategicOnnx(res.actors.strategic, layout.classes.length + 1, strategic),
      tactical: exportTacticalOnnx(res.actors.tactical, tactical),
      execution: exportExecutionOnnx(res.actors.execution, exec),
    };
    return {
      strategic: {
        level: 'strategic' as const,
        cfg: strategic,
        classes,
        tickers,
        onnx: onnx.strategic,
        model: modelRecord(ctx, keys.strategic, onnx.strategic),
        training: training('strategic'),
      },
      tactical: {
        level: 'tactical' as const,
        cfg: tactical,
        classes,
        tickers,
        execution: keys.execution,
        onnx: onnx.tactical,
        model: modelRecord(ctx, keys.tactical, onnx.tactical),
        training: training('tactical'),
      },
      execution: {
        level: 'execution' as const,
        cfg: exec,
        tickers,
        onnx: onnx.execution,
        model: modelRecord(ctx, keys.execution, onnx.execution),
        training: training('execution'),
      },
    };
  };
  const trained = () => (job ??= train());
  const [s1, s2, s3] = await Promise.all([
    levelModel('strategic', keys.strategic, ctx, id, async () => (await trained()).strategic),
    levelModel('tactical', keys.tactical, ctx, id, async () => (await trained()).tactical),
    levelModel('execution', keys.execution, ctx, id, async () => (await trained()).execution),
  ]);
  return { strategic: s1, tactical: s2, execution: s3 };
}
