/**
 * State-value network V(s) of the on-policy flat baselines (ppo-flat, compute/train/ppo.ts): the critic of
 * critic.ts without its action input, so it values the state (price windows and holdings) alone. Permutation-invariant
 * over assets: a shared per-asset encoder reads the asset's window and its drifted weight, the encodings are pooled
 * by a plain mean and weighted by the holdings, and a small MLP gives the scalar.
 *
 *   f_i  = [x_i (L values), N wprev_i]                    (weights scaled by N so 1/N -> 1)
 *   h_i  = relu(f_i W_1 + b_1)                            [B, N, H]
 *   z    = [mean_i h_i, sum_i wprev_i h_i]                [B, 2H]
 *   V    = w_3 relu(z W_2 + b_2) + b_3                    [B, 1]
 */
import type { Ops } from '../../compute/ops';
import { dense } from '../../compute/ops';
import { denseSpecs, type ParamSpec } from '../../compute/params';
import type { CriticNetConfig } from './critic';

/** Parameter specs of the value network (the critic's sizes), names prefixed `${prefix}/`. */
export function valueSpecs(cfg: CriticNetConfig, prefix = 'value'): ParamSpec[] {
  return [
    ...denseSpecs(`${prefix}/enc`, cfg.window + 1, cfg.hidden),
    ...denseSpecs(`${prefix}/h`, 2 * cfg.hidden, cfg.hidden),
    ...denseSpecs(`${prefix}/v`, cfg.hidden, 1),
  ];
}

/** V(s): x [B, N, L] normalised windows, wprev [B, N] drifted weights -> [B, 1] (units of the scaled reward). */
export function valueForward<T>(
  ops: Ops<T>,
  cfg: CriticNetConfig,
  nAssets: number,
  x: T,
  wprev: T,
  prefix = 'value',
): T {
  const p3 = ops.reshape(wprev, [-1, nAssets, 1]);
  const h = ops.relu(dense(ops, `${prefix}/enc`, ops.concat([x, ops.mul(p3, ops.scalar(nAssets))], 2)));
  const z = ops.concat([ops.mean(h, 1, false), ops.sum(ops.mul(h, p3), 1, false)], 1);
  return dense(ops, `${prefix}/v`, ops.relu(dense(ops, `${prefix}/h`, z)));
}
