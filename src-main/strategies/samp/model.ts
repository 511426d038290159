/**
 * Train, store, reload and run SAMP-HDRL policies (docs/samp-hdrl.md; docs/architecture.md "Storage" and "Compute").
 *
 * - `trainSamp(req)` trains a variant on the training window (through a MarketView at trainEnd only),
 *   with the training engine the environment selects (agents/samp/engines.ts; ONNX Runtime by default), exports
 *   the policy to ONNX and returns `SampArtifacts`: the actor weights (JSON, base64 float32), the ONNX bytes,
 *   sha256 checksums of both, the config, seed, engine, data key and training history.
 * - `loadSampPolicy(artifacts)` verifies the checksums, opens the ONNX model in ONNX Runtime and gives a
 *   `SampPolicy` whose `instance()` is a StrategyInstance deciding through ONNX Runtime (no tfjs at inference).
 * - `sampTrainingKey(...)` is the reuse key: identical training revision, engine, variant, config, seed, tickers
 *   and prices up to trainEnd -> identical key, so a caller may store artifacts next to the database and reuse them.
 */
import { createHash } from 'node:crypto';
import type { PriceMatrix } from '../../market/prices';
import { MarketView } from '../../market/view';
import type { StrategyDecision } from '../types';
import type { DdpgFlatDecisionDetailInput, SampDecisionDetailInput, SampVariant } from '../../../src-shared/domain/decision';
import { trainingEngineChoice } from '../../compute/backend';
import { OnnxModel } from '../../compute/onnx/runtime';
import { deserializeParams, paramsToBinary, serializeParams, type ParamValues, type SerializedParams } from '../../compute/params';
import type { SampArtifacts } from '../../agents/samp/artifacts';
import type { SampConfig } from '../../agents/samp/config';
import { PortfolioEnv } from '../../agents/samp/env';
import { viewFeatures } from '../../agents/samp/features';
import { exportPolicyOnnx, sampNets, type PolicyKind } from '../../agents/samp/policy';
import { openSampEngine } from '../../agents/samp/engines';
import { trainSampAgents, type TrainProgress } from '../../agents/samp/trainer';
import { SampAllocator, type DayAllocation } from './allocation';
import { fuse } from './logic/fusion';

/** Strategy ids of the SAMP-HDRL family (src-shared/domain/decision.ts SAMP_VARIANTS). */
export type SampVariantId = SampVariant;

/** A decision of a SAMP policy: always with its detail, of the SAMP family or, for ddpg-flat, the flat one. */
export interface SampDecision extends StrategyDecision {
  detail: SampDecisionDetailInput | DdpgFlatDecisionDetailInput;
}

/** A strategy instance of a SAMP policy (see {@link SampDecision}). */
export interface SampInstance {
  decide(view: MarketView): SampDecision;
}

/** Which networks each variant trains and uses. */
export function variantKind(v: SampVariantId): PolicyKind {
  return v === 'ddpg-flat' ? 'flat' : v === 'samp-hdrl/upper-only' ? 'upper-only' : 'hierarchical';
}

/**
 * The config a variant actually runs: the ablation's change applied to `base` (SAMP-HDRL step 9):
 * no-dc -> static grouping; no-utility -> equal c1 = c2 = 1/2, no cash from the utility; no-rebound -> no
 * detector, no cap; lower-only -> a = 0; upper-only / ddpg-flat -> their own networks (see variantKind).
 */
export function variantConfig(v: SampVariantId, base: SampConfig): SampConfig {
  const c = structuredClone(base);
  if (v === 'samp-hdrl/no-dc') c.grouping.static = true;
  if (v === 'samp-hdrl/no-utility') c.utility = { ...c.utility, rule: 'equal', allowCash: false };
  if (v === 'samp-hdrl/no-rebound') c.rebound = { ...c.rebound, enabled: false };
  if (v === 'samp-hdrl/lower-only') c.fusionA = 0;
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
  onProgress?: (p: TrainProgress & { fraction: number }) => void;
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
 */
export const SAMP_TRAINING_REVISION = 3;

/**
 * Reuse key of a training run: sha256 over the training revision, the training engine (compute/backend.ts
 * TrainingEngineChoice.key, by default the one the environment selects), the variant, the config as run, the seed,
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
  h.update(JSON.stringify({ revision, engine, variant, config: variantConfig(variant, config), seed, tickers: view.tickers, trainStart, trainEnd }));
  for (let d = 0; d <= trainEnd; d++) {
    h.update(view.dateAt(d));
    const row = view.closes(d);
    h.update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
  }
  return h.digest('hex');
}

/**
 * Train a SAMP-HDRL variant (staged DDPG, agents/samp/trainer.ts) on rows trainStart..trainEnd, reading
 * prices only through a MarketView at trainEnd, then export the policy to ONNX.
 * Gives the artifacts; throws AbortError when `signal` fires.
 */
export async function trainSamp(req: SampTrainRequest): Promise<SampArtifacts> {
  const cfg = variantConfig(req.variant, req.config);
  const kind = variantKind(req.variant);
  const choice = trainingEngineChoice();
  const engine = await openSampEngine(choice);
  const view = new MarketView(req.prices, req.trainEnd);
  const first = firstStateDay(cfg, req.trainStart);
  if (req.trainEnd - first < 2) throw new RangeError(`training window too short: first state day ${first}, last day ${req.trainEnd} (needs window ${cfg.window} and ${cfg.minHistory} days of history)`);
  const env = new PortfolioEnv(view, { firstDay: first, lastDay: req.trainEnd, window: cfg.window, featureScale: cfg.featureScale, costRate: cfg.costRate });
  const allocator = new SampAllocator({ grouping: cfg.grouping, utility: cfg.utility, rebound: cfg.rebound, anchor: first, seed: req.seed });
  const episodes = kind === 'flat' ? cfg.flatEpisodes : kind === 'upper-only' ? cfg.stage1Episodes : cfg.stage1Episodes + cfg.stage2Episodes;
  const totalSteps = Math.max(1, episodes * env.steps);
  const res = await trainSampAgents({
    engine,
    env,
    cfg,
    seed: req.seed,
    kind,
    plan: (t) => allocator.plan(view.at(t)),
    onProgress: (p) => req.onProgress?.({ ...p, fraction: Math.min(1, p.step / totalSteps) }),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  const nets = sampNets(cfg);
  const key = sampTrainingKey(req.variant, req.config, req.seed, req.prices, req.trainStart, req.trainEnd, SAMP_TRAINING_REVISION, choice.key);
  const onnx = exportPolicyOnnx(kind, nets, view.nAssets, res.actor, { variant: req.variant, seed: String(req.seed), key });
  const critics: Record<string, SerializedParams> = {};
  for (const [k, v] of Object.entries(res.critics)) if (v) critics[k] = serializeParams(v);
  return {
    format: 'samp-artifacts-v1',
    variant: req.variant,
    kind,
    config: cfg,
    seed: req.seed,
    tickers: [...view.tickers],
    train: { start: req.trainStart, end: req.trainEnd, firstStateDay: first, startDate: view.dateAt(req.trainStart), endDate: view.dateAt(req.trainEnd) },
    backend: engine.label,
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

  /** Run the network part of the policy at the view's day (masks from `alloc` when hierarchical). */
  outputs(view: MarketView, alloc?: DayAllocation): PolicyOutputs {
    const cfg = this.artifacts.config;
    const n = view.nAssets;
    if (n !== this.artifacts.tickers.length) throw new Error(`policy trained on ${this.artifacts.tickers.length} assets, view has ${n}`);
    const x = { data: viewFeatures(view, cfg.window, cfg.featureScale), dims: [1, n, cfg.window] };
    if (this.artifacts.kind === 'flat') return { w: toWeights(this.model.runSync({ x }).w!.data) };
    if (this.artifacts.kind === 'upper-only') {
      const r = this.model.runSync({ x });
      return { w0: toWeights(r.w0!.data), embedding: r.embedding!.data };
    }
    if (!alloc) throw new Error('hierarchical policy needs the day allocation');
    const m1 = { data: Float32Array.from(alloc.grouping.ordinary, (b) => (b ? 1 : 0)), dims: [1, n] };
    const m2 = { data: Float32Array.from(alloc.grouping.high, (b) => (b ? 1 : 0)), dims: [1, n] };
    const r = this.model.runSync({ x, m1, m2 });
    return { w0: toWeights(r.w0!.data), w1: toWeights(r.w1!.data), w2: toWeights(r.w2!.data), embedding: r.embedding!.data };
  }

  /**
   * Run the exported network on a batch of inputs, e.g. perturbed windows for SHAP explanations
   * (SAMP-HDRL step 8). x: batch * N * L window features in the layout of agents/samp/features.ts
   * (asset-major, oldest day first, scaled by config.featureScale); m1/m2: batch * N 0/1 masks (required for
   * the hierarchical policy). Gives every graph output (w0, embedding, w1, w2; or w for ddpg-flat) as raw
   * float32 arrays, batch-major.
   */
  runBatch(x: Float32Array, batch: number, m1?: Float32Array, m2?: Float32Array): Record<string, Float32Array> {
    const n = this.artifacts.tickers.length;
    const L = this.artifacts.config.window;
    if (x.length !== batch * n * L) throw new RangeError(`runBatch: x has ${x.length} values, expected ${batch} x ${n} x ${L}`);
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = { x: { data: x, dims: [batch, n, L] } };
    if (this.artifacts.kind === 'hierarchical') {
      if (!m1 || !m2 || m1.length !== batch * n || m2.length !== batch * n) throw new RangeError('runBatch: hierarchical policy needs m1 and m2 of batch x N');
      feeds.m1 = { data: m1, dims: [batch, n] };
      feeds.m2 = { data: m2, dims: [batch, n] };
    }
    const r = this.model.runSync(feeds);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data]));
  }

  /**
   * A strategy instance deciding through ONNX Runtime. Its allocator (grouping, utility, rebound) starts
   * fresh with the training anchor, so the regrouping cadence continues from training into the test.
   */
  instance(): SampInstance {
    const a = this.artifacts;
    const cfg = a.config;
    const allocator = a.kind === 'flat' ? undefined : new SampAllocator({ grouping: cfg.grouping, utility: cfg.utility, rebound: cfg.rebound, anchor: a.train.firstStateDay, seed: a.seed });
    return {
      decide: (view: MarketView): SampDecision => {
        if (a.kind === 'flat') {
          const o = this.outputs(view);
          return { weights: o.w!, agents: { flat: o.w! }, detail: { family: 'ddpg-flat', variant: a.variant, concentration: { flat: effectiveHoldings(o.w!) } } };
        }
        const alloc = allocator!.at(view);
        const o = this.outputs(view, alloc);
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
        };
        if (a.kind === 'upper-only') {
          const upperOnly: SampDecisionDetailInput = { ...detail, concentration: { upper: effectiveHoldings(o.w0!) } };
          return { weights: o.w0!, agents: { upper: o.w0! }, detail: upperOnly };
        }
        const f = fuse(o.w0!, o.w1!, o.w2!, alloc.split, cfg.fusionA, alloc.grouping);
        const fused: SampDecisionDetailInput = {
          ...detail,
          cash: f.cash,
          concentration: { upper: effectiveHoldings(o.w0!), lower1: effectiveHoldings(o.w1!), lower2: effectiveHoldings(o.w2!), final: effectiveHoldings(f.weights) },
        };
        return { weights: f.weights, agents: { upper: o.w0!, lower1: o.w1!, lower2: o.w2! }, detail: fused };
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
