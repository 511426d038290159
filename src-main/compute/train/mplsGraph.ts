/**
 * MPLS's graph network (docs/mpls.md "Graph module") and its supervised update on the ONNX training engine: the
 * network definition over the op vocabulary, the update graph (loss, gradient, clip, Adam), the fed dropout masks,
 * the forward graph the module decides with, and the ONNX export that agrees with it to 1e-5.
 *
 * The network, over node features x [B, N, F] (one row per asset, agents/mpls/graphModule.ts builds them) and a
 * correlation adjacency [B, N, N] (agents/mpls/correlation.ts; one per sample since samples come from different
 * days):
 *   h      = GAT stack (agents/networks/gat.ts gatStack): `layers` layers (issue 19: 4), every one `hidden` wide
 *            (64) as `heads` (4) concatenated heads of hidden / heads; LeakyReLU (slope 0.2) after every layer but
 *            the last; layer norm in every layer; residual connections (projected on the first layer, whose input
 *            is narrower), which keep four stacked layers trainable on a few thousand samples
 *   embed  = h We + be          [B, N, embedWidth]   the node embeddings the agents read (linear, no activation)
 *   score  = embed ws + bs      [B, N]               one score per asset
 * Parameters: `mpls/graph/gat/l<k>/...` (gat.ts), `mpls/graph/embed/{W,b}`, `mpls/graph/score/{W,b}` (Glorot, zero
 * biases; compute/params.ts initialises each from the seed and its name).
 *
 * The update, on a minibatch of B days: loss = mean over days and assets of (score - target)^2 with the target fed
 * (the module's standardised forward return), then the gradient, clipped to global norm `clip` (0: none), and one
 * Adam step (tfjs's settings, compute/train/adam.ts). Dropout at rate `dropout` (issue 19: 0.2) is applied where the
 * GAT paper places it, on every layer's input features and on its attention weights, as inverted-dropout masks
 * (0 or 1 / (1 - rate)) drawn by the learner from its seeded stream and fed to the graph, so a run is a function of
 * its seed; the forward graph and the export have no dropout.
 *
 * State: the flat parameter vector and Adam's two moments, fed in and returned by every call (`OnnxGraphNet`).
 */
import seedrandom from 'seedrandom';
import { gatSpecs, gatStack, gatStackLayers, type GatDropout, type GatStackConfig } from '../../agents/networks/gat';
import { buildOnnxModel } from '../onnx/emitter';
import { dense, type Ops } from '../ops';
import { denseSpecs, type ParamSpec, type ParamValues } from '../params';
import {
  checkBatch,
  finishGraph,
  meanAll,
  optimiserInputs,
  optimiserOutputs,
  optimiserStep,
  total,
  type TrainGraph,
} from './common';
import { AdamLearner, SessionCache } from './learner';
import { Graph, Tape, type Val } from './graph';
import { paramBlock, TrainOps } from './ops';
import type { TrainRunOptions } from './session';

/** Prefix of every parameter of the graph network. */
export const GRAPH_NET_PREFIX = 'mpls/graph';

/** The graph network's shape (see the file overview). */
export interface GraphNetShape {
  /** N, assets (nodes) */
  nodes: number;
  /** F, features per node */
  inDim: number;
  /** GAT layers */
  layers: number;
  /** width of every GAT layer's output */
  hidden: number;
  /** attention heads of every GAT layer */
  heads: number;
  /** width of the node embeddings */
  embedWidth: number;
  /** epsilon inside the layer norms */
  lnEps: number;
}

/** The GAT stack of a shape: concatenated heads on every layer, residuals, LeakyReLU between layers. */
export function graphStackConfig(shape: GraphNetShape): GatStackConfig {
  return {
    inDim: shape.inDim,
    hidden: shape.hidden,
    heads: shape.heads,
    layers: shape.layers,
    lastCombine: 'concat',
    residual: true,
    lnEps: shape.lnEps,
  };
}

/** Refuse a shape no graph can be built for, naming the setting. */
function checkShape(shape: GraphNetShape): void {
  for (const k of ['nodes', 'inDim', 'embedWidth'] as const)
    if (!(Number.isInteger(shape[k]) && shape[k] >= 1))
      throw new RangeError(`graph network: ${k} must be a positive integer, got ${shape[k]}`);
  gatStackLayers(graphStackConfig(shape));
}

/** Parameter specs of the network (file overview). */
export function graphNetSpecs(shape: GraphNetShape): ParamSpec[] {
  checkShape(shape);
  return [
    ...gatSpecs(graphStackConfig(shape), `${GRAPH_NET_PREFIX}/gat`),
    ...denseSpecs(`${GRAPH_NET_PREFIX}/embed`, shape.hidden, shape.embedWidth),
    ...denseSpecs(`${GRAPH_NET_PREFIX}/score`, shape.embedWidth, 1),
  ];
}

/** What the network gives: scores [B, N], embeddings [B, N, embedWidth], the last layer's attention [B, K, N, N]. */
export interface GraphNetOutput<T> {
  score: T;
  embed: T;
  attention: T;
}

/**
 * The network over x [B, N, F] and adjacency [B, N, N] (or [N, N] for every sample); `dropout`, when given, holds
 * one entry per GAT layer (gat.ts GatDropout).
 */
export function graphNetForward<T>(
  ops: Ops<T>,
  shape: GraphNetShape,
  x: T,
  adjacency: T,
  dropout?: readonly (GatDropout<T> | undefined)[],
): GraphNetOutput<T> {
  const N = shape.nodes;
  const g = gatStack(ops, graphStackConfig(shape), `${GRAPH_NET_PREFIX}/gat`, N, x, adjacency, dropout);
  const embed = dense(ops, `${GRAPH_NET_PREFIX}/embed`, g.out);
  const score = ops.reshape(dense(ops, `${GRAPH_NET_PREFIX}/score`, embed), [-1, N]);
  return { score, embed, attention: g.attention[g.attention.length - 1]! };
}

/** Shapes of one layer's dropout masks for a minibatch of B: features [B, N, F_k], attention [B, K, N, N]. */
export function dropoutMaskShapes(shape: GraphNetShape, batch: number): { features: number[]; attention: number[] }[] {
  const N = shape.nodes;
  return gatStackLayers(graphStackConfig(shape)).map((l) => ({
    features: [batch, N, l.inDim],
    attention: [batch, l.heads, N, N],
  }));
}

/** Input names of layer k's fed dropout masks. */
const dropName = (k: number, what: 'x' | 'a') => `drop_${what}${k}`;

/** The settings of one update graph. */
export interface GraphNetTraining {
  /** Adam's learning rate */
  lr: number;
  /** global-norm gradient clip (0: none) */
  clip: number;
  /** dropout rate in [0, 1); 0 builds a graph without masks */
  dropout: number;
}

function checkTraining(t: GraphNetTraining): void {
  if (!(t.lr > 0 && Number.isFinite(t.lr))) throw new RangeError(`graph network: lr must be positive, got ${t.lr}`);
  if (!(t.clip >= 0)) throw new RangeError(`graph network: clip must be >= 0, got ${t.clip}`);
  if (!(t.dropout >= 0 && t.dropout < 1))
    throw new RangeError(`graph network: dropout must lie in [0, 1), got ${t.dropout}`);
}

/**
 * The update graph for minibatches of `batch` days. Inputs: `params`, `adam_m`, `adam_v` [P], `adam_c1`, `adam_c2`
 * [], `x` [batch, N, F], `adjacency` [batch, N, N], `target` [batch, N], and with dropout `drop_x<k>`, `drop_a<k>`
 * per layer ({@link dropoutMaskShapes}). Outputs: `params_next`, `adam_m_next`, `adam_v_next`, `loss` (before the
 * step).
 */
export function buildGraphNetUpdate(shape: GraphNetShape, batch: number, training: GraphNetTraining): TrainGraph {
  checkBatch(batch);
  checkTraining(training);
  const specs = graphNetSpecs(shape);
  const N = shape.nodes;
  const g = new Graph();
  const state = optimiserInputs(g, total(specs));
  const x = g.input('x', [batch, N, shape.inDim]);
  const adjacency = g.input('adjacency', [batch, N, N]);
  const target = g.input('target', [batch, N]);
  const dropout: GatDropout<Val>[] | undefined =
    training.dropout > 0
      ? dropoutMaskShapes(shape, batch).map((s, k) => ({
          features: g.input(dropName(k, 'x'), s.features),
          attention: g.input(dropName(k, 'a'), s.attention),
        }))
      : undefined;

  const params = paramBlock(g, specs, state.p, new Tape('mpls-graph'));
  const ops = new TrainOps(g, params);
  const out = graphNetForward(ops, shape, x, adjacency, dropout);
  const err = ops.sub(out.score, target);
  const loss = meanAll(ops, ops.mul(err, err));
  const step = optimiserStep(g, specs, params, loss, { lr: training.lr, clip: training.clip, ...state });
  optimiserOutputs(g, step, loss);
  return finishGraph(g, 'mpls_graph_update', 'HDRL Desk MPLS graph module update (forward-return MSE, Adam)');
}

/**
 * The forward graph of `rows` days (no dropout): inputs `params`, `x` [rows, N, F], `adjacency` [rows, N, N];
 * outputs `score` [rows, N], `embed` [rows, N, embedWidth], `attention` [rows, heads, N, N] (the last layer's).
 */
export function buildGraphNetForward(shape: GraphNetShape, rows: number): TrainGraph {
  checkBatch(rows);
  const specs = graphNetSpecs(shape);
  const N = shape.nodes;
  const g = new Graph();
  const p = g.input('params', [total(specs)]);
  const x = g.input('x', [rows, N, shape.inDim]);
  const adjacency = g.input('adjacency', [rows, N, N]);
  const ops = new TrainOps(g, paramBlock(g, specs, p, null));
  const out = graphNetForward(ops, shape, x, adjacency);
  g.output('score', out.score);
  g.output('embed', out.embed);
  g.output('attention', out.attention);
  return finishGraph(g, 'mpls_graph_forward', 'HDRL Desk MPLS graph module: scores, embeddings, attention');
}

/**
 * The trained network as a standalone ONNX model (parameters as initializers, the batch axis symbolic): inputs `x`
 * [batch, N, F], `adjacency` [batch, N, N]; outputs as {@link buildGraphNetForward}.
 */
export function exportGraphNetOnnx(shape: GraphNetShape, params: ParamValues): Uint8Array {
  checkShape(shape);
  const N = shape.nodes;
  return buildOnnxModel({
    graphName: 'mpls_graph',
    params,
    inputs: [
      { name: 'x', dims: ['batch', N, shape.inDim] },
      { name: 'adjacency', dims: ['batch', N, N] },
    ],
    outputs: [
      { name: 'score', dims: ['batch', N] },
      { name: 'embed', dims: ['batch', N, shape.embedWidth] },
      { name: 'attention', dims: ['batch', shape.heads, N, N] },
    ],
    build: (ops, i) => {
      const out = graphNetForward(ops, shape, i.x!, i.adjacency!);
      return { score: out.score, embed: out.embed, attention: out.attention };
    },
    docString: `HDRL Desk MPLS graph module: ${shape.layers}-layer GAT over ${N} assets`,
  });
}

/** One minibatch as the update graph takes it: x [B, N, F], adjacency [B, N, N], target [B, N]. */
export interface GraphNetBatch {
  x: Float32Array;
  adjacency: Float32Array;
  target: Float32Array;
}

/**
 * Inverted-dropout masks of one minibatch, `drop_x<k>` and `drop_a<k>` per layer: each entry independently 0 with
 * probability `rate`, else 1 / (1 - rate), drawn in input order from `rng`.
 */
export function dropoutMasks(
  shape: GraphNetShape,
  batch: number,
  rate: number,
  rng: () => number,
): Record<string, Float32Array> {
  const keep = 1 / (1 - rate);
  const draw = (dims: number[]) => {
    const a = new Float32Array(dims.reduce((s, d) => s * d, 1));
    for (let i = 0; i < a.length; i++) a[i] = rng() < rate ? 0 : keep;
    return a;
  };
  const out: Record<string, Float32Array> = {};
  dropoutMaskShapes(shape, batch).forEach((s, k) => {
    out[dropName(k, 'x')] = draw(s.features);
    out[dropName(k, 'a')] = draw(s.attention);
  });
  return out;
}

/** What the forward graph gives for `rows` days (flat, row-major; see {@link buildGraphNetForward}). */
export interface GraphNetResult {
  score: Float32Array;
  embed: Float32Array;
  attention: Float32Array;
}

/** Forward sessions of one shape, one per row count, opened on first use. */
export class GraphNetRunner {
  private readonly sessions: SessionCache;
  constructor(
    readonly shape: GraphNetShape,
    opts: TrainRunOptions = {},
  ) {
    checkShape(shape);
    this.sessions = new SessionCache(opts);
  }

  /** The network with parameters `params` (flat, spec order) on `rows` days. */
  run(params: Float32Array, x: Float32Array, adjacency: Float32Array, rows: number): GraphNetResult {
    const out = this.sessions.get(rows, (n) => buildGraphNetForward(this.shape, n)).run({ params, x, adjacency });
    return { score: out.score!, embed: out.embed!, attention: out.attention! };
  }

  /** Release the ONNX Runtime sessions. */
  dispose(): void {
    this.sessions.dispose();
  }
}

/**
 * The network as one learner (learner.ts): parameters initialised from `seed` (compute/params.ts, per parameter
 * name) unless given, Adam moments zero, dropout masks from the stream seedrandom.alea(`${seed}|mpls-graph|dropout`);
 * one update graph per minibatch size, opened on first use.
 */
export class OnnxGraphNet extends AdamLearner {
  private readonly runner: GraphNetRunner;
  private readonly rng: () => number;

  constructor(
    readonly shape: GraphNetShape,
    readonly training: GraphNetTraining,
    seed: number,
    opts: TrainRunOptions & { init?: ParamValues } = {},
  ) {
    checkTraining(training);
    super(graphNetSpecs(shape), training.lr, seed, 'initial MPLS graph network', opts);
    this.runner = new GraphNetRunner(shape, opts);
    this.rng = seedrandom.alea(`${seed}|mpls-graph|dropout`);
  }

  /** One Adam step on a minibatch of `batch` days; gives the loss before the step. */
  update(b: GraphNetBatch, batch: number): number {
    const masks = this.training.dropout > 0 ? dropoutMasks(this.shape, batch, this.training.dropout, this.rng) : {};
    const out = this.adamUpdate(batch, (n) => buildGraphNetUpdate(this.shape, n, this.training), {
      x: b.x,
      adjacency: b.adjacency,
      target: b.target,
      ...masks,
    });
    return out.loss![0]!;
  }

  /** The network under the current parameters on `rows` days (no dropout). */
  forward(x: Float32Array, adjacency: Float32Array, rows: number): GraphNetResult {
    return this.runner.run(this.current, x, adjacency, rows);
  }

  /** Release the ONNX Runtime sessions. */
  override dispose(): void {
    super.dispose();
    this.runner.dispose();
  }
}
