/**
 * The graph under construction for the ONNX Runtime training engine (issue 14). A `Graph` collects ONNX nodes,
 * initializers (constants) and declared inputs/outputs, and knows the full static shape of every value it made:
 * a training graph is built for one batch size, so every dimension is a number and the gradient rules
 * (gradients.ts) can tell which axes a broadcast added without asking ONNX Runtime.
 *
 * A value is a `Val`: its ONNX name, its shape, and the tape it is differentiated on (if any). Tapes are how one
 * graph holds several independent reverse-mode passes (DDPG differentiates the critic loss with respect to the
 * critic's parameters, then the actor loss with respect to the actor's): a value belongs to a tape when one of
 * its inputs does; the leaves of a tape are the parameters handed to it (ops.ts, `ParamBlock`).
 *
 * Nodes emitted with `node()` are plain ONNX and never taped; ops.ts records the differentiable ones.
 */
import { createRequire } from 'node:module';
import type * as OnnxProtoModule from 'onnx-proto';
import { ONNX_IR_VERSION, ONNX_OPSET } from '../onnx/emitter';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof OnnxProtoModule;

type NodeProto = OnnxProtoModule.onnx.INodeProto;
type TensorProto = OnnxProtoModule.onnx.ITensorProto;
type AttributeProto = OnnxProtoModule.onnx.IAttributeProto;

const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;

/** A recorded reverse-mode pass: its entries in recording order (see ops.ts). */
export class Tape {
  readonly entries: TapeEntry[] = [];
  constructor(readonly name: string) {}
}

/** A value of the graph: ONNX name, static shape, tape it is differentiated on. */
export interface Val {
  readonly name: string;
  readonly shape: readonly number[];
  readonly tape: Tape | null;
}

/** One differentiable operation recorded on a tape: what gradients.ts needs to emit its backward nodes. */
export interface TapeEntry {
  kind: string;
  inputs: Val[];
  output: Val;
  /** op-specific data: axes, perms, saved intermediate values */
  info: Record<string, unknown>;
}

/** An ONNX attribute in short form. */
export type AttrValue = number | number[] | { f: number };

function attribute(name: string, v: AttrValue): AttributeProto {
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if (typeof v === 'number') return { name, type: 2, i: v };
  return { name, type: 1, f: v.f };
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** numpy broadcast of two static shapes; throws when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Resolve a reshape target (one -1 allowed) against the element count; throws when it cannot fit. */
export function resolveReshape(from: readonly number[], to: readonly number[]): number[] {
  const n = numel(from);
  const known = to.filter((d) => d !== -1);
  const k = numel(known);
  const free = to.length - known.length;
  if (free > 1) throw new Error(`reshape to [${to}]: more than one -1`);
  if (free === 1) {
    if (k === 0 || n % k !== 0) throw new Error(`reshape [${from}] to [${to}]: ${n} elements do not fit`);
    return to.map((d) => (d === -1 ? n / k : d));
  }
  if (k !== n) throw new Error(`reshape [${from}] to [${to}]: ${n} elements, target has ${k}`);
  return [...to];
}

/** Shapes of a graph input or output. */
export interface ValueSpec {
  name: string;
  shape: number[];
  type?: 'float32' | 'bool';
}

/** The nodes, constants and interface of one ONNX graph being built. */
export class Graph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueSpec[] = [];
  readonly outputs: ValueSpec[] = [];
  private readonly cached = new Map<string, Val>();
  private counter = 0;

  /** A fresh value name from a readable base. */
  fresh(base: string): string {
    return `${base.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase()}_${this.counter++}`;
  }

  /** Declare a float32 graph input of a fixed shape. */
  input(name: string, shape: number[]): Val {
    if (this.inputs.some((i) => i.name === name)) throw new Error(`graph input ${name} declared twice`);
    this.inputs.push({ name, shape: [...shape] });
    return { name, shape: [...shape], tape: null };
  }

  /** Declare `v` as a graph output named `name` (an Identity node gives it that name). */
  output(name: string, v: Val): void {
    if (this.outputs.some((o) => o.name === name)) throw new Error(`graph output ${name} declared twice`);
    this.nodes.push({ opType: 'Identity', input: [v.name], output: [name], name: `out_${name}` });
    this.outputs.push({ name, shape: [...v.shape] });
  }

  /**
   * Append an untaped ONNX node. `inputs` may be values or raw names ('' for an omitted optional input);
   * `shapes` gives one static shape per output. Gives the output values (tape null).
   */
  node(opType: string, inputs: (Val | string)[], shapes: number[][], attrs: Record<string, AttrValue> = {}): Val[] {
    const outs = shapes.map(() => this.fresh(opType));
    this.nodes.push({
      opType,
      input: inputs.map((v) => (typeof v === 'string' ? v : v.name)),
      output: outs,
      name: outs[0],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs.map((name, i) => ({ name, shape: shapes[i]!, tape: null }));
  }

  /** Single-output form of {@link node}. */
  node1(opType: string, inputs: (Val | string)[], shape: number[], attrs: Record<string, AttrValue> = {}): Val {
    return this.node(opType, inputs, [shape], attrs)[0]!;
  }

  /** A float32 constant, cached by key. */
  constant(key: string, data: Float32Array, shape: number[]): Val {
    const k = `f:${key}`;
    const have = this.cached.get(k);
    if (have) return have;
    if (data.length !== numel(shape)) throw new Error(`constant ${key}: ${data.length} values for shape [${shape}]`);
    const name = this.fresh('const');
    const raw = new Uint8Array(data.byteLength);
    raw.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.initializers.push({ name, dims: shape, dataType: FLOAT, rawData: raw });
    const v: Val = { name, shape: [...shape], tape: null };
    this.cached.set(k, v);
    return v;
  }

  /** A float32 scalar constant (shape []). */
  scalar(x: number): Val {
    return this.constant(`scalar:${Math.fround(x)}`, Float32Array.of(x), []);
  }

  /** An int64 vector constant (shapes, axes, split sizes). */
  ints(values: readonly number[]): Val {
    const k = `i:${values.join(',')}`;
    const have = this.cached.get(k);
    if (have) return have;
    const name = this.fresh('ints');
    const b = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(b.buffer) });
    const v: Val = { name, shape: [values.length], tape: null };
    this.cached.set(k, v);
    return v;
  }

  /** Encode the graph as an ONNX ModelProto (opset 17, the exporter's; every node is a standard ONNX op). */
  encode(graphName: string, docString = ''): Uint8Array {
    const valueInfo = (v: ValueSpec) => ({
      name: v.name,
      type: {
        tensorType: {
          elemType: v.type === 'bool' ? BOOL : FLOAT,
          shape: { dim: v.shape.map((d) => ({ dimValue: d })) },
        },
      },
    });
    const model: OnnxProtoModule.onnx.IModelProto = {
      irVersion: ONNX_IR_VERSION,
      producerName: 'hdrl-desk-train',
      producerVersion: '0.1.0',
      docString,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}
