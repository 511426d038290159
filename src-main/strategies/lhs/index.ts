/**
 * The MLP and CNN Long/Hold/Short classifier baselines of the HADAPS paper (seed 001, "MLP, CNN"; docs/drl-baselines.md
 * "MLP and CNN Long/Hold/Short classifiers"): `mlp-lhs` and `cnn-lhs`. `create(ctx)` trains one classifier, shared by
 * every asset, on ctx.trainStart..ctx.trainEnd through a MarketView ending at trainEnd (agents/lhs/trainer.ts),
 * exports it to ONNX and decides through ONNX Runtime: at each close every asset's window is classified, and the book
 * is equal weight over the assets predicted Long, all cash when there is none (agents/lhs/classes.ts longOnlyBook).
 * The decision does not depend on what the strategy held before, so the instance keeps no state between days.
 *
 * Trained models are keyed by a training key over the family, the config (which names the classifier), the seed and
 * the prices up to trainEnd. Within a process they are kept in memory, so a second create() for the same training
 * reuses it; with a store installed (`setLhsModelStore`: the backtest installs the files next to the database,
 * store/models.ts) a model trained by an earlier process is loaded instead of trained again, and a new one is
 * written there.
 */
import type { LhsClassifier } from '../../../src-shared/domain/decision';
import type { LhsArtifacts, LhsModelStore } from '../../agents/lhs/artifacts';
import { CLASS_COUNT, HOLD, LONG, longOnlyBook, predictedClasses, SHORT } from '../../agents/lhs/classes';
import {
  LHS_PRESET_NAMES,
  LHS_PRESETS,
  resolveLhsConfig,
  type LhsConfig,
  type LhsPreset,
  type LhsPresetName,
} from '../../agents/lhs/config';
import { exportLhsOnnx, LhsPolicy } from '../../agents/lhs/policy';
import { lhsFeatures } from '../../agents/lhs/samples';
import { trainLhs } from '../../agents/lhs/trainer';
import type { PriceMatrix } from '../../market/prices';
import { MarketView } from '../../market/view';
import { finiteFigures, modelRecord, TrainedModels, windowTrainingKey } from '../trained';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';

/** Bumped when a change to the training makes earlier models differ. */
export const LHS_TRAINING_REVISION = 1;

const standard = LHS_PRESETS.standard;
const quick = LHS_PRESETS.quick;

/** The parameters both classifiers take (see agents/lhs/config.ts for why each default). */
const COMMON_PARAMS: StrategyParamSpec[] = [
  {
    name: 'preset',
    description: `training size: 'quick' (${quick.epochs} epochs, ${quick.validationDays} validation days; trying the pipeline) or 'standard' (${standard.epochs} epochs, ${standard.validationDays} validation days, early stopping)`,
    default: 'standard',
    choices: [...LHS_PRESET_NAMES],
  },
  {
    name: 'window',
    description: 'daily returns per input window (n)',
    default: standard.window,
    min: 2,
    max: 500,
  },
  {
    name: 'horizon',
    description: 'trading days of the forward return a training label is made from (h)',
    default: standard.horizon,
    min: 1,
    max: 250,
  },
  {
    name: 'threshold',
    description: 'class threshold: Long above +threshold, Short below -threshold, Hold between (the paper: 0.03)',
    default: standard.threshold,
    min: 0.0001,
    max: 0.99,
  },
  {
    name: 'hidden',
    description: 'units of each hidden dense layer',
    default: standard.hidden,
    min: 1,
    max: 4096,
  },
  {
    name: 'epochs',
    description: 'passes over the training samples; 0 = the preset value',
    default: 0,
    min: 0,
    max: 100_000,
  },
  {
    name: 'batchSize',
    description: '(asset, day) samples per minibatch',
    default: standard.batchSize,
    min: 1,
    max: 100_000,
  },
  { name: 'lr', description: 'Adam learning rate', default: standard.lr, min: 1e-8, max: 1 },
  {
    name: 'balanceClasses',
    description:
      'weight the cross-entropy by inverse class frequency and score validation by balanced accuracy (false: unweighted loss, plain accuracy)',
    default: standard.balanceClasses,
  },
  {
    name: 'validationDays',
    description: 'last labelled days of the training window held out to choose the checkpoint; -1 = the preset value',
    default: -1,
    min: -1,
    max: 5000,
  },
  {
    name: 'patience',
    description: 'epochs without a better validation score before training stops (0 = never); -1 = the preset value',
    default: -1,
    min: -1,
    max: 1000,
  },
];

const CNN_PARAMS: StrategyParamSpec[] = [
  {
    name: 'convMaps',
    description: 'maps of the convolution over the window',
    default: standard.convMaps,
    min: 1,
    max: 256,
  },
  {
    name: 'convKernel',
    description: 'width of the convolution kernel, in days (valid padding)',
    default: standard.convKernel,
    min: 1,
    max: 500,
  },
];

/** The parameters of `mlp-lhs` and of `cnn-lhs`. */
export const LHS_PARAMS: Readonly<Record<LhsClassifier, StrategyParamSpec[]>> = {
  mlp: COMMON_PARAMS,
  cnn: [...COMMON_PARAMS, ...CNN_PARAMS],
};

/** The config the parameters ask for, for classifier `model` (see LHS_PARAMS for what 0 and -1 mean). */
export function lhsConfigFromParams(model: LhsClassifier, params: Record<string, unknown>): LhsConfig {
  const preset = (params.preset ?? 'standard') as LhsPresetName;
  const over: Partial<LhsPreset> = {};
  const given = (k: keyof LhsPreset, keep: (v: number) => boolean) => {
    const v = params[k];
    if (typeof v === 'number' && !keep(v)) (over as Record<string, unknown>)[k] = v;
  };
  for (const k of ['window', 'horizon', 'threshold', 'hidden', 'batchSize', 'lr', 'convMaps', 'convKernel'] as const)
    given(k, () => false);
  given('epochs', (v) => v === 0);
  given('validationDays', (v) => v < 0);
  given('patience', (v) => v < 0);
  if (typeof params.balanceClasses === 'boolean') over.balanceClasses = params.balanceClasses;
  return resolveLhsConfig(model, preset, over);
}

/** The training key: everything that determines the trained classifier (config, seed, prices up to trainEnd). */
export function lhsTrainingKey(
  cfg: LhsConfig,
  seed: number,
  prices: PriceMatrix,
  trainStart: number,
  trainEnd: number,
): string {
  return windowTrainingKey('lhs', LHS_TRAINING_REVISION, cfg, seed, prices, trainStart, trainEnd);
}

const models = new TrainedModels<LhsArtifacts>();

/** Install (or remove, with null) the store models are loaded from and written to; forgets the in-memory ones. */
export function setLhsModelStore(store: LhsModelStore | null): void {
  models.setStore(store);
}

/** A newly trained classifier of `cfg` on ctx's training window, exported. */
async function trainModel(ctx: StrategyContext, cfg: LhsConfig, key: string): Promise<LhsArtifacts> {
  const id = `${cfg.model}-lhs`;
  const view = new MarketView(ctx.prices, ctx.trainEnd);
  const res = trainLhs(view, ctx.trainStart, cfg, ctx.seed, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: ({ fraction, epoch: e }) =>
      ctx.progress?.({
        fraction,
        message: `${id}: epoch ${e.epoch}, loss ${e.loss.toFixed(4)}, training accuracy ${e.trainAccuracy.toFixed(3)}${Number.isFinite(e.validationScore) ? `, validation score ${e.validationScore.toFixed(3)}` : ''}`,
        figures: finiteFigures({
          epoch: e.epoch,
          loss: e.loss,
          trainAccuracy: e.trainAccuracy,
          validationScore: e.validationScore,
        }),
      }),
  });
  const onnx = exportLhsOnnx(cfg, res.params);
  const m: LhsArtifacts = {
    cfg,
    onnx,
    model: modelRecord(key, onnx, ctx),
  };
  return m;
}

async function createLhs(model: LhsClassifier, ctx: StrategyContext): Promise<StrategyInstance> {
  if (ctx.trainEnd < 0) throw new RangeError(`${model}-lhs needs a training window (trainEnd = -1)`);
  const cfg = lhsConfigFromParams(model, ctx.params);
  const key = lhsTrainingKey(cfg, ctx.seed, ctx.prices, ctx.trainStart, ctx.trainEnd);
  const m = await models.get(key, ctx, `${model}-lhs`, () => trainModel(ctx, cfg, key));
  const tickers = ctx.prices.tickers;
  const N = tickers.length;
  const policy = await LhsPolicy.open(m.onnx, m.cfg);
  return {
    decide(view) {
      const x = lhsFeatures((d) => view.closes(d), view.t, N, m.cfg.window);
      const p = policy.run(x, N);
      const classes = predictedClasses(p, N);
      const { weights, cash } = longOnlyBook(classes);
      const counts = { long: 0, hold: 0, short: 0 };
      const held: string[] = [];
      for (let i = 0; i < N; i++) {
        const c = classes[i]!;
        if (c === LONG) {
          counts.long++;
          held.push(tickers[i]!);
        } else if (c === HOLD) counts.hold++;
        else if (c === SHORT) counts.short++;
      }
      return { weights, detail: { family: 'lhs', classifier: model, counts, held, cash, model: m.model } };
    },
    dispose: () => policy.dispose(),
  };
}

const HOW =
  'One network, shared by every asset, classifies each asset at each close from its last n daily returns into ' +
  'Long (forward return over h days above the threshold, +3%), Short (below -3%) or Hold; trained on the training window by ' +
  'class-weighted cross-entropy with Adam, the checkpoint chosen by balanced accuracy on the held-out end of the ' +
  'window. The book is long-only: equal weight over the assets predicted Long, all cash when none is. Decides ' +
  `through ONNX Runtime (${CLASS_COUNT} class probabilities per asset).`;

export const lhsStrategies: StrategyDef[] = [
  {
    id: 'mlp-lhs',
    label: 'MLP Long/Hold/Short classifier',
    description:
      'The MLP baseline of Kim, Choi, Gim and Kang (2023), "HADAPS: Hierarchical Adaptive Multi-Asset Portfolio Selection", after Di Persio and Honchar (2016), "Artificial neural networks architectures for stock price prediction": a two-hidden-layer perceptron. ' +
      HOW,
    family: 'learning',
    group: 'hadaps',
    hindsight: false,
    params: LHS_PARAMS.mlp,
    create: (ctx) => createLhs('mlp', ctx),
  },
  {
    id: 'cnn-lhs',
    label: 'CNN Long/Hold/Short classifier',
    description:
      'The CNN baseline of Kim, Choi, Gim and Kang (2023), "HADAPS: Hierarchical Adaptive Multi-Asset Portfolio Selection", after Di Persio and Honchar (2016), "Artificial neural networks architectures for stock price prediction": a 1-D convolution over the window, then a dense layer. ' +
      HOW,
    family: 'learning',
    group: 'hadaps',
    hindsight: false,
    params: LHS_PARAMS.cnn,
    create: (ctx) => createLhs('cnn', ctx),
  },
];
