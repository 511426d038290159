/**
 * Train, store, reload and run SAMP-HDRL policies (docs/samp-hdrl.md; docs/architecture.md "Storage" and "Compute").
 *
 * - `trainSamp(req)` trains a variant on the training window with the training engine the environment selects
 *   (agents/samp/engines.ts; ONNX Runtime by default): the last `validationDays` of the window are the validation
 *   period, read only through a MarketView at trainEnd by the validation environment, while the training
 *   environment reads a MarketView that ends where the validation period starts (so no training step can see a
 *   validation price); each stage keeps its best checkpoint on the validation period (agents/samp/trainer.ts).
 *   It exports the policy to ONNX and returns `SampArtifacts`: the actor weights (JSON, base64 float32), the ONNX
 *   bytes, sha256 checksums of both, the config, seed, engine, data key, the training summary (episodes, updates,
 *   chosen checkpoint and validation curve per stage) and the per-episode history.
 * - `loadSampPolicy(artifacts)` verifies the checksums, opens the ONNX model in ONNX Runtime and gives a
 *   `SampPolicy` whose `instance()` is a StrategyInstance deciding through ONNX Runtime (no tfjs at inference).
 *   A holdings-aware policy reads the weights it holds: the instance keeps its previous decision and drifts it
 *   with the prices to the day it is asked about (agents/samp/trading.ts driftWeights; from cash, or the
 *   `holdings` it is given, on its first decision), and trades through the no-trade band exactly as the training
 *   environment does (bandedPartialTrade at rate 1: the no-trade band alone). This assumes every decision is traded, as with daily rebalancing.
 * - `sampTrainingKey(...)` is the reuse key: identical training revision, engine, variant, config, seed, tickers
 *   and prices up to trainEnd -> identical key, so a caller may store artifacts next to the database and reuse them.
 *
 * Why this file is long: training, storing, reloading and deciding share the artifact format and the reuse key;
 * split apart they would each have to repeat the format's checks.
 */
import type { LearnedGroup } from '../../../src-shared/domain/strategyGroups';
import { createHash } from 'node:crypto';
import type { PriceMatrix } from '../../market/prices';
import { MarketView } from '../../market/view';
import type { StrategyDecision } from '../types';
import type {
  FlatDecisionDetailInput,
  SampDecisionDetailInput,
  SampVariant,
} from '../../../src-shared/domain/decision';
import { trainingEngineChoice } from '../../compute/backend';
import { OnnxModel } from '../../compute/onnx/runtime';
import {
  deserializeParams,
  paramsToBinary,
  serializeParams,
  type ParamValues,
  type SerializedParams,
} from '../../compute/params';
import type { SampArtifacts, SampTrainingSummary } from '../../agents/samp/artifacts';
import { A2C_DEFAULTS, PPO_DEFAULTS, SAC_DEFAULTS, TD3_DEFAULTS, type SampConfig } from '../../agents/samp/config';
import { PortfolioEnv, type EnvOptions } from '../../agents/samp/env';
import { viewFeatures } from '../../agents/samp/features';
import { exportPolicyOnnx, readsHoldings, sampNets, type PolicyKind } from '../../agents/samp/policy';
import { openSampEngine, type LearnerAlgorithm } from '../../agents/samp/engines';
import { trainSampAgents, type TrainProgress } from '../../agents/samp/trainer';
import { bandedPartialTrade, driftWeights } from '../../agents/samp/trading';
import { SampAllocator, type DayAllocation } from './allocation';
import { fuse } from './logic/fusion';

/** Strategy ids of the SAMP-HDRL family (src-shared/domain/decision.ts SAMP_VARIANTS). */
export type SampVariantId = SampVariant;

/** A decision of a SAMP policy: always with its detail, of the SAMP family or, for a flat agent, the flat one. */
export interface SampDecision extends StrategyDecision {
  detail: SampDecisionDetailInput | FlatDecisionDetailInput;
}

/** A strategy instance of a SAMP policy (see {@link SampDecision}). */
export interface SampInstance {
  decide(view: MarketView): SampDecision;
}

/** The flat agents (one actor over all assets, no hierarchy) by the algorithm that trains them. */
const FLAT_AGENTS: Partial<Record<SampVariantId, LearnerAlgorithm>> = {
  'ddpg-flat': 'ddpg',
  'td3-flat': 'td3',
  'sac-flat': 'sac',
  'ppo-flat': 'ppo',
  'a2c-flat': 'a2c',
};

/** The decision family a flat agent's rows carry: it names the algorithm that trained it. */
const FLAT_FAMILY = {
  ddpg: 'ddpg-flat',
  td3: 'td3-flat',
  sac: 'sac-flat',
  ppo: 'ppo-flat',
  a2c: 'a2c-flat',
} as const satisfies Record<LearnerAlgorithm, FlatDecisionDetailInput['family']>;

/** Which networks each variant trains and uses. */
export function variantKind(v: SampVariantId): PolicyKind {
  return FLAT_AGENTS[v] ? 'flat' : v === 'samp-hdrl/upper-only' ? 'upper-only' : 'hierarchical';
}

/** The desk picker's group of a variant: the flat single agents are DRL baselines, the rest SAMP-HDRL's own. */
export function variantGroup(v: SampVariantId): LearnedGroup {
  return variantKind(v) === 'flat' ? 'drl-baselines' : 'samp-hdrl';
}

/**
 * The update each variant trains with: TD3 for td3-flat, SAC for sac-flat, PPO for ppo-flat, A2C for a2c-flat, DDPG
 * for every other.
 */
export function variantAlgorithm(v: SampVariantId): LearnerAlgorithm {
  return FLAT_AGENTS[v] ?? 'ddpg';
}

/**
 * The config a variant actually runs: the ablation's change applied to `base` (SAMP-HDRL step 9):
 * no-dc -> static grouping; no-utility -> equal c1 = c2 = 1/2, no cash from the utility; no-rebound -> no
 * detector, no cap; lower-only -> a = 0; upper-only / ddpg-flat -> their own networks (see variantKind).
 * The training variants of issue 15 switch one setting against turnover off: no-holdings -> the actors do not
 * read the drifted weights; no-band -> no no-trade band; no-turnover-penalty -> the reward keeps the costs only;
 * rebased-features -> prices rebased to today's close instead of scaled by each asset's volatility.
 * The TD3 settings belong to TD3 variants only: td3-flat gets them (defaults for those not given), every other
 * variant drops them, so its config (and reuse key) does not depend on them; likewise the SAC settings and sac-flat,
 * the PPO settings and ppo-flat, and the A2C settings and a2c-flat.
 */
export function variantConfig(v: SampVariantId, base: SampConfig): SampConfig {
  const c = structuredClone(base);
  if (variantAlgorithm(v) === 'td3') c.td3 = { ...TD3_DEFAULTS, ...c.td3 };
  else delete c.td3;
  if (variantAlgorithm(v) === 'sac') c.sac = { ...SAC_DEFAULTS, ...c.sac };
  else delete c.sac;
  if (variantAlgorithm(v) === 'ppo') c.ppo = { ...PPO_DEFAULTS, ...c.ppo };
  else delete c.ppo;
  if (variantAlgorithm(v) === 'a2c') c.a2c = { ...A2C_DEFAULTS, ...c.a2c };
  else delete c.a2c;
  if (v === 'samp-hdrl/no-dc') c.grouping.static = true;
  if (v === 'samp-hdrl/no-utility') c.utility = { ...c.utility, rule: 'equal', allowCash: false };
  if (v === 'samp-hdrl/no-rebound') c.rebound = { ...c.rebound, enabled: false };
  if (v === 'samp-hdrl/lower-only') c.fusionA = 0;
  // issue 15's settings against turnover, each switched off alone, to show what each buys
  if (v === 'samp-hdrl/no-holdings') c.holdingsInput = false;
  if (v === 'samp-hdrl/no-band') c.noTradeBand = 0;
  if (v === 'samp-hdrl/no-turnover-penalty') c.turnoverPenalty = 0;
  if (v === 'samp-hdrl/rebased-features') c.featureScaling = 'rebased';
  return c;
}

/** Inputs of {@link trainSamp}. */
export interface SampTrainRequest {
  variant: SampVariantId;
  /** config before the variant's changes (variantConfig is applied inside) */
  config: SampConfig;
  prices: PriceMatrix;
  trainStart: number;
  trainEnd: number;
  seed: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** First training decision day: max(trainStart, minHistory, window - 1). */
export function firstStateDay(cfg: SampConfig, trainStart: number): number {
  return Math.max(trainStart, cfg.minHistory, cfg.window - 1);
}

/**
 * Revision of the training code, part of every reuse key. Bump it with any change to the training (agents/,
 * trainSamp, the environment, the features) that would give other models for the same config, data and seed:
 * models stored under an older revision are then trained again instead of being reused.
 * Revision 2: the first with the revision in the key (the training is the one of revision-less keys).
 * Revision 3: the ONNX Runtime engine trains by default, its updates and actions agree with tfjs only to float32
 * rounding (and the key names the engine from here on).
 * Revision 4 (issue 15): holdings-aware actors, volatility-scaled features, turnover penalty and no-trade band,
 * validation period with checkpoint selection, early stopping, learning-rate decay, update budgets, entropy bonus
 * per agent (all of them settings in the config, which the key hashes whole).
 * (td3-flat, sac-flat, ppo-flat and a2c-flat, issue 21, came with revision 4 unchanged: each adds a variant, and the
 * variants before them train as before.)
 */
export const SAMP_TRAINING_REVISION = 4;

/**
 * Reuse key of a training run: sha256 over the training revision, the training engine (compute/backend.ts
 * TrainingEngineChoice.key, by default the one the environment selects), the variant, the learning algorithm
 * when it is not DDPG (so the keys of the DDPG variants are those they always had), the config as run, the seed,
 * the tickers, the dates and closes of rows 0..trainEnd (everything the training may read) and the train window.
 */
export function sampTrainingKey(
  variant: SampVariantId,
  config: SampConfig,
  seed: number,
  prices: PriceMatrix,
  trainStart: number,
  trainEnd: number,
  revision = SAMP_TRAINING_REVISION,
  engine = trainingEngineChoice().key,
): string {
  const view = new MarketView(prices, trainEnd);
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      revision,
      engine,
      variant,
      ...(variantAlgorithm(variant) !== 'ddpg' ? { algorithm: variantAlgorithm(variant) } : {}),
      config: variantConfig(variant, config),
      seed,
      tickers: view.tickers,
      trainStart,
      trainEnd,
    }),
  );
  for (let d = 0; d <= trainEnd; d++) {
    h.update(view.dateAt(d));
    const row = view.closes(d);
    h.update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
  }
  return h.digest('hex');
}

/**
 * The training and validation periods of a window (day indices): training decisions first..split-1 (the last
 * reward realised at split), validation decisions split..trainEnd-1. The validation period is the config's
 * validationDays, but at most half of the window's decision days, so a short window (a book's 90-day retraining, a
 * quick check) still trains on the other half. Throws when fewer than 2 training days would remain.
 */
export function trainingPeriods(
  cfg: SampConfig,
  trainStart: number,
  trainEnd: number,
): { first: number; split: number; validationDays: number } {
  const first = firstStateDay(cfg, trainStart);
  const validationDays = Math.max(0, Math.min(cfg.validationDays, Math.floor((trainEnd - first) / 2)));
  const split = trainEnd - validationDays;
  if (split - first < 2) {
    throw new RangeError(
      `training window too short: first state day ${first}, last day ${trainEnd} (needs window ${cfg.window}, ${cfg.minHistory} days of history and at least 2 training days)`,
    );
  }
  return { first, split, validationDays };
}

/**
 * Train a SAMP-HDRL variant (staged DDPG, agents/samp/trainer.ts) on rows trainStart..trainEnd with its validation
 * period at the end (see the file overview), then export the policy to ONNX.
 * Gives the artifacts; throws AbortError when `signal` fires.
 */
export async function trainSamp(req: SampTrainRequest): Promise<SampArtifacts> {
  const cfg = variantConfig(req.variant, req.config);
  const kind = variantKind(req.variant);
  const choice = trainingEngineChoice();
  const engine = await openSampEngine(choice);
  const view = new MarketView(req.prices, req.trainEnd);
  const { first, split, validationDays } = trainingPeriods(cfg, req.trainStart, req.trainEnd);
  const envOpts = {
    features: cfg,
    costRate: cfg.costRate,
    turnoverPenalty: cfg.turnoverPenalty,
    noTradeBand: cfg.noTradeBand,
  } satisfies Partial<EnvOptions>;
  const env = new PortfolioEnv(new MarketView(req.prices, split), { ...envOpts, firstDay: first, lastDay: split });
  const validation =
    validationDays > 0 ? new PortfolioEnv(view, { ...envOpts, firstDay: split, lastDay: req.trainEnd }) : undefined;
  const allocator = new SampAllocator({
    grouping: cfg.grouping,
    utility: cfg.utility,
    rebound: cfg.rebound,
    anchor: first,
    seed: req.seed,
  });
  const res = await trainSampAgents({
    engine,
    env,
    ...(validation ? { validation } : {}),
    cfg,
    seed: req.seed,
    kind,
    algorithm: variantAlgorithm(req.variant),
    plan: (t) => allocator.plan(view.at(t)),
    onProgress: (p) => req.onProgress?.(p),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  const training: SampTrainingSummary = {
    trainDays: { first, last: split, startDate: view.dateAt(first), endDate: view.dateAt(split) },
    validationDays,
    ...(validation
      ? {
          validation: {
            first: split,
            last: req.trainEnd,
            startDate: view.dateAt(split),
            endDate: view.dateAt(req.trainEnd),
          },
        }
      : {}),
    episodes: res.stages.reduce((a, x) => a + x.episodes, 0),
    updates: res.updates,
    stages: res.stages,
  };
  const nets = sampNets(cfg);
  const key = sampTrainingKey(
    req.variant,
    req.config,
    req.seed,
    req.prices,
    req.trainStart,
    req.trainEnd,
    SAMP_TRAINING_REVISION,
    choice.key,
  );
  const onnx = exportPolicyOnnx(kind, nets, view.nAssets, res.actor, {
    variant: req.variant,
    seed: String(req.seed),
    key,
  });
  const critics: Record<string, SerializedParams> = {};
  for (const [k, v] of Object.entries(res.critics)) if (v) critics[k] = serializeParams(v);
  return {
    format: 'samp-artifacts-v1',
    variant: req.variant,
    kind,
    config: cfg,
    seed: req.seed,
    tickers: [...view.tickers],
    train: {
      start: req.trainStart,
      end: req.trainEnd,
      firstStateDay: first,
      startDate: view.dateAt(req.trainStart),
      endDate: view.dateAt(req.trainEnd),
    },
    backend: engine.label,
    training,
    params: serializeParams(res.actor),
    critics,
    onnx,
    sha256: { onnx: sha256(onnx), params: sha256(paramsToBinary(res.actor)) },
    key,
    history: res.history,
    elapsedMs: res.elapsedMs,
  };
}

/** Convert ONNX float32 outputs to float64 weights summing to exactly 1 (zeros stay zero). */
function toWeights(w: Float32Array, from = 0, n = w.length): Float64Array {
  const out = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.max(0, w[from + i]!);
    out[i] = v;
    s += v;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / s;
  return out;
}

/**
 * Effective number of holdings 1 / sum_i (w_i / s)^2 with s = sum_i w_i (0 for an all-zero vector): N for equal
 * weights, 1 for a single asset. Shown per agent so a collapse (to one asset, or to equal weights) is visible.
 */
export function effectiveHoldings(w: ArrayLike<number>): number {
  let s = 0;
  let q = 0;
  for (let i = 0; i < w.length; i++) {
    s += w[i]!;
    q += w[i]! * w[i]!;
  }
  return s > 0 ? (s * s) / q : 0;
}

/** The ONNX outputs of one decision. */
export interface PolicyOutputs {
  w0?: Float64Array;
  w1?: Float64Array;
  w2?: Float64Array;
  w?: Float64Array;
  embedding?: Float32Array;
}

/** A loaded policy: ONNX Runtime session plus what decide needs. */
export class SampPolicy {
  private constructor(
    readonly artifacts: SampArtifacts,
    readonly model: OnnxModel,
    readonly actor: ParamValues,
  ) {}

  /** Open artifacts (checksums verified). */
  static async load(a: SampArtifacts): Promise<SampPolicy> {
    if (sha256(a.onnx) !== a.sha256.onnx) throw new Error('SAMP artifacts: ONNX checksum mismatch');
    const actor = deserializeParams(a.params);
    if (sha256(paramsToBinary(actor)) !== a.sha256.params) throw new Error('SAMP artifacts: weight checksum mismatch');
    const model = await OnnxModel.create(a.onnx);
    return new SampPolicy(a, model, actor);
  }

  /** Whether the policy reads the weights it holds (its ONNX graph has the input wprev). */
  get readsHoldings(): boolean {
    return readsHoldings(sampNets(this.artifacts.config));
  }

  /**
   * Run the network part of the policy at the view's day (masks from `alloc` when hierarchical), holding the
   * drifted weights `holdings` before the decision (read only by a holdings-aware policy; default all cash).
   */
  outputs(view: MarketView, alloc?: DayAllocation, holdings?: ArrayLike<number>): PolicyOutputs {
    const cfg = this.artifacts.config;
    const n = view.nAssets;
    if (n !== this.artifacts.tickers.length)
      throw new Error(`policy trained on ${this.artifacts.tickers.length} assets, view has ${n}`);
    const x = { data: viewFeatures(view, cfg), dims: [1, n, cfg.window] };
    const base: Record<string, { data: Float32Array; dims: number[] }> = { x };
    if (this.readsHoldings) {
      if (holdings && holdings.length !== n)
        throw new RangeError(`holdings have ${holdings.length} weights, the policy allocates over ${n} assets`);
      base.wprev = { data: holdings ? Float32Array.from(holdings) : new Float32Array(n), dims: [1, n] };
    }
    if (this.artifacts.kind === 'flat') return { w: toWeights(this.model.runSync(base).w!.data) };
    if (this.artifacts.kind === 'upper-only') {
      const r = this.model.runSync(base);
      return { w0: toWeights(r.w0!.data), embedding: r.embedding!.data };
    }
    if (!alloc) throw new Error('hierarchical policy needs the day allocation');
    const m1 = { data: Float32Array.from(alloc.grouping.ordinary, (b) => (b ? 1 : 0)), dims: [1, n] };
    const m2 = { data: Float32Array.from(alloc.grouping.high, (b) => (b ? 1 : 0)), dims: [1, n] };
    const r = this.model.runSync({ ...base, m1, m2 });
    return {
      w0: toWeights(r.w0!.data),
      w1: toWeights(r.w1!.data),
      w2: toWeights(r.w2!.data),
      embedding: r.embedding!.data,
    };
  }

  /**
   * Run the exported network on a batch of inputs, e.g. perturbed windows for SHAP explanations
   * (SAMP-HDRL step 8). x: batch * N * L window features in the layout of agents/samp/features.ts
   * (asset-major, oldest day first, as config.featureScaling makes them); m1/m2: batch * N 0/1 masks (required
   * for the hierarchical policy); wprev: batch * N drifted weights held before the decision (read by a
   * holdings-aware policy only; default all cash). Gives every graph output (w0, embedding, w1, w2; or w for
   * ddpg-flat) as raw float32 arrays, batch-major.
   */
  runBatch(
    x: Float32Array,
    batch: number,
    m1?: Float32Array,
    m2?: Float32Array,
    wprev?: Float32Array,
  ): Record<string, Float32Array> {
    const n = this.artifacts.tickers.length;
    const L = this.artifacts.config.window;
    if (x.length !== batch * n * L)
      throw new RangeError(`runBatch: x has ${x.length} values, expected ${batch} x ${n} x ${L}`);
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = { x: { data: x, dims: [batch, n, L] } };
    if (this.readsHoldings) {
      if (wprev && wprev.length !== batch * n)
        throw new RangeError(`runBatch: wprev has ${wprev.length} values, expected ${batch} x ${n}`);
      feeds.wprev = { data: wprev ?? new Float32Array(batch * n), dims: [batch, n] };
    }
    if (this.artifacts.kind === 'hierarchical') {
      if (!m1 || !m2 || m1.length !== batch * n || m2.length !== batch * n)
        throw new RangeError('runBatch: hierarchical policy needs m1 and m2 of batch x N');
      feeds.m1 = { data: m1, dims: [batch, n] };
      feeds.m2 = { data: m2, dims: [batch, n] };
    }
    const r = this.model.runSync(feeds);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data]));
  }

  /**
   * A strategy instance deciding through ONNX Runtime. Its allocator (grouping, utility, rebound) starts
   * fresh with the training anchor, so the regrouping cadence continues from training into the test. It holds
   * what it decided (see the file overview): `holdings` are the drifted weights held before its first decision
   * (default all cash, as a backtest starts).
   */
  instance(opts: { holdings?: ArrayLike<number> } = {}): SampInstance {
    const a = this.artifacts;
    const cfg = a.config;
    const n = a.tickers.length;
    const allocator =
      a.kind === 'flat'
        ? undefined
        : new SampAllocator({
            grouping: cfg.grouping,
            utility: cfg.utility,
            rebound: cfg.rebound,
            anchor: a.train.firstStateDay,
            seed: a.seed,
          });
    if (opts.holdings && opts.holdings.length !== n)
      throw new RangeError(`holdings have ${opts.holdings.length} weights, the policy allocates over ${n} assets`);
    const start = opts.holdings ? Float64Array.from(opts.holdings) : new Float64Array(n);
    // the last decision: its day, the weights held before it and the weights it traded to
    let last: { day: number; before: Float64Array; traded: Float64Array } | null = null;
    const heldAt = (view: MarketView): Float64Array => {
      if (!last) return start;
      if (view.t === last.day) return last.before;
      if (view.t < last.day)
        throw new RangeError(
          `decide asked about day ${view.t} after deciding day ${last.day}: a policy that holds its decisions moves forward in time`,
        );
      const now = view.closes(view.t);
      const then = view.closes(last.day);
      return driftWeights(
        last.traded,
        Float64Array.from(now, (c, i) => c / then[i]!),
      );
    };
    const trade = (view: MarketView, held: Float64Array, target: Float64Array): Float64Array => {
      const traded = bandedPartialTrade(target, held, cfg.noTradeBand, 1);
      last = { day: view.t, before: held, traded };
      return traded;
    };
    return {
      decide: (view: MarketView): SampDecision => {
        const held = heldAt(view);
        if (a.kind === 'flat') {
          const o = this.outputs(view, undefined, held);
          const w = trade(view, held, o.w!);
          // the family names the algorithm: td3-flat's rows say TD3, sac-flat's SAC, ppo-flat's PPO, a2c-flat's A2C,
          // ddpg-flat's are as they always were
          const family = FLAT_FAMILY[variantAlgorithm(a.variant)];
          return {
            weights: w,
            agents: { flat: o.w! },
            detail: { family, variant: a.variant, concentration: { flat: effectiveHoldings(o.w!) } },
          };
        }
        const alloc = allocator!.at(view);
        const o = this.outputs(view, alloc, held);
        const tickers = view.tickers;
        const detail = {
          family: 'samp' as const,
          variant: a.variant,
          groups: {
            high: tickers.filter((_, i) => alloc.grouping.high[i]),
            ordinary: tickers.filter((_, i) => alloc.grouping.ordinary[i]),
            groupingDate: view.dateAt(alloc.groupingDay),
            degenerate: alloc.grouping.degenerate,
          },
          regrouped: alloc.regrouped,
          capital: { ...alloc.split },
          capitalBeforeCap: { ...alloc.capital.split },
          utility: { ordinary: alloc.capital.ordinary, high: alloc.capital.high },
          fusionA: a.kind === 'upper-only' ? 1 : cfg.fusionA,
          rebound: alloc.rebound,
          split: alloc.splitInfo,
        };
        if (a.kind === 'upper-only') {
          const upperOnly: SampDecisionDetailInput = { ...detail, concentration: { upper: effectiveHoldings(o.w0!) } };
          return { weights: trade(view, held, o.w0!), agents: { upper: o.w0! }, detail: upperOnly };
        }
        const f = fuse(o.w0!, o.w1!, o.w2!, alloc.split, cfg.fusionA, alloc.grouping);
        const w = trade(view, held, f.weights);
        const fused: SampDecisionDetailInput = {
          ...detail,
          cash: Math.max(0, 1 - w.reduce((x, y) => x + y, 0)),
          concentration: {
            upper: effectiveHoldings(o.w0!),
            lower1: effectiveHoldings(o.w1!),
            lower2: effectiveHoldings(o.w2!),
            final: effectiveHoldings(w),
          },
        };
        return { weights: w, agents: { upper: o.w0!, lower1: o.w1!, lower2: o.w2! }, detail: fused };
      },
    };
  }

  /** Close the ONNX Runtime sessions. */
  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/** Open stored artifacts as a runnable policy (see SampPolicy). */
export function loadSampPolicy(artifacts: SampArtifacts): Promise<SampPolicy> {
  return SampPolicy.load(artifacts);
}
