/**
 * The portfolio policy network of PPN (Zhang et al. 2020; docs/drl-baselines.md "PPN"), written once against the op
 * vocabulary (compute/ops.ts), so the ONNX training engine (compute/train/ppn.ts), the exported ONNX policy
 * (policy.ts) and TensorFlow.js run the same definition. Two streams read each asset's window of n closes over the
 * latest close (the EIIE normalisation, agents/eiie/network.ts eiieFeatures), x [B, N, n]:
 *
 *   - the sequential information net: one LSTM layer (agents/networks/lstm.ts lstmStack, `lstmHidden` units) shared
 *     by every asset, run over the asset's window from the zero state; its last hidden state is the asset's
 *     sequential feature vector;
 *   - the correlation information net: temporal correlational convolution blocks (TCCB), block k with dilation 2^k
 *     and `tccbChannels[k]` channels. A block is two dilated causal convolutions over time (each ReLU), then the
 *     correlational convolution across assets (ReLU), added to the block's input (through a 1 x 1 convolution when
 *     the channel count changes) and passed through a ReLU, as in the authors' residual block. A last layer reads
 *     the whole time axis of every channel (the paper's 1 x width convolution, a dense layer here) to
 *     `corrFeatures` features per asset, ReLU.
 *
 * The decision module concatenates, per asset, the two streams' features and the weight the asset held before the
 * decision, scores each asset with one 1 x 1 convolution (a dense layer to one output, shared by the assets), takes a
 * learned cash bias as the cash score and gives the softmax over [cash, assets], cash first.
 *
 * How the convolutions are written with the vocabulary:
 *   - a dilated causal convolution of width K and dilation d is a depthwise convolution over time (each channel its
 *     own K taps, at t, t - d, ..., t - (K - 1) d) followed by a pointwise 1 x 1 convolution mixing the channels (a
 *     dense layer): the depthwise-separable factorisation of the paper's full K-tap convolution. The vocabulary's
 *     depthwiseConv1d is centred with zero padding; the causal, dilated taps are its kernel of width
 *     2 (K - 1) d + 1 whose entries j d (j = 0..K-1) carry the K learned taps and all others, the future half
 *     included, are 0 (a constant placement matrix times the taps, `causalPlacement`); the zero padding before day 1
 *     of the window is the paper's causal left padding;
 *   - the correlational convolution of the paper is a convolution of height N (all assets) over the asset axis,
 *     'same' padded, mixing channels: each output asset reads every asset with a weight set by their distance in the
 *     list of tickers. Here it is a learned N x N matrix over the asset axis, `assets` (entry [j, i]: how much
 *     asset j feeds asset i, the same for every channel and day), times a channel mixing matrix C x C, plus a bias
 *     per channel. The paper's kernel is the special case of this product where the asset matrix depends only on
 *     i - j (a Toeplitz matrix) and is shared per channel pair; this form lets every pair of assets have its own
 *     weight (the order of the tickers carries no meaning) with N^2 + C^2 weights instead of N C^2. Like the
 *     paper's, its size depends on N: a trained network serves the universe it was trained on.
 *   - the cash score is the learned bias plus a product of the scores with a zero matrix, the vocabulary's way to
 *     give a parameter the batch axis (as EIIE).
 */
import { dense, type Ops } from '../../compute/ops';
import { denseSpecs, type ParamSpec } from '../../compute/params';
import { lstmSpecs, lstmStack } from '../networks/lstm';
import type { PpnConfig } from './config';

/** The settings the network's shape depends on (with the number of assets). */
export type PpnShape = Pick<PpnConfig, 'window' | 'lstmHidden' | 'tccbChannels' | 'tccbKernel' | 'corrFeatures'>;

/** Dilation of block k: 2^k (the paper's 1, 2, 4). */
export function tccbDilation(k: number): number {
  return 2 ** k;
}

/** Width of the centred kernel that carries a causal kernel of `taps` taps at dilation `dilation`. */
export function causalWidth(taps: number, dilation: number): number {
  return 2 * (taps - 1) * dilation + 1;
}

/**
 * Placement P [2 (K - 1) d + 1, K]: P[j d, j] = 1, so P W (W [K, C] the taps, oldest first) is the centred kernel of
 * the causal dilated convolution y[t] = sum_j x[t - (K - 1 - j) d] W[j].
 */
export function causalPlacement(taps: number, dilation: number): Float32Array {
  const width = causalWidth(taps, dilation);
  const p = new Float32Array(width * taps);
  for (let j = 0; j < taps; j++) p[j * dilation * taps + j] = 1;
  return p;
}

const lstmShape = (s: PpnShape) => ({ length: s.window, inDim: 1, hidden: s.lstmHidden, layers: 1 });

/** The network's parameters over `nAssets` assets (the correlational convolutions depend on N). */
export function ppnSpecs(s: PpnShape, nAssets: number): ParamSpec[] {
  const K = s.tccbKernel;
  const out: ParamSpec[] = [...lstmSpecs(lstmShape(s), 'ppn/lstm')];
  let cin = 1;
  s.tccbChannels.forEach((cout, k) => {
    const p = `ppn/tccb${k}`;
    const taps = (name: string, c: number): ParamSpec => ({
      name,
      shape: [K, c],
      init: { kind: 'glorot', fanIn: K, fanOut: K },
    });
    out.push(taps(`${p}/conv1/taps`, cin), ...denseSpecs(`${p}/conv1/mix`, cin, cout));
    out.push(taps(`${p}/conv2/taps`, cout), ...denseSpecs(`${p}/conv2/mix`, cout, cout));
    out.push(
      {
        name: `${p}/corr/assets`,
        shape: [nAssets, nAssets],
        init: { kind: 'glorot', fanIn: nAssets, fanOut: nAssets },
      },
      { name: `${p}/corr/W`, shape: [cout, cout], init: { kind: 'glorot', fanIn: cout, fanOut: cout } },
      { name: `${p}/corr/b`, shape: [cout], init: { kind: 'zeros' } },
    );
    if (cin !== cout) out.push(...denseSpecs(`${p}/res`, cin, cout));
    cin = cout;
  });
  out.push(...denseSpecs('ppn/collapse', s.window * cin, s.corrFeatures));
  out.push(...denseSpecs('ppn/vote', s.corrFeatures + s.lstmHidden + 1, 1));
  out.push({ name: 'ppn/cash', shape: [1], init: { kind: 'zeros' } });
  return out;
}

/** A dilated causal convolution of h [M, n, cin] to [M, n, cout] (depthwise taps, then the channel mix), ReLU. */
function causalConv<T>(ops: Ops<T>, prefix: string, h: T, n: number, taps: number, d: number, cin: number): T {
  const width = causalWidth(taps, d);
  const P = ops.constant(`ppn:causal:${taps}:${d}`, causalPlacement(taps, d), [width, taps]);
  const kernel = ops.matMul(P, ops.param(`${prefix}/taps`));
  return ops.relu(dense(ops, `${prefix}/mix`, ops.depthwiseConv1d(h, kernel, n, width, cin)));
}

/**
 * The correlational convolution of h [B * N, n, C] (rows asset-major within a period): mix the channels, then the
 * assets, add the bias; ReLU.
 */
function correlate<T>(ops: Ops<T>, prefix: string, h: T, nAssets: number, n: number, C: number): T {
  const byChannel = ops.reshape(ops.matMul(h, ops.param(`${prefix}/W`)), [-1, nAssets, n, C]);
  const assetsLast = ops.transpose(byChannel, [0, 2, 3, 1]); // [B, n, C, N]
  const mixed = ops.transpose(ops.matMul(assetsLast, ops.param(`${prefix}/assets`)), [0, 3, 1, 2]);
  return ops.relu(ops.add(ops.reshape(mixed, [-1, n, C]), ops.param(`${prefix}/b`)));
}

/** The correlation information net: features [B, N, corrFeatures] of windows x [B, N, n]. */
export function ppnCorrelation<T>(ops: Ops<T>, s: PpnShape, nAssets: number, x: T): T {
  const n = s.window;
  let h = ops.reshape(x, [-1, n, 1]);
  let cin = 1;
  s.tccbChannels.forEach((cout, k) => {
    const p = `ppn/tccb${k}`;
    const d = tccbDilation(k);
    const a = causalConv(ops, `${p}/conv1`, h, n, s.tccbKernel, d, cin);
    const b = causalConv(ops, `${p}/conv2`, a, n, s.tccbKernel, d, cout);
    const c = correlate(ops, `${p}/corr`, b, nAssets, n, cout);
    const res = cin === cout ? h : dense(ops, `${p}/res`, h);
    h = ops.relu(ops.add(res, c));
    cin = cout;
  });
  return ops.relu(dense(ops, 'ppn/collapse', ops.reshape(h, [-1, nAssets, n * cin])));
}

/** The sequential information net: the LSTM's last hidden state [B, N, lstmHidden] of windows x [B, N, n]. */
export function ppnSequential<T>(ops: Ops<T>, s: PpnShape, nAssets: number, x: T): T {
  const r = lstmStack(ops, lstmShape(s), ops.reshape(x, [-1, s.window, 1]), 'ppn/lstm');
  return ops.reshape(r.last[0]!.h, [-1, nAssets, s.lstmHidden]);
}

/**
 * The portfolio for a batch: x [B, N, n] windows, held [B, N] the weights held before the decision. Gives
 * w [B, N + 1], cash first, each row summing to 1.
 */
export function ppnForward<T>(ops: Ops<T>, s: PpnShape, nAssets: number, x: T, held: T): T {
  const features = ops.concat(
    [ppnCorrelation(ops, s, nAssets, x), ppnSequential(ops, s, nAssets, x), ops.reshape(held, [-1, nAssets, 1])],
    2,
  );
  const scores = ops.reshape(dense(ops, 'ppn/vote', features), [-1, nAssets]);
  const zero = ops.constant(`ppn:zero:${nAssets}`, new Float32Array(nAssets), [nAssets, 1]);
  const cash = ops.add(ops.matMul(scores, zero), ops.param('ppn/cash'));
  return ops.softmax(ops.concat([cash, scores], 1));
}
