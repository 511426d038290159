/**
 * The EIIE policy network (Jiang, Xu and Liang 2017; docs/drl-baselines.md "EIIE"), its three evaluators (the CNN,
 * the RNN and the LSTM topologies of the paper), written once against the op vocabulary (compute/ops.ts) so
 * TensorFlow.js, the ONNX export and the ONNX training engine (compute/train/eiie.ts) run the same definition.
 *
 * Every asset goes through the same small evaluator (one set of weights, shared) reading its window of n closes
 * over the latest close and giving `features` numbers:
 *   - cnn: a 1 x k convolution to `convMaps` maps (valid padding, n - k + 1 wide), ReLU, a 1 x (n - k + 1)
 *     convolution to `features` maps, ReLU;
 *   - rnn: one tanh RNN layer of `features` units (agents/networks/rnn.ts) over the window, oldest day first, from
 *     the zero state; its last hidden state;
 *   - lstm: the same with one LSTM layer (agents/networks/lstm.ts; forget-gate bias starting at 1).
 * Then, for all three, the weight the asset held before the decision is appended as one more feature (the
 * portfolio-vector memory's role) and a 1 x 1 convolution (a dense layer to one output, shared by the assets) gives
 * the asset's score. A learned cash bias is the cash score; the softmax over [cash, assets] gives the portfolio,
 * cash first. The paper's recurrent evaluators end in the same way (the last hidden state, the previous weight and
 * the 1 x 1 convolution), so the variants differ in the evaluator alone.
 *
 * The vocabulary has no convolution with valid padding and several output maps, so both convolutions are written
 * as matrix products: the first one's kernel is spread into an n x (n - k + 1) * maps Toeplitz matrix by a
 * constant 0/1 placement tensor (one matMul), the second is a dense layer over the flattened maps (its kernel
 * covers the whole width), and the 1 x 1 convolution is a dense layer over the maps. The cash score is the learned
 * bias plus a product of the scores with a zero matrix, the vocabulary's way to give a parameter the batch axis.
 *
 * Inputs: closes only (the bundled data have no highs or lows; the paper's three price features become one).
 */
import type { Ops } from '../../compute/ops';
import type { ParamSpec } from '../../compute/params';
import { lstmSpecs, lstmStack } from '../networks/lstm';
import { rnnLayer, rnnLayerSpecs } from '../networks/rnn';
import type { EiieConfig } from './config';

/** The settings the network's shape depends on. */
export type EiieShape = Pick<EiieConfig, 'evaluator' | 'window' | 'convMaps' | 'convKernel' | 'features'>;

/** The LSTM evaluator's shape: one layer of `features` units over the window, one price feature per day. */
const lstmShape = (s: EiieShape) => ({ length: s.window, inDim: 1, hidden: s.features, layers: 1 });

/** Width of the first convolution's output (valid padding). */
export function convWidth(s: EiieShape): number {
  return s.window - s.convKernel + 1;
}

/** The network's parameters; none depends on the number of assets (the evaluators are identical). */
export function eiieSpecs(s: EiieShape): ParamSpec[] {
  const vote: ParamSpec[] = [
    { name: 'eiie/vote/W', shape: [s.features + 1, 1], init: { kind: 'glorot', fanIn: s.features + 1, fanOut: 1 } },
    { name: 'eiie/vote/b', shape: [1], init: { kind: 'zeros' } },
    { name: 'eiie/cash', shape: [1], init: { kind: 'zeros' } },
  ];
  if (s.evaluator === 'rnn') return [...rnnLayerSpecs('eiie/rnn', 1, s.features), ...vote];
  if (s.evaluator === 'lstm') return [...lstmSpecs(lstmShape(s), 'eiie/lstm'), ...vote];
  const L1 = convWidth(s);
  return [
    {
      name: 'eiie/conv1/W',
      shape: [s.convKernel, s.convMaps],
      init: { kind: 'glorot', fanIn: s.convKernel, fanOut: s.convMaps },
    },
    { name: 'eiie/conv1/b', shape: [s.convMaps], init: { kind: 'zeros' } },
    {
      name: 'eiie/conv2/W',
      shape: [L1 * s.convMaps, s.features],
      init: { kind: 'glorot', fanIn: L1 * s.convMaps, fanOut: s.features },
    },
    { name: 'eiie/conv2/b', shape: [s.features], init: { kind: 'zeros' } },
    ...vote,
  ];
}

/** The weight matrices the update's L2 penalty covers (config.ts weightDecay): the evaluator's and the vote's. */
export function eiieDecayed(s: EiieShape): string[] {
  const evaluator =
    s.evaluator === 'rnn'
      ? ['eiie/rnn/W']
      : s.evaluator === 'lstm'
        ? ['eiie/lstm/l0/W']
        : ['eiie/conv1/W', 'eiie/conv2/W'];
  return [...evaluator, 'eiie/vote/W'];
}

/**
 * Placement tensor E [n * L1, k] of the first convolution: E[s * L1 + t, j] = 1 iff s - t = j, so
 * reshape(E W1, [n, L1 * maps]) is the matrix with x M = the valid cross-correlation of x with W1, maps last.
 */
export function convPlacement(window: number, kernel: number): Float32Array {
  const L1 = window - kernel + 1;
  const e = new Float32Array(window * L1 * kernel);
  for (let s = 0; s < window; s++)
    for (let t = 0; t < L1; t++) {
      const j = s - t;
      if (j >= 0 && j < kernel) e[(s * L1 + t) * kernel + j] = 1;
    }
  return e;
}

/**
 * The portfolio for a batch: x [B, N, n] windows, held [B, N] the weights held before the decision. Gives
 * w [B, N + 1], cash first, each row summing to 1.
 */
export function eiieForward<T>(ops: Ops<T>, s: EiieShape, nAssets: number, x: T, held: T): T {
  const withHeld = ops.concat([eiieEvaluate(ops, s, nAssets, x), ops.reshape(held, [-1, nAssets, 1])], 2);
  const vote = ops.add(ops.matMul(withHeld, ops.param('eiie/vote/W')), ops.param('eiie/vote/b'));
  const scores = ops.reshape(vote, [-1, nAssets]);
  const zero = ops.constant(`eiie:zero:${nAssets}`, new Float32Array(nAssets), [nAssets, 1]);
  const cash = ops.add(ops.matMul(scores, zero), ops.param('eiie/cash'));
  return ops.softmax(ops.concat([cash, scores], 1));
}

/** The evaluators' features [B, N, features] of windows x [B, N, n] (file overview). */
export function eiieEvaluate<T>(ops: Ops<T>, s: EiieShape, nAssets: number, x: T): T {
  const n = s.window;
  if (s.evaluator === 'rnn' || s.evaluator === 'lstm') {
    const seq = ops.reshape(x, [-1, n, 1]);
    const last =
      s.evaluator === 'rnn'
        ? rnnLayer(ops, 'eiie/rnn', seq, n, 1, s.features).last
        : lstmStack(ops, lstmShape(s), seq, 'eiie/lstm').last[0]!.h;
    return ops.reshape(last, [-1, nAssets, s.features]);
  }
  const k = s.convKernel;
  const L1 = convWidth(s);
  const E = ops.constant(`eiie:place:${n}:${k}`, convPlacement(n, k), [n * L1, k]);
  const M = ops.reshape(ops.matMul(E, ops.param('eiie/conv1/W')), [n, L1 * s.convMaps]);
  const c1 = ops.reshape(ops.matMul(x, M), [-1, nAssets, L1, s.convMaps]);
  const h1 = ops.reshape(ops.relu(ops.add(c1, ops.param('eiie/conv1/b'))), [-1, nAssets, L1 * s.convMaps]);
  return ops.relu(ops.add(ops.matMul(h1, ops.param('eiie/conv2/W')), ops.param('eiie/conv2/b')));
}

/**
 * The window of asset i at day t: close[t - n + 1 + j, i] / close[t, i] for j = 0..n-1 (oldest first; the paper's
 * normalisation by the latest close), rows before the first repeated from it. Reads rows <= t only. Layout
 * [i * n + j], Float32Array [N * n].
 */
export function eiieFeatures(
  rowAt: (day: number) => ArrayLike<number>,
  t: number,
  nAssets: number,
  n: number,
): Float32Array {
  const out = new Float32Array(nAssets * n);
  const last = rowAt(t);
  for (let j = 0; j < n; j++) {
    const row = rowAt(Math.max(0, t - n + 1 + j));
    for (let i = 0; i < nAssets; i++) out[i * n + j] = row[i]! / last[i]!;
  }
  return out;
}
