/**
 * The EIIE strategy (Jiang, Xu and Liang 2017; docs/drl-baselines.md "EIIE"), the first of issue 21's
 * portfolio-specific learned baselines. `create(ctx)` trains on ctx.trainStart..ctx.trainEnd through a MarketView
 * ending at trainEnd (agents/eiie/trainer.ts), exports the chosen network to ONNX and decides through ONNX Runtime.
 *
 * Holdings-aware like every learned strategy here: the instance keeps the weights it last decided and drifts them
 * with the prices to the day it is asked about (agents/samp/trading.ts driftWeights; all cash before its first
 * decision), and feeds them to the network as the weights held. Online learning is off during the test window:
 * the network trained on the training window decides every test day unchanged (the paper keeps training online).
 *
 * Trained models are keyed by a training key over the family, the config, the seed and the prices up to trainEnd.
 * Within a process they are kept in memory, so a second create() for the same training (another test window start,
 * a look-ahead rerun) reuses it; with a store installed (`setEiieModelStore`: the backtest installs the files next to
 * the database, store/models.ts) a model trained by an earlier process is loaded instead of trained again, and a new
 * one is written there.
 */
import {
  EIIE_PRESET_NAMES,
  EIIE_PRESETS,
  resolveEiieConfig,
  type EiieConfig,
  type EiiePresetName,
} from '../../agents/eiie/config';
import { eiieFeatures } from '../../agents/eiie/network';
import { EiiePolicy, exportEiieOnnx } from '../../agents/eiie/policy';
import type { EiieArtifacts, EiieModelStore } from '../../agents/eiie/artifacts';
import { trainEiie } from '../../agents/eiie/trainer';
import type { PriceMatrix } from '../../market/prices';
import { MarketView } from '../../market/view';
import { presetOverrides } from '../overrides';
import { finiteFigures, HeldBook, modelRecord, TrainedModels, trainingKey } from '../trained';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';

/** Bumped when a change to the training makes earlier models differ. */
export const EIIE_TRAINING_REVISION = 1;

const standard = EIIE_PRESETS.standard;

export const EIIE_PARAMS: StrategyParamSpec[] = [
  {
    name: 'preset',
    description:
      "training size: 'quick' (30-day window, 300 updates; trying the pipeline), 'standard' (the paper's 50-day window, 3,000 updates) or 'paper' (the paper's learning rate 3e-5, 100,000 updates)",
    default: 'standard',
    choices: [...EIIE_PRESET_NAMES],
  },
  {
    name: 'window',
    description: 'days of closes per evaluator (n); 0 = the preset value',
    default: 0,
    min: 0,
    max: 500,
  },
  {
    name: 'updates',
    description: 'update budget (minibatches); 0 = the preset value',
    default: 0,
    min: 0,
    max: 1_000_000,
  },
  {
    name: 'batchSize',
    description: `consecutive periods per minibatch; 0 = the preset value (${standard.batchSize})`,
    default: 0,
    min: 0,
    max: 1000,
  },
  { name: 'lr', description: 'Adam learning rate; 0 = the preset value', default: 0, min: 0, max: 1 },
  {
    name: 'weightDecay',
    description: `L2 penalty on the convolution weights; -1 = the preset value (${standard.weightDecay})`,
    default: -1,
    min: -1,
    max: 1,
  },
  {
    name: 'sampleBias',
    description: `beta of the geometric distribution of batch starts per period back; 0 = the preset value (${standard.sampleBias})`,
    default: 0,
    min: 0,
    max: 0.5,
  },
  {
    name: 'costRate',
    description: 'proportional transaction cost in the training reward (0.001 = 0.1%)',
    default: standard.costRate,
    min: 0,
    max: 0.1,
  },
  {
    name: 'validationDays',
    description: 'last days of the training window held out to choose the checkpoint; -1 = the preset value',
    default: -1,
    min: -1,
    max: 5000,
  },
  {
    name: 'patience',
    description: 'validation runs without a better net Sharpe before training stops (0 = never); -1 = the preset value',
    default: -1,
    min: -1,
    max: 1000,
  },
];

/** The config the parameters ask for (see EIIE_PARAMS for what 0 and -1 mean). */
export function eiieConfigFromParams(params: Record<string, unknown>): EiieConfig {
  const preset = (params.preset ?? 'standard') as EiiePresetName;
  const over: Partial<EiieConfig> = presetOverrides(
    params,
    ['window', 'updates', 'batchSize', 'lr', 'sampleBias'] as const,
    ['weightDecay', 'validationDays', 'patience'] as const,
  );
  over.costRate = typeof params.costRate === 'number' ? params.costRate : standard.costRate;
  return resolveEiieConfig(preset, over);
}

/** The training key: everything that determines the trained network (config, seed, prices up to trainEnd). */
export function eiieTrainingKey(
  cfg: EiieConfig,
  seed: number,
  prices: PriceMatrix,
  trainStart: number,
  trainEnd: number,
): string {
  return trainingKey(
    {
      family: 'eiie',
      revision: EIIE_TRAINING_REVISION,
      config: cfg,
      seed,
      tickers: prices.tickers,
      trainStart,
      trainEnd,
    },
    prices,
    trainEnd,
  );
}

/** A trained, exported model. */
type EiieModel = EiieArtifacts;

const models = new TrainedModels<EiieModel>();

/** Install (or remove, with null) the store models are loaded from and written to; forgets the in-memory ones. */
export function setEiieModelStore(store: EiieModelStore | null): void {
  models.setStore(store);
}

async function trainModel(ctx: StrategyContext, cfg: EiieConfig, key: string): Promise<EiieModel> {
  const view = new MarketView(ctx.prices, ctx.trainEnd);
  const res = trainEiie(view, ctx.trainStart, cfg, ctx.seed, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) =>
      ctx.progress?.({
        fraction: p.fraction,
        message: `eiie: ${p.updates} updates, reward ${p.reward.toFixed(5)}${Number.isFinite(p.validationSharpe) ? `, validation Sharpe ${p.validationSharpe.toFixed(2)}` : ''}`,
        figures: finiteFigures({ updates: p.updates, reward: p.reward, validationSharpe: p.validationSharpe }),
      }),
  });
  const onnx = exportEiieOnnx(cfg, view.nAssets, res.params);
  return {
    cfg,
    onnx,
    model: modelRecord(key, onnx, ctx),
  };
}

async function createEiie(ctx: StrategyContext): Promise<StrategyInstance> {
  if (ctx.trainEnd < 0) throw new RangeError('eiie needs a training window (trainEnd = -1)');
  const cfg = eiieConfigFromParams(ctx.params);
  const key = eiieTrainingKey(cfg, ctx.seed, ctx.prices, ctx.trainStart, ctx.trainEnd);
  const m = await models.get(key, ctx, 'eiie', () => trainModel(ctx, cfg, key));
  const N = ctx.prices.tickers.length;
  const policy = await EiiePolicy.open(m.onnx, m.cfg, N);
  const book = new HeldBook(N);
  return {
    decide(view) {
      const t = view.t;
      const held = book.held(view);
      const x = eiieFeatures((d) => view.closes(d), t, N, m.cfg.window);
      const w = policy.run(x, Float32Array.from(held));
      const weights = Float64Array.from(w.subarray(1));
      let s = 0;
      for (const v of weights) s += v;
      if (s > 1) for (let i = 0; i < N; i++) weights[i] = weights[i]! / s;
      book.record(weights, t);
      return { weights, detail: { family: 'eiie', cash: Math.max(0, 1 - Math.min(s, 1)), model: m.model } };
    },
  };
}

export const eiieStrategies: StrategyDef[] = [
  {
    id: 'eiie',
    label: 'EIIE (CNN ensemble of identical independent evaluators)',
    description:
      'Jiang, Xu and Liang (2017), "A Deep Reinforcement Learning Framework for the Financial Portfolio Management Problem": ' +
      'one small CNN, shared by every asset, scores each asset from its window of closes and the weight it holds; a ' +
      'softmax over the scores and a cash bias gives the portfolio. Trained on the training window by the deterministic ' +
      'policy gradient of the mean log return net of costs, with the portfolio-vector memory and online stochastic ' +
      'batch learning; the checkpoint is chosen on the held-out end of the window. Decides through ONNX Runtime, ' +
      'without online learning in the test window.',
    family: 'learning',
    hindsight: false,
    params: EIIE_PARAMS,
    create: createEiie,
  },
];
