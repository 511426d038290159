/**
 * DDPG critic Q(s, a) for portfolio actions (SAMP-HDRL step 7). Permutation-invariant over assets: a shared
 * per-asset encoder reads the asset's price window together with its weight in the action, its weight before
 * trading (drifted previous weights, which decide the transaction cost) and the trade size |a_i - wprev_i|;
 * the encodings are pooled two ways (plain mean, and weighted by the action, like a portfolio sum) and a small
 * MLP gives the scalar value.
 *
 *   f_i  = [x_i (L values), N a_i, N wprev_i, N |a_i - wprev_i|]       (weights scaled by N so 1/N -> 1)
 *   h_i  = relu(f_i W_1 + b_1)                                        [B, N, H]
 *   z    = [mean_i h_i, sum_i a_i h_i]                               [B, 2H]
 *   Q    = w_3 relu(z W_2 + b_2) + b_3                               [B, 1]
 */
import type { Ops } from '../../compute/ops';
import { dense } from '../../compute/ops';
import { denseSpecs, type ParamSpec } from '../../compute/params';

/** Hyperparameters of the critic. */
export interface CriticNetConfig {
  /** L, days in the price window (same as the actors) */
  window: number;
  /** H, width of the per-asset encoder and of the value MLP */
  hidden: number;
}

/** Parameter specs of the critic, names prefixed `${prefix}/`. */
export function criticSpecs(cfg: CriticNetConfig, prefix = 'critic'): ParamSpec[] {
  return [
    ...denseSpecs(`${prefix}/enc`, cfg.window + 3, cfg.hidden),
    ...denseSpecs(`${prefix}/h`, 2 * cfg.hidden, cfg.hidden),
    ...denseSpecs(`${prefix}/q`, cfg.hidden, 1),
  ];
}

/**
 * Q(s, a). x [B, N, L] normalised window, action [B, N] portfolio weights (risky assets; cash implicit),
 * wprev [B, N] drifted weights held before trading -> Q [B, 1] (units of the reward: log growth).
 */
export function criticForward<T>(
  ops: Ops<T>,
  cfg: CriticNetConfig,
  nAssets: number,
  x: T,
  action: T,
  wprev: T,
  prefix = 'critic',
): T {
  const N = nAssets;
  const nScale = ops.scalar(N);
  const a3 = ops.reshape(action, [-1, N, 1]);
  const p3 = ops.reshape(wprev, [-1, N, 1]);
  const f = ops.concat([x, ops.mul(a3, nScale), ops.mul(p3, nScale), ops.mul(ops.abs(ops.sub(a3, p3)), nScale)], 2);
  const h = ops.relu(dense(ops, `${prefix}/enc`, f)); // [B, N, H]
  const z = ops.concat([ops.mean(h, 1, false), ops.sum(ops.mul(h, a3), 1, false)], 1); // [B, 2H]
  return dense(ops, `${prefix}/q`, ops.relu(dense(ops, `${prefix}/h`, z)));
}
