/**
 * ONNX implementation of the `Ops` vocabulary (compute/ops.ts): each call appends an ONNX node and returns the
 * name of its output, so running a network's `forward(ops, ...)` with an `OnnxOps` writes that network as an
 * ONNX graph. `buildOnnxModel` wraps the graph in a ModelProto (opset 17, IR version 8) encoded with onnx-proto
 * (protobufjs). Parameters become initializers, so the exported file is self-contained.
 * (docs/architecture.md "Compute": inference through ONNX Runtime, agreement with tfjs to 1e-5.)
 */
import { createRequire } from 'node:module';
import type { Ops } from '../ops';
import type { ParamValues } from '../params';
import type * as OnnxProtoModule from 'onnx-proto';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof OnnxProtoModule;
type onnxNs = typeof onnx;

/** ONNX operator set the exporter targets (LayerNormalization exists from 17). */
export const ONNX_OPSET = 17;
/** IR version matching opset 17 (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;

const FLOAT = 1; // TensorProto.DataType.FLOAT
const INT64 = 7; // TensorProto.DataType.INT64
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

type Attr = { name: string; type: number; f?: number; i?: number; ints?: number[] };

function floatTensor(name: string, data: Float32Array, dims: number[]): OnnxProtoModule.onnx.ITensorProto {
  const raw = new Uint8Array(data.byteLength);
  raw.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return { name, dims, dataType: FLOAT, rawData: raw };
}

function int64Tensor(name: string, values: number[]): OnnxProtoModule.onnx.ITensorProto {
  const b = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(b.buffer) };
}

/** Ops that write ONNX nodes. Tensor handles are value names. */
export class OnnxOps implements Ops<string> {
  readonly kind = 'onnx' as const;
  readonly nodes: OnnxProtoModule.onnx.INodeProto[] = [];
  readonly initializers: OnnxProtoModule.onnx.ITensorProto[] = [];
  private readonly named = new Map<string, string>();
  private counter = 0;

  constructor(private readonly params: ParamValues) {}

  private fresh(base: string): string {
    return `${base}_${this.counter++}`;
  }

  /** Append a node `opType(inputs)` with attributes; gives its (single) output name. */
  node(opType: string, inputs: string[], attrs: Attr[] = []): string {
    const out = this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, input: inputs, output: [out], name: out, attribute: attrs });
    return out;
  }

  param(name: string): string {
    const key = `param:${name}`;
    const have = this.named.get(key);
    if (have) return have;
    const p = this.params.get(name);
    if (!p) throw new Error(`no parameter ${name}`);
    this.initializers.push(floatTensor(name, p.data, p.shape));
    this.named.set(key, name);
    return name;
  }
  constant(key: string, data: Float32Array, shape: number[]): string {
    const k = `const:${key}`;
    const have = this.named.get(k);
    if (have) return have;
    const name = this.fresh('const');
    this.initializers.push(floatTensor(name, data, shape));
    this.named.set(k, name);
    return name;
  }
  scalar(v: number): string {
    return this.constant(`scalar:${v}`, Float32Array.of(v), []);
  }
  private ints(values: number[]): string {
    const k = `ints:${values.join(',')}`;
    const have = this.named.get(k);
    if (have) return have;
    const name = this.fresh('shape');
    this.initializers.push(int64Tensor(name, values));
    this.named.set(k, name);
    return name;
  }
  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.node('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.node('Mul', [a, b]);
  }
  matMul(a: string, b: string): string {
    return this.node('MatMul', [a, b]);
  }
  relu(x: string): string {
    return this.node('Relu', [x]);
  }
  abs(x: string): string {
    return this.node('Abs', [x]);
  }
  tanh(x: string): string {
    return this.node('Tanh', [x]);
  }
  softmax(x: string): string {
    return this.node('Softmax', [x], [{ name: 'axis', type: ATTR_INT, i: -1 }]);
  }
  layerNorm(x: string, gamma: string, beta: string, eps: number): string {
    return this.node(
      'LayerNormalization',
      [x, gamma, beta],
      [
        { name: 'axis', type: ATTR_INT, i: -1 },
        { name: 'epsilon', type: ATTR_FLOAT, f: eps },
      ],
    );
  }
  mean(x: string, axis: number, keepDims: boolean): string {
    // opset 17: ReduceMean takes axes as an attribute
    return this.node(
      'ReduceMean',
      [x],
      [
        { name: 'axes', type: ATTR_INTS, ints: [axis] },
        { name: 'keepdims', type: ATTR_INT, i: keepDims ? 1 : 0 },
      ],
    );
  }
  sum(x: string, axis: number, keepDims: boolean): string {
    // opset 13+: ReduceSum takes axes as an input
    return this.node('ReduceSum', [x, this.ints([axis])], [{ name: 'keepdims', type: ATTR_INT, i: keepDims ? 1 : 0 }]);
  }
  reshape(x: string, shape: number[]): string {
    return this.node('Reshape', [x, this.ints(shape)]);
  }
  transpose(x: string, perm: number[]): string {
    return this.node('Transpose', [x], [{ name: 'perm', type: ATTR_INTS, ints: perm }]);
  }
  concat(xs: string[], axis: number): string {
    return this.node('Concat', xs, [{ name: 'axis', type: ATTR_INT, i: axis }]);
  }
  depthwiseConv1d(x: string, w: string, length: number, kernel: number, channels: number): string {
    void length;
    const h = (kernel - 1) / 2;
    const xt = this.transpose(x, [0, 2, 1]); // [M, C, L]
    const wt = this.reshape(this.transpose(w, [1, 0]), [channels, 1, kernel]); // [C, 1, K]
    const y = this.node(
      'Conv',
      [xt, wt],
      [
        { name: 'group', type: ATTR_INT, i: channels },
        { name: 'kernel_shape', type: ATTR_INTS, ints: [kernel] },
        { name: 'pads', type: ATTR_INTS, ints: [h, h] },
        { name: 'strides', type: ATTR_INTS, ints: [1] },
        { name: 'dilations', type: ATTR_INTS, ints: [1] },
      ],
    );
    return this.transpose(y, [0, 2, 1]);
  }
}

/** A graph input or output: name and dims (a string dim is symbolic, e.g. 'batch'). */
export interface OnnxValueSpec {
  name: string;
  dims: (number | string)[];
}

function valueInfo(v: OnnxValueSpec): OnnxProtoModule.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/**
 * Build and encode an ONNX model. `build(ops, inputNames)` runs network forward passes on an OnnxOps and returns
 * the value for each declared output name. Gives the serialised ModelProto bytes (float32 in and out).
 */
export function buildOnnxModel(opts: {
  graphName: string;
  params: ParamValues;
  inputs: OnnxValueSpec[];
  outputs: OnnxValueSpec[];
  build: (ops: OnnxOps, inputs: Record<string, string>) => Record<string, string>;
  docString?: string;
  metadata?: Record<string, string>;
}): Uint8Array {
  const ops = new OnnxOps(opts.params);
  const inputs: Record<string, string> = {};
  for (const i of opts.inputs) inputs[i.name] = i.name;
  const outs = opts.build(ops, inputs);
  for (const o of opts.outputs) {
    const v = outs[o.name];
    if (v === undefined) throw new Error(`build() did not give output ${o.name}`);
    ops.nodes.push({ opType: 'Identity', input: [v], output: [o.name], name: `out_${o.name}` });
  }
  const model: OnnxProtoModule.onnx.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    producerName: 'hdrl-desk',
    producerVersion: '0.1.0',
    docString: opts.docString ?? '',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: opts.graphName,
      node: ops.nodes,
      initializer: ops.initializers,
      input: opts.inputs.map(valueInfo),
      output: opts.outputs.map(valueInfo),
    },
  };
  return (onnx as onnxNs).ModelProto.encode((onnx as onnxNs).ModelProto.create(model)).finish();
}

/**
 * The parameters `names` read back from a model {@link buildOnnxModel} wrote (each is the float32 initializer of
 * that name): what a stored policy was exported with, to go on training it. An Error names the first one missing.
 */
export function readOnnxParams(bytes: Uint8Array, names: readonly string[]): ParamValues {
  const graph = (onnx as onnxNs).ModelProto.decode(bytes).graph;
  const byName = new Map((graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  const out: ParamValues = new Map();
  for (const name of names) {
    const t = byName.get(name);
    if (!t || t.dataType !== FLOAT || !t.rawData)
      throw new Error(`ONNX model has no float32 initializer ${name} to read back`);
    const raw = t.rawData;
    const data = new Float32Array(raw.byteLength / 4);
    new Uint8Array(data.buffer).set(raw);
    out.set(name, { shape: (t.dims ?? []).map(Number), data });
  }
  return out;
}
