/**
 * The EIIE strategies (Jiang, Xu and Liang 2017; docs/drl-baselines.md "EIIE"), the first of issue 21's
 * portfolio-specific learned baselines: `eiie` with the paper's CNN evaluators, `eiie/rnn` and `eiie/lstm` with its
 * recurrent ones (agents/eiie/config.ts); the three share every parameter, the training and the decision, and differ
 * in the evaluator alone. `create(ctx)` trains on ctx.trainStart..ctx.trainEnd through a MarketView ending at
 * trainEnd (agents/eiie/trainer.ts), exports the chosen network to ONNX and decides through ONNX Runtime.
 *
 * Holdings-aware like every learned strategy here: the instance keeps the weights it last decided and drifts them
 * with the prices to the day it is asked about (agents/samp/trading.ts driftWeights; all cash before its first
 * decision), and feeds them to the network as the weights held. By default the network trained on the training
 * window decides every test day unchanged.
 *
 * Online learning, as the paper does it: `eiie/online` (the CNN), or the parameter `online` of the three, keeps
 * training in the test window (agents/eiie/online.ts): after each day's decision the network takes `onlineSteps`
 * OSBL steps on the periods known by that close, and the next day decides with the updated network. It starts
 * from the trained model's parameters, read back from its exported ONNX (so from the same network the offline
 * strategy decides with, trained or loaded), and decides through the training engine's forward graph of the
 * parameters it updates (compute/train/eiie.ts buildEiieAct, run by ONNX Runtime like the exported policy; the two
 * agree to 1e-6), so decision and training read one parameter vector and nothing is exported per day. The batch
 * starts follow the seed, so the same seed gives the same decisions.
 *
 * Trained models are keyed by a training key over the family, the config (its evaluator included), the seed and the
 * prices up to trainEnd. Within a process they are kept in memory, so a second create() for the same training
 * (another test window start, a look-ahead rerun) reuses it; with a store installed (`setEiieModelStore`: the
 * backtest installs the files next to the database, store/models.ts) a model trained by an earlier process is loaded
 * instead of trained again, and a new one is written there.
 */
import {
  EIIE_EVALUATORS,
  EIIE_ONLINE_STEPS,
  EIIE_PRESET_NAMES,
  EIIE_PRESETS,
  resolveEiieConfig,
  type EiieConfig,
  type EiieEvaluator,
  type EiiePresetName,
} from '../../agents/eiie/config';
import { eiieFeatures, eiieSpecs } from '../../agents/eiie/network';
import { OnlineOsbl } from '../../agents/eiie/online';
import { EiiePolicy, exportEiieOnnx } from '../../agents/eiie/policy';
import type { EiieArtifacts, EiieModelStore } from '../../agents/eiie/artifacts';
import { trainEiie } from '../../agents/eiie/trainer';
import { readOnnxParams } from '../../compute/onnx/emitter';
import { OnnxEiie } from '../../compute/train/eiie';
import type { PriceMatrix } from '../../market/prices';
import { MarketView } from '../../market/view';
import { osblTrainingParams, presetOverrides } from '../overrides';
import { finiteFigures, HeldBook, modelRecord, TrainedModels, windowTrainingKey } from '../trained';
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
    description: `L2 penalty on the weight matrices (evaluator and vote); -1 = the preset value (${standard.weightDecay})`,
    default: -1,
    min: -1,
    max: 1,
  },
  ...osblTrainingParams(standard),
  {
    name: 'onlineSteps',
    description: `with online learning: OSBL steps after each test day's decision; 0 = the preset value (quick ${EIIE_ONLINE_STEPS.quick}, standard ${EIIE_ONLINE_STEPS.standard})`,
    default: 0,
    min: 0,
    max: 10_000,
  },
];

/** The parameters of eiie, eiie/rnn and eiie/lstm: the shared ones and `online`. */
export const EIIE_OFFLINE_PARAMS: StrategyParamSpec[] = [
  ...EIIE_PARAMS,
  {
    name: 'online',
    description: "keep training in the test window after each day's decision, as the paper does (see eiie/online)",
    default: false,
  },
];

/** The config the parameters ask for with `evaluator` (see EIIE_PARAMS for what 0 and -1 mean). */
export function eiieConfigFromParams(params: Record<string, unknown>, evaluator: EiieEvaluator = 'cnn'): EiieConfig {
  const preset = (params.preset ?? 'standard') as EiiePresetName;
  const over: Partial<EiieConfig> = presetOverrides(
    params,
    ['window', 'updates', 'batchSize', 'lr', 'sampleBias'] as const,
    ['weightDecay', 'validationDays', 'patience'] as const,
  );
  over.costRate = typeof params.costRate === 'number' ? params.costRate : standard.costRate;
  over.evaluator = evaluator;
  return resolveEiieConfig(preset, over);
}

/**
 * The training key: everything that determines the trained network (config, seed, prices up to trainEnd). A CNN's
 * config is keyed without its evaluator, as it was before the recurrent variants came, so CNN models trained then
 * are still found.
 */
export function eiieTrainingKey(
  cfg: EiieConfig,
  seed: number,
  prices: PriceMatrix,
  trainStart: number,
  trainEnd: number,
): string {
  const { evaluator, ...cnn } = cfg;
  return windowTrainingKey(
    'eiie',
    EIIE_TRAINING_REVISION,
    evaluator === 'cnn' ? cnn : cfg,
    seed,
    prices,
    trainStart,
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

/** The online steps per test day the parameters ask for (0 keeps the preset's, EIIE_ONLINE_STEPS). */
export function eiieOnlineStepsFromParams(params: Record<string, unknown>): number {
  const preset = (params.preset ?? 'standard') as EiiePresetName;
  const given = params.onlineSteps;
  if (typeof given === 'number' && given > 0) {
    if (!Number.isInteger(given)) throw new RangeError(`EIIE onlineSteps must be an integer, got ${given}`);
    return given;
  }
  const steps = EIIE_ONLINE_STEPS[preset];
  if (steps === undefined)
    throw new RangeError(`unknown EIIE preset "${String(preset)}" (known: ${EIIE_PRESET_NAMES.join(', ')})`);
  return steps;
}

/** The strategy id of each evaluator. */
const IDS: Record<EiieEvaluator, string> = { cnn: 'eiie', rnn: 'eiie/rnn', lstm: 'eiie/lstm' };
/** The CNN with online learning. */
const ONLINE_ID = 'eiie/online';

async function trainModel(ctx: StrategyContext, cfg: EiieConfig, key: string): Promise<EiieModel> {
  const view = new MarketView(ctx.prices, ctx.trainEnd);
  const res = trainEiie(view, ctx.trainStart, cfg, ctx.seed, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) =>
      ctx.progress?.({
        fraction: p.fraction,
        message: `${IDS[cfg.evaluator]}: ${p.updates} updates, reward ${p.reward.toFixed(5)}${Number.isFinite(p.validationSharpe) ? `, validation Sharpe ${p.validationSharpe.toFixed(2)}` : ''}`,
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

async function createEiie(ctx: StrategyContext, evaluator: EiieEvaluator, id: string): Promise<StrategyInstance> {
  if (ctx.trainEnd < 0) throw new RangeError(`${id} needs a training window (trainEnd = -1)`);
  const cfg = eiieConfigFromParams(ctx.params, evaluator);
  const online = id === ONLINE_ID || ctx.params.online === true;
  const onlineSteps = online ? eiieOnlineStepsFromParams(ctx.params) : 0;
  const key = eiieTrainingKey(cfg, ctx.seed, ctx.prices, ctx.trainStart, ctx.trainEnd);
  const m = await models.get(key, ctx, id, () => trainModel(ctx, cfg, key));
  const N = ctx.prices.tickers.length;
  const book = new HeldBook(N);
  /** today's decision from the network's portfolio w [N + 1] (cash first) */
  const decision = (w: Float32Array, t: number, extra: { onlineSteps?: number }) => {
    const weights = Float64Array.from(w.subarray(1));
    let s = 0;
    for (const v of weights) s += v;
    if (s > 1) for (let i = 0; i < N; i++) weights[i] = weights[i]! / s;
    book.record(weights, t);
    const cash = Math.max(0, 1 - Math.min(s, 1));
    return { weights, cash, detail: { family: 'eiie' as const, evaluator, cash, ...extra, model: m.model } };
  };
  if (!online) {
    const policy = await EiiePolicy.open(m.onnx, m.cfg, N);
    return {
      decide(view) {
        const held = book.held(view);
        const x = eiieFeatures((d) => view.closes(d), view.t, N, m.cfg.window);
        const d = decision(policy.run(x, Float32Array.from(held)), view.t, {});
        return { weights: d.weights, detail: d.detail };
      },
      dispose: () => policy.dispose(),
    };
  }
  const specs = eiieSpecs(m.cfg);
  const learner = new OnnxEiie(
    m.cfg,
    N,
    { lr: m.cfg.lr, weightDecay: m.cfg.weightDecay, costRate: m.cfg.costRate },
    ctx.seed,
    {
      init: readOnnxParams(
        m.onnx,
        specs.map((p) => p.name),
      ),
    },
  );
  const learning = new OnlineOsbl(learner, m.cfg, {
    seed: ctx.seed,
    id: 'eiie',
    steps: onlineSteps,
    first: ctx.trainStart + m.cfg.window - 1,
    features: (rowAt, t) => eiieFeatures(rowAt, t, N, m.cfg.window),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return {
    decide(view) {
      const held = book.held(view);
      const h = new Float32Array(N + 1);
      let s = 0;
      for (let i = 0; i < N; i++) {
        h[i + 1] = held[i]!;
        s += held[i]!;
      }
      h[0] = Math.max(0, 1 - s);
      const d = decision(learning.portfolio(view, h), view.t, { onlineSteps: learning.steps });
      // at today's close, the decision made: learn from the periods known now (the view ends today)
      const decided = new Float32Array(N + 1);
      decided[0] = d.cash;
      decided.set(d.weights, 1);
      learning.learn(view, decided);
      return { weights: d.weights, detail: d.detail };
    },
    dispose: () => learning.dispose(),
  };
}

const PAPER =
  'Jiang, Xu and Liang (2017), "A Deep Reinforcement Learning Framework for the Financial Portfolio Management Problem"';
const DECIDES =
  "the weight the asset holds give the asset's score; a softmax over the scores and a cash bias gives the " +
  'portfolio. Trained on the training window by the deterministic policy gradient of the mean log return net of ' +
  'costs, with the portfolio-vector memory and online stochastic batch learning; the checkpoint is chosen on the ' +
  'held-out end of the window. Decides through ONNX Runtime';
const OFFLINE =
  ', the trained network unchanged over the test window unless `online` is set (then it keeps training, as eiie/online).';
const ONLINE =
  ", and keeps training in the test window as the paper does: after each day's decision, `onlineSteps` more " +
  'minibatches drawn from the days up to that close, so the next day decides with the updated network.';

/** Each evaluator's label and description in the registry. */
const TEXT: Record<EiieEvaluator, { label: string; description: string }> = {
  cnn: {
    label: 'EIIE (CNN ensemble of identical independent evaluators)',
    description: `${PAPER}: one small CNN, shared by every asset, reads each asset's window of closes; its features and ${DECIDES}${OFFLINE}`,
  },
  rnn: {
    label: 'EIIE (RNN evaluators)',
    description: `${PAPER}, its RNN topology: one tanh recurrent layer of ${standard.features} units, shared by every asset, reads each asset's window of closes; its last state and ${DECIDES}${OFFLINE}`,
  },
  lstm: {
    label: 'EIIE (LSTM evaluators)',
    description: `${PAPER}, its LSTM topology: one LSTM layer of ${standard.features} units, shared by every asset, reads each asset's window of closes; its last state and ${DECIDES}${OFFLINE}`,
  },
};

export const eiieStrategies: StrategyDef[] = [
  ...EIIE_EVALUATORS.map((evaluator): StrategyDef => ({
    id: IDS[evaluator],
    ...TEXT[evaluator],
    family: 'learning',
    group: 'drl-baselines',
    hindsight: false,
    params: EIIE_OFFLINE_PARAMS,
    create: (ctx) => createEiie(ctx, evaluator, IDS[evaluator]),
  })),
  {
    id: ONLINE_ID,
    label: 'EIIE with online learning (CNN)',
    description: `${PAPER}: one small CNN, shared by every asset, reads each asset's window of closes; its features and ${DECIDES}${ONLINE}`,
    family: 'learning',
    group: 'drl-baselines',
    hindsight: false,
    params: EIIE_PARAMS,
    create: (ctx) => createEiie(ctx, 'cnn', ONLINE_ID),
  },
];
