/**
 * The op-level vocabulary every SAMP-HDRL network is written in. One `forward(ops, ...)` per network runs on
 * each implementation:
 *   - `TfOps` (here): TensorFlow.js tensors, differentiable, used for training (tf.variableGrads / optimizer);
 *   - `OnnxOps` (compute/onnx/emitter.ts): emits ONNX nodes, used to export the trained policy for ONNX Runtime;
 *   - `TrainOps` (compute/train/ops.ts): ONNX nodes with a tape, for the ONNX Runtime training engine.
 * So the trained graph and the exported graph are the same definition, and test/agents/agents-onnx-agreement
 * checks that they agree to 1e-5. (SAMP-HDRL steps 2, 3 and 7; docs/architecture.md "Compute".)
 *
 * All tensors are float32. Axes are explicit non-negative integers; shapes may use -1 for one inferred dimension
 * (the batch), every other dimension is a configuration constant.
 *
 * Backend notes (tfjs 4.22, wasm backend, checked with tf.getKernelsForBackend('wasm')): the wasm backend has no
 * DepthwiseConv2dNativeBackpropFilter, Conv2DBackpropFilter or UnsortedSegmentSum kernel, so neither
 * tf.depthwiseConv2d nor tf.gather can be differentiated there. On such a backend TfOps writes the depthwise
 * temporal convolution as a batched matrix product with a Toeplitz matrix built from the kernel by a matMul with
 * a constant 0/1 placement tensor; it only needs BatchMatMul/Transpose/Reshape, which have gradients on every
 * backend. Where the gradient kernels exist (cpu, tfjs-node, tfjs-node-gpu) it uses tf.depthwiseConv2d.
 * (The ONNX side uses a native grouped Conv, and the agreement test checks they are the same op.)
 */
import type * as tfType from '@tensorflow/tfjs';

/** What a network forward pass may use. `T` is a tensor handle (tf.Tensor, or an ONNX value name). */
export interface Ops<T> {
  readonly kind: 'tfjs' | 'onnx';
  /** A trainable parameter by name (see params.ts). */
  param(name: string): T;
  /** A constant float32 tensor; `key` identifies it (implementations may cache by key). */
  constant(key: string, data: Float32Array, shape: number[]): T;
  /** A float32 scalar constant. */
  scalar(v: number): T;
  /** Elementwise a + b with numpy broadcasting. */
  add(a: T, b: T): T;
  /** Elementwise a - b with numpy broadcasting. */
  sub(a: T, b: T): T;
  /** Elementwise a * b with numpy broadcasting. */
  mul(a: T, b: T): T;
  /** Matrix product over the last two axes, leading axes batched (numpy matmul; b may be rank 2). */
  matMul(a: T, b: T): T;
  relu(x: T): T;
  abs(x: T): T;
  /** Hyperbolic tangent elementwise. */
  tanh(x: T): T;
  /** Softmax over the last axis. */
  softmax(x: T): T;
  /** Layer normalisation over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta (biased variance). */
  layerNorm(x: T, gamma: T, beta: T, eps: number): T;
  /** Mean over one axis. */
  mean(x: T, axis: number, keepDims: boolean): T;
  /** Sum over one axis. */
  sum(x: T, axis: number, keepDims: boolean): T;
  reshape(x: T, shape: number[]): T;
  transpose(x: T, perm: number[]): T;
  concat(xs: T[], axis: number): T;
  /**
   * Depthwise 1-D cross-correlation with zero 'same' padding: x [M, length, channels], w [kernel, channels]
   * (kernel odd) -> y [M, length, channels], y[m,t,c] = sum_k x[m, t + k - (kernel-1)/2, c] * w[k, c].
   */
  depthwiseConv1d(x: T, w: T, length: number, kernel: number, channels: number): T;
}

/** Apply a dense layer `${prefix}/W`, `${prefix}/b` to the last axis of x. */
export function dense<T>(ops: Ops<T>, prefix: string, x: T): T {
  return ops.add(ops.matMul(x, ops.param(`${prefix}/W`)), ops.param(`${prefix}/b`));
}

/** Layer norm with parameters `${prefix}/g`, `${prefix}/b`. */
export function layerNormP<T>(ops: Ops<T>, prefix: string, x: T, eps: number): T {
  return ops.layerNorm(x, ops.param(`${prefix}/g`), ops.param(`${prefix}/b`), eps);
}

/**
 * Constant 0/1 placement tensor E [kernel, length*length] for the Toeplitz form of a 'same' depthwise conv:
 * E[k, s*length + t] = 1 iff s - t + (kernel-1)/2 == k. Then T = reshape(w^T E, [C, length, length]) and
 * y[c, m, :] = x[c, m, :] T[c].
 */
export function toeplitzPlacement(length: number, kernel: number): Float32Array {
  const h = (kernel - 1) / 2;
  const e = new Float32Array(kernel * length * length);
  for (let s = 0; s < length; s++)
    for (let t = 0; t < length; t++) {
      const k = s - t + h;
      if (k >= 0 && k < kernel) e[k * length * length + s * length + t] = 1;
    }
  return e;
}

type Tensor = tfType.Tensor;

/**
 * 'native' (tf.depthwiseConv2d) when the active backend registers both depthwise-conv gradient kernels (cpu,
 * tfjs-node, tfjs-node-gpu), else 'toeplitz' (the matmul form above; the wasm backend). Both compute the same
 * 'same'-padded cross-correlation; the Toeplitz form does O(length) work per output instead of O(kernel).
 */
export function depthwiseConvImpl(tf: typeof tfType): 'toeplitz' | 'native' {
  const b = tf.getBackend();
  const has = (k: string) => tf.getKernel(k, b) !== undefined;
  return has('DepthwiseConv2dNativeBackpropFilter') && has('DepthwiseConv2dNativeBackpropInput')
    ? 'native'
    : 'toeplitz';
}

/**
 * TensorFlow.js implementation of Ops. `params` maps names to tensors (tf.Variable while training).
 * Constants are cached by key across calls (kept outside tidy scopes); call `disposeConstants()` when done.
 */
export class TfOps implements Ops<Tensor> {
  readonly kind = 'tfjs' as const;
  private readonly consts = new Map<string, Tensor>();
  /** how depthwiseConv1d is computed on this backend (see {@link depthwiseConvImpl}) */
  readonly convImpl: 'toeplitz' | 'native';
  constructor(
    private readonly tf: typeof tfType,
    public params: Map<string, Tensor>,
    opts: { conv?: 'auto' | 'toeplitz' | 'native' } = {},
  ) {
    this.convImpl = opts.conv === undefined || opts.conv === 'auto' ? depthwiseConvImpl(tf) : opts.conv;
  }

  param(name: string): Tensor {
    const p = this.params.get(name);
    if (!p) throw new Error(`no parameter ${name}`);
    return p;
  }
  constant(key: string, data: Float32Array, shape: number[]): Tensor {
    let c = this.consts.get(key);
    if (!c) {
      c = this.tf.keep(this.tf.tensor(data, shape, 'float32'));
      this.consts.set(key, c);
    }
    return c;
  }
  scalar(v: number): Tensor {
    return this.tf.scalar(v, 'float32');
  }
  add(a: Tensor, b: Tensor): Tensor {
    return this.tf.add(a, b);
  }
  sub(a: Tensor, b: Tensor): Tensor {
    return this.tf.sub(a, b);
  }
  mul(a: Tensor, b: Tensor): Tensor {
    return this.tf.mul(a, b);
  }
  matMul(a: Tensor, b: Tensor): Tensor {
    const tf = this.tf;
    if (a.rank === 2 && b.rank === 2) return tf.matMul(a as tfType.Tensor2D, b as tfType.Tensor2D);
    if (b.rank === 2) {
      // [..., n, k] x [k, m]: fold the leading axes into rows
      const lead = a.shape.slice(0, -1);
      const k = a.shape[a.rank - 1]!;
      const y = tf.matMul(tf.reshape(a, [-1, k]) as tfType.Tensor2D, b as tfType.Tensor2D);
      return tf.reshape(y, [...lead, b.shape[1]!]);
    }
    return tf.matMul(a as tfType.Tensor3D, b as tfType.Tensor3D);
  }
  relu(x: Tensor): Tensor {
    return this.tf.relu(x);
  }
  abs(x: Tensor): Tensor {
    return this.tf.abs(x);
  }
  tanh(x: Tensor): Tensor {
    return this.tf.tanh(x);
  }
  softmax(x: Tensor): Tensor {
    return this.tf.softmax(x);
  }
  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
    const tf = this.tf;
    const ax = x.rank - 1;
    const mu = tf.mean(x, ax, true);
    const xc = tf.sub(x, mu);
    const v = tf.mean(tf.square(xc), ax, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(v, tf.scalar(eps)))), gamma), beta);
  }
  mean(x: Tensor, axis: number, keepDims: boolean): Tensor {
    return this.tf.mean(x, axis, keepDims);
  }
  sum(x: Tensor, axis: number, keepDims: boolean): Tensor {
    return this.tf.sum(x, axis, keepDims);
  }
  reshape(x: Tensor, shape: number[]): Tensor {
    return this.tf.reshape(x, shape);
  }
  transpose(x: Tensor, perm: number[]): Tensor {
    return this.tf.transpose(x, perm);
  }
  concat(xs: Tensor[], axis: number): Tensor {
    return this.tf.concat(xs, axis);
  }
  depthwiseConv1d(x: Tensor, w: Tensor, length: number, kernel: number, channels: number): Tensor {
    const tf = this.tf;
    const C = channels;
    if (this.convImpl === 'native') {
      const y = tf.depthwiseConv2d(
        tf.reshape(x, [-1, 1, length, C]) as tfType.Tensor4D,
        tf.reshape(w, [1, kernel, C, 1]) as tfType.Tensor4D,
        1,
        'same',
      );
      return tf.reshape(y, [-1, length, C]);
    }
    const E = this.constant(`toeplitz:${length}:${kernel}`, toeplitzPlacement(length, kernel), [
      kernel,
      length * length,
    ]);
    const T = tf.reshape(tf.matMul(tf.transpose(w) as tfType.Tensor2D, E as tfType.Tensor2D), [C, length, length]);
    const xt = tf.transpose(x, [2, 0, 1]); // [C, M, L]
    const y = tf.matMul(xt as tfType.Tensor3D, T as tfType.Tensor3D); // [C, M, L]
    return tf.transpose(y, [1, 2, 0]);
  }
  /** Free the cached constants. */
  disposeConstants(): void {
    for (const c of this.consts.values()) c.dispose();
    this.consts.clear();
  }
}
