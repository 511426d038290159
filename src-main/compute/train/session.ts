/**
 * Runs a training graph in ONNX Runtime (onnxruntime-node), synchronously, through the native session class
 * that compute/onnx/runtime.ts also uses for inference. The training engine keeps its state (parameters, Adam
 * moments, target networks) as JavaScript Float32Arrays and feeds them back every call; the graph's inputs and
 * outputs have fixed shapes (graph.ts), which `run` checks before handing anything to ONNX Runtime.
 *
 * Execution provider: 'cpu' (default) or 'cuda' where it can run here ({@link cudaProvider}: the package lists
 * CUDA on every Linux x64 build, but its provider library is only fetched by the postinstall step on machines with
 * an NVIDIA GPU, and it still needs a working driver). Threads: intra-op threads of the CPU provider (1 for
 * comparisons with a one-thread PyTorch, and so the order of float32 sums never depends on the thread count).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadNative, type NativeSession } from '../onnx/runtime';
import { Graph, numel, type ValueSpec } from './graph';

const require = createRequire(import.meta.url);

/** Where and how a training graph runs. */
export interface TrainRunOptions {
  /** 'cpu' (default) or 'cuda' */
  provider?: 'cpu' | 'cuda';
  /** intra-op threads of the CPU provider (default 1) */
  threads?: number;
  /** internal: open on CUDA without first asking {@link cudaProvider} (the probe itself) */
  probe?: boolean;
}

/** Execution providers this onnxruntime-node package knows, with whether their libraries ship inside it. */
function listedProviders(): { name: string; bundled: boolean }[] {
  const list = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled?: boolean }[] })
    .listSupportedBackends;
  return list ? list().map((b) => ({ name: b.name, bundled: b.bundled !== false })) : [{ name: 'cpu', bundled: true }];
}

/** File name of the CUDA provider library next to onnxruntime-node's binding on this platform. */
function cudaLibraryPath(): string {
  const dir = path.join(
    path.dirname(require.resolve('onnxruntime-node/package.json')),
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  return path.join(
    dir,
    process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so',
  );
}

let cudaChecked: { usable: true } | { usable: false; reason: string } | undefined;

/**
 * Whether ONNX Runtime's CUDA execution provider can run here, and if not, why (checked once per process): the
 * package must list it, its provider library must be installed, and a one-node graph must open and run on it.
 */
export function cudaProvider(): { usable: true } | { usable: false; reason: string } {
  if (cudaChecked) return cudaChecked;
  const lib = cudaLibraryPath();
  if (!listedProviders().some((p) => p.name === 'cuda'))
    cudaChecked = {
      usable: false,
      reason: `this onnxruntime-node build (${process.platform}-${process.arch}) has no CUDA execution provider`,
    };
  else if (!fs.existsSync(lib))
    cudaChecked = {
      usable: false,
      reason: `the CUDA provider library is not installed (${path.basename(lib)}; npm install fetches it where an NVIDIA GPU is found, see scripts/postinstall.mjs)`,
    };
  else {
    try {
      const g = new Graph();
      g.output('y', g.node1('Neg', [g.input('x', [1])], [1]));
      const s = TrainSession.open(g.encode('cuda_probe'), g.inputs, g.outputs, { provider: 'cuda', probe: true });
      s.run({ x: Float32Array.of(1) });
      s.dispose();
      cudaChecked = { usable: true };
    } catch (e) {
      cudaChecked = {
        usable: false,
        reason: `the CUDA provider did not start: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200)}`,
      };
    }
  }
  return cudaChecked;
}

/** Execution providers a training graph can run on here: 'cpu', and 'cuda' where {@link cudaProvider} says it works. */
export function availableProviders(): ('cpu' | 'cuda')[] {
  return cudaProvider().usable ? ['cuda', 'cpu'] : ['cpu'];
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
  static open(
    bytes: Uint8Array,
    inputs: readonly ValueSpec[],
    outputs: readonly ValueSpec[],
    opts: TrainRunOptions = {},
  ): TrainSession {
    const provider = opts.provider ?? 'cpu';
    if (provider === 'cuda' && !opts.probe) {
      const c = cudaProvider();
      if (!c.usable) throw new Error(`cannot train on CUDA: ${c.reason}`);
    }
    const threads = opts.threads ?? 1;
    if (!(Number.isInteger(threads) && threads >= 1))
      throw new RangeError(`threads must be a positive integer, got ${threads}`);
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
      if (d.length !== numel(i.shape))
        throw new Error(
          `training graph input ${i.name}: ${d.length} values, expected [${i.shape}] = ${numel(i.shape)}`,
        );
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
