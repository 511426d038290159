/**
 * SAMP-HDRL policy graphs, written once against `Ops` (SAMP-HDRL steps 2, 3 and 6):
 *   upper:  (x, wprev) -> w0 = softmax(logits0 [+ noise]), embedding
 *   lower:  (x, wprev, embedding, m1, m2) -> w1 = softmax(logits1 [+ noise] masked by m1), w2 likewise with m2
 *   fusion: w = a w0 + (1 - a)(c1 w1 + c2 w2)            (training-time, differentiable; the strategy uses the
 *                                                          identical logic/fusion.ts `fuse` on ONNX outputs)
 *   flat:   (x, wprev) -> w = softmax(logits [+ noise])  (ddpg-flat baseline: one unconditioned SLaK actor)
 * and their export to one ONNX model per trained policy. wprev [B, N] are the drifted weights held before the
 * decision; the actors read them when the config's `holdingsInput` is on (networks/holdings.ts) and ignore them
 * otherwise (models of revisions up to 3).
 */
import type { Ops } from '../../compute/ops';
import { upperForward, upperSpecs, type UpperNetConfig } from '../networks/upper';
import { lowerForward, lowerSpecs, maskedLogits, type LowerNetConfig } from '../networks/lower';
import { criticSpecs, type CriticNetConfig } from '../networks/critic';
import type { ParamSpec, ParamValues } from '../../compute/params';
import type { SampConfig } from './config';
import { buildOnnxModel } from '../../compute/onnx/emitter';

/** Full network configs derived from a SampConfig. */
export interface SampNets {
  upper: UpperNetConfig;
  lower: LowerNetConfig;
  flat: LowerNetConfig;
  critic: CriticNetConfig;
}

/** Network configs of a SampConfig (window and embedding width filled in). */
export function sampNets(cfg: SampConfig): SampNets {
  const holdings = cfg.holdingsInput === true;
  const upper: UpperNetConfig = { window: cfg.window, ...cfg.upper, holdings };
  const lower: LowerNetConfig = {
    window: cfg.window,
    embedDim: cfg.upper.dModel,
    conditioning: 'film',
    ...cfg.lower,
    holdings,
  };
  return {
    upper,
    lower,
    flat: { ...lower, conditioning: 'none' },
    critic: { window: cfg.window, hidden: cfg.critic.hidden },
  };
}

/** Parameter specs of each actor/critic by role. */
export function sampSpecs(nets: SampNets): {
  upper: ParamSpec[];
  lower: ParamSpec[];
  flat: ParamSpec[];
  critic: ParamSpec[];
} {
  return {
    upper: upperSpecs(nets.upper, 'upper'),
    lower: [...lowerSpecs(nets.lower, 'lower1'), ...lowerSpecs(nets.lower, 'lower2')],
    flat: lowerSpecs(nets.flat, 'flat'),
    critic: criticSpecs(nets.critic, 'critic'),
  };
}

/** Upper policy: x [B,N,L], wprev [B,N] (+ optional logit noise [B,N]) -> w0 [B,N], embedding [B,d], logits [B,N]. */
export function upperPolicy<T>(
  ops: Ops<T>,
  nets: SampNets,
  n: number,
  x: T,
  wprev: T | null,
  noise?: T,
): { w0: T; embedding: T; logits: T } {
  const u = upperForward(ops, nets.upper, n, x, wprev, 'upper');
  const z = noise ? ops.add(u.logits, noise) : u.logits;
  return { w0: ops.softmax(z), embedding: u.embedding, logits: u.logits };
}

/**
 * Lower policies: x [B,N,L], wprev [B,N], embedding [B,d], masks m1/m2 [B,N] (1 = member) -> w1, w2 [B,N],
 * exactly 0 off their masks. Noise (if given) is added before masking.
 */
export function lowerPolicy<T>(
  ops: Ops<T>,
  nets: SampNets,
  n: number,
  x: T,
  wprev: T | null,
  embedding: T,
  m1: T,
  m2: T,
  noise1?: T,
  noise2?: T,
): { w1: T; w2: T } {
  let l1 = lowerForward(ops, nets.lower, n, x, embedding, 'lower1', wprev);
  let l2 = lowerForward(ops, nets.lower, n, x, embedding, 'lower2', wprev);
  if (noise1) l1 = ops.add(l1, noise1);
  if (noise2) l2 = ops.add(l2, noise2);
  return { w1: ops.softmax(maskedLogits(ops, l1, m1)), w2: ops.softmax(maskedLogits(ops, l2, m2)) };
}

/** Convex fusion a w0 + (1 - a)(c1 w1 + c2 w2); c1, c2 [B,1] per-sample capital fractions. */
export function fusePolicy<T>(ops: Ops<T>, a: number, w0: T, w1: T, w2: T, c1: T, c2: T): T {
  const lower = ops.add(ops.mul(c1, w1), ops.mul(c2, w2));
  return ops.add(ops.mul(ops.scalar(a), w0), ops.mul(ops.scalar(1 - a), lower));
}

/** Flat policy (ddpg-flat): x [B,N,L], wprev [B,N] -> w [B,N] = softmax(logits + noise). */
export function flatPolicy<T>(ops: Ops<T>, nets: SampNets, n: number, x: T, wprev: T | null, noise?: T): T {
  const l = lowerForward(ops, nets.flat, n, x, null, 'flat', wprev);
  return ops.softmax(noise ? ops.add(l, noise) : l);
}

/** Which networks a trained policy has. */
export type PolicyKind = 'hierarchical' | 'upper-only' | 'flat';

/** Whether the policy of these networks reads the current weights (its ONNX graph then has the input wprev). */
export function readsHoldings(nets: SampNets): boolean {
  return nets.upper.holdings === true;
}

/**
 * Export a trained policy to ONNX (opset 17). Inputs: x [batch, N, L]; wprev [batch, N] (the drifted weights
 * held before the decision) when the actors read them; for 'hierarchical' also m1, m2 [batch, N] (0/1 floats).
 * Outputs: 'hierarchical' -> w0, embedding, w1, w2; 'upper-only' -> w0, embedding; 'flat' -> w. Fusion, the
 * capital split and the no-trade band stay outside the graph (logic/fusion.ts, utility.ts, trading.ts).
 */
export function exportPolicyOnnx(
  kind: PolicyKind,
  nets: SampNets,
  n: number,
  params: ParamValues,
  metadata: Record<string, string> = {},
): Uint8Array {
  const L = nets.upper.window;
  const d = nets.upper.dModel;
  const hold = readsHoldings(nets);
  const base = [
    { name: 'x', dims: ['batch', n, L] as (number | string)[] },
    ...(hold ? [{ name: 'wprev', dims: ['batch', n] as (number | string)[] }] : []),
  ];
  const wp = <T>(i: Record<string, T>): T | null => (hold ? i.wprev! : null);
  if (kind === 'flat')
    return buildOnnxModel({
      graphName: 'ddpg_flat',
      params,
      inputs: base,
      outputs: [{ name: 'w', dims: ['batch', n] }],
      build: (ops, i) => ({ w: flatPolicy(ops, nets, n, i.x!, wp(i)) }),
      docString: 'ddpg-flat actor: one SLaK CNN over all assets, softmax weights',
      metadata,
    });
  const outputs = [
    { name: 'w0', dims: ['batch', n] as (number | string)[] },
    { name: 'embedding', dims: ['batch', d] as (number | string)[] },
  ];
  if (kind === 'upper-only')
    return buildOnnxModel({
      graphName: 'samp_upper',
      params,
      inputs: base,
      outputs,
      build: (ops, i) => {
        const u = upperPolicy(ops, nets, n, i.x!, wp(i));
        return { w0: u.w0, embedding: u.embedding };
      },
      docString: 'SAMP-HDRL upper agent (Transformer over assets): guidance weights w0 and market embedding',
      metadata,
    });
  return buildOnnxModel({
    graphName: 'samp_hdrl',
    params,
    inputs: [...base, { name: 'm1', dims: ['batch', n] }, { name: 'm2', dims: ['batch', n] }],
    outputs: [...outputs, { name: 'w1', dims: ['batch', n] }, { name: 'w2', dims: ['batch', n] }],
    build: (ops, i) => {
      const u = upperPolicy(ops, nets, n, i.x!, wp(i));
      const l = lowerPolicy(ops, nets, n, i.x!, wp(i), u.embedding, i.m1!, i.m2!);
      return { w0: u.w0, embedding: u.embedding, w1: l.w1, w2: l.w2 };
    },
    docString: 'SAMP-HDRL policy: upper Transformer (w0, embedding) and two masked SLaK lower agents (w1, w2)',
    metadata,
  });
}
