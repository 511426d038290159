/**
 * The MPLS strategies (the third seed system; docs/mpls.md): `mpls` and its module ablations (MPLS_VARIANTS in
 * src-shared/domain/decision.ts, the modules each switches off in params.ts VARIANT_OFF).
 *
 * `create(ctx)` forms the sectors (agents/hadaps/classes.ts 'auto', risky classes only), then trains, or loads:
 *   1. the training and validation days (market/walkforward.ts heldOutValidation: the mpls protocol's own
 *      validation days when the window leaves some, else the last `validationDays` of the training window);
 *   2. the modules on the training days only, in order: volatility (agents/mpls/volatility.ts), sentiment
 *      (agents/mpls/sentiment.ts, from the universe's stored news: off without news, without scores or without a
 *      database), then graph (agents/mpls/graphModule.ts) with each sector's volatility forecast and sentiment
 *      features as extra node inputs when those modules are on; the variant switches modules off;
 *   3. the agents over the frozen modules (agents/mpls/trainer.ts), exported to ONNX (agents/mpls/policy.ts).
 * Decisions rebuild the modules from their artifacts (a stored model decides as after training) and run each day
 * through agents/mpls/env.ts MplsStates.decide with the exported policies, then the trade rule every learned
 * strategy here uses (strategies/hadaps hadapsTrade: the no-trade band, then the trade rate, the whole gap where the rest
 * would be under the band: agents/samp/trading.ts bandedPartialTrade). Holdings-aware: the
 * instance drifts its last decision to the day asked about (all cash before its first decision).
 *
 * Trained models are keyed by the family, the training revision, the variant, the config, the seed, the sectors,
 * the windows, the news the sentiment module read, and the prices up to the last day read (strategies/trained.ts);
 * kept in memory within a process and, with a store installed (`setMplsModelStore`; the backtest installs the
 * files next to the database), loaded instead of trained again. The news reach the strategy through its context
 * (StrategyContext.news: the backtest gives its database's; without them the sentiment module is off and says why).
 * The instance holds ONNX Runtime sessions (the modules' and the agents'): `dispose` releases them, and a create that
 * fails after opening some releases them itself.
 *
 * Why this file is long: the steps above (periods, fitting or rebuilding the three modules, training, the decision
 * and its detail) all read the same variant switches, module settings and stored-model shape; split apart, each part
 * would take them all as arguments, and the rule that training and decisions build the modules alike would be kept
 * in two places.
 */
import { createHash } from 'node:crypto';
import {
  MPLS_MODULES,
  MPLS_VARIANTS,
  type MplsDecisionDetailInput,
  type MplsModuleName,
  type MplsVariant,
} from '../../../src-shared/domain/decision';
import { concentration } from '../../../src-shared/domain/concentration';
import type { StoredClasses } from '../../agents/hadaps/artifacts';
import { classLayout, type ClassLayout } from '../../agents/hadaps/classes';
import {
  onnxDigestBytes,
  type MplsArtifacts,
  type MplsModelStore,
  type StoredModules,
} from '../../agents/mpls/artifacts';
import type { MplsConfig } from '../../agents/mpls/config';
import { MplsStates, moduleMask, type ConservativeRule, type OnModules } from '../../agents/mpls/env';
import { fitGraphModule, graphFirstDay, graphModuleFrom, type GraphModule } from '../../agents/mpls/graphModule';
import type { MplsModule, VolatilityModule } from '../../agents/mpls/modules';
import type { MplsShape } from '../../agents/mpls/network';
import { exportMplsOnnx, MplsPolicy } from '../../agents/mpls/policy';
import {
  sentimentArtifact,
  sentimentModuleFor,
  sentimentModuleFrom,
  type SentimentInput,
} from '../../agents/mpls/sentiment';
import { trainMpls } from '../../agents/mpls/trainer';
import {
  conservativeAllocation,
  fitVolatilityModule,
  resolveVolatilityConfig,
  volatilityModuleFrom,
  type LstmVolatilityModule,
  type VolatilityArtifact,
} from '../../agents/mpls/volatility';
import { PortfolioEnv } from '../../agents/samp/env';
import type { PriceMatrix } from '../../market/prices';
import { MarketView } from '../../market/view';
import { heldOutValidation } from '../../market/walkforward';
import { hadapsTrade, layoutOf } from '../hadaps';
import { finiteFigures, HeldBook, modelRecord, TrainedModels, trainingKey } from '../trained';
import type { StrategyContext, StrategyDef, StrategyInstance } from '../types';
import { MPLS_PARAMS, moduleSettings, mplsConfigFromParams, VARIANT_OFF, variantText } from './params';

export { MPLS_PARAMS, mplsConfigFromParams } from './params';

/** Bumped when a change to the training makes earlier models differ (2: the trade rule's full close and cash rule). */
export const MPLS_TRAINING_REVISION = 2;

const models = new TrainedModels<MplsArtifacts>();

/** Install (or remove, with null) the store models are loaded from and written to; forgets the in-memory ones. */
export function setMplsModelStore(store: MplsModelStore | null): void {
  models.setStore(store);
}

const NO_NEWS_SOURCE = 'no news to read: the run was started without a database';

/** The classes of a layout by ticker. */
function storedClasses(layout: ClassLayout, tickers: readonly string[]): StoredClasses {
  return {
    basis: layout.basis,
    classes: layout.classes.map((c) => ({ name: c.name, tickers: c.members.map((i) => tickers[i]!) })),
  };
}

/** The days of one training (see the file overview, step 1). */
export interface MplsPeriods {
  /** the first day the agents train on (every module readable, the windows filled) */
  first: number;
  /** the last day the modules and the agents may read in training */
  trainLast: number;
  /** the validation environment's last day (null: no validation) */
  validationEnd: number | null;
}

/** The training periods of a window for a config (the modules' warm-up fixes the first day). */
export function mplsPeriods(
  cfg: MplsConfig,
  ctx: Pick<StrategyContext, 'trainStart' | 'trainEnd' | 'testStart'>,
): MplsPeriods {
  const mods = moduleSettings(cfg.modulePreset);
  const v = resolveVolatilityConfig(mods.volatility);
  const warm = Math.max(graphFirstDay(mods.graph), v.window + v.realisedWindow - 1, cfg.window, 1);
  const first = ctx.trainStart + warm;
  const { trainLast, validationEnd } = heldOutValidation(first, ctx.trainEnd, ctx.testStart, cfg.validationDays);
  if (trainLast - first < 2)
    throw new RangeError(
      `training window too short for MPLS: the modules need ${warm} days of history from day ${ctx.trainStart}, leaving days ${first}..${trainLast} to train the agents on`,
    );
  return { first, trainLast, validationEnd };
}

/** The scored news items the sentiment module reads, as a digest for the training key. */
function newsDigest(news: SentimentInput | null, lastDate: string): string | null {
  if (!news) return null;
  const h = createHash('sha256');
  h.update(JSON.stringify({ total: news.total, unscored: news.unscored }));
  for (const it of news.items) if (it.date <= lastDate) h.update(JSON.stringify(it));
  return h.digest('hex');
}

/** The modules' sector inputs to the graph: each sector's volatility forecast and sentiment features, when on. */
function graphExtras(
  vol: VolatilityModule | undefined,
  sent: MplsModule | undefined,
  S: number,
): ((t: number) => Float32Array) | undefined {
  if (!vol && !sent) return undefined;
  const k = (vol ? 1 : 0) + (sent?.sectorWidth ?? 0);
  return (t) => {
    const out = new Float32Array(S * k);
    const f = vol?.reading(t).forecast;
    const s = sent?.day(t).sectorFeatures;
    for (let c = 0; c < S; c++) {
      let o = c * k;
      if (f) out[o++] = f[c]!;
      if (s && sent) for (let j = 0; j < sent.sectorWidth; j++) out[o++] = s[c * sent.sectorWidth + j]!;
    }
    return out;
  };
}

/** The volatility module's conservative switch, when it is on and the setting asks for it. */
export function conservativeRule(
  cfg: MplsConfig,
  vol: VolatilityModule | undefined,
  art: VolatilityArtifact | null,
): ConservativeRule | null {
  if (!cfg.conservative || !vol || !art) return null;
  return (t, fused) => {
    const r = conservativeAllocation(fused, vol.reading(t), art.cfg);
    return r.conservative ? r.allocation : null;
  };
}

/** The modules of a window, fitted or rebuilt, with what a model stores of them. */
interface BuiltModules {
  on: OnModules;
  stored: StoredModules;
  dispose(): void;
}

/** The sentiment module for a run (or why it is off), from the stored news. */
function sentimentFor(
  id: MplsVariant,
  news: SentimentInput | null,
  prices: PriceMatrix,
  layout: ClassLayout,
  train: { first: number; last: number },
): { module?: MplsModule; reason?: string } {
  if (VARIANT_OFF[id].includes('sentiment')) return { reason: `switched off by the ablation ${id}` };
  if (!news) return { reason: NO_NEWS_SOURCE };
  const r = sentimentModuleFor(news, prices, layout, train);
  return 'off' in r ? { reason: r.reason } : { module: r.module };
}

/** Fit the modules on days trainStart..trainLast (see the file overview, step 2). */
async function fitModules(
  ctx: StrategyContext,
  id: MplsVariant,
  cfg: MplsConfig,
  layout: ClassLayout,
  view: MarketView,
  trainLast: number,
  news: SentimentInput | null,
): Promise<BuiltModules> {
  const off = VARIANT_OFF[id];
  const mods = moduleSettings(cfg.modulePreset);
  const closes = (d: number) => view.closes(d);
  const common = {
    closes,
    nDays: view.t + 1,
    layout,
    trainFirst: ctx.trainStart,
    trainLast,
    seed: ctx.seed,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const reasons: StoredModules['off'] = {};
  const disposers: (() => void)[] = [];
  let vol: VolatilityModule | undefined;
  let volArt: VolatilityArtifact | null = null;
  if (off.includes('volatility')) reasons.volatility = `switched off by the ablation ${id}`;
  else {
    ctx.progress?.({ fraction: 0, message: `${id}: fitting the volatility module` });
    const r = await fitVolatilityModule({ ...common, cfg: mods.volatility });
    vol = r.module;
    volArt = r.artifact;
    disposers.push(() => r.module.dispose());
  }
  const sent = sentimentFor(id, news, ctx.prices, layout, { first: ctx.trainStart, last: trainLast });
  if (sent.reason) reasons.sentiment = sent.reason;
  let graph: GraphModule | undefined;
  if (off.includes('graph')) reasons.graph = `switched off by the ablation ${id}`;
  else {
    ctx.progress?.({ fraction: 0.05, message: `${id}: fitting the graph module` });
    const extra = graphExtras(vol, sent.module, layout.classes.length);
    let r: Awaited<ReturnType<typeof fitGraphModule>>;
    try {
      r = await fitGraphModule({ ...common, cfg: mods.graph, ...(extra ? { extraSectorFeatures: extra } : {}) });
    } catch (e) {
      // a failed or cancelled graph fit releases the volatility module fitted before it
      disposers.forEach((d) => d());
      throw e;
    }
    graph = r.module;
    disposers.push(() => r.module.dispose());
    return done(r.artifact);
  }
  return done(null);

  function done(graphArt: BuiltModules['stored']['graph']): BuiltModules {
    const on: OnModules = {
      ...(vol ? { volatility: vol } : {}),
      ...(sent.module ? { sentiment: sent.module } : {}),
      ...(graph ? { graph } : {}),
    };
    return {
      on,
      stored: {
        volatility: volArt,
        graph: graphArt,
        sentiment: sent.module ? sentimentArtifact() : null,
        off: reasons,
        sectorWidths: MPLS_MODULES.map((m) => on[m]?.sectorWidth ?? 0),
        assetWidth: graph?.assetWidth ?? 0,
      },
      dispose: () => disposers.forEach((d) => d()),
    };
  }
}

/**
 * The modules of a stored model over a whole price matrix (no training); `dispose` releases their ONNX Runtime
 * sessions. The sentiment module, which holds none, is rebuilt first; when the graph module fails, the volatility
 * module is released before the error goes on.
 */
export function rebuildModules(
  m: MplsArtifacts,
  prices: PriceMatrix,
  layout: ClassLayout,
  news: SentimentInput | null,
): { on: OnModules; off: StoredModules['off']; vol: LstmVolatilityModule | undefined; dispose(): void } {
  const closes = (d: number) => prices.close[d]!;
  const n = prices.close.length;
  const off = { ...m.modules.off };
  let sent: MplsModule | undefined;
  if (m.modules.sentiment) {
    if (!news) throw new Error(`${m.variant}: this model was trained with the sentiment module, and ${NO_NEWS_SOURCE}`);
    const r = sentimentModuleFrom(m.modules.sentiment, news, prices, layout);
    if ('off' in r)
      throw new Error(`${m.variant}: this model was trained with the sentiment module, which is now off: ${r.reason}`);
    sent = r.module;
  }
  const vol = m.modules.volatility ? volatilityModuleFrom(m.modules.volatility, closes, n, layout) : undefined;
  let graph: GraphModule | undefined;
  try {
    const extra = graphExtras(vol, sent, layout.classes.length);
    graph = m.modules.graph ? graphModuleFrom(m.modules.graph, closes, n, layout, extra) : undefined;
  } catch (e) {
    vol?.dispose();
    throw e;
  }
  return {
    on: { ...(vol ? { volatility: vol } : {}), ...(sent ? { sentiment: sent } : {}), ...(graph ? { graph } : {}) },
    off,
    vol,
    dispose: () => {
      vol?.dispose();
      graph?.dispose();
    },
  };
}

/**
 * The graph module of a stored model over a price matrix, rebuilt as its decisions rebuild it (with the volatility
 * and sentiment inputs it was fitted with), for the desk's graph view (services/mpls.ts); `dispose` releases the
 * modules' ONNX Runtime sessions. Null when the model ran without the graph module.
 */
export function storedGraphModule(
  m: MplsArtifacts,
  prices: PriceMatrix,
  news: SentimentInput | null,
): { graph: GraphModule; dispose(): void } | null {
  if (!m.modules.graph) return null;
  const mods = rebuildModules(m, prices, layoutOf(m, prices.tickers), news);
  return { graph: mods.on.graph as GraphModule, dispose: mods.dispose };
}

/** The networks' shape of a model's modules. */
export function shapeOf(cfg: MplsConfig, layout: ClassLayout, stored: StoredModules, on: OnModules): MplsShape {
  return { layout, cfg, on: moduleMask(on), sectorWidths: stored.sectorWidths, assetWidth: stored.assetWidth };
}

/** Train a model: the modules, then the agents (see the file overview). */
async function trainModel(
  ctx: StrategyContext,
  id: MplsVariant,
  cfg: MplsConfig,
  layout: ClassLayout,
  per: MplsPeriods,
  news: SentimentInput | null,
  key: string,
): Promise<MplsArtifacts> {
  const lastRead = per.validationEnd ?? per.trainLast;
  const view = new MarketView(ctx.prices, lastRead);
  const built = await fitModules(ctx, id, cfg, layout, view, per.trainLast, news);
  try {
    const sh = shapeOf(cfg, layout, built.stored, built.on);
    const states = new MplsStates(sh, (d) => view.closes(d), built.on, cfg);
    const first = Math.max(per.first, states.firstDay, 1);
    const envOpts = { costRate: cfg.costRate, noTradeBand: cfg.noTradeBand, tradeRate: cfg.tradeRate };
    const env = new PortfolioEnv(new MarketView(ctx.prices, per.trainLast), {
      ...envOpts,
      firstDay: first,
      lastDay: per.trainLast,
    });
    const validation =
      per.validationEnd !== null
        ? new PortfolioEnv(view, { ...envOpts, firstDay: per.trainLast, lastDay: per.validationEnd })
        : undefined;
    const res = await trainMpls({
      sh,
      cfg,
      states,
      rule: conservativeRule(cfg, built.on.volatility as VolatilityModule | undefined, built.stored.volatility),
      env,
      ...(validation ? { validation } : {}),
      seed: ctx.seed,
      onProgress: (p) =>
        ctx.progress?.({
          fraction: 0.1 + 0.9 * p.fraction,
          message: `${id}: iteration ${p.episode}, ${p.stageUpdates} updates, reward ${p.reward.toFixed(2)}${p.validation ? `, validation Sharpe ${p.validation.sharpe.toFixed(2)}` : ''}`,
          figures: finiteFigures({
            updates: p.stageUpdates,
            reward: p.reward,
            validationSharpe: p.validation?.sharpe ?? Number.NaN,
          }),
        }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const onnx = exportMplsOnnx(sh, res.actors);
    return {
      variant: id,
      cfg,
      classes: storedClasses(layout, ctx.prices.tickers),
      tickers: [...ctx.prices.tickers],
      modules: built.stored,
      params: res.actors,
      onnx,
      model: modelRecord(key, onnxDigestBytes(onnx), ctx),
      training: {
        ...res.summary,
        updates: res.updates,
        envSteps: res.envSteps,
        elapsedMs: res.elapsedMs,
        validationDays: per.validationEnd !== null ? per.validationEnd - per.trainLast : 0,
      },
    };
  } finally {
    built.dispose();
  }
}

/** The model of a training window: from memory, else from the store, else trained (and stored). */
function modelFor(
  ctx: StrategyContext,
  id: MplsVariant,
  cfg: MplsConfig,
  layout: ClassLayout,
  news: SentimentInput | null,
): Promise<MplsArtifacts> {
  const per = mplsPeriods(cfg, ctx);
  const lastRead = per.validationEnd ?? per.trainLast;
  const what = {
    family: 'mpls',
    revision: MPLS_TRAINING_REVISION,
    variant: id,
    config: cfg,
    seed: ctx.seed,
    tickers: ctx.prices.tickers,
    classes: storedClasses(layout, ctx.prices.tickers),
    trainStart: ctx.trainStart,
    periods: per,
    news: VARIANT_OFF[id].includes('sentiment') ? null : newsDigest(news, ctx.prices.dates[lastRead]!),
  };
  const key = trainingKey(what, ctx.prices, lastRead);
  return models.get(key, ctx, id, () => trainModel(ctx, id, cfg, layout, per, news, key));
}

/** The decision's modules part: each module on or off (with why), its fusion weight and its proposal. */
function moduleDetail(
  alpha: Float64Array,
  proposals: (Float64Array | null)[],
  off: StoredModules['off'],
): MplsDecisionDetailInput['modules'] {
  const none = proposals.every((p) => p === null);
  return MPLS_MODULES.map((name: MplsModuleName, k) => {
    const p = proposals[k];
    if (p) return { name, on: true, weight: alpha[k]!, proposal: Array.from(p) };
    const why = off[name] ?? 'off';
    return {
      name,
      on: false,
      reason: none ? `${why}; with no module on, the fused allocation is equal over the sectors` : why,
      weight: 0,
      proposal: [],
    };
  });
}

function create(id: MplsVariant): (ctx: StrategyContext) => Promise<StrategyInstance> {
  return async (ctx) => {
    if (ctx.trainEnd < 0) throw new RangeError(`${id} needs a training window (trainEnd = -1)`);
    const cfg = mplsConfigFromParams(id, ctx.params);
    const tickers = ctx.prices.tickers;
    const layout = classLayout(tickers, ctx.prices.assets, 'auto');
    const news = VARIANT_OFF[id].includes('sentiment') || !ctx.news ? null : ctx.news();
    const m = await modelFor(ctx, id, cfg, layout, news);
    const used = layoutOf(m, tickers);
    const mods = rebuildModules(m, ctx.prices, used, news);
    let states: MplsStates;
    let policy: MplsPolicy;
    try {
      const sh = shapeOf(m.cfg, used, m.modules, mods.on);
      states = new MplsStates(sh, (d) => ctx.prices.close[d]!, mods.on, m.cfg);
      policy = await MplsPolicy.open(m.onnx, sh);
    } catch (e) {
      mods.dispose();
      throw e;
    }
    const agents = policy.agents();
    const rule = conservativeRule(m.cfg, mods.vol, m.modules.volatility);
    const book = new HeldBook(tickers.length);
    return {
      decide(view) {
        const t = view.t;
        if (t < states.firstDay)
          throw new RangeError(`${id}: day ${t} is before its modules can be read (day ${states.firstDay})`);
        const held = book.held(view);
        const day = states.decide(t, held, agents, rule);
        const weights = hadapsTrade(day.target, held, m.cfg);
        let s = 0;
        for (const x of weights) s += x;
        book.record(weights, t);
        const reading = mods.vol?.reading(t);
        const detail: MplsDecisionDetailInput = {
          family: 'mpls',
          variant: id,
          basis: used.basis,
          sectors: used.classes.map((c, ci) => ({
            name: c.name,
            tickers: c.members.map((i) => tickers[i]!),
            weight: day.sectors[ci]!,
            intra: Array.from(day.intra[ci]!),
          })),
          modules: moduleDetail(day.alpha, day.proposals, mods.off),
          fused: Array.from(day.fused),
          volatility: reading
            ? {
                forecast: Array.from(reading.forecast),
                uncertainty: reading.uncertainty,
                threshold: reading.threshold,
                conservative: day.conservative,
              }
            : null,
          cash: Math.max(0, 1 - Math.min(s, 1)),
          concentration: {
            sectors: concentration(day.sectors).effectiveN,
            final: concentration(weights, true).effectiveN,
          },
          model: m.model,
        };
        return { weights, detail };
      },
      async dispose() {
        mods.dispose();
        await policy.dispose();
      },
    };
  };
}

export const mplsStrategies: StrategyDef[] = MPLS_VARIANTS.map((id) => {
  const t = variantText(id);
  return {
    id,
    label: t.label,
    description:
      'MPLS (the third seed system): three modules — a volatility LSTM with a Monte-Carlo-dropout uncertainty, a ' +
      'graph-attention network over rolling correlations, and a FinBERT news sentiment index — each propose a sector ' +
      "allocation; a PPO fusion agent weighs the proposals into one, which conditions a PPO high-level agent's sector " +
      'weights; PPO low-level agents set the weights inside each sector. Trained on an end-of-episode reward of ' +
      'Sharpe ratio minus volatility with costs charged, the checkpoint chosen on validation days; decides through ' +
      'ONNX Runtime. This id: ' +
      t.what +
      '.',
    family: 'learning',
    group: 'mpls',
    hindsight: false,
    params: MPLS_PARAMS,
    create: create(id),
  };
});
