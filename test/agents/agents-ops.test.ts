/**
 * Op-level checks against hand-computed values: the Toeplitz depthwise convolution, the SLaK kernel merge
 * (three branches summed = one conv with the merged kernel), exact zeros of masked softmax off-group, and that
 * every op of a network has a gradient on the backend loadTf picks.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { loadTf } from '../../src-main/compute/backend';
import { TfOps, depthwiseConvImpl, toeplitzPlacement } from '../../src-main/compute/ops';
import { initParams } from '../../src-main/compute/params';
import {
  lowerForward,
  lowerSpecs,
  maskedLogits,
  mergedKernel,
  placement,
  type LowerNetConfig,
} from '../../src-main/agents/networks/lower';
import { buildOnnxModel } from '../../src-main/compute/onnx/emitter';
import { OnnxModel } from '../../src-main/compute/onnx/runtime';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});

describe('depthwise temporal convolution', () => {
  it('matches a hand-computed same-padded cross-correlation (every implementation the backend offers)', () => {
    // one sequence, length 4, 2 channels; kernel 3
    // channel 0: x = [1, 2, 3, 4], w = [1, 0, -1]  -> y_t = x_{t-1} - x_{t+1}: [0-2, 1-3, 2-4, 3-0] = [-2, -2, -2, 3]
    // channel 1: x = [1, 1, 1, 1], w = [0.5, 1, 2]  -> y_t = .5 x_{t-1} + x_t + 2 x_{t+1}: [3, 3.5, 3.5, 1.5]
    const impls: ('toeplitz' | 'native')[] = depthwiseConvImpl(tf) === 'native' ? ['toeplitz', 'native'] : ['toeplitz'];
    for (const conv of impls) {
      const ops = new TfOps(tf, new Map(), { conv });
      const x = tf.tensor([1, 1, 2, 1, 3, 1, 4, 1], [1, 4, 2]);
      const w = tf.tensor([1, 0.5, 0, 1, -1, 2], [3, 2]);
      const y = ops.depthwiseConv1d(x, w, 4, 3, 2);
      expect(y.shape).toEqual([1, 4, 2]);
      expect(Array.from(y.dataSync()), conv).toEqual([-2, 3, -2, 3.5, -2, 3.5, 3, 1.5]);
      // gradient w.r.t. the kernel of sum(y): dw[k, c] = sum_t x[t + k - 1, c] (zero outside)
      const gw = tf.grad((ww: tfType.Tensor) => tf.sum(ops.depthwiseConv1d(x, ww, 4, 3, 2)))(w);
      // channel 0: k=0 -> x0+x1+x2 = 6, k=1 -> 10, k=2 -> x1+x2+x3 = 9; channel 1: 3, 4, 3
      expect(Array.from(gw.dataSync()), conv).toEqual([6, 3, 10, 4, 9, 3]);
      ops.disposeConstants();
    }
  });

  it('Toeplitz placement puts tap k at s - t + (K-1)/2', () => {
    const E = toeplitzPlacement(3, 3); // [K=3, 3*3]
    // k = 1 (centre): s == t -> positions (0,0), (1,1), (2,2)
    const centre = Array.from(E.slice(9, 18));
    expect(centre).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    // k = 0: s = t - 1 -> (s=0,t=1), (s=1,t=2)
    expect(Array.from(E.slice(0, 9))).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('SLaK merge: long + sparse (dilated) + small branches equal one conv with the merged kernel', () => {
    const cfg: LowerNetConfig = {
      window: 10,
      channels: 1,
      blocks: 1,
      kernel: 7,
      smallKernel: 3,
      sparseTaps: 3,
      sparseDilation: 3,
      headHidden: 2,
      embedDim: 2,
      conditioning: 'none',
      lnEps: 1e-5,
    };
    // placement of 3 sparse taps with spacing 3 in a kernel of 7: positions 0, 3, 6
    const P = placement(7, 3, 3);
    expect(Array.from(P)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const params = new Map<string, tfType.Tensor>([
      ['b/long', tf.tensor([1, 2, 3, 4, 5, 6, 7], [7, 1])],
      ['b/sparse', tf.tensor([10, 20, 30], [3, 1])],
      ['b/small', tf.tensor([100, 200, 300], [3, 1])],
    ]);
    const ops = new TfOps(tf, params);
    const k = mergedKernel(ops, cfg, 'b');
    // long + sparse at 0,3,6 + small at 2,3,4
    expect(Array.from(k.dataSync())).toEqual([11, 2, 103, 224, 305, 6, 37]);
    const x = tf.tensor(
      Array.from({ length: 10 }, (_, i) => Math.sin(i)),
      [1, 10, 1],
    );
    const sum = tf.add(
      tf.add(
        ops.depthwiseConv1d(x, params.get('b/long')!, 10, 7, 1),
        ops.depthwiseConv1d(x, tf.matMul(tf.tensor(P, [7, 3]), params.get('b/sparse')!), 10, 7, 1),
      ),
      ops.depthwiseConv1d(x, params.get('b/small')!, 10, 3, 1),
    );
    const merged = ops.depthwiseConv1d(x, k, 10, 7, 1);
    const a = sum.dataSync();
    const b = merged.dataSync();
    for (let i = 0; i < 10; i++) expect(b[i]!).toBeCloseTo(a[i]!, 3);
    ops.disposeConstants();
  });
});

describe('masked softmax', () => {
  it('gives exactly 0 off-group and sums to 1 on-group, in tfjs and in ONNX Runtime', async () => {
    const logits = Float32Array.of(3.5, -2, 0.1, 40, -40, 7);
    const mask = Float32Array.of(1, 0, 1, 0, 1, 0);
    const ops = new TfOps(tf, new Map());
    const w = ops.softmax(maskedLogits(ops, tf.tensor(logits, [1, 6]), tf.tensor(mask, [1, 6]))).dataSync();
    const model = await OnnxModel.create(
      buildOnnxModel({
        graphName: 'mask',
        params: new Map(),
        inputs: [
          { name: 'l', dims: [1, 6] },
          { name: 'm', dims: [1, 6] },
        ],
        outputs: [{ name: 'w', dims: [1, 6] }],
        build: (o, i) => ({ w: o.softmax(maskedLogits(o, i.l!, i.m!)) }),
      }),
    );
    const wo = model.runSync({ l: { data: logits, dims: [1, 6] }, m: { data: mask, dims: [1, 6] } }).w!.data;
    await model.dispose();
    // on-group softmax of [3.5, 0.1, -40] by hand
    const e = [Math.exp(0), Math.exp(0.1 - 3.5), Math.exp(-43.5)];
    const z = e[0]! + e[1]! + e[2]!;
    for (const out of [w, wo]) {
      expect(out[1]).toBe(0);
      expect(out[3]).toBe(0);
      expect(out[5]).toBe(0);
      expect(out[0]!).toBeCloseTo(e[0]! / z, 6);
      expect(out[2]!).toBeCloseTo(e[1]! / z, 6);
      expect(out[0]! + out[2]! + out[4]!).toBeCloseTo(1, 6);
    }
  });
});

describe('gradients on the chosen backend', () => {
  it('every lower-agent parameter gets a finite, non-zero gradient', () => {
    const cfg: LowerNetConfig = {
      window: 8,
      channels: 3,
      blocks: 1,
      kernel: 5,
      smallKernel: 3,
      sparseTaps: 3,
      sparseDilation: 2,
      headHidden: 4,
      embedDim: 4,
      conditioning: 'film',
      lnEps: 1e-5,
    };
    const init = initParams(lowerSpecs(cfg, 'lo'), 1);
    const vars = new Map<string, tfType.Variable>(
      [...init].map(([k, v]) => [k, tf.variable(tf.tensor(v.data, v.shape), true, `gradcheck/${k}`)]),
    );
    const ops = new TfOps(tf, vars as Map<string, tfType.Tensor>);
    const x = tf.tensor(
      Array.from({ length: 2 * 3 * 8 }, (_, i) => Math.cos(i)),
      [2, 3, 8],
    );
    const e = tf.tensor(
      Array.from({ length: 8 }, (_, i) => Math.sin(i)),
      [2, 4],
    );
    const target = tf.tensor([0.3, -0.2, 0.5, 0.1, 0.0, -0.4], [2, 3]);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.square(tf.sub(lowerForward(ops, cfg, 3, x, e, 'lo'), target))) as tfType.Scalar,
      [...vars.values()],
    );
    expect(Object.keys(grads).length).toBe(vars.size);
    for (const [name, g] of Object.entries(grads)) {
      const d = g.dataSync();
      expect(
        d.every((v) => Number.isFinite(v)),
        name,
      ).toBe(true);
      expect(
        d.some((v) => v !== 0),
        name,
      ).toBe(true);
    }
    for (const v of vars.values()) v.dispose();
  });
});
