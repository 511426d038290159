/**
 * What an actor knows about the book it holds (issue 15): the drifted current weights w [B, N] (before today's
 * trade) and the cash weight 1 - Σ_i w_i, added to each asset's features as a learned linear embedding
 *     e_i = (N w_i) u + cash v                           u, v [1, width]   -> [B, N, width]
 * (weights scaled by N so an equal-weight position reads 1, as in the critic). The upper agent adds it to its
 * token embeddings, the lower and flat agents to their pooled per-asset features, so everything after it (the
 * attention, the FiLM conditioning, the ReLU head) can use the holdings. Written against `Ops` like the networks.
 */
import type { Ops } from '../../compute/ops';
import type { ParamSpec } from '../../compute/params';

/** Parameter specs of a holdings embedding of `width`, names `${prefix}/hold_w` and `${prefix}/hold_c`. */
export function holdingsSpecs(prefix: string, width: number): ParamSpec[] {
  return [
    { name: `${prefix}/hold_w`, shape: [1, width], init: { kind: 'glorot', fanIn: 2, fanOut: width } },
    { name: `${prefix}/hold_c`, shape: [1, width], init: { kind: 'glorot', fanIn: 2, fanOut: width } },
  ];
}

/** The holdings embedding [B, N, width] of drifted weights `wprev` [B, N] (see file overview). */
export function holdingsEmbedding<T>(ops: Ops<T>, prefix: string, nAssets: number, wprev: T): T {
  const w3 = ops.reshape(wprev, [-1, nAssets, 1]);
  const cash = ops.sub(ops.scalar(1), ops.reshape(ops.sum(wprev, 1, false), [-1, 1, 1])); // [B, 1, 1]
  return ops.add(
    ops.matMul(ops.mul(w3, ops.scalar(nAssets)), ops.param(`${prefix}/hold_w`)),
    ops.matMul(cash, ops.param(`${prefix}/hold_c`)),
  );
}
