/**
 * MPLS's graph module (docs/mpls.md "Graph module"; issue 19): a graph-attention network over the assets, linked by
 * their rolling correlations, whose node embeddings the agents read and whose per-asset scores give a sector
 * proposal. Settings are {@link GraphConfig}, defaults {@link GRAPH_DEFAULTS}.
 *
 * Graph: agents/mpls/correlation.ts (60-day Pearson correlations of daily log returns, refreshed every 5 trading
 * days on the absolute day index, edges at |rho| >= 0.3 whatever the sign, self loops).
 *
 * Node features of asset i at day t, from closes up to day t only:
 *   - the trailing log returns ln(c_t / c_{t-w}) for w in `returnWindows` (5, 20, 60 days);
 *   - the realised volatility over `volWindow` (20) days: the population standard deviation of the daily log returns
 *     of days t - volWindow + 1 .. t (not annualised: it is standardised next);
 *   - optionally, sector inputs broadcast to the sector's members: `extraSectorFeatures(t)` gives [S x k]
 *     (sector-major, the layout's risky classes in order), e.g. the volatility module's forecast for the sector and
 *     the sector's sentiment index; row s goes to every asset of sector s. Used when given and `sectorInputs` is on
 *     (the default); the module works without them. The function must read nothing after day t (the caller's
 *     module does the same), answer every day the module is read on, and give finite values (refused otherwise).
 * Each feature is standardised, (v - mean) / std, with its mean and population std over the assets and sample days
 * of the fit (stored in the artifact; a feature that does not vary keeps std 1).
 *
 * Network (compute/train/mplsGraph.ts): 4 GAT layers, 64 wide as 4 concatenated heads, LeakyReLU, layer norm,
 * residuals, dropout 0.2 in training; a linear projection to `embedWidth` (8) = the embeddings (`assetFeatures`,
 * assetWidth = embedWidth); a linear head to one score per asset.
 *
 * Training objective. The paper trains the GNN jointly with the agents by PPO and gives no loss of its own; here the
 * module is fitted first, on its own, so the agents train over a fixed module (the fusion agent weighs a proposal
 * that does not move under it) and the module is cheap to check: it predicts each asset's next-`horizon`-day
 * (5-day) log return ln(c_{t+h} / c_t), standardised across the assets that day (minus the day's mean, over its
 * population std; all zero when the assets' returns are equal), by mean squared error. So a score is a predicted
 * cross-sectional z-score: 0 is "like the average asset", and predicting 0 everywhere has MSE 1 on any day.
 *   - Samples: days t from the first day whose features and graph read no close before trainFirst (t >=
 *     trainFirst + the longest lookback, and r(t) >= trainFirst + corrWindow) to trainLast - horizon, so no target
 *     reads a close after trainLast.
 *   - Validation: the last `validationFraction` (15%) of the sample days; training samples end `horizon` days
 *     before the first validation day, so no training target overlaps a validation target. After every epoch the
 *     validation MSE (no dropout) scores the network; the best epoch's parameters are kept (early stop after
 *     `patience` epochs without improvement; 0 = never). Without validation days the last epoch is kept.
 *   - Optimisation: Adam (learning rate `lr`), gradient clipped to global norm `clip`, minibatches of `batchDays`
 *     days shuffled by a seeded Fisher-Yates every epoch (samples left over after the last full minibatch wait for a
 *     later epoch), `epochs` epochs at most. Initialisation, shuffles and dropout masks all derive from the seed, so
 *     the same seed gives a bit-identical artifact.
 *
 * Proposal: per sector, the mean score of its members m_s; proposal = softmax over sectors of m_s / `temperature`
 * (0.5: a sector predicted half a cross-sectional std above another gets e times its weight). sectorFeatures: [m_s]
 * per sector (sectorWidth 1).
 *
 * Decisions: `day(t)` runs the forward graph of the training engine on day t alone (one row, no dropout), so the
 * module built by the fit and one rebuilt from its artifact ({@link graphModuleFrom}) give the same numbers to the
 * bit; each day is computed once and kept. `exportGraphNetOnnx` (compute/train/mplsGraph.ts) gives the same
 * network as a standalone ONNX model, agreeing to 1e-5.
 *
 * Snapshot for the desk ({@link graphSnapshot}): the graph in force at t, every asset's score, and the strongest
 * edges by |rho| with the last GAT layer's attention across them (averaged over heads) in both directions and
 * their mean.
 *
 * Why this file is long: the settings, the node features and targets, the sample split, the fit, the stored artifact
 * and the module rebuilt from it must agree on every day index and every standardisation; kept in one file, the rule
 * that no fitted number reads a close outside the training days can be checked in one reading.
 */
import seedrandom from 'seedrandom';
import type { TrainRunOptions } from '../../compute/train/session';
import { deserializeParams, serializeParams, type SerializedParams } from '../../compute/params';
import { flatten } from '../../compute/train/common';
import { shuffled } from '../../compute/train/learner';
import {
  exportGraphNetOnnx,
  graphNetSpecs,
  GraphNetRunner,
  OnnxGraphNet,
  type GraphNetShape,
} from '../../compute/train/mplsGraph';
import type { ClassLayout } from '../hadaps/classes';
import { abortError } from '../samp/episodes';
import { CheckpointSelector } from '../samp/selection';
import {
  checkCorrelationSettings,
  CorrelationGraphs,
  firstGraphDay,
  type CorrelationGraph,
  type CorrelationSettings,
} from './correlation';
import type { ModuleDay, MplsModule } from './modules';

/** The graph module's settings (see the file overview for each). */
export interface GraphConfig extends CorrelationSettings {
  /** trailing log-return windows of the node features, in days */
  returnWindows: number[];
  /** days of daily log returns in the realised-volatility feature */
  volWindow: number;
  /** use `extraSectorFeatures` when the fit is given them */
  sectorInputs: boolean;
  /** GAT layers (issue 19: 4) */
  layers: number;
  /** width of every GAT layer (issue 19: 64) */
  hidden: number;
  /** attention heads (issue 19: 4) */
  heads: number;
  /** dropout rate in training (issue 19: 0.2) */
  dropout: number;
  /** width of the node embeddings the agents read */
  embedWidth: number;
  /** epsilon inside the layer norms */
  lnEps: number;
  /** days ahead of the forward return the scores predict */
  horizon: number;
  /** Adam's learning rate */
  lr: number;
  /** global-norm gradient clip (0: none) */
  clip: number;
  /** days per minibatch */
  batchDays: number;
  /** epochs at most */
  epochs: number;
  /** epochs in a row without a better validation MSE after which training stops (0: never) */
  patience: number;
  /** fraction of the sample days held out for epoch selection (0: none, keep the last epoch) */
  validationFraction: number;
  /** softmax temperature of the sector proposal */
  temperature: number;
}

/** The network and the choices of the file overview. */
export const GRAPH_DEFAULTS: Readonly<GraphConfig> = Object.freeze({
  corrWindow: 60,
  refreshEvery: 5,
  threshold: 0.3,
  returnWindows: [5, 20, 60],
  volWindow: 20,
  sectorInputs: true,
  layers: 4,
  hidden: 64,
  heads: 4,
  dropout: 0.2,
  embedWidth: 8,
  lnEps: 1e-5,
  horizon: 5,
  lr: 1e-3,
  clip: 1,
  batchDays: 32,
  epochs: 30,
  patience: 5,
  validationFraction: 0.15,
  temperature: 0.5,
});

const posInt = (v: number) => Number.isInteger(v) && v >= 1;

/** Refuse settings the module cannot be fitted with, naming the setting. */
export function checkGraphConfig(cfg: GraphConfig): void {
  checkCorrelationSettings(cfg);
  if (!(Array.isArray(cfg.returnWindows) && cfg.returnWindows.length >= 1 && cfg.returnWindows.every(posInt)))
    throw new RangeError(`graph module: returnWindows must be positive integers, got [${String(cfg.returnWindows)}]`);
  if (!(Number.isInteger(cfg.volWindow) && cfg.volWindow >= 2))
    throw new RangeError(`graph module: volWindow must be an integer >= 2, got ${cfg.volWindow}`);
  for (const k of ['layers', 'hidden', 'heads', 'embedWidth', 'horizon', 'batchDays', 'epochs'] as const)
    if (!posInt(cfg[k])) throw new RangeError(`graph module: ${k} must be a positive integer, got ${cfg[k]}`);
  if (cfg.hidden % cfg.heads !== 0)
    throw new RangeError(`graph module: hidden ${cfg.hidden} must be divisible by heads ${cfg.heads}`);
  if (!(cfg.dropout >= 0 && cfg.dropout < 1))
    throw new RangeError(`graph module: dropout must lie in [0, 1), got ${cfg.dropout}`);
  if (!(cfg.lnEps > 0)) throw new RangeError(`graph module: lnEps must be positive, got ${cfg.lnEps}`);
  if (!(cfg.lr > 0 && Number.isFinite(cfg.lr)))
    throw new RangeError(`graph module: lr must be positive, got ${cfg.lr}`);
  if (!(cfg.clip >= 0)) throw new RangeError(`graph module: clip must be >= 0, got ${cfg.clip}`);
  if (!(Number.isInteger(cfg.patience) && cfg.patience >= 0))
    throw new RangeError(`graph module: patience must be a non-negative integer, got ${cfg.patience}`);
  if (!(cfg.validationFraction >= 0 && cfg.validationFraction < 1))
    throw new RangeError(`graph module: validationFraction must lie in [0, 1), got ${cfg.validationFraction}`);
  if (!(cfg.temperature > 0 && Number.isFinite(cfg.temperature)))
    throw new RangeError(`graph module: temperature must be positive, got ${cfg.temperature}`);
}

/** Closes a node feature at t reaches back: the longest return window or the volatility window. */
export function featureLookback(cfg: GraphConfig): number {
  return Math.max(...cfg.returnWindows, cfg.volWindow);
}

/** Node features computed from prices (the return windows, then the volatility). */
export function priceFeatureCount(cfg: GraphConfig): number {
  return cfg.returnWindows.length + 1;
}

/** The first day the module can be read on: it needs the features' lookback and a correlation graph. */
export function graphFirstDay(cfg: GraphConfig): number {
  return Math.max(featureLookback(cfg), firstGraphDay(cfg));
}

/** The unstandardised price features [N x priceFeatureCount] of day t, asset-major (see the file overview). */
export function priceFeatures(
  closes: (d: number) => ArrayLike<number>,
  nAssets: number,
  t: number,
  cfg: GraphConfig,
): Float64Array {
  const Fp = priceFeatureCount(cfg);
  const out = new Float64Array(nAssets * Fp);
  const now = closes(t);
  cfg.returnWindows.forEach((w, f) => {
    const then = closes(t - w);
    for (let i = 0; i < nAssets; i++) out[i * Fp + f] = Math.log(now[i]! / then[i]!);
  });
  const V = cfg.volWindow;
  const r = new Float64Array(nAssets * V);
  let prev = closes(t - V);
  for (let k = 0; k < V; k++) {
    const cur = closes(t - V + 1 + k);
    for (let i = 0; i < nAssets; i++) r[i * V + k] = Math.log(cur[i]! / prev[i]!);
    prev = cur;
  }
  for (let i = 0; i < nAssets; i++) {
    let m = 0;
    for (let k = 0; k < V; k++) m += r[i * V + k]!;
    m /= V;
    let q = 0;
    for (let k = 0; k < V; k++) q += (r[i * V + k]! - m) ** 2;
    out[i * Fp + Fp - 1] = Math.sqrt(q / V);
  }
  return out;
}

/**
 * The forward log returns ln(c_{t+h} / c_t) of day t standardised across the assets (minus their mean, over their
 * population std; zeros when they do not vary).
 */
export function standardisedTarget(
  closes: (d: number) => ArrayLike<number>,
  nAssets: number,
  t: number,
  horizon: number,
): Float32Array {
  const now = closes(t);
  const later = closes(t + horizon);
  const y = Float64Array.from({ length: nAssets }, (_, i) => Math.log(later[i]! / now[i]!));
  let m = 0;
  for (const v of y) m += v;
  m /= nAssets;
  let q = 0;
  for (const v of y) q += (v - m) ** 2;
  const sd = Math.sqrt(q / nAssets);
  const out = new Float32Array(nAssets);
  if (sd > 1e-12) for (let i = 0; i < nAssets; i++) out[i] = (y[i]! - m) / sd;
  return out;
}

/** A fitted graph module as stored: settings, standardisation, parameters and what the fit saw. */
export interface GraphArtifact {
  format: 'hdrl-mpls-graph-v1';
  cfg: GraphConfig;
  /** N */
  nAssets: number;
  /** S, the layout's risky classes */
  sectors: number;
  /** k, sector inputs per sector the network reads (0: none) */
  extraWidth: number;
  /** per node feature (price features, then the k sector inputs): the mean and std it is standardised with */
  featureMean: number[];
  featureStd: number[];
  fit: GraphFitRecord;
  params: SerializedParams;
}

/** What the fit saw and did (see the file overview). */
export interface GraphFitRecord {
  trainFirst: number;
  trainLast: number;
  seed: number;
  /** first and last sample day */
  firstSample: number;
  lastSample: number;
  trainSamples: number;
  validationSamples: number;
  /** first validation day (null without validation) */
  validationStart: number | null;
  /** per epoch: mean minibatch loss (before each step) and the validation MSE after it (null without validation) */
  epochs: { epoch: number; loss: number; validationMse: number | null }[];
  /** the kept epoch (the last one without validation) */
  chosenEpoch: number;
  /** the kept epoch's validation MSE (null without validation); predicting 0 scores about 1 */
  validationMse: number | null;
  /** Adam steps taken */
  updates: number;
}

/** Everything the network reads and gives for one day. */
export interface GraphReading {
  /** the correlation graph in force */
  graph: CorrelationGraph;
  /** standardised node features [N x F] */
  x: Float32Array;
  /** score per asset [N] */
  scores: Float32Array;
  /** embeddings [N x embedWidth] */
  embed: Float32Array;
  /** the last GAT layer's attention averaged over heads [N x N], row i: how asset i weighs asset j */
  attention: Float32Array;
}

/** The graph module: an MplsModule plus what the desk and the tests read. */
export interface GraphModule extends MplsModule {
  readonly name: 'graph';
  readonly layout: ClassLayout;
  readonly artifact: GraphArtifact;
  /** the network's inputs and outputs on day t (kept after the first read and shared: read, do not write) */
  reading(t: number): GraphReading;
  /** release the ONNX Runtime session */
  dispose(): void;
}

/** The network's shape of a stored artifact. */
export function graphNetShapeOf(artifact: GraphArtifact): GraphNetShape {
  return netShape(artifact.cfg, artifact.nAssets, artifact.extraWidth);
}

/**
 * A stored artifact's network as a standalone ONNX model (compute/train/mplsGraph.ts exportGraphNetOnnx): fed the
 * standardised node features and the adjacency of a day ({@link GraphReading} `x`, `graph.adjacency`), it gives that
 * day's scores, embeddings and attention as the module does, to 1e-5.
 */
export function exportGraphModuleOnnx(artifact: GraphArtifact): Uint8Array {
  return exportGraphNetOnnx(graphNetShapeOf(artifact), deserializeParams(artifact.params));
}

/** The network's shape for an artifact's settings and width. */
function netShape(cfg: GraphConfig, nAssets: number, extraWidth: number): GraphNetShape {
  return {
    nodes: nAssets,
    inDim: priceFeatureCount(cfg) + extraWidth,
    layers: cfg.layers,
    hidden: cfg.hidden,
    heads: cfg.heads,
    embedWidth: cfg.embedWidth,
    lnEps: cfg.lnEps,
  };
}

/** The sector inputs of day t, checked: [S x k] finite values. */
function sectorInputs(extra: (t: number) => Float32Array, t: number, S: number, k: number): Float32Array {
  const e = extra(t);
  if (e.length !== S * k)
    throw new Error(`graph module: extraSectorFeatures(${t}) gave ${e.length} values, expected ${S} sectors x ${k}`);
  for (let i = 0; i < e.length; i++)
    if (!Number.isFinite(e[i]!))
      throw new Error(
        `graph module: extraSectorFeatures(${t}) gave ${e[i]} for sector ${Math.floor(i / k)}, input ${i % k}`,
      );
  return e;
}

/** Raw node features [N x F] of day t: the price features, then the sector inputs broadcast to members. */
function rawFeatures(
  closes: (d: number) => ArrayLike<number>,
  layout: ClassLayout,
  t: number,
  cfg: GraphConfig,
  extra: ((t: number) => Float32Array) | undefined,
  k: number,
): Float64Array {
  const N = layout.nAssets;
  const Fp = priceFeatureCount(cfg);
  const F = Fp + k;
  const p = priceFeatures(closes, N, t, cfg);
  if (k === 0) return p;
  const e = sectorInputs(extra!, t, layout.classes.length, k);
  const out = new Float64Array(N * F);
  for (let i = 0; i < N; i++) {
    for (let f = 0; f < Fp; f++) out[i * F + f] = p[i * Fp + f]!;
    const s = layout.classOf[i]!;
    for (let j = 0; j < k; j++) out[i * F + Fp + j] = e[s * k + j]!;
  }
  return out;
}

function standardise(raw: Float64Array, mean: readonly number[], std: readonly number[]): Float32Array {
  const F = mean.length;
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = (raw[i]! - mean[i % F]!) / std[i % F]!;
  return out;
}

/** softmax(v / temperature) in float64. */
function softmax(v: Float64Array, temperature: number): Float64Array {
  let top = -Infinity;
  for (const x of v) top = Math.max(top, x / temperature);
  const out = v.map((x) => Math.exp(x / temperature - top));
  const s = out.reduce((a, b) => a + b, 0);
  return out.map((x) => x / s);
}

/** Refuse a layout other than the one the artifact was fitted on (asset and sector counts). */
function checkLayout(layout: ClassLayout, nAssets: number, sectors: number): void {
  if (layout.nAssets !== nAssets)
    throw new Error(`graph module: the artifact was fitted on ${nAssets} assets, the layout has ${layout.nAssets}`);
  if (layout.classes.length !== sectors)
    throw new Error(
      `graph module: the artifact was fitted on ${sectors} sectors, the layout has ${layout.classes.length}`,
    );
}

/**
 * The module of a stored artifact, without retraining: the same decisions as the module its fit returned.
 * `extraSectorFeatures` is required when the artifact was fitted with sector inputs (and ignored otherwise).
 */
export function graphModuleFrom(
  artifact: GraphArtifact,
  closes: (d: number) => ArrayLike<number>,
  nDays: number,
  layout: ClassLayout,
  extraSectorFeatures?: (t: number) => Float32Array,
  run: TrainRunOptions = {},
): GraphModule {
  if (artifact.format !== 'hdrl-mpls-graph-v1')
    throw new Error(`graph module: unknown artifact format ${String(artifact.format)}`);
  const cfg = artifact.cfg;
  checkGraphConfig(cfg);
  checkLayout(layout, artifact.nAssets, artifact.sectors);
  const k = artifact.extraWidth;
  if (k > 0 && !extraSectorFeatures)
    throw new Error(
      `graph module: the artifact was fitted with ${k} sector input(s) per sector; give extraSectorFeatures`,
    );
  const extra = k > 0 ? extraSectorFeatures : undefined;
  const N = artifact.nAssets;
  const S = artifact.sectors;
  const shape = netShape(cfg, N, k);
  if (artifact.featureMean.length !== shape.inDim || artifact.featureStd.length !== shape.inDim)
    throw new Error(
      `graph module: the artifact standardises ${artifact.featureMean.length} features, not ${shape.inDim}`,
    );
  const specs = graphNetSpecs(shape);
  const params = flatten(specs, deserializeParams(artifact.params), 'MPLS graph module');
  const graphs = new CorrelationGraphs(closes, N, cfg);
  const runner = new GraphNetRunner(shape, run);
  const firstDay = graphFirstDay(cfg);
  const E = cfg.embedWidth;
  const K = cfg.heads;
  const kept = new Map<number, GraphReading>();

  const reading = (t: number): GraphReading => {
    if (!(Number.isInteger(t) && t >= firstDay && t < nDays))
      throw new RangeError(`graph module: day ${t} is outside ${firstDay} .. ${nDays - 1}`);
    const have = kept.get(t);
    if (have) return have;
    const graph = graphs.at(t);
    const x = standardise(rawFeatures(closes, layout, t, cfg, extra, k), artifact.featureMean, artifact.featureStd);
    const out = runner.run(params, x, graph.adjacency, 1);
    const attention = new Float32Array(N * N);
    for (let h = 0; h < K; h++)
      for (let q = 0; q < N * N; q++) attention[q] = attention[q]! + out.attention[h * N * N + q]! / K;
    const r: GraphReading = { graph, x, scores: out.score, embed: out.embed, attention };
    kept.set(t, r);
    return r;
  };

  return {
    name: 'graph',
    sectorWidth: 1,
    assetWidth: E,
    firstDay,
    layout,
    artifact,
    reading,
    day(t: number): ModuleDay {
      const r = reading(t);
      const means = new Float64Array(S);
      layout.classes.forEach((c, s) => {
        let sum = 0;
        for (const i of c.members) sum += r.scores[i]!;
        means[s] = c.members.length > 0 ? sum / c.members.length : 0;
      });
      return {
        proposal: softmax(means, cfg.temperature),
        sectorFeatures: Float32Array.from(means),
        assetFeatures: r.embed.slice(),
      };
    },
    dispose: () => runner.dispose(),
  };
}

/** What every module fit takes (modules.ts), plus the graph module's own. */
export interface GraphFitOptions {
  closes: (d: number) => ArrayLike<number>;
  nDays: number;
  layout: ClassLayout;
  trainFirst: number;
  trainLast: number;
  seed: number;
  signal?: AbortSignal;
  run?: TrainRunOptions;
  cfg: GraphConfig;
  /** sector inputs [S x k] of day t (see the file overview) */
  extraSectorFeatures?: (t: number) => Float32Array;
  /** k; read from the first day's inputs when left out */
  extraWidth?: number;
  /** called after every epoch */
  onEpoch?: (e: { epoch: number; loss: number; validationMse: number | null }) => void;
}

/** Fewer training samples than this are refused: a fit on them would say nothing. */
export const MIN_TRAIN_SAMPLES = 20;

/** The sample days of a fit (see the file overview "Samples" and "Validation"). */
export function graphSampleDays(
  cfg: GraphConfig,
  trainFirst: number,
  trainLast: number,
): { first: number; last: number; trainLast: number; validationStart: number | null } {
  const lookback = featureLookback(cfg);
  const firstRefresh = Math.ceil((trainFirst + cfg.corrWindow) / cfg.refreshEvery) * cfg.refreshEvery;
  const first = Math.max(trainFirst + lookback, firstRefresh, graphFirstDay(cfg));
  const last = trainLast - cfg.horizon;
  const n = last - first + 1;
  const nVal = cfg.validationFraction > 0 ? Math.max(1, Math.round(n * cfg.validationFraction)) : 0;
  const validationStart = nVal > 0 ? last - nVal + 1 : null;
  const tLast = validationStart === null ? last : validationStart - cfg.horizon;
  if (tLast - first + 1 < MIN_TRAIN_SAMPLES)
    throw new RangeError(
      `graph module: training days ${trainFirst}..${trainLast} leave ${Math.max(0, tLast - first + 1)} training samples, ${MIN_TRAIN_SAMPLES} are needed: samples start at day ${first} (the features look back ${lookback} days, the correlations ${cfg.corrWindow}), end ${cfg.horizon} days (the horizon) before the last training day, and ${nVal} validation samples are held out after them; give more training days`,
    );
  return { first, last, trainLast: tLast, validationStart };
}

/** Mean of (a - b)^2 in float64. */
function mse(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / a.length;
}

/**
 * Fit the graph module on days trainFirst..trainLast (see the file overview): reads no close outside them, and the
 * same seed gives the same artifact.
 */
export async function fitGraphModule(o: GraphFitOptions): Promise<{ module: GraphModule; artifact: GraphArtifact }> {
  const cfg = o.cfg;
  checkGraphConfig(cfg);
  const { closes, layout, trainFirst, trainLast } = o;
  if (!(Number.isInteger(trainFirst) && Number.isInteger(trainLast) && trainFirst >= 0 && trainLast < o.nDays))
    throw new RangeError(`graph module: training days ${trainFirst}..${trainLast} are not inside 0..${o.nDays - 1}`);
  const N = layout.nAssets;
  const S = layout.classes.length;
  const days = graphSampleDays(cfg, trainFirst, trainLast);
  const extra = cfg.sectorInputs ? o.extraSectorFeatures : undefined;
  let k = 0;
  if (extra) {
    k = o.extraWidth ?? extra(days.first).length / S;
    if (!posInt(k))
      throw new Error(`graph module: extraSectorFeatures gave ${extra(days.first).length} values for ${S} sectors`);
  }
  const F = priceFeatureCount(cfg) + k;
  const shape = netShape(cfg, N, k);

  // every sample day's raw features, adjacency and target: nothing read before trainFirst or after trainLast
  const nSamples = days.last - days.first + 1;
  const raw: Float64Array[] = [];
  const adjacency: Float32Array[] = [];
  const target: Float32Array[] = [];
  const graphs = new CorrelationGraphs(closes, N, cfg);
  for (let t = days.first; t <= days.last; t++) {
    raw.push(rawFeatures(closes, layout, t, cfg, extra, k));
    adjacency.push(graphs.at(t).adjacency);
    target.push(standardisedTarget(closes, N, t, cfg.horizon));
  }
  const featureMean = new Array<number>(F).fill(0);
  const featureStd = new Array<number>(F).fill(0);
  for (const r of raw) for (let i = 0; i < r.length; i++) featureMean[i % F]! += r[i]!;
  for (let f = 0; f < F; f++) featureMean[f] = featureMean[f]! / (nSamples * N);
  for (const r of raw) for (let i = 0; i < r.length; i++) featureStd[i % F]! += (r[i]! - featureMean[i % F]!) ** 2;
  for (let f = 0; f < F; f++) {
    const sd = Math.sqrt(featureStd[f]! / (nSamples * N));
    featureStd[f] = sd > 1e-12 && Number.isFinite(sd) ? sd : 1;
  }
  const x = raw.map((r) => standardise(r, featureMean, featureStd));

  const nTrain = days.trainLast - days.first + 1;
  const valIdx = days.validationStart === null ? [] : range(days.validationStart - days.first, nSamples);
  const B = Math.min(cfg.batchDays, nTrain);
  const perEpoch = Math.floor(nTrain / B);
  const stack = (idx: readonly number[], src: Float32Array[], width: number) => {
    const out = new Float32Array(idx.length * width);
    idx.forEach((s, b) => out.set(src[s]!, b * width));
    return out;
  };
  const val =
    valIdx.length > 0
      ? { x: stack(valIdx, x, N * F), adjacency: stack(valIdx, adjacency, N * N), target: stack(valIdx, target, N) }
      : null;

  const learner = new OnnxGraphNet(shape, { lr: cfg.lr, clip: cfg.clip, dropout: cfg.dropout }, o.seed, o.run);
  try {
    const rng = seedrandom(`${o.seed}|mpls-graph|shuffle`);
    const selector = new CheckpointSelector<Float32Array>(cfg.patience);
    const epochs: GraphFitRecord['epochs'] = [];
    for (let e = 1; e <= cfg.epochs; e++) {
      const order = shuffled(nTrain, rng);
      let lossSum = 0;
      for (let u = 0; u < perEpoch; u++) {
        if (o.signal?.aborted) throw abortError(o.signal);
        const idx = Array.from(order.subarray(u * B, (u + 1) * B));
        lossSum += learner.update(
          { x: stack(idx, x, N * F), adjacency: stack(idx, adjacency, N * N), target: stack(idx, target, N) },
          B,
        );
      }
      let validationMse: number | null = null;
      if (val) {
        validationMse = mse(learner.forward(val.x, val.adjacency, valIdx.length).score, val.target);
        selector.observe(e, -validationMse, () => learner.vector());
      }
      const epoch = { epoch: e, loss: lossSum / perEpoch, validationMse };
      epochs.push(epoch);
      o.onEpoch?.(epoch);
      // let an abort (or other work) through between epochs
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (selector.stop) break;
    }
    const best = selector.best;
    if (best) learner.restore(best.value);
    const artifact: GraphArtifact = {
      format: 'hdrl-mpls-graph-v1',
      cfg: { ...cfg, returnWindows: [...cfg.returnWindows] },
      nAssets: N,
      sectors: S,
      extraWidth: k,
      featureMean,
      featureStd,
      fit: {
        trainFirst,
        trainLast,
        seed: o.seed,
        firstSample: days.first,
        lastSample: days.last,
        trainSamples: nTrain,
        validationSamples: valIdx.length,
        validationStart: days.validationStart,
        epochs,
        chosenEpoch: best ? best.episode : epochs.length,
        validationMse: best ? -best.score : null,
        updates: learner.steps,
      },
      params: serializeParams(learner.params()),
    };
    return { module: graphModuleFrom(artifact, closes, o.nDays, layout, extra, o.run), artifact };
  } finally {
    learner.dispose();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** The desk's view of the graph module at one day: JSON-friendly (no typed arrays, no NaN). */
export interface GraphSnapshot {
  /** the day shown and the refresh day whose closes its graph came from */
  day: number;
  refreshDay: number;
  nodes: { asset: number; ticker: string; sector: string; score: number }[];
  /**
   * the strongest edges by |rho| (self loops excluded), strongest first: rho with its sign; attentionAB the last
   * GAT layer's weight of a on b averaged over heads (row a of the attention), attentionBA the reverse, attention
   * their mean
   */
  edges: { a: string; b: string; rho: number; attention: number; attentionAB: number; attentionBA: number }[];
}

/**
 * The graph module at day t for the desk: every node with its score, and the `topEdges` strongest edges of the
 * graph in force. `tickers` names the assets (price-matrix order); without them they are called "asset <i>".
 */
export function graphSnapshot(
  module: GraphModule,
  t: number,
  topEdges = 30,
  tickers?: readonly string[],
): GraphSnapshot {
  if (!(Number.isInteger(topEdges) && topEdges >= 0))
    throw new RangeError(`graph snapshot: topEdges must be a non-negative integer, got ${topEdges}`);
  const r = module.reading(t);
  const N = module.layout.nAssets;
  if (tickers && tickers.length !== N) throw new Error(`graph snapshot: ${tickers.length} tickers for ${N} assets`);
  const name = (i: number) => tickers?.[i] ?? `asset ${i}`;
  const { rho, adjacency } = r.graph;
  const pairs: [number, number][] = [];
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) if (adjacency[i * N + j] === 1) pairs.push([i, j]);
  pairs.sort((p, q) => Math.abs(rho[q[0] * N + q[1]]!) - Math.abs(rho[p[0] * N + p[1]]!) || p[0] - q[0] || p[1] - q[1]);
  return {
    day: t,
    refreshDay: r.graph.refreshDay,
    nodes: Array.from({ length: N }, (_, i) => ({
      asset: i,
      ticker: name(i),
      sector: module.layout.classes[module.layout.classOf[i]!]!.name,
      score: r.scores[i]!,
    })),
    edges: pairs.slice(0, topEdges).map(([i, j]) => {
      const ab = r.attention[i * N + j]!;
      const ba = r.attention[j * N + i]!;
      return {
        a: name(i),
        b: name(j),
        rho: rho[i * N + j]!,
        attention: (ab + ba) / 2,
        attentionAB: ab,
        attentionBA: ba,
      };
    }),
  };
}
