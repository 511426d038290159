/**
 * ONNX Runtime (onnxruntime-node) sessions for exported policies (docs/architecture.md "Compute").
 *
 * `OnnxModel.create(bytes)` opens the model with the public API, `InferenceSession.create(buffer)`, which checks
 * the graph and gives its input/output names, and offers `run()` (async). Strategies decide synchronously
 * (StrategyInstance.decide returns weights, not a promise), so the same bytes are also loaded into the native
 * session class of onnxruntime-node (`onnxruntime-node/dist/binding`), whose `run` is synchronous — the public
 * `run()` only wraps that same native call in setImmediate + Promise. `runSync()` uses it. Both sessions run
 * single-threaded (intra/inter-op threads 1) so results do not depend on thread scheduling.
 */
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';

const require = createRequire(import.meta.url);

/** A float32 tensor fed to or read from a model: row-major data and dims. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** ONNX Runtime's synchronous native session (onnxruntime-node/dist/binding). */
export interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(
    feeds: Record<string, ort.Tensor>,
    fetches: Record<string, null>,
    options: object,
  ): Record<string, { data: unknown; dims: readonly number[] }>;
  dispose?(): void;
  inputMetadata?: unknown;
}

interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

let nativeBinding: NativeBinding | undefined;
/** The native binding of onnxruntime-node (its synchronous session class); call initOrt() before use. */
export function loadNative(): NativeBinding {
  if (!nativeBinding) nativeBinding = require('onnxruntime-node/dist/binding') as NativeBinding;
  return nativeBinding;
}

/** Session options used for every policy: one thread each, full graph optimisation. */
export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionProviders: ['cpu'],
};

/** An ONNX model opened in ONNX Runtime, runnable synchronously (runSync) or asynchronously (run). */
export class OnnxModel {
  private constructor(
    readonly session: ort.InferenceSession,
    private readonly native: NativeSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  /** Open serialised ModelProto bytes. Throws when ONNX Runtime rejects the model. */
  static async create(bytes: Uint8Array): Promise<OnnxModel> {
    const session = await ort.InferenceSession.create(bytes, SESSION_OPTIONS);
    const nb = loadNative();
    nb.initOrt();
    const native = new nb.binding.InferenceSession();
    native.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, SESSION_OPTIONS);
    return new OnnxModel(session, native, session.inputNames, session.outputNames);
  }

  private feeds(inputs: Record<string, FloatTensor>): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.inputNames) {
      const v = inputs[name];
      if (!v) throw new Error(`ONNX input ${name} missing`);
      feeds[name] = new ort.Tensor('float32', v.data, v.dims);
    }
    return feeds;
  }

  /** Run synchronously; gives every output as float32 data + dims. */
  runSync(inputs: Record<string, FloatTensor>): Record<string, FloatTensor> {
    const fetches: Record<string, null> = {};
    for (const n of this.outputNames) fetches[n] = null;
    const res = this.native.run(this.feeds(inputs), fetches, {});
    const out: Record<string, FloatTensor> = {};
    for (const n of this.outputNames) {
      const r = res[n];
      if (!r) throw new Error(`ONNX output ${n} missing`);
      out[n] = { data: r.data as Float32Array, dims: [...r.dims].map(Number) };
    }
    return out;
  }

  /** Run through the public asynchronous API (same numbers as runSync). */
  async run(inputs: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>> {
    const res = await this.session.run(this.feeds(inputs));
    const out: Record<string, FloatTensor> = {};
    for (const n of this.outputNames)
      out[n] = { data: res[n]!.data as Float32Array, dims: [...res[n]!.dims].map(Number) };
    return out;
  }

  /** Release both sessions. */
  async dispose(): Promise<void> {
    this.native.dispose?.();
    await this.session.release();
  }
}
