import { z } from 'zod';
import { Empty, method } from './define';

export const ComputeBackendInfo = z.object({
  /** the backend training runs on: tfjs-node-gpu | tfjs-node | wasm | cpu */
  name: z.enum(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']),
  /** why each faster backend was not used */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type ComputeBackendInfo = z.infer<typeof ComputeBackendInfo>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  dbPath: z.string(),
  schemaVersion: z.number().int(),
  backend: ComputeBackendInfo,
  onnxRuntime: z.object({ version: z.string(), providers: z.array(z.string()) }),
  node: z.string(),
  electron: z.string().nullable(),
  shell: z.enum(['electron', 'headless', 'cli']),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appMethods = {
  'app.info': method('Version, database, compute backend and ONNX Runtime of the running engine', Empty, AppInfo),
};
