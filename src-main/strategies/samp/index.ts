/**
 * The SAMP-HDRL strategy family (method.md SAMP-HDRL, seed 000) as StrategyDefs: the full method, its ablations
 * and the flat DDPG baseline. `create(ctx)` trains on ctx.trainStart..ctx.trainEnd (prices read through a
 * MarketView at trainEnd), reports progress through ctx.progress, honours ctx.signal, exports the trained
 * policy to ONNX and returns an instance deciding through ONNX Runtime.
 *
 * Trained models can be reused: install a store with `setSampModelStore` (e.g. files next to the database
 * keyed by `sampTrainingKey`); create() then loads matching artifacts instead of training, and puts new ones.
 */
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { readParams } from '../classic/params';
import { resolveSampConfig, type SampConfig, type SampConfigOverrides } from '../../agents/samp/config';
import { loadSampPolicy, sampTrainingKey, trainSamp, type SampArtifacts, type SampVariantId } from './model';

export { trainSamp, loadSampPolicy, sampTrainingKey, serializeSampArtifacts, parseSampArtifacts, variantConfig, variantKind } from './model';
export type { SampArtifacts, SampVariantId, SampTrainRequest, SampPolicy } from './model';

/** Where trained artifacts are kept between runs (installed by the host; none by default). */
export interface SampModelStore {
  get(key: string): Promise<SampArtifacts | undefined>;
  put(key: string, artifacts: SampArtifacts): Promise<void>;
}

let modelStore: SampModelStore | null = null;

/** Install (or remove, with null) the store create() reuses trained models from. */
export function setSampModelStore(store: SampModelStore | null): void {
  modelStore = store;
}

const COMMON_PARAMS: StrategyParamSpec[] = [
  { name: 'preset', description: "network and training size: 'quick' (minutes on a CPU) or 'paper' (the paper-sized networks; GPU or long run)", default: 'quick', choices: ['quick', 'paper'] },
  { name: 'episodes', description: 'passes over the training window per training stage; 0 = the preset value', default: 0, min: 0, max: 10_000 },
  { name: 'costRate', description: 'proportional transaction cost charged in the training reward (0.001 = 0.1%, the paper value)', default: 0.001, min: 0, max: 0.1 },
  { name: 'overrides', description: 'JSON object of further config overrides (agents/samp/config.ts SampConfig fields, merged field by field); empty = none', default: '' },
];
const HIER_PARAMS: StrategyParamSpec[] = [
  { name: 'fusionA', description: 'fusion coefficient a in w = a w0 + (1 - a)(c1 w1 + c2 w2), a set value (not learned)', default: 0.3, min: 0, max: 1 },
  { name: 'regroupEvery', description: 'dynamic grouping period in trading days (paper: 75)', default: 75, min: 1, max: 2520 },
];


/**
 * Parameters of a variant: all take COMMON_PARAMS; those with a grouping take regroupEvery; those that fuse
 * (not upper-only, not lower-only where a = 0) take fusionA; ddpg-flat takes neither.
 */
export function sampParamSpecs(variant: SampVariantId): StrategyParamSpec[] {
  if (variant === 'ddpg-flat') return COMMON_PARAMS;
  const fuses = variant !== 'samp-hdrl/upper-only' && variant !== 'samp-hdrl/lower-only';
  return [...COMMON_PARAMS, ...HIER_PARAMS.filter((s) => s.name !== 'fusionA' || fuses)];
}

/** The config a strategy's params describe (before the variant's ablation change). */
export function configFromParams(variant: SampVariantId, params: Record<string, unknown>): SampConfig {
  const p = readParams(sampParamSpecs(variant), params, variant);
  let extra: SampConfigOverrides = {};
  if (typeof p.overrides === 'string' && p.overrides.trim()) {
    try {
      extra = JSON.parse(p.overrides) as SampConfigOverrides;
    } catch (e) {
      throw new RangeError(`${variant}: parameter "overrides" is not valid JSON (${(e as Error).message})`);
    }
  }
  const o: SampConfigOverrides = { ...extra, costRate: p.costRate as number };
  const ep = p.episodes as number;
  if (ep > 0) Object.assign(o, { stage1Episodes: ep, stage2Episodes: ep, flatEpisodes: ep });
  if (p.fusionA !== undefined) o.fusionA = p.fusionA as number;
  if (p.regroupEvery !== undefined) o.grouping = { ...extra.grouping, every: p.regroupEvery as number };
  const cfg = resolveSampConfig(p.preset as 'quick' | 'paper', o);
  cfg.preset = Object.keys(extra).length || ep > 0 ? 'custom' : (p.preset as 'quick' | 'paper');
  return cfg;
}

async function createSamp(variant: SampVariantId, ctx: StrategyContext): Promise<StrategyInstance> {
  const cfg = configFromParams(variant, ctx.params);
  if (ctx.trainEnd < 0) throw new RangeError(`${variant} needs a training window (trainEnd = -1)`);
  const key = sampTrainingKey(variant, cfg, ctx.seed, ctx.prices, ctx.trainStart, ctx.trainEnd);
  let artifacts = modelStore ? await modelStore.get(key) : undefined;
  if (artifacts && artifacts.key !== key) artifacts = undefined;
  if (!artifacts) {
    artifacts = await trainSamp({
      variant,
      config: cfg,
      prices: ctx.prices,
      trainStart: ctx.trainStart,
      trainEnd: ctx.trainEnd,
      seed: ctx.seed,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) =>
        ctx.progress?.({
          fraction: p.fraction,
          message: `${variant}: ${p.stage} stage, episode ${p.episode}/${p.episodes}, log return ${p.reward.toFixed(4)}`,
          // losses are NaN before the first update (warm-up); figures carry finite numbers only
          figures: Object.fromEntries(
            Object.entries({ episode: p.episode, step: p.step, reward: p.reward, criticLoss: p.criticLoss, actorLoss: p.actorLoss, elapsedMs: p.elapsedMs }).filter(([, v]) => Number.isFinite(v)),
          ),
        }),
    });
    if (modelStore) await modelStore.put(key, artifacts);
  } else ctx.progress?.({ fraction: 1, message: `${variant}: reused trained model ${key.slice(0, 12)}` });
  const policy = await loadSampPolicy(artifacts);
  const inner = policy.instance();
  const model = { key: artifacts.key, sha256: artifacts.sha256.onnx, backend: artifacts.backend, trainedFrom: artifacts.train.startDate, trainedTo: artifacts.train.endDate };
  // every decision names the model that made it, so explanations and reports can reload it
  return {
    decide(view) {
      const d = inner.decide(view);
      return { ...d, detail: { ...d.detail, model } };
    },
  };
}

function def(variant: SampVariantId, label: string, description: string): StrategyDef {
  return {
    id: variant,
    label,
    description,
    family: 'learning',
    hindsight: false,
    params: sampParamSpecs(variant),
    create: (ctx) => createSamp(variant, ctx),
  };
}

const BASE =
  'SAMP-HDRL (Segmented Allocation with Momentum-Adjusted utility, hierarchical DRL; arXiv 2512.22895): K-means (k = 2) ' +
  'on trailing Sortino ratios splits the assets into a high-quality and an ordinary group every 75 days; an upper ' +
  'Transformer agent over all assets gives guidance weights w0 and a market embedding; two SLaK-style large-kernel CNN ' +
  'agents allocate inside each group under binary masks (w1, w2); capital goes to the groups and cash by momentum-adjusted ' +
  'utility, capped in unconfirmed downtrends by a rebound detector; final w = a w0 + (1 - a)(c1 w1 + c2 w2). Agents are ' +
  'trained with DDPG in two stages (upper first, then the lower agents with the upper frozen) on log growth net of 0.1% costs; ' +
  'decisions run the exported policy in ONNX Runtime.';

/** All SAMP-HDRL strategies: the method, five ablations and the flat DDPG baseline. */
export const sampStrategies: StrategyDef[] = [
  def('samp-hdrl', 'SAMP-HDRL', BASE),
  def('samp-hdrl/no-dc', 'SAMP-HDRL w/o dynamic clustering', `${BASE} Ablation w/o dc: the grouping is computed once (first training day) and never recomputed.`),
  def('samp-hdrl/no-utility', 'SAMP-HDRL w/o utility allocation', `${BASE} Ablation w/o utility: c1 = c2 = 1/2 and no cash from the utility step (the rebound cap still applies).`),
  def('samp-hdrl/no-rebound', 'SAMP-HDRL w/o rebound detection', `${BASE} Ablation w/o rebound: no detector and no downtrend cap.`),
  def('samp-hdrl/upper-only', 'SAMP-HDRL upper agent only', `${BASE} Ablation: the portfolio is the upper agent's w0 alone (stage 1 only, fully invested).`),
  def('samp-hdrl/lower-only', 'SAMP-HDRL lower agents only', `${BASE} Ablation: fusion coefficient a = 0 (lower agents and capital split only; the upper agent still conditions them).`),
  def(
    'ddpg-flat',
    'DDPG flat (single agent)',
    'Flat DDPG baseline (FinRL-style single agent, method.md "Baselines to have"): one actor — the SAMP-HDRL SLaK temporal CNN ' +
      'without conditioning, shared across assets — outputs softmax weights over all assets; no grouping, no hierarchy, no utility ' +
      'or rebound logic; trained with the same DDPG, reward (log growth net of 0.1% costs) and data as SAMP-HDRL; decides through ONNX Runtime.',
  ),
];

