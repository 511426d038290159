/**
 * The HADAPS strategies (Kim et al., "HADAPS: Hierarchical Adaptive Multi-Asset Portfolio Selection"; docs/hadaps.md):
 * `hadaps` (the paper's reward), `hadaps/log-reward` (net-of-cost log return), `hadaps/auto-alpha` (learned entropy
 * temperature), the paper's ablations `hadaps/flat` (SAC, no hierarchy), `hadaps/intra` (SAC+Intra: equal class
 * weights) and `hadaps/inter` (SAC+Inter: equal weights inside classes), and the action-scale sweep
 * `hadaps-beta/1` .. `hadaps-beta/10`.
 *
 * `create(ctx)` forms the asset classes (agents/hadaps/classes.ts), trains on ctx.trainStart..ctx.trainEnd through
 * views that end at the training and validation periods' last days (agents/hadaps/trainer.ts), exports the chosen
 * policy to ONNX and decides through ONNX Runtime. Holdings-aware like every learned strategy here: the instance
 * keeps the weights it last decided, drifts them with the prices to the day it is asked about (all cash before its
 * first decision), feeds them to the policy, and trades through the no-trade band it trained with.
 *
 * Trained models are keyed by the family, the training revision, the config, the seed, the class layout and the
 * prices up to trainEnd; kept in memory within a process and, with a store installed (`setHadapsModelStore`: the
 * backtest installs the files next to the database), loaded instead of trained again.
 */
import type { HadapsDecisionDetailInput } from '../../../src-shared/domain/decision';
import { concentration } from '../../../src-shared/domain/concentration';
import type { HadapsArtifacts, HadapsModelStore, StoredClasses } from '../../agents/hadaps/artifacts';
import { CASH_CLASS, classLayout, type ClassLayout } from '../../agents/hadaps/classes';
import type { HadapsConfig } from '../../agents/hadaps/config';
import { firstStateDay, hadapsStates, priceNorm } from '../../agents/hadaps/features';
import type { HadapsShape } from '../../agents/hadaps/network';
import { exportHadapsOnnx, HadapsPolicy } from '../../agents/hadaps/policy';
import { trainHadaps } from '../../agents/hadaps/trainer';
import { PortfolioEnv, type EnvOptions } from '../../agents/samp/env';
import { bandedPartialTrade } from '../../agents/samp/trading';
import type { PriceMatrix } from '../../market/prices';
import { MarketView } from '../../market/view';
import { protocolWindows, type WalkWindow } from '../../market/walkforward';
import type { StrategyContext, StrategyDef, StrategyInstance } from '../types';
import { finiteFigures, HeldBook, modelRecord, TrainedModels, trainingKey } from '../trained';
import { HADAPS_PARAMS, hadapsConfigFromParams, VARIANTS } from './params';

export { HADAPS_PARAMS, hadapsConfigFromParams } from './params';

/** Bumped when a change to the training makes earlier models differ (2: the trade rule's full close and cash rule). */
export const HADAPS_TRAINING_REVISION = 2;

/** The classes of a layout by ticker. */
function storedClasses(layout: ClassLayout, tickers: readonly string[]): StoredClasses {
  return {
    basis: layout.basis,
    classes: layout.classes.map((c) => ({ name: c.name, tickers: c.members.map((i) => tickers[i]!) })),
  };
}

/** The training key: everything that determines the trained policy (strategies/trained.ts trainingKey). */
export function hadapsTrainingKey(
  cfg: HadapsConfig,
  seed: number,
  layout: ClassLayout,
  prices: PriceMatrix,
  trainStart: number,
  trainEnd: number,
): string {
  const what = {
    family: 'hadaps',
    revision: HADAPS_TRAINING_REVISION,
    config: cfg,
    seed,
    tickers: prices.tickers,
    classes: storedClasses(layout, prices.tickers),
    trainStart,
    trainEnd,
  };
  return trainingKey(what, prices, trainEnd);
}

/**
 * The training periods of a window: the first state day (2k - 1 days of history, and not before trainStart), the
 * validation days (at most half of the window's days) and the training environment's last day.
 */
export function hadapsPeriods(
  cfg: HadapsConfig,
  trainStart: number,
  trainEnd: number,
): { first: number; split: number; validationDays: number } {
  const first = Math.max(trainStart, firstStateDay(cfg.window));
  const validationDays = Math.max(0, Math.min(cfg.validationDays, Math.floor((trainEnd - first) / 2)));
  const split = trainEnd - validationDays;
  if (split - first < 2)
    throw new RangeError(
      `training window too short for HADAPS: first state day ${first}, last day ${trainEnd} (needs ${2 * cfg.window} days of history for window ${cfg.window} and at least 2 training days)`,
    );
  return { first, split, validationDays };
}

const models = new TrainedModels<HadapsArtifacts>();

/** Install (or remove, with null) the store models are loaded from and written to; forgets the in-memory ones. */
export function setHadapsModelStore(store: HadapsModelStore | null): void {
  models.setStore(store);
}

/**
 * The model of a training window: from memory, else from the store, else trained (and stored). A warm-started
 * config first gets the previous monthly window's model the same way (see {@link previousWindow}).
 */
function modelFor(ctx: StrategyContext, id: string, cfg: HadapsConfig, layout: ClassLayout): Promise<HadapsArtifacts> {
  const key = hadapsTrainingKey(cfg, ctx.seed, layout, ctx.prices, ctx.trainStart, ctx.trainEnd);
  return models.get(key, ctx, id, async () => {
    let from: HadapsArtifacts | null = null;
    if (cfg.warmStart) {
      const prev = previousWindow(ctx.prices, ctx.trainStart, ctx.trainEnd);
      if (prev)
        from = await modelFor({ ...ctx, trainStart: prev.trainStart, trainEnd: prev.trainEnd }, id, cfg, layout);
    }
    return trainModel(ctx, id, cfg, layout, key, from);
  });
}

/**
 * The hadaps protocol's window a warm-started model of the window training on trainStart..trainEnd starts from:
 * the previous month's, or null in the first month of a calendar year of tests, where the chain starts cold. So a
 * model never depends on more than the eleven months before it in its year, a test year can be run on its own, and
 * every model is the same whichever order (or process) trains them. `undefined` for a window that is not one of the
 * protocol's (an explicit window): there is no monthly chain to follow, and the model trains cold.
 */
export function previousWindow(
  prices: PriceMatrix,
  trainStart: number,
  trainEnd: number,
): WalkWindow | null | undefined {
  const windows = protocolWindows(prices.dates, 'hadaps');
  const k = windows.findIndex((w) => w.trainStart === trainStart && w.trainEnd === trainEnd);
  if (k < 0) return undefined;
  const prev = k > 0 ? windows[k - 1]! : null;
  const year = (w: WalkWindow) => prices.dates[w.testStart]!.slice(0, 4);
  return prev && year(prev) === year(windows[k]!) ? prev : null;
}

async function trainModel(
  ctx: StrategyContext,
  id: string,
  cfg: HadapsConfig,
  layout: ClassLayout,
  key: string,
  from: HadapsArtifacts | null,
): Promise<HadapsArtifacts> {
  if (from && !from.warm)
    throw new Error(`${id}: the previous month's model ${from.model.key.slice(0, 12)} has no warm-start state`);
  const { first, split, validationDays } = hadapsPeriods(cfg, ctx.trainStart, ctx.trainEnd);
  const view = new MarketView(ctx.prices, ctx.trainEnd);
  const n = view.nAssets;
  const norm = priceNorm((d) => view.closes(d), ctx.trainStart, split, n);
  const sh: HadapsShape = { n, layout, cfg };
  const envOpts = {
    costRate: cfg.costRate,
    turnoverPenalty: cfg.turnoverPenalty,
    noTradeBand: cfg.noTradeBand,
    tradeRate: cfg.tradeRate,
    reward: cfg.reward === 'paper' ? 'simple-gross' : 'log-net',
  } satisfies Partial<EnvOptions>;
  const env = new PortfolioEnv(new MarketView(ctx.prices, split), { ...envOpts, firstDay: first, lastDay: split });
  const validation =
    validationDays > 0 ? new PortfolioEnv(view, { ...envOpts, firstDay: split, lastDay: ctx.trainEnd }) : undefined;
  const cache = new Map<number, { p: Float32Array; v: Float32Array }>();
  const res = await trainHadaps({
    sh,
    cfg,
    env,
    ...(validation ? { validation } : {}),
    seed: ctx.seed,
    sample: (_e, t, wprev) => {
      let st = cache.get(t);
      if (!st) {
        st = hadapsStates((d) => view.closes(d), t, n, cfg.window, norm);
        cache.set(t, st);
      }
      return { p: st.p, v: st.v, wprev };
    },
    onProgress: (p) =>
      ctx.progress?.({
        fraction: p.fraction,
        message: `${id}: episode ${p.episode}, ${p.stageUpdates} updates, reward ${p.reward.toFixed(2)}${p.validation ? `, validation Sharpe ${p.validation.sharpe.toFixed(2)}` : ''}`,
        figures: finiteFigures({
          updates: p.stageUpdates,
          reward: p.reward,
          validationSharpe: p.validation?.sharpe ?? Number.NaN,
        }),
      }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(from?.warm ? { init: from.warm } : {}),
  });
  const onnx = exportHadapsOnnx(sh, res.actor);
  return {
    cfg,
    classes: storedClasses(layout, view.tickers),
    tickers: [...view.tickers],
    norm,
    onnx,
    model: modelRecord(key, onnx, ctx),
    training: { ...res.summary, updates: res.updates, elapsedMs: res.elapsedMs },
    ...(cfg.warmStart ? { warm: res.warm } : {}),
    ...(from ? { warmFrom: from.model.key } : {}),
  };
}

/**
 * The weights a decision trades to from the policy's `target` and the weights `held` (decide, and explanations
 * replaying the strategy: strategies/hadaps/explainable.ts): as in training (agents/samp/env.ts), the trade rule
 * agents/samp/trading.ts bandedPartialTrade (the no-trade band, then a share of the gap to what it leaves, the whole
 * gap where the rest would be under the band); scaled back to the whole book should rounding leave more.
 */
export function hadapsTrade(
  target: ArrayLike<number>,
  held: ArrayLike<number>,
  cfg: Pick<HadapsConfig, 'noTradeBand' | 'tradeRate'>,
): Float64Array {
  const w = bandedPartialTrade(target, held, cfg.noTradeBand, cfg.tradeRate);
  let s = 0;
  for (const x of w) s += x;
  if (s > 1) for (let i = 0; i < w.length; i++) w[i] = w[i]! / s;
  return w;
}

/**
 * The layout a stored model was trained with, over the columns of `tickers` (which must be its tickers); also MPLS's
 * (strategies/mpls), whose models store their sectors the same way.
 */
export function layoutOf(m: Pick<HadapsArtifacts, 'tickers' | 'classes'>, tickers: readonly string[]): ClassLayout {
  if (m.tickers.length !== tickers.length || m.tickers.some((t, i) => t !== tickers[i]))
    throw new Error('stored model: its tickers are not the universe it is asked to decide over');
  const classOf = new Array<number>(tickers.length).fill(-1);
  const classes = m.classes.classes.map((c, ci) => ({
    name: c.name,
    members: c.tickers.map((t) => {
      const i = tickers.indexOf(t);
      classOf[i] = ci;
      return i;
    }),
  }));
  return { basis: m.classes.basis, classes, nAssets: tickers.length, classOf };
}

/** One decision of a policy: the detail's classes from the policy's weights and class weights (before the band). */
function classDetail(
  layout: ClassLayout,
  tickers: readonly string[],
  w: Float32Array,
  cls: Float32Array,
): HadapsDecisionDetailInput['classes'] {
  const out = layout.classes.map((c, ci) => {
    const cw = cls[ci]!;
    return {
      name: c.name,
      weight: cw,
      tickers: c.members.map((i) => tickers[i]!),
      intra: c.members.map((i) => (cw > 0 ? w[i]! / cw : 1 / c.members.length)),
    };
  });
  out.push({ name: CASH_CLASS, weight: cls[layout.classes.length]!, tickers: [], intra: [] });
  return out;
}

function create(id: string): (ctx: StrategyContext) => Promise<StrategyInstance> {
  return async (ctx) => {
    if (ctx.trainEnd < 0) throw new RangeError(`${id} needs a training window (trainEnd = -1)`);
    const cfg = hadapsConfigFromParams(id, ctx.params);
    const tickers = ctx.prices.tickers;
    const layout = classLayout(tickers, ctx.prices.assets, cfg.classing);
    const m = await modelFor(ctx, id, cfg, layout);
    const used = layoutOf(m, tickers);
    const sh: HadapsShape = { n: tickers.length, layout: used, cfg: m.cfg };
    const policy = await HadapsPolicy.open(m.onnx, sh);
    const n = tickers.length;
    const book = new HeldBook(n);
    return {
      decide(view) {
        const t = view.t;
        const held = book.held(view);
        const st = hadapsStates((d) => view.closes(d), t, n, m.cfg.window, m.norm);
        const out = policy.run(st.p, st.v, Float32Array.from(held));
        // float32 rounding can leave cash (1 - the risky sum) a hair below zero
        const classes = Float32Array.from(out.classes, (x) => Math.max(0, x));
        const weights = hadapsTrade(out.weights, held, m.cfg);
        let s = 0;
        for (const x of weights) s += x;
        book.record(weights, t);
        const detail: HadapsDecisionDetailInput = {
          family: 'hadaps',
          variant: id,
          basis: used.basis,
          classes: classDetail(used, tickers, out.weights, classes),
          cash: Math.max(0, 1 - Math.min(s, 1)),
          actionScale: m.cfg.actionScale,
          concentration: {
            inter: concentration(classes).effectiveN,
            final: concentration(weights, true).effectiveN,
          },
          model: m.model,
        };
        return { weights, detail };
      },
      dispose: () => policy.dispose(),
    };
  };
}

export const hadapsStrategies: StrategyDef[] = VARIANTS.map((v) => ({
  id: v.id,
  label: v.label,
  description:
    'Kim et al., "HADAPS: Hierarchical Adaptive Multi-Asset Portfolio Selection": soft actor-critic with a hierarchical ' +
    "policy — an inter-class layer reads the signed rolling volatility of every asset and sets the asset classes' " +
    "weights (cash is a class), one intra-class layer per class reads its assets' normalised prices and sets the " +
    'weights inside it; every layer is a five-layer MLP with batch norm and dropout ending in tanh, its Gaussian ' +
    'sample multiplied by the action scale before the softmax. Trained on the training window with twin critics, ' +
    'the checkpoint chosen on its held-out end; decides through ONNX Runtime. This id: ' +
    v.what +
    '.',
  family: 'learning',
  group: 'hadaps',
  hindsight: false,
  params: HADAPS_PARAMS,
  create: create(v.id),
}));
