/**
 * The PPN strategy (Zhang et al. 2020, the portfolio policy network with a cost-sensitive reward;
 * docs/drl-baselines.md "PPN"), the second of issue 21's portfolio-specific learned baselines. `create(ctx)` trains
 * on ctx.trainStart..ctx.trainEnd through a MarketView ending at trainEnd (agents/ppn/trainer.ts), exports the chosen
 * network to ONNX and decides through ONNX Runtime.
 *
 * Holdings-aware like EIIE: the instance keeps the weights it last decided and drifts them with the prices to the
 * day it is asked about (strategies/trained.ts HeldBook; all cash before its first decision), and feeds them to the
 * network as the weights held. The network trained on the training window decides every test day unchanged.
 *
 * Trained models are keyed by a training key over the family, the config, the seed and the prices up to trainEnd
 * (strategies/trained.ts), kept in memory within a process and, with a store installed (`setPpnModelStore`: the
 * backtest installs the files next to the database, store/models.ts), loaded from it instead of trained again.
 */
import {
  PPN_PRESET_NAMES,
  PPN_PRESETS,
  resolvePpnConfig,
  type PpnConfig,
  type PpnPresetName,
} from '../../agents/ppn/config';
import { eiieFeatures } from '../../agents/eiie/network';
import type { PpnArtifacts, PpnModelStore } from '../../agents/ppn/artifacts';
import { exportPpnOnnx, PpnPolicy } from '../../agents/ppn/policy';
import { trainPpn } from '../../agents/ppn/trainer';
import type { PriceMatrix } from '../../market/prices';
import { MarketView } from '../../market/view';
import { osblTrainingParams, presetOverrides } from '../overrides';
import { finiteFigures, HeldBook, modelRecord, TrainedModels, windowTrainingKey } from '../trained';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';

/** Bumped when a change to the training makes earlier models differ. */
export const PPN_TRAINING_REVISION = 1;

const standard = PPN_PRESETS.standard;

export const PPN_PARAMS: StrategyParamSpec[] = [
  {
    name: 'preset',
    description:
      "training size: 'quick' (20-day window, 100 updates; trying the pipeline) or 'standard' (the authors' 31-day window, 2,000 updates)",
    default: 'standard',
    choices: [...PPN_PRESET_NAMES],
  },
  { name: 'window', description: 'days of closes per window (n); 0 = the preset value', default: 0, min: 0, max: 500 },
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
    name: 'turnoverWeight',
    description: `gamma: weight of the mean L1 turnover in the loss, on top of the cost; -1 = the preset value (${standard.turnoverWeight})`,
    default: -1,
    min: -1,
    max: 10,
  },
  {
    name: 'riskWeight',
    description: `lambda: weight of the variance of the minibatch's net log returns in the loss; -1 = the preset value (${standard.riskWeight})`,
    default: -1,
    min: -1,
    max: 1000,
  },
  ...osblTrainingParams(standard),
];

/** The config the parameters ask for (see PPN_PARAMS for what 0 and -1 mean). */
export function ppnConfigFromParams(params: Record<string, unknown>): PpnConfig {
  const preset = (params.preset ?? 'standard') as PpnPresetName;
  const over: Partial<PpnConfig> = presetOverrides(
    params,
    ['window', 'updates', 'batchSize', 'lr', 'sampleBias'] as const,
    ['turnoverWeight', 'riskWeight', 'validationDays', 'patience'] as const,
  );
  over.costRate = typeof params.costRate === 'number' ? params.costRate : standard.costRate;
  return resolvePpnConfig(preset, over);
}

/** The training key: everything that determines the trained network (config, seed, prices up to trainEnd). */
export function ppnTrainingKey(
  cfg: PpnConfig,
  seed: number,
  prices: PriceMatrix,
  trainStart: number,
  trainEnd: number,
): string {
  return windowTrainingKey('ppn', PPN_TRAINING_REVISION, cfg, seed, prices, trainStart, trainEnd);
}

const models = new TrainedModels<PpnArtifacts>();

/** Install (or remove, with null) the store models are loaded from and written to; forgets the in-memory ones. */
export function setPpnModelStore(store: PpnModelStore | null): void {
  models.setStore(store);
}

async function trainModel(ctx: StrategyContext, cfg: PpnConfig, key: string): Promise<PpnArtifacts> {
  const view = new MarketView(ctx.prices, ctx.trainEnd);
  const res = trainPpn(view, ctx.trainStart, cfg, ctx.seed, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) =>
      ctx.progress?.({
        fraction: p.fraction,
        message: `ppn: ${p.updates} updates, reward ${p.reward.toFixed(5)}${Number.isFinite(p.validationSharpe) ? `, validation Sharpe ${p.validationSharpe.toFixed(2)}` : ''}`,
        figures: finiteFigures({ updates: p.updates, reward: p.reward, validationSharpe: p.validationSharpe }),
      }),
  });
  const onnx = exportPpnOnnx(cfg, view.nAssets, res.params);
  return {
    cfg,
    nAssets: view.nAssets,
    onnx,
    model: modelRecord(key, onnx, ctx),
  };
}

async function createPpn(ctx: StrategyContext): Promise<StrategyInstance> {
  if (ctx.trainEnd < 0) throw new RangeError('ppn needs a training window (trainEnd = -1)');
  const cfg = ppnConfigFromParams(ctx.params);
  const key = ppnTrainingKey(cfg, ctx.seed, ctx.prices, ctx.trainStart, ctx.trainEnd);
  const m = await models.get(key, ctx, 'ppn', () => trainModel(ctx, cfg, key));
  const N = ctx.prices.tickers.length;
  if (m.nAssets !== N)
    throw new RangeError(
      `ppn: the stored model ${key.slice(0, 12)} is built for ${m.nAssets} assets, the universe has ${N}`,
    );
  const policy = await PpnPolicy.open(m.onnx, m.cfg, N);
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
      return { weights, detail: { family: 'ppn', cash: Math.max(0, 1 - Math.min(s, 1)), model: m.model } };
    },
    dispose: () => policy.dispose(),
  };
}

export const ppnStrategies: StrategyDef[] = [
  {
    id: 'ppn',
    label: 'PPN (portfolio policy network, cost-sensitive)',
    description:
      'Zhang, Zhao, Wu, Li, Huang and Tan (2020), "Cost-Sensitive Portfolio Selection via Deep Reinforcement Learning": ' +
      'a two-stream policy network, an LSTM shared by the assets over each window of closes and temporal correlational ' +
      'convolution blocks (dilated causal convolutions over time, then a mixing across assets), joined with the weights ' +
      'held and a cash bias in a softmax over cash and assets. Trained on the training window by maximising the ' +
      'cost-sensitive reward (mean log return net of costs, less a turnover and a variance penalty) with the ' +
      'portfolio-vector memory and online stochastic batch learning of EIIE; the checkpoint is chosen on the held-out ' +
      'end of the window. Decides through ONNX Runtime, without online learning in the test window.',
    family: 'learning',
    group: 'drl-baselines',
    hindsight: false,
    params: PPN_PARAMS,
    create: createPpn,
  },
];
