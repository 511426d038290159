/**
 * The trained models stored next to the database (src-main/store/models.ts): what each was trained for and on,
 * by which engine, when and for how long, and which stored runs decided with it. Read-only.
 */
import { z } from 'zod';
import { Empty, method } from './define';

export const ModelRun = z.object({
  id: z.string(),
  universe: z.string(),
  strategy: z.string(),
  seed: z.number().int(),
  windowFrom: z.string(),
  windowTo: z.string(),
});
export type ModelRun = z.infer<typeof ModelRun>;

export const ModelInfo = z.object({
  /** the reuse key (sha256 over training revision, engine, variant, config, seed and data) */
  key: z.string(),
  /** strategy id it was trained for (samp-hdrl, an ablation, ddpg-flat) */
  variant: z.string(),
  /** its networks: hierarchical, upper-only or flat */
  kind: z.string(),
  seed: z.number().int(),
  /** quick, paper, or custom (a preset with overrides) */
  preset: z.string(),
  assets: z.number().int().min(0),
  trainFrom: z.string(),
  trainTo: z.string(),
  /** training engine: onnxruntime-cpu, onnxruntime-cuda or a tfjs backend */
  backend: z.string(),
  /** ISO time the model was stored */
  trainedAt: z.string(),
  /** training wall time; null when the file does not record it */
  trainingMs: z.number().nullable(),
  bytes: z.number().int().min(0),
  runs: z.array(ModelRun),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const ModelsListResponse = z.object({
  /** the models folder; null for a database with no folder (in memory) */
  dir: z.string().nullable(),
  /** newest first */
  models: z.array(ModelInfo),
  /** files in the folder that are not readable models, with the reason */
  unreadable: z.array(z.object({ file: z.string(), reason: z.string() })),
});
export type ModelsListResponse = z.infer<typeof ModelsListResponse>;

export const modelMethods = {
  'models.list': method(
    'The trained models stored next to the database, newest first, with the runs that used each',
    Empty,
    ModelsListResponse,
  ),
};
