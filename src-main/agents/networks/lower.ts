/**
 * Lower agents of SAMP-HDRL (step 3 of the method): a SLaK-style sparse-large-kernel temporal CNN, shared across
 * the assets of the universe, conditioned on the upper agent's market embedding, giving one logit per asset.
 * The caller masks the logits of assets outside the agent's group (maskedLogits below) so the softmax is exactly
 * zero there.
 *
 * From 2-D SLaK (Liu et al., "More ConvNets in the 2020s: Scaling up Kernels Beyond 51x51 using Sparsity",
 * ICLR 2023) to 1-D time series. SLaK replaces one dense MxM depthwise kernel by the SUM of two parallel thin
 * rectangular kernels (M x n and n x M, each covering the long span in one direction with few weights) plus a
 * small dense n x n kernel, trains the kernels sparse, and widens the channels. A daily price series has one
 * spatial axis (time), so here, per channel (depthwise):
 *   - long branch  : a dense kernel of length K (the "thin long strip": long span, one channel wide);
 *   - sparse branch: `sparseTaps` taps spaced `sparseDilation` days apart (a structured-sparse long-span kernel:
 *                    the second long strip, sparse by construction instead of SLaK's learned prune-and-grow
 *                    sparsity — a fixed dilation pattern, so it exports to ONNX as a dense kernel);
 *   - small branch : a dense kernel of length k (the small local kernel);
 * and the three are summed. Because the branches are linear and read the same input, their sum equals one
 * depthwise conv with the merged kernel W = W_long + P_sparse W_sparse + P_small W_small (SLaK/RepLKNet
 * "structural re-parameterisation"); forward() builds that merged kernel (P are constant 0/1 placement matrices)
 * and runs one conv — exact, and cheaper than three convs. Channel widening is the `channels` setting.
 *
 * Per asset (x_i = normalised price window [L], see agents/samp/features.ts):
 *   h  = x_i w_stem + b_stem                      [L, C]
 *   per block: z = DWConv(h; W_merged) + b_dw; z = LN(z); h = h + relu(z W_pw + b_pw)
 *   p  = mean over time of h                      [C]
 *   holdings (when `holdings`): p = p + (N w_i) u + cash v      (networks/holdings.ts)
 *   FiLM conditioning on the embedding e [d]: p = p * (1 + e W_gamma) + e W_beta   (W_gamma/W_beta zero-init-ish)
 *   logit_i = w_2 relu(W_1 p + b_1) + b_2
 * With `conditioning: 'none'` the FiLM step is skipped (the flat DDPG baseline uses this net alone).
 */
import type { Ops } from '../../compute/ops';
import { dense, layerNormP } from '../../compute/ops';
import { denseSpecs, layerNormSpecs, type ParamSpec } from '../../compute/params';
import { holdingsEmbedding, holdingsSpecs } from './holdings';

/** Hyperparameters of a lower (SLaK CNN) agent. */
export interface LowerNetConfig {
  /** L, days in the price window (same window as the upper agent) */
  window: number;
  /** C, channels of the temporal CNN (SLaK's widened width) */
  channels: number;
  /** number of large-kernel blocks */
  blocks: number;
  /** K, length of the long dense branch in days (odd; effective reach is capped by the window) */
  kernel: number;
  /** k, length of the small dense branch (odd, <= K) */
  smallKernel: number;
  /** taps of the structured-sparse branch (odd) */
  sparseTaps: number;
  /** spacing of the sparse taps in days; (sparseTaps - 1) * sparseDilation must be <= K - 1 */
  sparseDilation: number;
  /** hidden width of the per-asset head */
  headHidden: number;
  /** width of the upper agent's market embedding (= upper dModel) */
  embedDim: number;
  /** 'film': scale-and-shift pooled features by the embedding; 'none': unconditioned (flat baseline) */
  conditioning: 'film' | 'none';
  /** epsilon inside layer normalisation */
  lnEps: number;
  /** whether the pooled features also read the drifted current weights (networks/holdings.ts) */
  holdings?: boolean;
}

/** Validate the kernel geometry of a lower-agent config; throws with the offending setting. */
export function checkLowerConfig(cfg: LowerNetConfig): void {
  if (cfg.kernel % 2 !== 1 || cfg.smallKernel % 2 !== 1 || cfg.sparseTaps % 2 !== 1)
    throw new Error('lower: kernel, smallKernel and sparseTaps must be odd');
  if (cfg.smallKernel > cfg.kernel) throw new Error('lower: smallKernel > kernel');
  if ((cfg.sparseTaps - 1) * cfg.sparseDilation > cfg.kernel - 1)
    throw new Error('lower: sparse branch does not fit inside the kernel');
}

/** Parameter specs of one lower agent, names prefixed `${prefix}/`. */
export function lowerSpecs(cfg: LowerNetConfig, prefix: string): ParamSpec[] {
  checkLowerConfig(cfg);
  const C = cfg.channels;
  const s: ParamSpec[] = [...denseSpecs(`${prefix}/stem`, 1, C)];
  for (let b = 0; b < cfg.blocks; b++) {
    const p = `${prefix}/b${b}`;
    s.push({ name: `${p}/long`, shape: [cfg.kernel, C], init: { kind: 'uniform', limit: 1 / cfg.kernel } });
    s.push({ name: `${p}/sparse`, shape: [cfg.sparseTaps, C], init: { kind: 'uniform', limit: 1 / cfg.sparseTaps } });
    s.push({ name: `${p}/small`, shape: [cfg.smallKernel, C], init: { kind: 'uniform', limit: 1 / cfg.smallKernel } });
    s.push({ name: `${p}/dwb`, shape: [C], init: { kind: 'zeros' } });
    s.push(...layerNormSpecs(`${p}/ln`, C), ...denseSpecs(`${p}/pw`, C, C));
  }
  if (cfg.holdings) s.push(...holdingsSpecs(prefix, C));
  if (cfg.conditioning === 'film')
    s.push(
      ...denseSpecs(`${prefix}/film_g`, cfg.embedDim, C, 0.1),
      ...denseSpecs(`${prefix}/film_b`, cfg.embedDim, C, 0.1),
    );
  s.push(...denseSpecs(`${prefix}/h1`, C, cfg.headHidden), ...denseSpecs(`${prefix}/h2`, cfg.headHidden, 1, 0.1));
  return s;
}

/** 0/1 matrix [K, taps] placing tap j of a centred branch at kernel position (K-1)/2 + (j - (taps-1)/2) * spacing. */
export function placement(kernel: number, taps: number, spacing: number): Float32Array {
  const P = new Float32Array(kernel * taps);
  const hK = (kernel - 1) / 2;
  const hT = (taps - 1) / 2;
  for (let j = 0; j < taps; j++) P[(hK + (j - hT) * spacing) * taps + j] = 1;
  return P;
}

/** Merged depthwise kernel [K, C] of block `p`: long + P_sparse sparse + P_small small (exact re-parameterisation). */
export function mergedKernel<T>(ops: Ops<T>, cfg: LowerNetConfig, p: string): T {
  const Ps = ops.constant(
    `place:${cfg.kernel}:${cfg.sparseTaps}:${cfg.sparseDilation}`,
    placement(cfg.kernel, cfg.sparseTaps, cfg.sparseDilation),
    [cfg.kernel, cfg.sparseTaps],
  );
  const Pk = ops.constant(`place:${cfg.kernel}:${cfg.smallKernel}:1`, placement(cfg.kernel, cfg.smallKernel, 1), [
    cfg.kernel,
    cfg.smallKernel,
  ]);
  return ops.add(
    ops.param(`${p}/long`),
    ops.add(ops.matMul(Ps, ops.param(`${p}/sparse`)), ops.matMul(Pk, ops.param(`${p}/small`))),
  );
}

/**
 * Forward pass of one lower agent. x [B, N, L] normalised price window, embedding [B, d] (ignored when
 * conditioning is 'none'), wprev [B, N] drifted current weights (read when cfg.holdings; default off) -> logits [B, N]
 * (unmasked).
 */
export function lowerForward<T>(
  ops: Ops<T>,
  cfg: LowerNetConfig,
  nAssets: number,
  x: T,
  embedding: T | null,
  prefix: string,
  wprev: T | null = null,
): T {
  const L = cfg.window;
  const C = cfg.channels;
  let h = dense(ops, `${prefix}/stem`, ops.reshape(x, [-1, L, 1])); // [B*N, L, C]
  for (let b = 0; b < cfg.blocks; b++) {
    const p = `${prefix}/b${b}`;
    let z = ops.add(ops.depthwiseConv1d(h, mergedKernel(ops, cfg, p), L, cfg.kernel, C), ops.param(`${p}/dwb`));
    z = layerNormP(ops, `${p}/ln`, z, cfg.lnEps);
    h = ops.add(h, ops.relu(dense(ops, `${p}/pw`, z)));
  }
  let pooled = ops.reshape(ops.mean(h, 1, false), [-1, nAssets, C]); // [B, N, C]
  if (cfg.holdings) {
    if (wprev === null) throw new Error('lower: a holdings-aware agent needs the current weights');
    pooled = ops.add(pooled, holdingsEmbedding(ops, prefix, nAssets, wprev));
  }
  if (cfg.conditioning === 'film') {
    if (embedding === null) throw new Error('lower: FiLM conditioning needs the upper embedding');
    const g = ops.reshape(dense(ops, `${prefix}/film_g`, embedding), [-1, 1, C]);
    const be = ops.reshape(dense(ops, `${prefix}/film_b`, embedding), [-1, 1, C]);
    pooled = ops.add(ops.add(pooled, ops.mul(pooled, g)), be);
  }
  const hid = ops.relu(dense(ops, `${prefix}/h1`, pooled));
  return ops.reshape(dense(ops, `${prefix}/h2`, hid), [-1, nAssets]);
}

/** Value added to off-group logits: large enough that exp underflows to exactly 0 in float32 softmax. */
export const MASK_NEG = -1e9;

/** logits + (mask - 1) * 1e9: mask [B, N] of 0/1 (1 = in group); softmax of the result is exactly 0 off-group. */
export function maskedLogits<T>(ops: Ops<T>, logits: T, mask: T): T {
  return ops.add(logits, ops.mul(ops.sub(mask, ops.scalar(1)), ops.scalar(-MASK_NEG)));
}
