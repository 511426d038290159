/**
 * Network parameters as plain named float32 arrays: the one format shared by the tfjs trainer (which wraps each
 * in a tf.variable), the ONNX exporter (which writes each as an initializer) and the model artifacts (JSON with
 * base64 data). Initialisation is seeded per parameter name, so adding a parameter never changes the others.
 * (SAMP-HDRL step 7, training; seeded like every random choice, docs/architecture.md "Conventions".)
 */
import seedrandom from 'seedrandom';

/** How a parameter is initialised. `glorot` = Glorot/Xavier uniform with fan-in/fan-out from `fan`. */
export type ParamInit =
  | { kind: 'glorot'; fanIn: number; fanOut: number; gain?: number }
  | { kind: 'uniform'; limit: number }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number };

/** One trainable tensor of a network: name (unique, `agent/layer/what`), shape, initialiser. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
}

/** Named float32 parameter values, row-major, shapes alongside. */
export type ParamValues = Map<string, { shape: number[]; data: Float32Array }>;

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Where a parameter lies in the flat vector of its specs: its first element and its element count. */
export interface ParamSlot {
  at: number;
  n: number;
}

/** Where each parameter of `specs` lies in their flat vector (the spec order compute/train/common.ts flatten uses). */
export function paramOffsets(specs: readonly ParamSpec[]): Map<string, ParamSlot> {
  const out = new Map<string, ParamSlot>();
  let at = 0;
  for (const sp of specs) {
    const n = sizeOf(sp.shape);
    out.set(sp.name, { at, n });
    at += n;
  }
  return out;
}

/**
 * Initialise every parameter of `specs` from `seed`. Each parameter draws from its own stream
 * seedrandom(`${seed}|${name}`), so values depend on (seed, name, shape, init) only.
 * Gives a ParamValues map in spec order.
 */
export function initParams(specs: readonly ParamSpec[], seed: number): ParamValues {
  const out: ParamValues = new Map();
  for (const s of specs) {
    if (out.has(s.name)) throw new Error(`duplicate parameter name ${s.name}`);
    const n = sizeOf(s.shape);
    const data = new Float32Array(n);
    const init = s.init;
    if (init.kind === 'ones') data.fill(1);
    else if (init.kind === 'constant') data.fill(init.value);
    else if (init.kind === 'glorot' || init.kind === 'uniform') {
      const limit = init.kind === 'uniform' ? init.limit : (init.gain ?? 1) * Math.sqrt(6 / (init.fanIn + init.fanOut));
      const rng = seedrandom(`${seed}|${s.name}`);
      for (let i = 0; i < n; i++) data[i] = (rng() * 2 - 1) * limit;
    }
    out.set(s.name, { shape: [...s.shape], data });
  }
  return out;
}

/** JSON-serialisable form of a parameter map (data as base64 of the little-endian float32 bytes). */
export interface SerializedParams {
  format: 'hdrl-params-v1';
  params: { name: string; shape: number[]; base64: string }[];
}

/** Serialise parameters (order kept) for storage next to the database. */
export function serializeParams(p: ParamValues): SerializedParams {
  const params: SerializedParams['params'] = [];
  for (const [name, v] of p) {
    const bytes = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
    params.push({ name, shape: [...v.shape], base64: bytes.toString('base64') });
  }
  return { format: 'hdrl-params-v1', params };
}

/** Inverse of serializeParams; checks every payload length against its shape. */
export function deserializeParams(s: SerializedParams): ParamValues {
  if (s.format !== 'hdrl-params-v1') throw new Error(`unknown parameter format ${String(s.format)}`);
  const out: ParamValues = new Map();
  for (const p of s.params) {
    const buf = Buffer.from(p.base64, 'base64');
    if (buf.byteLength !== sizeOf(p.shape) * 4)
      throw new Error(`parameter ${p.name}: ${buf.byteLength} bytes for shape [${p.shape}]`);
    const data = new Float32Array(sizeOf(p.shape));
    new Uint8Array(data.buffer).set(buf);
    out.set(p.name, { shape: [...p.shape], data });
  }
  return out;
}

/** Concatenate all parameter bytes (spec order) into one binary blob, e.g. for a checksum. */
export function paramsToBinary(p: ParamValues): Uint8Array {
  let n = 0;
  for (const v of p.values()) n += v.data.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const v of p.values()) {
    out.set(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength), o);
    o += v.data.byteLength;
  }
  return out;
}

/** Dense layer parameter specs: `${prefix}/W` [inDim, outDim] (Glorot) and `${prefix}/b` [outDim] (zeros). */
export function denseSpecs(prefix: string, inDim: number, outDim: number, gain = 1): ParamSpec[] {
  return [
    { name: `${prefix}/W`, shape: [inDim, outDim], init: { kind: 'glorot', fanIn: inDim, fanOut: outDim, gain } },
    { name: `${prefix}/b`, shape: [outDim], init: { kind: 'zeros' } },
  ];
}

/** Layer-norm parameter specs: `${prefix}/g` ones and `${prefix}/b` zeros, both [dim]. */
export function layerNormSpecs(prefix: string, dim: number): ParamSpec[] {
  return [
    { name: `${prefix}/g`, shape: [dim], init: { kind: 'ones' } },
    { name: `${prefix}/b`, shape: [dim], init: { kind: 'zeros' } },
  ];
}
