/**
 * Picks the TensorFlow.js backend training runs on, fastest first: tfjs-node-gpu (CUDA), tfjs-node (native CPU),
 * wasm (@tensorflow/tfjs-backend-wasm), then the plain JavaScript cpu backend. The native packages are optional
 * dependencies (they download libtensorflow at install time), so each may be absent; every backend skipped is
 * reported with the reason, and the choice is shown in `hdrl info`, in run records and in the UI.
 * Set HDRL_BACKEND=tfjs-node-gpu|tfjs-node|wasm|cpu to force one (for reproducing a run made on another machine).
 */
import { createRequire } from 'node:module';
import type * as tfType from '@tensorflow/tfjs';
import type { ComputeBackendInfo } from '../../src-shared/contract';

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
  if (forced && !BACKEND_ORDER.includes(forced)) throw new Error(`HDRL_BACKEND=${forced} is not one of ${BACKEND_ORDER.join(', ')}`);
  const skipped: ComputeBackendInfo['skipped'] = [];
  for (const name of BACKEND_ORDER) {
    if (forced && name !== forced) {
      if (BACKEND_ORDER.indexOf(name) < BACKEND_ORDER.indexOf(forced)) skipped.push({ name, reason: `HDRL_BACKEND=${forced}` });
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
          throw new Error(code === 'MODULE_NOT_FOUND' ? `${pkg} is not installed (optional dependency; its install needs internet${name === 'tfjs-node-gpu' ? ' and CUDA' : ''})` : firstLine(e));
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

/** ONNX Runtime version and the execution providers this build offers. */
export function onnxRuntimeInfo(): { version: string; providers: string[] } {
  try {
    const pkg = require('onnxruntime-node/package.json') as { version: string };
    const ort = require('onnxruntime-node') as { listSupportedBackends?: () => { name: string }[] };
    const providers = ort.listSupportedBackends ? ort.listSupportedBackends().map((b) => b.name) : ['cpu'];
    return { version: pkg.version, providers };
  } catch (e) {
    return { version: 'unavailable', providers: [] };
  }
}

/**
 * The training engines. 'tfjs': agents/ddpg.ts on the TensorFlow.js backend loadTf() picks (what the trainer
 * uses today). 'onnxruntime': compute/train/, the whole DDPG update as one ONNX graph (forward, derived
 * gradients, Adam, soft target update) run by onnxruntime-node on its CPU provider, or CUDA where that provider
 * is installed; parity-tested against 'tfjs' and measured by bench/training.bench.ts.
 */
export type TrainingEngine = 'tfjs' | 'onnxruntime';
export const TRAINING_ENGINES: readonly TrainingEngine[] = ['tfjs', 'onnxruntime'];
