/**
 * Upper agent of SAMP-HDRL (step 2 of the method, docs/samp-hdrl.md): a Transformer encoder with the ASSETS AS TOKENS and each
 * asset's normalised price window as its token features. Written once against `Ops`, so the same definition is
 * trained in tfjs and exported to ONNX.
 *
 * Input  x [B, N, L]: for asset i and lag j = 0..L-1 (oldest first), x[i, j] = close[t-L+1+j, i] / close[t, i] - 1
 *        (see agents/samp/features.ts; the last column is 0 by construction).
 * Layers (post-LN encoder, as in Vaswani et al. 2017):
 *   h = x W_in + b_in [+ holdings(w)]                   [B, N, d]   (no positional encoding over assets: the
 *                                                                    encoder is permutation-equivariant in assets;
 *                                                                    holdings: networks/holdings.ts, when `holdings`)
 *   per layer: h = LN(h + MHA(h)); h = LN(h + W2 relu(W1 h))
 *   logits = h w_out + b_out                            [B, N]      -> w0 = softmax(logits)  (guidance weights)
 *   embedding = mean over assets of h                   [B, d]      (market embedding given to the lower agents)
 */
import type { Ops } from '../../compute/ops';
import { dense, layerNormP } from '../../compute/ops';
import { denseSpecs, layerNormSpecs, type ParamSpec } from '../../compute/params';
import { holdingsEmbedding, holdingsSpecs } from './holdings';

/** Hyperparameters of the upper (Transformer) agent. */
export interface UpperNetConfig {
  /** L, trading days in the price window = features per asset token (paper: not stated; quick 20, paper 60) */
  window: number;
  /** d, token width (paper: not stated; quick 16, paper 64) */
  dModel: number;
  /** attention heads, must divide dModel (quick 2, paper 4) */
  heads: number;
  /** encoder layers (quick 1, paper 2) */
  layers: number;
  /** hidden width of each position-wise feed-forward block (usually 2-4 x dModel) */
  ffHidden: number;
  /** epsilon inside layer normalisation */
  lnEps: number;
  /** whether the tokens also read the drifted current weights (networks/holdings.ts) */
  holdings?: boolean;
}

/** Parameter specs of the upper agent, names prefixed `${prefix}/`. */
export function upperSpecs(cfg: UpperNetConfig, prefix = 'upper'): ParamSpec[] {
  if (cfg.dModel % cfg.heads !== 0) throw new Error(`upper: dModel ${cfg.dModel} not divisible by heads ${cfg.heads}`);
  const d = cfg.dModel;
  const s: ParamSpec[] = [...denseSpecs(`${prefix}/in`, cfg.window, d)];
  if (cfg.holdings) s.push(...holdingsSpecs(prefix, d));
  for (let l = 0; l < cfg.layers; l++) {
    const p = `${prefix}/l${l}`;
    s.push(
      ...denseSpecs(`${p}/q`, d, d),
      ...denseSpecs(`${p}/k`, d, d),
      ...denseSpecs(`${p}/v`, d, d),
      ...denseSpecs(`${p}/o`, d, d),
    );
    s.push(
      ...layerNormSpecs(`${p}/ln1`, d),
      ...denseSpecs(`${p}/ff1`, d, cfg.ffHidden),
      ...denseSpecs(`${p}/ff2`, cfg.ffHidden, d),
    );
    s.push(...layerNormSpecs(`${p}/ln2`, d));
  }
  s.push(...denseSpecs(`${prefix}/out`, d, 1, 0.1));
  return s;
}

/**
 * Forward pass of the upper agent. x [B, N, L] normalised price window, wprev [B, N] drifted current weights
 * (read when cfg.holdings; default off) -> { logits [B, N] (pre-softmax guidance scores), tokens [B, N, d], embedding [B, d]
 * (mean-pooled tokens) }.
 */
export function upperForward<T>(
  ops: Ops<T>,
  cfg: UpperNetConfig,
  nAssets: number,
  x: T,
  wprev: T | null = null,
  prefix = 'upper',
): { logits: T; tokens: T; embedding: T } {
  const d = cfg.dModel;
  const H = cfg.heads;
  const dh = d / H;
  const N = nAssets;
  let h = dense(ops, `${prefix}/in`, x); // [B, N, d]
  if (cfg.holdings) {
    if (wprev === null) throw new Error('upper: a holdings-aware agent needs the current weights');
    h = ops.add(h, holdingsEmbedding(ops, prefix, N, wprev));
  }
  const scale = ops.scalar(1 / Math.sqrt(dh));
  for (let l = 0; l < cfg.layers; l++) {
    const p = `${prefix}/l${l}`;
    const split = (z: T): T => ops.transpose(ops.reshape(z, [-1, N, H, dh]), [0, 2, 1, 3]); // [B, H, N, dh]
    const q = split(dense(ops, `${p}/q`, h));
    const kT = ops.transpose(ops.reshape(dense(ops, `${p}/k`, h), [-1, N, H, dh]), [0, 2, 3, 1]); // [B, H, dh, N]
    const v = split(dense(ops, `${p}/v`, h));
    const att = ops.softmax(ops.mul(ops.matMul(q, kT), scale)); // [B, H, N, N]
    const o = ops.reshape(ops.transpose(ops.matMul(att, v), [0, 2, 1, 3]), [-1, N, d]);
    h = layerNormP(ops, `${p}/ln1`, ops.add(h, dense(ops, `${p}/o`, o)), cfg.lnEps);
    const f = dense(ops, `${p}/ff2`, ops.relu(dense(ops, `${p}/ff1`, h)));
    h = layerNormP(ops, `${p}/ln2`, ops.add(h, f), cfg.lnEps);
  }
  const logits = ops.reshape(dense(ops, `${prefix}/out`, h), [-1, N]);
  const embedding = ops.mean(h, 1, false);
  return { logits, tokens: h, embedding };
}
