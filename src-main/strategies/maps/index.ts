/**
 * MAPS, the strongest baseline of the HADAPS paper (seed 001, "MAPS"; Lee, Kim, Yi and Kang 2020; docs/drl-baselines.md
 * "MAPS"): the strategy `maps`. `create(ctx)` trains K value-learning agents, which share the input (each asset's
 * window of daily returns) and score Long, Hold and Short per asset, on ctx.trainStart..ctx.trainEnd through a
 * MarketView ending at trainEnd (agents/maps/trainer.ts), exports them to ONNX and decides through ONNX Runtime: at
 * each close every asset's window goes through all agents, and the book is equal weight over the assets whose
 * averaged Q-values prefer Long, all cash when none does (agents/maps/rules.ts mapsBook). The decision does not
 * depend on what the strategy held before, so the instance keeps no state between days.
 *
 * Trained agents are keyed by a training key over the family, the config, the seed and the prices up to trainEnd
 * (strategies/trained.ts): kept in memory within a process, and with a store installed (`setMapsModelStore`: the
 * backtest installs the files next to the database, store/models.ts) loaded from it instead of trained again.
 */
import type { LhsClassifier } from '../../../src-shared/domain/decision';
import { HOLD, LONG, SHORT } from '../../agents/lhs/classes';
import { lhsFeatures } from '../../agents/lhs/samples';
import type { MapsArtifacts, MapsModelStore } from '../../agents/maps/artifacts';
import {
  MAPS_PRESET_NAMES,
  MAPS_PRESETS,
  resolveMapsConfig,
  type MapsConfig,
  type MapsPresetName,
} from '../../agents/maps/config';
import { exportMapsOnnx, MapsPolicy } from '../../agents/maps/policy';
import { mapsBook } from '../../agents/maps/rules';
import { trainMaps } from '../../agents/maps/trainer';
import type { PriceMatrix } from '../../market/prices';
import { MarketView } from '../../market/view';
import { finiteFigures, modelRecord, TrainedModels, windowTrainingKey } from '../trained';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';

/** Bumped when a change to the training makes earlier models differ. */
export const MAPS_TRAINING_REVISION = 1;

const standard = MAPS_PRESETS.standard;
const quick = MAPS_PRESETS.quick;

/** The parameters of `maps` (see agents/maps/config.ts for why each default). */
export const MAPS_PARAMS: StrategyParamSpec[] = [
  {
    name: 'preset',
    description: `training size: 'quick' (${quick.agents} agents, ${quick.episodes} episodes, ${quick.validationDays} validation days; trying the pipeline) or 'standard' (${standard.agents} agents, ${standard.episodes} episodes, ${standard.validationDays} validation days, early stopping)`,
    default: 'standard',
    choices: [...MAPS_PRESET_NAMES],
  },
  {
    name: 'agents',
    description: 'number of agents (K), each with its own Q-network; 0 = the preset value',
    default: 0,
    min: 0,
    max: 64,
  },
  {
    name: 'network',
    description: "each agent's Q-network: the Long/Hold/Short baselines' 'mlp' or 'cnn'",
    default: standard.network,
    choices: ['mlp', 'cnn'],
  },
  { name: 'window', description: 'daily returns per input window (n)', default: standard.window, min: 2, max: 500 },
  { name: 'hidden', description: 'units of each hidden dense layer', default: standard.hidden, min: 1, max: 4096 },
  { name: 'convMaps', description: 'CNN: maps of the convolution', default: standard.convMaps, min: 1, max: 256 },
  {
    name: 'convKernel',
    description: 'CNN: width of the convolution kernel, in days (valid padding)',
    default: standard.convKernel,
    min: 1,
    max: 500,
  },
  {
    name: 'gamma',
    description: 'discount of the Q-target r + gamma max Q(next window); 0 = the reward alone',
    default: standard.gamma,
    min: 0,
    max: 0.999,
  },
  {
    name: 'targetEvery',
    description: 'updates between copies of the target networks (used only when gamma > 0)',
    default: standard.targetEvery,
    min: 1,
    max: 1_000_000,
  },
  {
    name: 'diversity',
    description: "weight of the diversity term (the mean correlation between agents' action values)",
    default: standard.diversity,
    min: 0,
    max: 100,
  },
  {
    name: 'batchSize',
    description: '(asset, day) samples per minibatch',
    default: standard.batchSize,
    min: 1,
    max: 100_000,
  },
  {
    name: 'episodes',
    description: 'passes over the training days, each followed by a validation score; 0 = the preset value',
    default: 0,
    min: 0,
    max: 100_000,
  },
  { name: 'lr', description: 'Adam learning rate', default: standard.lr, min: 1e-8, max: 1 },
  {
    name: 'validationDays',
    description: 'last days of the training window held out to choose the checkpoint; -1 = the preset value',
    default: -1,
    min: -1,
    max: 5000,
  },
  {
    name: 'patience',
    description: 'episodes without a better validation Sharpe before training stops (0 = never); -1 = the preset value',
    default: -1,
    min: -1,
    max: 1000,
  },
  {
    name: 'costRate',
    description: 'proportional cost charged to the validation book that chooses the checkpoint (0.001 = 0.1%)',
    default: standard.costRate,
    min: 0,
    max: 0.1,
  },
];

/** The config the parameters ask for (see MAPS_PARAMS for what 0 and -1 mean). */
export function mapsConfigFromParams(params: Record<string, unknown>): MapsConfig {
  const preset = (params.preset ?? 'standard') as MapsPresetName;
  const over: Partial<MapsConfig> = {};
  const given = (k: keyof MapsConfig, keep: (v: number) => boolean) => {
    const v = params[k];
    if (typeof v === 'number' && !keep(v)) (over as Record<string, unknown>)[k] = v;
  };
  for (const k of [
    'window',
    'hidden',
    'convMaps',
    'convKernel',
    'gamma',
    'targetEvery',
    'diversity',
    'batchSize',
    'lr',
    'costRate',
  ] as const)
    given(k, () => false);
  given('agents', (v) => v === 0);
  given('episodes', (v) => v === 0);
  given('validationDays', (v) => v < 0);
  given('patience', (v) => v < 0);
  if (typeof params.network === 'string') over.network = params.network as LhsClassifier;
  return resolveMapsConfig(preset, over);
}

/** The training key: everything that determines the trained agents (config, seed, prices up to trainEnd). */
export function mapsTrainingKey(
  cfg: MapsConfig,
  seed: number,
  prices: PriceMatrix,
  trainStart: number,
  trainEnd: number,
): string {
  return windowTrainingKey('maps', MAPS_TRAINING_REVISION, cfg, seed, prices, trainStart, trainEnd);
}

const models = new TrainedModels<MapsArtifacts>();

/** Install (or remove, with null) the store models are loaded from and written to; forgets the in-memory ones. */
export function setMapsModelStore(store: MapsModelStore | null): void {
  models.setStore(store);
}

/** Newly trained agents of `cfg` on ctx's training window, exported. */
async function trainModel(ctx: StrategyContext, cfg: MapsConfig, key: string): Promise<MapsArtifacts> {
  const view = new MarketView(ctx.prices, ctx.trainEnd);
  const res = trainMaps(view, ctx.trainStart, cfg, ctx.seed, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: ({ fraction, episode: e }) =>
      ctx.progress?.({
        fraction,
        message: `maps: episode ${e.episode}, TD error ${e.td.toFixed(4)}, diversity ${e.diversity.toFixed(3)}${Number.isFinite(e.validationSharpe) ? `, validation Sharpe ${e.validationSharpe.toFixed(3)}` : ''}`,
        figures: finiteFigures({
          episode: e.episode,
          loss: e.loss,
          td: e.td,
          diversity: e.diversity,
          validationSharpe: e.validationSharpe,
        }),
      }),
  });
  const onnx = exportMapsOnnx(cfg, res.params);
  return {
    cfg,
    onnx,
    model: modelRecord(key, onnx, ctx),
  };
}

async function createMaps(ctx: StrategyContext): Promise<StrategyInstance> {
  if (ctx.trainEnd < 0) throw new RangeError('maps needs a training window (trainEnd = -1)');
  const cfg = mapsConfigFromParams(ctx.params);
  const key = mapsTrainingKey(cfg, ctx.seed, ctx.prices, ctx.trainStart, ctx.trainEnd);
  const m = await models.get(key, ctx, 'maps', () => trainModel(ctx, cfg, key));
  const tickers = ctx.prices.tickers;
  const N = tickers.length;
  const K = m.cfg.agents;
  const policy = await MapsPolicy.open(m.onnx, m.cfg);
  return {
    decide(view) {
      const x = lhsFeatures((d) => view.closes(d), view.t, N, m.cfg.window);
      const book = mapsBook(policy.run(x, N), N, K);
      const counts = { long: 0, hold: 0, short: 0 };
      const held: string[] = [];
      let agreement = 0;
      for (let i = 0; i < N; i++) {
        const c = book.classes[i]!;
        agreement += book.agreement[i]! / N;
        if (c === LONG) {
          counts.long++;
          held.push(tickers[i]!);
        } else if (c === HOLD) counts.hold++;
        else if (c === SHORT) counts.short++;
      }
      return {
        weights: book.weights,
        detail: { family: 'maps', counts, held, agents: K, agreement, cash: book.cash, model: m.model },
      };
    },
    dispose: () => policy.dispose(),
  };
}

export const mapsStrategies: StrategyDef[] = [
  {
    id: 'maps',
    label: 'MAPS (multi-agent Q-learning)',
    description:
      'The strongest baseline of Kim, Choi, Gim and Kang (2023), "HADAPS: Hierarchical Adaptive Multi-Asset Portfolio Selection": MAPS of Lee, Kim, Yi and Kang (2020), "MAPS: Multi-agent reinforcement learning-based portfolio management system". ' +
      "Several agents read the same input, each asset's last n daily returns, and each estimates the value of Long, Hold and Short on it; " +
      "they are trained together by minibatch Q-learning on the reward action x next-day return, plus a term that penalises the correlation between the agents' action values so they act diversely. " +
      'The checkpoint is chosen by the net Sharpe of the validation book on the held-out end of the training window. ' +
      'The book is long-only: equal weight over the assets whose averaged action values prefer Long, all cash when none does. Decides through ONNX Runtime.',
    family: 'learning',
    group: 'hadaps',
    hindsight: false,
    params: MAPS_PARAMS,
    create: (ctx) => createMaps(ctx),
  },
];
