/**
 * A graph-attention layer (Velickovic et al., "Graph Attention Networks", ICLR 2018) and a stack of them, written
 * once against the op vocabulary (compute/ops.ts): the graph building block of the MPLS graph module (issue 19:
 * four layers, 64 wide, 4 heads, over a correlation graph of the assets).
 *
 * Over node features h [B, N, F] and an adjacency A ([N, N] for every sample, or [B, N, N]; 1 = edge, 0 = none,
 * self loops added here whatever its diagonal holds), for each of K heads k with W_k [F, F'] and attention vectors
 * a_src,k, a_dst,k [F']:
 *   z_i    = h_i W_k                                                    [F']
 *   e_ij   = LeakyReLU(a_src,k . z_i + a_dst,k . z_j)   slope 0.2 below zero (the paper's)
 *   alpha  = softmax over j of e_ij, restricted to the neighbours j of i (i itself included)
 *   out_i  = sum_j alpha_ij z_j
 * a_src scores the node that attends (i), a_dst the neighbour it reads (j): together they are the paper's single
 * vector a over [W h_i || W h_j]. The heads' outputs are concatenated (width K F') or, with `combine: 'mean'` (the
 * paper's last layer), averaged (width F'). Then
 *   y = LayerNorm(out [+ residual(h)])   residual: h itself when the widths agree, else h R (R learned, no bias)
 *   y = LeakyReLU(y)                     with `activation` (the stack's hidden layers; slope 0.2 again)
 * No bias is added to out: the layer norm's shift follows it.
 *
 * How it is written with the vocabulary's ops:
 *   - LeakyReLU(x) = x + relu(-0.8 x): x above zero, x - 0.8 x = 0.2 x below;
 *   - the restricted softmax is a softmax over all j of e_ij + (mask_ij - 1) 1e9 (lower.ts maskedLogits, MASK_NEG).
 *     The self loop guarantees each row one unmasked entry, so the row's largest value is a real score; softmax
 *     subtracts it (tfjs and ONNX Runtime both do), which leaves every masked entry near -1e9, and exp of anything
 *     below about -104 is exactly 0 in float32. So alpha_ij is exactly 0 off the graph, and so is its gradient
 *     (the softmax rule multiplies by alpha). 1e9 is exact in float32 and far from its overflow (3.4e38), and
 *     any score a layer-normed network gives is tiny beside it;
 *   - all heads come from one matrix product with W [F, K F'] (head k's columns k F' .. (k + 1) F' - 1), the
 *     scores from products with a_src, a_dst summed over F', and the weighted sum from one batched matrix
 *     product alpha [B, K, N, N] x z [B, K, N, F'].
 *
 * Parameters of a layer `p` (spec order): `p/W` [F, K F'] Glorot uniform; `p/a_src`, `p/a_dst` [K, F'] Glorot
 * uniform with fan in 2 F', fan out 1 (each head's [a_src; a_dst] is the paper's a, a [2F', 1] matrix); `p/res/W`
 * [F, width] Glorot, only when a residual needs a projection; `p/ln/g`, `p/ln/b` the layer norm (ones, zeros).
 *
 * Dropout in training graphs, as the paper places it: optional fed masks (0 or 1 / (1 - rate), inverted dropout)
 * on a layer's input features (broadcasting against [B, N, F]) and on its attention weights (against
 * [B, K, N, N]). The attention weights returned are those before dropout (what the desk shows).
 */
import type { Ops } from '../../compute/ops';
import { layerNormP } from '../../compute/ops';
import { layerNormSpecs, type ParamSpec } from '../../compute/params';
import { maskedLogits } from './lower';

/** Slope of the LeakyReLU below zero, in the attention scores and after hidden layers (the paper's 0.2). */
export const GAT_LEAKY_SLOPE = 0.2;

/** One graph-attention layer's shape (file overview). */
export interface GatLayerConfig {
  /** F, features of each input node */
  inDim: number;
  /** F', width of each head's output */
  headDim: number;
  /** K, attention heads */
  heads: number;
  /** how the heads' outputs are joined: 'concat' (width K F') or 'mean' (width F', the paper's last layer) */
  combine: 'concat' | 'mean';
  /** whether the layer's input is added back before the layer norm (projected when the widths differ) */
  residual: boolean;
  /** whether a LeakyReLU follows the layer norm */
  activation: boolean;
  /** epsilon inside the layer norm */
  lnEps: number;
}

/** A stack of graph-attention layers, every one `hidden` wide at its output. */
export interface GatStackConfig {
  /** features of each input node */
  inDim: number;
  /** output width of every layer: K heads of hidden / K concatenated, or on a 'mean' last layer K heads of hidden */
  hidden: number;
  /** K, attention heads of every layer */
  heads: number;
  /** stacked layers */
  layers: number;
  /** how the last layer joins its heads (the layers before it concatenate) */
  lastCombine: 'concat' | 'mean';
  /** residual connections on every layer (file overview) */
  residual: boolean;
  /** epsilon inside the layer norms */
  lnEps: number;
}

/** Optional fed dropout masks of one layer (file overview). */
export interface GatDropout<T> {
  /** on the layer's input features, broadcasting against [B, N, F] */
  features?: T;
  /** on the attention weights, broadcasting against [B, K, N, N] */
  attention?: T;
}

const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;

/** Output width of a layer: K F' concatenated, F' averaged. */
export function gatWidth(cfg: GatLayerConfig): number {
  return cfg.combine === 'concat' ? cfg.heads * cfg.headDim : cfg.headDim;
}

/** Refuse a layer shape no graph can be built for, naming the setting. */
export function checkGatLayer(cfg: GatLayerConfig): void {
  for (const k of ['inDim', 'headDim', 'heads'] as const)
    if (!positiveInt(cfg[k])) throw new RangeError(`gat: ${k} must be a positive integer, got ${cfg[k]}`);
  if (!(cfg.lnEps > 0)) throw new RangeError(`gat: lnEps must be positive, got ${cfg.lnEps}`);
}

/** The layers of a stack: layer k's shape. */
export function gatStackLayers(cfg: GatStackConfig): GatLayerConfig[] {
  if (!positiveInt(cfg.layers)) throw new RangeError(`gat: layers must be a positive integer, got ${cfg.layers}`);
  if (!positiveInt(cfg.heads)) throw new RangeError(`gat: heads must be a positive integer, got ${cfg.heads}`);
  return Array.from({ length: cfg.layers }, (_, k): GatLayerConfig => {
    const last = k === cfg.layers - 1;
    const combine = last ? cfg.lastCombine : 'concat';
    if (combine === 'concat' && cfg.hidden % cfg.heads !== 0)
      throw new RangeError(`gat: hidden ${cfg.hidden} is not divisible by heads ${cfg.heads}`);
    const layer: GatLayerConfig = {
      inDim: k === 0 ? cfg.inDim : cfg.hidden,
      headDim: combine === 'concat' ? cfg.hidden / cfg.heads : cfg.hidden,
      heads: cfg.heads,
      combine,
      residual: cfg.residual,
      activation: !last,
      lnEps: cfg.lnEps,
    };
    checkGatLayer(layer);
    return layer;
  });
}

/** Parameter specs of one layer, names `${prefix}/...` (file overview). */
export function gatLayerSpecs(cfg: GatLayerConfig, prefix: string): ParamSpec[] {
  checkGatLayer(cfg);
  const { inDim: F, headDim: Fh, heads: K } = cfg;
  const width = gatWidth(cfg);
  const att = { kind: 'glorot', fanIn: 2 * Fh, fanOut: 1 } as const;
  const s: ParamSpec[] = [
    { name: `${prefix}/W`, shape: [F, K * Fh], init: { kind: 'glorot', fanIn: F, fanOut: K * Fh } },
    { name: `${prefix}/a_src`, shape: [K, Fh], init: att },
    { name: `${prefix}/a_dst`, shape: [K, Fh], init: att },
  ];
  if (cfg.residual && F !== width)
    s.push({ name: `${prefix}/res/W`, shape: [F, width], init: { kind: 'glorot', fanIn: F, fanOut: width } });
  s.push(...layerNormSpecs(`${prefix}/ln`, width));
  return s;
}

/** Parameter specs of a stack: layer k as `${prefix}/l<k>`. */
export function gatSpecs(cfg: GatStackConfig, prefix: string): ParamSpec[] {
  return gatStackLayers(cfg).flatMap((layer, k) => gatLayerSpecs(layer, `${prefix}/l${k}`));
}

/** LeakyReLU with slope {@link GAT_LEAKY_SLOPE} below zero: x + relu(-(1 - slope) x). */
export function leakyRelu<T>(ops: Ops<T>, x: T): T {
  return ops.add(x, ops.relu(ops.mul(x, ops.scalar(GAT_LEAKY_SLOPE - 1))));
}

/**
 * The 0/1 attention mask [1 or B, 1, N, N] of an adjacency [N, N] or [B, N, N] (0/1 entries) with the self loops
 * added: A + I (1 - A), so the diagonal is 1 whatever A held there.
 */
export function gatMask<T>(ops: Ops<T>, adjacency: T, nodes: number): T {
  const eye = new Float32Array(nodes * nodes);
  for (let i = 0; i < nodes; i++) eye[i * nodes + i] = 1;
  const I = ops.constant(`eye:${nodes}`, eye, [nodes, nodes]);
  const a = ops.reshape(adjacency, [-1, 1, nodes, nodes]);
  return ops.add(a, ops.mul(I, ops.sub(ops.scalar(1), a)));
}

/** One layer on a mask from {@link gatMask}: gives y [B, N, width] and alpha [B, K, N, N] (before dropout). */
function attend<T>(
  ops: Ops<T>,
  cfg: GatLayerConfig,
  prefix: string,
  nodes: number,
  h: T,
  mask: T,
  dropout: GatDropout<T> | undefined,
): { out: T; attention: T } {
  const { headDim: Fh, heads: K } = cfg;
  const N = nodes;
  const x = dropout?.features === undefined ? h : ops.mul(h, dropout.features);
  // z [B, K, N, F']: head k's features of every node
  const z = ops.transpose(ops.reshape(ops.matMul(x, ops.param(`${prefix}/W`)), [-1, N, K, Fh]), [0, 2, 1, 3]);
  const score = (name: string) => ops.sum(ops.mul(z, ops.reshape(ops.param(`${prefix}/${name}`), [K, 1, Fh])), 3, true);
  const src = score('a_src'); // [B, K, N, 1]: the attending node i
  const dst = ops.transpose(score('a_dst'), [0, 1, 3, 2]); // [B, K, 1, N]: the neighbour j
  const e = leakyRelu(ops, ops.add(src, dst)); // [B, K, N, N]
  const alpha = ops.softmax(maskedLogits(ops, e, mask));
  const used = dropout?.attention === undefined ? alpha : ops.mul(alpha, dropout.attention);
  const heads = ops.matMul(used, z); // [B, K, N, F']
  let out =
    cfg.combine === 'concat'
      ? ops.reshape(ops.transpose(heads, [0, 2, 1, 3]), [-1, N, K * Fh])
      : ops.mean(heads, 1, false);
  if (cfg.residual) out = ops.add(out, cfg.inDim === gatWidth(cfg) ? x : ops.matMul(x, ops.param(`${prefix}/res/W`)));
  out = layerNormP(ops, `${prefix}/ln`, out, cfg.lnEps);
  return { out: cfg.activation ? leakyRelu(ops, out) : out, attention: alpha };
}

/**
 * One graph-attention layer (file overview) over h [B, nodes, inDim] and an adjacency [nodes, nodes] or
 * [B, nodes, nodes], parameters `${prefix}/...`. Gives out [B, nodes, width] and the attention weights
 * alpha [B, heads, nodes, nodes] (row i: how node i weighs each node j).
 */
export function gatLayer<T>(
  ops: Ops<T>,
  cfg: GatLayerConfig,
  prefix: string,
  nodes: number,
  h: T,
  adjacency: T,
  dropout?: GatDropout<T>,
): { out: T; attention: T } {
  checkGatLayer(cfg);
  if (!positiveInt(nodes)) throw new RangeError(`gat: nodes must be a positive integer, got ${nodes}`);
  return attend(ops, cfg, prefix, nodes, h, gatMask(ops, adjacency, nodes), dropout);
}

/**
 * A stack of graph-attention layers (layer k: `${prefix}/l<k>`, shapes from {@link gatStackLayers}) over one
 * adjacency. `dropout`, when given, holds one entry per layer. Gives the last layer's out [B, nodes, hidden] and
 * every layer's attention weights.
 */
export function gatStack<T>(
  ops: Ops<T>,
  cfg: GatStackConfig,
  prefix: string,
  nodes: number,
  h: T,
  adjacency: T,
  dropout?: readonly (GatDropout<T> | undefined)[],
): { out: T; attention: T[] } {
  const layers = gatStackLayers(cfg);
  if (!positiveInt(nodes)) throw new RangeError(`gat: nodes must be a positive integer, got ${nodes}`);
  if (dropout && dropout.length !== layers.length)
    throw new RangeError(`gat: ${layers.length} layers take ${layers.length} dropout entries, got ${dropout.length}`);
  const mask = gatMask(ops, adjacency, nodes);
  let x = h;
  const attention: T[] = [];
  layers.forEach((layer, k) => {
    const r = attend(ops, layer, `${prefix}/l${k}`, nodes, x, mask, dropout?.[k]);
    x = r.out;
    attention.push(r.attention);
  });
  return { out: x, attention };
}
