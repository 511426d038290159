/**
 * The two Long/Hold/Short classifiers (docs/drl-baselines.md "MLP and CNN Long/Hold/Short classifiers"), written
 * once against the op vocabulary (compute/ops.ts), so the ONNX training engine (compute/train/lhs.ts) and the
 * exported policy (policy.ts) run the same definition. Both map one asset's window of n daily returns, x [B, n], to
 * three logits [B, 3] in the class order Long, Hold, Short (classes.ts); `lhsForward` adds the softmax.
 *
 *   - MLP: dense n -> hidden, ReLU, dense hidden -> hidden, ReLU, dense hidden -> 3;
 *   - CNN: a 1-D convolution over the window with `convMaps` maps of width `convKernel` (valid padding, stride 1),
 *     ReLU, dense over the flattened maps -> hidden, ReLU, dense hidden -> 3.
 *
 * The vocabulary has no multi-map valid convolution, so the convolution is one matrix product, as EIIE writes its
 * first one (agents/eiie/network.ts convPlacement): the kernel spread into an n x (n - k + 1) * maps Toeplitz matrix
 * by a constant 0/1 placement tensor. Dense weights start Glorot-uniform, biases at zero.
 */
import { dense, type Ops } from '../../compute/ops';
import type { ParamSpec } from '../../compute/params';
import { convPlacement } from '../eiie/network';
import { CLASS_COUNT } from './classes';
import type { LhsConfig } from './config';

/** The settings the networks' shapes depend on. */
export type LhsShape = Pick<LhsConfig, 'model' | 'window' | 'hidden' | 'convMaps' | 'convKernel'>;

/** Width of the CNN's convolution output (valid padding). */
export function lhsConvWidth(s: LhsShape): number {
  return s.window - s.convKernel + 1;
}

function denseSpecs(prefix: string, fanIn: number, fanOut: number): ParamSpec[] {
  return [
    { name: `${prefix}/W`, shape: [fanIn, fanOut], init: { kind: 'glorot', fanIn, fanOut } },
    { name: `${prefix}/b`, shape: [fanOut], init: { kind: 'zeros' } },
  ];
}

/** The parameters of the classifier `s.model`; none depends on the number of assets (one network for all). */
export function lhsSpecs(s: LhsShape): ParamSpec[] {
  if (s.model === 'mlp')
    return [
      ...denseSpecs('lhs/mlp/d1', s.window, s.hidden),
      ...denseSpecs('lhs/mlp/d2', s.hidden, s.hidden),
      ...denseSpecs('lhs/mlp/out', s.hidden, CLASS_COUNT),
    ];
  const L = lhsConvWidth(s);
  return [
    {
      name: 'lhs/cnn/conv/W',
      shape: [s.convKernel, s.convMaps],
      init: { kind: 'glorot', fanIn: s.convKernel, fanOut: s.convMaps },
    },
    { name: 'lhs/cnn/conv/b', shape: [s.convMaps], init: { kind: 'zeros' } },
    ...denseSpecs('lhs/cnn/d1', L * s.convMaps, s.hidden),
    ...denseSpecs('lhs/cnn/out', s.hidden, CLASS_COUNT),
  ];
}

/** Logits [B, 3] (Long, Hold, Short) of windows x [B, n]. */
export function lhsLogits<T>(ops: Ops<T>, s: LhsShape, x: T): T {
  if (s.model === 'mlp') {
    const h1 = ops.relu(dense(ops, 'lhs/mlp/d1', x));
    const h2 = ops.relu(dense(ops, 'lhs/mlp/d2', h1));
    return dense(ops, 'lhs/mlp/out', h2);
  }
  const n = s.window;
  const k = s.convKernel;
  const L = lhsConvWidth(s);
  const E = ops.constant(`lhs:place:${n}:${k}`, convPlacement(n, k), [n * L, k]);
  const M = ops.reshape(ops.matMul(E, ops.param('lhs/cnn/conv/W')), [n, L * s.convMaps]);
  const c = ops.reshape(ops.matMul(x, M), [-1, L, s.convMaps]);
  const h1 = ops.reshape(ops.relu(ops.add(c, ops.param('lhs/cnn/conv/b'))), [-1, L * s.convMaps]);
  const h2 = ops.relu(dense(ops, 'lhs/cnn/d1', h1));
  return dense(ops, 'lhs/cnn/out', h2);
}

/** Class probabilities [B, 3] (Long, Hold, Short) of windows x [B, n]. */
export function lhsForward<T>(ops: Ops<T>, s: LhsShape, x: T): T {
  return ops.softmax(lhsLogits(ops, s, x));
}
