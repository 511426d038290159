/**
 * Optimiser arithmetic of the training engine as ONNX nodes on flat vectors (one vector per network, see
 * ops.ts `paramBlock`): clipping by global norm, the Adam step, and the soft target update. The formulas are
 * those of agents/ddpg.ts with TensorFlow.js's Adam (tf.train.adam), written so the numbers agree with tfjs:
 *
 *   clip      g <- g * min(1, c / max(||g||_2, 1e-12))                       (c = 0: no clipping)
 *   Adam      m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *             p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *   target    p' <- tau p + (1 - tau) p'
 *   RMSProp   v <- rho v + (1 - rho) g^2;  p <- p - lr * (g / c1) / (sqrt(v) + eps)   (PyTorch's torch.optim.RMSprop
 *             without momentum or centring; c1 is fed as 1 / the learning-rate scale, so a schedule needs no graph
 *             of its own, and the learner's m vector is carried unchanged)
 *
 * The bias corrections 1 - b^t change every step; they are computed in float64 on the JavaScript side
 * ({@link adamCorrections}) and fed to the graph as float32 scalars, so one graph serves every step.
 */
import type { Graph, Val } from './graph';

/** Adam hyperparameters (tfjs defaults: beta1 0.9, beta2 0.999, epsilon 1e-7 on float32 backends). */
export interface AdamSettings {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** tf.train.adam(lr) on the cpu/wasm/node backends. */
export function tfjsAdam(lr: number): AdamSettings {
  return { lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
}

/** 1 - beta1^t and 1 - beta2^t for step t (1-based), in float64. */
export function adamCorrections(s: AdamSettings, t: number): { c1: number; c2: number } {
  if (!(Number.isInteger(t) && t >= 1)) throw new RangeError(`Adam step must be a positive integer, got ${t}`);
  return { c1: 1 - s.beta1 ** t, c2: 1 - s.beta2 ** t };
}

/** g scaled so its L2 norm is at most `c` (c <= 0: g unchanged). */
export function clipByGlobalNorm(g: Graph, grad: Val, c: number): Val {
  if (!(c > 0)) return grad;
  const n = g.node1('Sqrt', [g.node1('ReduceSumSquare', [grad], [], { keepdims: 0 })], []);
  const scale = g.node1(
    'Min',
    [g.scalar(1), g.node1('Div', [g.scalar(c), g.node1('Max', [n, g.scalar(1e-12)], [])], [])],
    [],
  );
  return g.node1('Mul', [grad, scale], [...grad.shape]);
}

/** One Adam step on flat vectors; `c1`, `c2` are the fed scalars 1 - b1^t, 1 - b2^t. Gives the new p, m, v. */
export function adamStep(
  g: Graph,
  s: AdamSettings,
  p: Val,
  m: Val,
  v: Val,
  grad: Val,
  c1: Val,
  c2: Val,
): { p: Val; m: Val; v: Val } {
  const sh = [...p.shape];
  const mul = (a: Val, b: Val) => g.node1('Mul', [a, b], sh);
  const add = (a: Val, b: Val) => g.node1('Add', [a, b], sh);
  const m2 = add(mul(m, g.scalar(s.beta1)), mul(grad, g.scalar(1 - s.beta1)));
  const v2 = add(mul(v, g.scalar(s.beta2)), mul(mul(grad, grad), g.scalar(1 - s.beta2)));
  const mhat = g.node1('Div', [m2, c1], sh);
  const denom = add(g.node1('Sqrt', [g.node1('Div', [v2, c2], sh)], sh), g.scalar(s.epsilon));
  const p2 = g.node1('Sub', [p, mul(g.node1('Div', [mhat, denom], sh), g.scalar(s.lr))], sh);
  return { p: p2, m: m2, v: v2 };
}

/** tau * online + (1 - tau) * target. */
export function softUpdate(g: Graph, online: Val, target: Val, tau: number): Val {
  const sh = [...online.shape];
  return g.node1(
    'Add',
    [g.node1('Mul', [online, g.scalar(tau)], sh), g.node1('Mul', [target, g.scalar(1 - tau)], sh)],
    sh,
  );
}

/** RMSProp hyperparameters (PyTorch's defaults: rho 0.99, epsilon 1e-8 added after the square root). */
export interface RmspropSettings {
  lr: number;
  rho: number;
  epsilon: number;
}

/** torch.optim.RMSprop(lr) with its defaults. */
export function torchRmsprop(lr: number): RmspropSettings {
  return { lr, rho: 0.99, epsilon: 1e-8 };
}

/**
 * One RMSProp step on flat vectors (see the file overview); `scale` is the fed 1 / learning-rate scale. Gives the new
 * p and v; m is not used and comes back as it was, so a learner keeps one state layout for either optimiser.
 */
export function rmspropStep(
  g: Graph,
  s: RmspropSettings,
  p: Val,
  m: Val,
  v: Val,
  grad: Val,
  scale: Val,
): { p: Val; m: Val; v: Val } {
  const sh = [...p.shape];
  const mul = (a: Val, b: Val) => g.node1('Mul', [a, b], sh);
  const v2 = g.node1('Add', [mul(v, g.scalar(s.rho)), mul(mul(grad, grad), g.scalar(1 - s.rho))], sh);
  const denom = g.node1('Add', [g.node1('Sqrt', [v2], sh), g.scalar(s.epsilon)], sh);
  const stepDir = g.node1('Div', [g.node1('Div', [grad, scale], sh), denom], sh);
  return { p: g.node1('Sub', [p, mul(stepDir, g.scalar(s.lr))], sh), m, v: v2 };
}
