import { z } from 'zod';
import { Empty, method } from './define';

export const ComputeBackendInfo = z.object({
  /** the TensorFlow.js backend of the reference training engine: tfjs-node-gpu | tfjs-node | wasm | cpu */
  name: z.enum(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']),
  /** why each faster backend was not used */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type ComputeBackendInfo = z.infer<typeof ComputeBackendInfo>;

export const TrainingEngineInfo = z.object({
  /** the engine SAMP-HDRL and ddpg-flat train with: onnx (ONNX Runtime, the default) or tfjs (the reference) */
  name: z.enum(['onnx', 'tfjs']),
  /** one line on what runs the updates */
  detail: z.string(),
  /** execution providers (onnx: cuda and/or cpu) or TensorFlow.js backend (tfjs) in use, the first preferred */
  providers: z.array(z.string()),
  /** why each faster option was not used */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type TrainingEngineInfo = z.infer<typeof TrainingEngineInfo>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  dbPath: z.string(),
  schemaVersion: z.number().int(),
  backend: ComputeBackendInfo,
  training: TrainingEngineInfo,
  onnxRuntime: z.object({ version: z.string(), providers: z.array(z.string()) }),
  node: z.string(),
  electron: z.string().nullable(),
  shell: z.enum(['electron', 'headless', 'cli']),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appMethods = {
  'app.info': method(
    'Version, database, training engine, compute backend and ONNX Runtime of the running engine',
    Empty,
    AppInfo,
  ),
};
