/**
 * The three-level strategies (issue 20, docs/three-level.md): `three-level` — a fixed strategic rule (Level 1, every
 * 252 trading days), learned tactical tilts of at most ±5% per class (Level 2, every 21) and learned execution
 * towards the tilted target (Level 3, every day) — `three-level/learned-strategic`, the same with a learned Level 1
 * (agents/threelevel/strategic-trainer.ts), its ablations `three-level/no-tactical`, `three-level/trade-at-once`,
 * `three-level/linear` and `three-level/two-levels` (params.ts says what each changes), and the flat ablation
 * `three-level/flat` (flat.ts: one agent, no levels).
 *
 * `create(ctx)` forms the classes (agents/hadaps/classes.ts classLayout; equal weight inside a class), trains bottom
 * up on the prices cut at ctx.trainEnd — Level 3 first (agents/threelevel/trainer.ts), then Level 2 with that
 * Level 3 (or the variant's baseline) executing its months (tactical-trainer.ts), then a learned Level 1 with
 * both fixed (its reward holds its target at a proportional cost, so it does not run them: strategic-trainer.ts) —
 * exports each policy to ONNX and decides through ONNX Runtime. Levels 2 and 3 train under the execution-cost
 * model's default spread and impact (market/costs.ts IMPACT_DEFAULTS) and the `costRate` commission: the prices a
 * backtest with `--impact` and default settings charges; a learned Level 1 pays that commission plus the half-spread.
 *
 * The daily decision, at the close of t (d = trading days since the first decision):
 *   - d a multiple of 252: the strategic class weights s (strategic.ts's rule, or the learned policy reading the
 *     market's regimes over the matrix's days up to t, the classes' trailing year and the book's class weights);
 *   - d a multiple of 21 (two-levels: of 252): the tactical tilts (zero without Level 2), the combined class
 *     weights, their asset target, and a new execution period whose paper portfolio holds that target from now on
 *     (env.ts's convention: the target drifts with prices);
 *   - every day: Level 3 reads the book (HeldBook: the last decision drifted to today), the paper portfolio and
 *     the days left, and trades its fractions of each asset's gap; on the period's last day the whole rest (so the
 *     book is on target when the next tactical decision comes). After a period, until the next target (two-levels
 *     only), the book drifts untouched.
 * The decision is the book after the day's trade; the simulator charges its costs. Level 3's state reads the book
 * at its nominal size (value 1, as in its training periods), since a strategy does not see its costs.
 *
 * Trained models are keyed by level: Level 3 by its config, the training costs, the seed, the tickers and the
 * prices up to trainEnd (shared by every id that executes with it); Level 2 by its config, the class layout, the
 * Level 3 it trained with and the same (so the learned-strategic id reuses three-level's Level 2 and 3); a learned
 * Level 1 by its config, the class layout and the same; kept in memory within a process and, with a store installed
 * (`setThreeLevelModelStore`: the backtest installs the files next to the database), loaded instead of trained.
 */
import { createHash } from 'node:crypto';
import type { DecisionModel, ThreeLevelDecisionDetailInput } from '../../../src-shared/domain/decision';
import type { StoredClasses } from '../../agents/hadaps/artifacts';
import { classLayout, CASH_CLASS, type ClassLayout } from '../../agents/hadaps/classes';
import type {
  ExecutionArtifacts,
  StrategicArtifacts,
  TacticalArtifacts,
  ThreeLevelArtifacts,
  ThreeLevelModelStore,
} from '../../agents/threelevel/artifacts';
import { baselinePolicy, type ExecutionPolicy } from '../../agents/threelevel/baselines';
import type { ExecutionConfig } from '../../agents/threelevel/config';
import { drift, ExecutionEnv, GAP_EPSILON, type ExecutionState } from '../../agents/threelevel/env';
import { ExecutionAgentPolicy, exportExecutionOnnx } from '../../agents/threelevel/policy';
import { strategicTarget } from '../../agents/threelevel/strategic';
import type { StrategicConfig } from '../../agents/threelevel/strategic-config';
import { regimesUpTo, strategicFeatures } from '../../agents/threelevel/strategic-env';
import { exportStrategicOnnx, StrategicPolicy } from '../../agents/threelevel/strategic-network';
import { trainStrategicAgent } from '../../agents/threelevel/strategic-trainer';
import type { TacticalConfig } from '../../agents/threelevel/tactical-config';
import { tacticalFeatures } from '../../agents/threelevel/tactical-env';
import { exportTacticalOnnx, TacticalPolicy } from '../../agents/threelevel/tactical-network';
import { trainTacticalAgent } from '../../agents/threelevel/tactical-trainer';
import { assetWeights, boundTilts, classWeightsOf } from '../../agents/threelevel/tilts';
import { splitTrainingDays, trainExecutionAgent } from '../../agents/threelevel/trainer';
import { ExecutionCosts, IMPACT_DEFAULTS } from '../../market/costs';
import type { PriceMatrix } from '../../market/prices';
import type { StrategyContext, StrategyDef, StrategyInstance } from '../types';
import { HeldBook, trainingKey, TrainedModels } from '../trained';
import { flatThreeLevelStrategy } from './flat';
import { THREE_LEVEL_PARAMS, threeLevelConfigsFromParams, VARIANTS, type Variant } from './params';

export { THREE_LEVEL_PARAMS, threeLevelConfigsFromParams } from './params';

/** Bumped when a change to the training makes earlier models differ. */
export const THREE_LEVEL_TRAINING_REVISION = 1;

const models = new TrainedModels<ThreeLevelArtifacts>();

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
function trainingCosts(m: PriceMatrix, costRate: number): ExecutionCosts {
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

/** The training key of a learned Level 1 model. */
export function strategicTrainingKey(ctx: StrategyContext, cfg: StrategicConfig, layout: ClassLayout): string {
  const what = {
    family: 'three-level/strategic',
    revision: THREE_LEVEL_TRAINING_REVISION,
    config: cfg,
    seed: ctx.seed,
    tickers: ctx.prices.tickers,
    classes: storedClasses(layout, ctx.prices.tickers),
    trainStart: ctx.trainStart,
    trainEnd: ctx.trainEnd,
  };
  return trainingKey(what, ctx.prices, ctx.trainEnd);
}

async function strategicModelFor(
  ctx: StrategyContext,
  id: string,
  cfg: StrategicConfig,
  layout: ClassLayout,
): Promise<StrategicArtifacts> {
  const key = strategicTrainingKey(ctx, cfg, layout);
  const K = layout.classes.length + 1;
  const a = await models.get(key, ctx, `${id} (Level 1)`, async () => {
    const res = await trainStrategicAgent({
      m: pricesUpTo(ctx.prices, ctx.trainEnd),
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
      training: {
        updates: res.updates,
        episodes: res.episodes,
        chosen: res.chosen ? { updates: res.chosen.updates, score: res.chosen.score } : null,
        stoppedEarly: res.stoppedEarly,
        elapsedMs: res.elapsedMs,
      },
    };
  });
  if (a.level !== 'strategic') throw new Error(`${id}: model ${key.slice(0, 12)} is not a strategic model`);
  return a;
}

async function executionModelFor(
  ctx: StrategyContext,
  id: string,
  cfg: ExecutionConfig,
  costRate: number,
): Promise<ExecutionArtifacts> {
  const key = executionTrainingKey(ctx, cfg, costRate);
  const a = await models.get(key, ctx, `${id} (Level 3)`, async () => {
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
      training: {
        updates: res.updates,
        episodes: res.periods,
        chosen: res.chosen ? { updates: res.chosen.updates, score: res.chosen.score } : null,
        stoppedEarly: res.stoppedEarly,
        elapsedMs: res.elapsedMs,
      },
    };
  });
  if (a.level !== 'execution') throw new Error(`${id}: model ${key.slice(0, 12)} is not an execution model`);
  return a;
}

async function tacticalModelFor(
  ctx: StrategyContext,
  id: string,
  cfg: TacticalConfig,
  exec: ExecutionConfig,
  execution: { label: string; policy: ExecutionPolicy },
  layout: ClassLayout,
  costRate: number,
): Promise<TacticalArtifacts> {
  const key = tacticalTrainingKey(ctx, cfg, exec, execution.label, layout, costRate);
  const a = await models.get(key, ctx, `${id} (Level 2)`, async () => {
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
      training: {
        updates: res.updates,
        episodes: res.episodes,
        chosen: res.chosen ? { updates: res.chosen.updates, score: res.chosen.score } : null,
        stoppedEarly: res.stoppedEarly,
        elapsedMs: res.elapsedMs,
      },
    };
  });
  if (a.level !== 'tactical') throw new Error(`${id}: model ${key.slice(0, 12)} is not a tactical model`);
  return a;
}

/** Level 3's fractions for a day (each clipped to [0, 1]), refused when the policy answers asynchronously. */
function fractionsOf(
  policy: ExecutionPolicy,
  features: Float32Array,
  daysLeft: number,
  s: ExecutionState,
): Float64Array {
  const f = policy.fractions(features, daysLeft, s);
  if (f instanceof Promise) throw new Error(`execution policy ${policy.name} must answer synchronously`);
  return f.map((x) => Math.min(1, Math.max(0, x)));
}

function create(v: Variant): (ctx: StrategyContext) => Promise<StrategyInstance> {
  const id = v.id;
  return async (ctx) => {
    if (ctx.trainEnd < 0) throw new RangeError(`${id} needs a training window (trainEnd = -1)`);
    const { exec, tactical: tcfg, strategic: scfg, classing, costRate } = threeLevelConfigsFromParams(id, ctx.params);
    const tickers = ctx.prices.tickers;
    const n = tickers.length;
    const layout = classLayout(tickers, ctx.prices.assets, classing);
    const K = layout.classes.length + 1;

    // Level 3, then Level 2 trained with it (bottom up)
    let execModel: ExecutionArtifacts | null = null;
    let execPolicy: ExecutionPolicy;
    // the learned levels' ONNX Runtime sessions, released by the instance's dispose (or here, when create fails)
    let execSession: ExecutionAgentPolicy | null = null;
    if (v.execution === 'learned') {
      execModel = await executionModelFor(ctx, id, exec, costRate);
      execPolicy = execSession = await ExecutionAgentPolicy.open(execModel.onnx);
    } else execPolicy = baselinePolicy(v.execution);
    let tacticalModel: TacticalArtifacts | null = null;
    let tacticalPolicy: TacticalPolicy | null = null;
    if (v.tactical === 'learned') {
      const label = execModel ? execModel.model.key : v.execution;
      try {
        tacticalModel = await tacticalModelFor(ctx, id, tcfg, exec, { label, policy: execPolicy }, layout, costRate);
        tacticalPolicy = await TacticalPolicy.open(tacticalModel.onnx);
      } catch (e) {
        await execSession?.dispose();
        throw e;
      }
    }
    // a learned Level 1, last (its reward does not run the levels below)
    let strategicModel: StrategicArtifacts | null = null;
    let strategicPolicy: StrategicPolicy | null = null;
    if (v.strategic === 'learned') {
      try {
        strategicModel = await strategicModelFor(ctx, id, scfg, layout);
        strategicPolicy = await StrategicPolicy.open(strategicModel.onnx, K);
      } catch (e) {
        await Promise.all([execSession?.dispose(), tacticalPolicy?.dispose()]);
        throw e;
      }
    }

    // what the decisions read: the cost model's σ and ADV (rows up to the day only) for Level 3's state
    const execEnv = new ExecutionEnv(ctx.prices, trainingCosts(ctx.prices, costRate), exec);
    const H = exec.horizon;
    const P = tcfg.strategicPeriod;
    const retargetEvery = v.retarget === 'tactical' ? H : P;
    const book = new HeldBook(n);
    const levels: ThreeLevelDecisionDetailInput['levels'] = {
      strategic: strategicModel ? strategicModel.model : { rule: tcfg.strategicRule },
      tactical: tacticalModel ? tacticalModel.model : { rule: 'none' },
      execution: execModel ? execModel.model : { rule: v.execution },
    };
    let first = -1;
    let strategic: Float64Array = new Float64Array(K);
    let tilts: Float64Array = new Float64Array(K);
    let combined: Float64Array = new Float64Array(K);
    let paper: Float64Array = new Float64Array(n + 1);
    let paperDay = -1;
    let periodStart = -1;

    return {
      decide(view) {
        const t = view.t;
        if (first < 0) first = t;
        const d = t - first;
        const closes = (day: number) => view.closes(day);
        const held = book.held(view);
        const w = new Float64Array(n + 1);
        w.set(held);
        w[n] = Math.max(0, 1 - held.reduce((a, b) => a + b, 0));
        if (d % P === 0)
          strategic = strategicPolicy
            ? strategicPolicy.target(
                strategicFeatures(
                  closes,
                  t,
                  layout,
                  regimesUpTo(closes, t, ctx.prices.dates),
                  classWeightsOf(layout, w),
                  scfg,
                ),
              )
            : strategicTarget(closes, t, layout, tcfg.strategicRule, P);
        if (d % retargetEvery === 0) {
          const raw = tacticalPolicy
            ? Array.from(
                tacticalPolicy.run(tacticalFeatures(closes, t, layout, w, strategic, tcfg)),
                (a) => tcfg.maxTilt * a,
              )
            : new Float64Array(K);
          tilts = boundTilts(strategic, raw, tcfg.maxTilt);
          combined = Float64Array.from(strategic, (s, k) => Math.max(0, s + tilts[k]!));
          paper = new Float64Array(n + 1);
          paper.set(assetWeights(layout, combined));
          paper[n] = Math.max(0, 1 - paper.subarray(0, n).reduce((a, b) => a + b, 0));
          periodStart = t;
        } else drift(paper, view.closes(paperDay), view.closes(t), 0, n);
        paperDay = t;

        // Level 3: today's fractions of each gap (the whole rest on the period's last day, nothing after it)
        const decision = t - periodStart;
        const daysLeft = H - decision;
        let f: Float64Array = new Float64Array(n);
        if (daysLeft === 1) f.fill(1);
        else if (daysLeft > 1) {
          const s: ExecutionState = { t0: periodStart, t, decision, w, q: paper, value: 1, paper: 1, startValue: 1 };
          f = fractionsOf(execPolicy, execEnv.features(s), daysLeft, s);
        }
        const weights = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const g = paper[i]! - w[i]!;
          weights[i] = Math.abs(g) < GAP_EPSILON || daysLeft < 1 ? w[i]! : f[i] === 1 ? paper[i]! : w[i]! + f[i]! * g;
        }
        // rounding can leave the risky sum a hair above 1
        const sum = weights.reduce((a, b) => a + b, 0);
        if (sum > 1) for (let i = 0; i < n; i++) weights[i] = weights[i]! / sum;
        book.record(weights, t);

        const detail: ThreeLevelDecisionDetailInput = {
          family: 'three-level',
          variant: id,
          basis: layout.basis,
          classes: [
            ...layout.classes.map((c, k) => ({
              name: c.name,
              tickers: c.members.map((i) => tickers[i]!),
              strategic: strategic[k]!,
              tilt: tilts[k]!,
              target: combined[k]!,
            })),
            {
              name: CASH_CLASS,
              tickers: [],
              strategic: strategic[K - 1]!,
              tilt: tilts[K - 1]!,
              target: combined[K - 1]!,
            },
          ],
          fractions: Array.from(daysLeft >= 1 ? f : new Float64Array(n)),
          nextTacticalIn: v.retarget === 'tactical' ? H - (d % H) : null,
          nextStrategicIn: P - (d % P),
          levels,
          ...(strategicModel
            ? { model: strategicModel.model }
            : tacticalModel
              ? { model: tacticalModel.model }
              : execModel
                ? { model: execModel.model }
                : {}),
        };
        return { weights, detail };
      },
      async dispose() {
        await Promise.all([execSession?.dispose(), tacticalPolicy?.dispose(), strategicPolicy?.dispose()]);
      },
    };
  };
}

const hierarchies: StrategyDef[] = VARIANTS.map((v) => ({
  id: v.id,
  label: v.label,
  description:
    'The three-level hierarchy a fund is run by (issue 20, docs/three-level.md): a strategic allocation across asset ' +
    'classes once a year (a fixed rule: inverse-volatility class weights, or a learned policy), tactical tilts of at most 5% per class ' +
    "once a month (a per-class SAC policy reading each class's trend, volatility and drawdown and the book, rewarded " +
    "with the month's outperformance over the strategic target net of the execution level's costs), and execution " +
    "towards the month's target every day (a per-asset SAC policy trading fractions of each gap against spread and " +
    'square-root impact); equal weight inside a class, cash a class. Trained bottom up on the training window, ' +
    'checkpoints chosen on its held-out end; decides through ONNX Runtime. This id: ' +
    v.what +
    '.',
  family: 'learning',
  group: 'three-level',
  hindsight: false,
  params: THREE_LEVEL_PARAMS,
  create: create(v),
}));

export const threeLevelStrategies: StrategyDef[] = [...hierarchies, flatThreeLevelStrategy()];
