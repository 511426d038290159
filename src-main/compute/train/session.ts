/**
 * Runs a training graph in ONNX Runtime (onnxruntime-node), synchronously, through the native session class
 * that compute/onnx/runtime.ts also uses for inference. The training engine keeps its state (parameters, Adam
 * moments, target networks) as JavaScript Float32Arrays and feeds them back every call; the graph's inputs and
 * outputs have fixed shapes (graph.ts), which `run` checks before handing anything to ONNX Runtime.
 *
 * Execution provider: 'cpu' (default) or 'cuda' where this onnxruntime-node build offers it (the postinstall step
 * fetches the CUDA provider on machines with an NVIDIA GPU). Threads: intra-op threads of the CPU provider
 * (1 for comparisons with a one-thread PyTorch).
 */
import * as ort from 'onnxruntime-node';
import { loadNative, type NativeSession } from '../onnx/runtime';
import { numel, type ValueSpec } from './graph';

/** Where and how a training graph runs. */
export interface TrainRunOptions {
  /** 'cpu' (default) or 'cuda' */
  provider?: 'cpu' | 'cuda';
  /** intra-op threads of the CPU provider (default 1) */
  threads?: number;
}

/** Execution providers this onnxruntime-node build can use. */
export function availableProviders(): string[] {
  const list = (ort as unknown as { listSupportedBackends?: () => { name: string }[] }).listSupportedBackends;
  return list ? list().map((b) => b.name) : ['cpu'];
}

/** A training graph opened in ONNX Runtime. */
export class TrainSession {
  private readonly fetches: Record<string, null> = {};
  private constructor(
    private readonly native: NativeSession,
    readonly inputs: readonly ValueSpec[],
    readonly outputs: readonly ValueSpec[],
    readonly provider: 'cpu' | 'cuda',
  ) {
    for (const o of outputs) this.fetches[o.name] = null;
  }

  /** Open serialised model bytes whose interface is `inputs`/`outputs` (from the Graph that built them). */
  static open(bytes: Uint8Array, inputs: readonly ValueSpec[], outputs: readonly ValueSpec[], opts: TrainRunOptions = {}): TrainSession {
    const provider = opts.provider ?? 'cpu';
    if (provider === 'cuda' && !availableProviders().includes('cuda'))
      throw new Error(`the CUDA execution provider is not available in this onnxruntime-node build (available: ${availableProviders().join(', ')})`);
    const threads = opts.threads ?? 1;
    if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    const nb = loadNative();
    nb.initOrt();
    const native = new nb.binding.InferenceSession();
    native.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    });
    return new TrainSession(native, inputs, outputs, provider);
  }

  /** Run once. Every declared input must be given with exactly its element count; gives every output by name. */
  run(feeds: Record<string, Float32Array>): Record<string, Float32Array> {
    const t: Record<string, ort.Tensor> = {};
    for (const i of this.inputs) {
      const d = feeds[i.name];
      if (!d) throw new Error(`training graph input ${i.name} missing`);
      if (d.length !== numel(i.shape)) throw new Error(`training graph input ${i.name}: ${d.length} values, expected [${i.shape}] = ${numel(i.shape)}`);
      t[i.name] = new ort.Tensor('float32', d, i.shape);
    }
    const res = this.native.run(t, this.fetches, {});
    const out: Record<string, Float32Array> = {};
    for (const o of this.outputs) {
      const r = res[o.name];
      if (!r) throw new Error(`training graph output ${o.name} missing`);
      out[o.name] = r.data as Float32Array;
    }
    return out;
  }

  /** Release the native session. */
  dispose(): void {
    this.native.dispose?.();
  }
}
