/**
 * The three-level strategies (issue 20, docs/three-level.md): `three-level` — a fixed strategic rule (Level 1, every
 * 252 trading days), learned tactical tilts of at most ±5% per class (Level 2, every 21) and learned execution
 * towards the tilted target (Level 3, every day) — `three-level/learned-strategic`, the same with a learned Level 1
 * (agents/threelevel/strategic-trainer.ts), its ablations `three-level/no-tactical`, `three-level/trade-at-once`,
 * `three-level/linear` and `three-level/two-levels` (params.ts says what each changes), the flat ablation
 * `three-level/flat` (flat.ts: one agent, no levels), and `three-level/joint`, the hierarchy with all three levels
 * learned together (agents/threelevel/joint-trainer.ts).
 *
 * `create(ctx)` forms the classes (agents/hadaps/classes.ts classLayout; equal weight inside a class), trains bottom
 * up on the prices cut at ctx.trainEnd — Level 3 first (agents/threelevel/trainer.ts), then Level 2 with that
 * Level 3 (or the variant's baseline) executing its months (tactical-trainer.ts), then a learned Level 1 with
 * both fixed (its reward holds its target at a proportional cost, so it does not run them: strategic-trainer.ts) —
 * or, for `three-level/joint`, all three at once (agents/threelevel/joint-trainer.ts) — exports each policy to ONNX
 * and decides through ONNX Runtime. Levels 2 and 3 train under the execution-cost model's default spread and impact
 * (market/costs.ts IMPACT_DEFAULTS) and the `costRate` commission: the prices a backtest with `--impact` and default
 * settings charges; a learned Level 1 trained bottom up pays that commission plus the half-spread.
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
 * With macro inputs (parameters macroUniverse and macroSeries; macro.ts, agents/threelevel/strategic-macro.ts) a
 * learned Level 1 also reads imported series from the run's database, aligned to the strategy's dates (a series'
 * last value dated on or before the day); every decision records what Level 1 read of them at its decision in force.
 *
 * The trained models, their keys and their store: models.ts.
 */
import type { ThreeLevelDecisionDetailInput } from '../../../src-shared/domain/decision';
import { classLayout, CASH_CLASS } from '../../agents/hadaps/classes';
import type { ExecutionArtifacts, StrategicArtifacts, TacticalArtifacts } from '../../agents/threelevel/artifacts';
import { baselinePolicy, type ExecutionPolicy } from '../../agents/threelevel/baselines';
import { drift, ExecutionEnv, GAP_EPSILON, type ExecutionState } from '../../agents/threelevel/env';
import { ExecutionAgentPolicy } from '../../agents/threelevel/policy';
import { strategicTarget } from '../../agents/threelevel/strategic';
import { checkStrategicConfig } from '../../agents/threelevel/strategic-config';
import { regimesUpTo, strategicFeatureCount, strategicFeatures } from '../../agents/threelevel/strategic-env';
import { alignMacroSeries, macroReadings, type MacroReading } from '../../agents/threelevel/strategic-macro';
import { StrategicPolicy } from '../../agents/threelevel/strategic-network';
import { tacticalFeatures } from '../../agents/threelevel/tactical-env';
import { TacticalPolicy } from '../../agents/threelevel/tactical-network';
import { assetWeights, boundTilts, classWeightsOf } from '../../agents/threelevel/tilts';
import type { StrategyContext, StrategyDef, StrategyInstance } from '../types';
import { HeldBook } from '../trained';
import { flatThreeLevelStrategy } from './flat';
import { resolveRunMacro } from './macro';
import { executionModelFor, jointModelsFor, strategicModelFor, tacticalModelFor, trainingCosts } from './models';
import { THREE_LEVEL_PARAMS, VARIANTS, threeLevelConfigsFromParams, type Variant } from './params';

export { THREE_LEVEL_PARAMS, threeLevelConfigsFromParams } from './params';
export { setThreeLevelModelStore } from './models';

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
    const asked = threeLevelConfigsFromParams(id, ctx.params);
    // macro series are read by a learned Level 1 only; the ids with the fixed rule leave the parameters unread
    const runMacro = v.strategic === 'learned' && asked.macro ? resolveRunMacro(ctx, id, asked.macro) : undefined;
    const cfgs = runMacro
      ? { ...asked, strategic: checkStrategicConfig({ ...asked.strategic, macro: runMacro.config }) }
      : asked;
    const { exec, tactical: tcfg, strategic: scfg, classing, costRate } = cfgs;
    const macroInputs = runMacro
      ? alignMacroSeries(runMacro.matrix, runMacro.config.series, ctx.prices.dates)
      : undefined;
    const tickers = ctx.prices.tickers;
    const n = tickers.length;
    const layout = classLayout(tickers, ctx.prices.assets, classing);
    const K = layout.classes.length + 1;

    let execModel: ExecutionArtifacts | null = null;
    let tacticalModel: TacticalArtifacts | null = null;
    let strategicModel: StrategicArtifacts | null = null;
    let execPolicy: ExecutionPolicy;
    // the learned levels' ONNX Runtime sessions, released by the instance's dispose (or here, when create fails)
    let execSession: ExecutionAgentPolicy | null = null;
    let tacticalPolicy: TacticalPolicy | null = null;
    let strategicPolicy: StrategicPolicy | null = null;
    try {
      if (v.training === 'joint') {
        // all three levels trained together (agents/threelevel/joint-trainer.ts)
        ({
          execution: execModel,
          tactical: tacticalModel,
          strategic: strategicModel,
        } = await jointModelsFor(ctx, id, cfgs, layout, runMacro));
        execPolicy = execSession = await ExecutionAgentPolicy.open(execModel.onnx);
        tacticalPolicy = await TacticalPolicy.open(tacticalModel.onnx);
        strategicPolicy = await StrategicPolicy.open(strategicModel.onnx, K, strategicFeatureCount(strategicModel.cfg));
      } else {
        // Level 3, then Level 2 trained with it (bottom up)
        if (v.execution === 'learned') {
          execModel = await executionModelFor(ctx, id, exec, costRate);
          execPolicy = execSession = await ExecutionAgentPolicy.open(execModel.onnx);
        } else execPolicy = baselinePolicy(v.execution);
        if (v.tactical === 'learned') {
          const label = execModel ? execModel.model.key : v.execution;
          tacticalModel = await tacticalModelFor(ctx, id, tcfg, exec, { label, policy: execPolicy }, layout, costRate);
          tacticalPolicy = await TacticalPolicy.open(tacticalModel.onnx);
        }
        // a learned Level 1, last (its reward does not run the levels below)
        if (v.strategic === 'learned') {
          strategicModel = await strategicModelFor(ctx, id, scfg, layout, runMacro);
          strategicPolicy = await StrategicPolicy.open(
            strategicModel.onnx,
            K,
            strategicFeatureCount(strategicModel.cfg),
          );
        }
      }
    } catch (e) {
      await Promise.all([execSession?.dispose(), tacticalPolicy?.dispose(), strategicPolicy?.dispose()]);
      throw e;
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
    let macroRead: MacroReading[] = [];
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
        if (d % P === 0) {
          strategic = strategicPolicy
            ? strategicPolicy.target(
                strategicFeatures(
                  closes,
                  t,
                  layout,
                  regimesUpTo(closes, t, ctx.prices.dates),
                  classWeightsOf(layout, w),
                  scfg,
                  macroInputs,
                ),
              )
            : strategicTarget(closes, t, layout, tcfg.strategicRule, P);
          if (macroInputs) macroRead = macroReadings(macroInputs, t, scfg.signalWindow);
        }
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
          ...(runMacro ? { macro: { universe: runMacro.config.universe, series: macroRead } } : {}),
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
