/**
 * Which compute trains the agents, and what `hdrl info` and the About panel say about it.
 *
 * Training engine (issue 14; TrainingEngineName below): ONNX Runtime by default, tfjs as the reference, chosen by
 * HDRL_TRAIN_ENGINE; the ONNX Runtime engine runs on CUDA where that provider starts, else on the CPU.
 *
 * `loadTf()` picks the TensorFlow.js backend of the tfjs engine (and of the tests that compare against it), fastest
 * first: tfjs-node-gpu (CUDA), tfjs-node (native CPU), wasm (@tensorflow/tfjs-backend-wasm), then the plain
 * JavaScript cpu backend. The native packages are optional dependencies (they download libtensorflow at install
 * time), so each may be absent; every backend skipped is reported with the reason. Set
 * HDRL_BACKEND=tfjs-node-gpu|tfjs-node|wasm|cpu to force one (for reproducing a run made on another machine).
 */
import { createRequire } from 'node:module';
import type * as tfType from '@tensorflow/tfjs';
import type { ComputeBackendInfo, TrainingEngineInfo } from '../../src-shared/contract';
import { cudaProvider } from './train/session';

const require = createRequire(import.meta.url);
export type BackendName = ComputeBackendInfo['name'];
export const BACKEND_ORDER: BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

let chosen: { tf: typeof tfType; info: ComputeBackendInfo } | undefined;

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200);
}

/** Load TensorFlow.js on the fastest working backend (once per process) and say why faster ones were skipped. */
export async function loadTf(): Promise<{ tf: typeof tfType; info: ComputeBackendInfo }> {
  if (chosen) return chosen;
  const forced = process.env.HDRL_BACKEND as BackendName | undefined;
  if (forced && !BACKEND_ORDER.includes(forced))
    throw new Error(`HDRL_BACKEND=${forced} is not one of ${BACKEND_ORDER.join(', ')}`);
  const skipped: ComputeBackendInfo['skipped'] = [];
  for (const name of BACKEND_ORDER) {
    if (forced && name !== forced) {
      if (BACKEND_ORDER.indexOf(name) < BACKEND_ORDER.indexOf(forced))
        skipped.push({ name, reason: `HDRL_BACKEND=${forced}` });
      continue;
    }
    try {
      if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
        const pkg = name === 'tfjs-node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
        let tf: typeof tfType;
        try {
          tf = require(pkg) as typeof tfType;
        } catch (e) {
          const code = (e as { code?: string }).code;
          throw new Error(
            code === 'MODULE_NOT_FOUND'
              ? `${pkg} is not installed (optional dependency; its install needs internet${name === 'tfjs-node-gpu' ? ' and CUDA' : ''})`
              : firstLine(e),
            { cause: e },
          );
        }
        await tf.ready();
        if (name === 'tfjs-node-gpu') {
          // tfjs-node-gpu falls back to CPU kernels silently when CUDA is missing; insist on a GPU device.
          const gpus = (tf as unknown as { backend(): { isUsingGpuDevice?: boolean } }).backend().isUsingGpuDevice;
          if (gpus === false) throw new Error('no CUDA GPU visible to libtensorflow');
        }
        chosen = { tf, info: { name, skipped } };
        return chosen;
      }
      const tf = require('@tensorflow/tfjs') as typeof tfType;
      if (name === 'wasm') {
        const wasm = require('@tensorflow/tfjs-backend-wasm') as { setThreadsCount?: (n: number) => void };
        void wasm;
        if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      } else {
        if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      }
      await tf.ready();
      chosen = { tf, info: { name, skipped } };
      return chosen;
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** ONNX Runtime version and the execution providers that can run here (bundled ones, and CUDA where it starts). */
export function onnxRuntimeInfo(): { version: string; providers: string[] } {
  try {
    const pkg = require('onnxruntime-node/package.json') as { version: string };
    const ort = require('onnxruntime-node') as { listSupportedBackends?: () => { name: string; bundled?: boolean }[] };
    const listed = ort.listSupportedBackends ? ort.listSupportedBackends() : [{ name: 'cpu', bundled: true }];
    const providers = listed
      .filter((b) => b.bundled !== false || (b.name === 'cuda' && cudaProvider().usable))
      .map((b) => b.name);
    return { version: pkg.version, providers };
  } catch {
    return { version: 'unavailable', providers: [] };
  }
}

/**
 * The training engines of SAMP-HDRL and ddpg-flat (issue 14):
 *   'onnx' (the default): compute/train/, the whole DDPG update as one ONNX graph (forward, derived gradients,
 *          Adam, soft target update) run by onnxruntime-node, on the CUDA provider where it starts, else on the
 *          CPU provider with one thread;
 *   'tfjs': agents/ddpg.ts on the TensorFlow.js backend loadTf() picks, the reference the engine is tested against.
 * HDRL_TRAIN_ENGINE=onnx|tfjs picks one; HDRL_TRAIN_PROVIDER=cpu|cuda forces the ONNX Runtime provider.
 */
export type TrainingEngineName = 'onnx' | 'tfjs';
export const TRAINING_ENGINES: readonly TrainingEngineName[] = ['onnx', 'tfjs'];

/** Which engine trains, on which ONNX Runtime provider, and why faster options were passed over. */
export interface TrainingEngineChoice {
  name: TrainingEngineName;
  /** the ONNX Runtime execution provider ('onnx' only) */
  provider?: 'cpu' | 'cuda';
  skipped: { name: string; reason: string }[];
  /**
   * What the reuse key of a trained model records about the engine (strategies/samp/model.ts): 'onnx-cpu',
   * 'onnx-cuda' or 'tfjs', so models trained one way are never taken for models trained another way.
   */
  key: string;
}

/** The training engine the environment selects (see {@link TrainingEngineName}); throws on an unknown setting. */
export function trainingEngineChoice(env: NodeJS.ProcessEnv = process.env): TrainingEngineChoice {
  const name = (env.HDRL_TRAIN_ENGINE || 'onnx') as TrainingEngineName;
  if (!TRAINING_ENGINES.includes(name))
    throw new Error(`HDRL_TRAIN_ENGINE=${name} is not one of ${TRAINING_ENGINES.join(', ')}`);
  if (name === 'tfjs') return { name, skipped: [{ name: 'onnx', reason: 'HDRL_TRAIN_ENGINE=tfjs' }], key: 'tfjs' };
  const forced = env.HDRL_TRAIN_PROVIDER;
  if (forced && forced !== 'cpu' && forced !== 'cuda')
    throw new Error(`HDRL_TRAIN_PROVIDER=${forced} is not one of cpu, cuda`);
  const cuda = forced === 'cpu' ? { usable: false as const, reason: 'HDRL_TRAIN_PROVIDER=cpu' } : cudaProvider();
  if (forced === 'cuda' && !cuda.usable) throw new Error(`HDRL_TRAIN_PROVIDER=cuda, but ${cuda.reason}`);
  if (cuda.usable) return { name, provider: 'cuda', skipped: [], key: 'onnx-cuda' };
  return { name, provider: 'cpu', skipped: [{ name: 'cuda', reason: cuda.reason }], key: 'onnx-cpu' };
}

/** What `hdrl info` and the About panel say about the training engine (contract TrainingEngineInfo). */
export async function trainingEngineInfo(): Promise<TrainingEngineInfo> {
  const c = trainingEngineChoice();
  if (c.name === 'onnx') {
    const v = onnxRuntimeInfo().version;
    const providers = c.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'];
    return {
      name: 'onnx',
      detail: `ONNX Runtime ${v}, ${c.provider === 'cuda' ? 'CUDA execution provider (CPU for the ops CUDA lacks)' : 'CPU execution provider, 1 thread per training'}`,
      providers,
      skipped: c.skipped,
    };
  }
  const { info } = await loadTf();
  // the backends loadTf() passed over are in AppInfo.backend.skipped
  return {
    name: 'tfjs',
    detail: `TensorFlow.js, ${info.name} backend (the reference engine)`,
    providers: [info.name],
    skipped: c.skipped,
  };
}
