/**
 * The trained models stored next to the database (src-main/store/models.ts): what each was trained for and on,
 * by which engine, when and for how long, how training chose it (validation curve and checkpoint per stage), and
 * which stored runs decided with it. Read-only. Every family's files are listed: SAMP-HDRL and the flat agents,
 * HADAPS, EIIE, PPN, MAPS, the Long/Hold/Short classifiers, the three-level hierarchy's levels and MPLS; what a family's file does not record is null (seed, assets,
 * the training record's day spans) or taken from the first run that used the model (strategy, seed, preset).
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

/** A span of days of the training window: decisions on day indices first..last-1, and their dates. */
export const TrainingSpan = z.object({
  first: z.number().int().min(0),
  last: z.number().int().min(0),
  startDate: z.string(),
  endDate: z.string(),
});
export type TrainingSpan = z.infer<typeof TrainingSpan>;

/**
 * A finite figure, or null where it was not one: a model file is JSON, which writes NaN and infinities as null, so
 * a score that was not a number reads back as null.
 */
const Figure = z.number().nullable();

/** A policy's deterministic run over the validation period (with costs and the no-trade band, from cash). */
export const ValidationScore = z.object({
  /** annualised Sharpe ratio of the daily net returns */
  sharpe: Figure,
  /** net return over the period (value multiple - 1) */
  netReturn: Figure,
  /** mean daily one-way turnover */
  turnover: Figure,
});
export type ValidationScore = z.infer<typeof ValidationScore>;

/** One point of a stage's validation curve: the policy after an episode. */
export const ValidationPoint = ValidationScore.extend({
  /** 1-based episode of the stage */
  episode: z.number().int().min(1),
  /** the stage's updates when the episode ended */
  updates: z.number().int().min(0),
});
export type ValidationPoint = z.infer<typeof ValidationPoint>;

/** What one training stage did and which checkpoint it kept. */
export const TrainingStage = z.object({
  /** upper (stage 1), lower (stage 2) or flat (the flat DDPG baseline) */
  stage: z.enum(['upper', 'lower', 'flat', 'hadaps', 'mpls']),
  /** episodes run (the last may have been cut short by the update budget) */
  episodes: z.number().int().min(0),
  updates: z.number().int().min(0),
  /** why the stage ended: its update budget, its episode cap, or early stopping ('patience') */
  endedBy: z.enum(['budget', 'episodes', 'patience']),
  /** the 1-based episode whose policy the stage kept (the last one without validation; null when none ran) */
  chosenEpisode: z.number().int().min(1).nullable(),
  /** the chosen episode's validation score (null without validation) */
  chosen: ValidationScore.nullable(),
  /** the validation score after every episode (empty without validation) */
  validation: z.array(ValidationPoint),
});
export type TrainingStage = z.infer<typeof TrainingStage>;

/**
 * How a model was trained and chosen (issue 15): the training and validation periods, the episodes and updates
 * run, and per stage the validation curve and the chosen checkpoint.
 */
export const ModelTraining = z.object({
  /** absent where the file does not record its day spans (HADAPS: its window is the model's trainFrom..trainTo) */
  trainDays: TrainingSpan.optional(),
  /**
   * trading days held out for validation at the end of the training window (0: no validation); null where the file
   * does not record them (HADAPS: its stage's validation curve says whether it validated)
   */
  validationDays: z.number().int().min(0).nullable(),
  /** the validation period (absent when validationDays is 0) */
  validation: TrainingSpan.optional(),
  /** episodes and DDPG updates over all stages */
  episodes: z.number().int().min(0),
  updates: z.number().int().min(0),
  stages: z.array(TrainingStage),
});
export type ModelTraining = z.infer<typeof ModelTraining>;

export const ModelInfo = z.object({
  /** the reuse key (sha256 over training revision, engine, variant, config, seed and data) */
  key: z.string(),
  /**
   * strategy id it was trained for (samp-hdrl, an ablation, ddpg-flat); for HADAPS, EIIE and the classifiers, whose
   * files do not record it, the strategy of the first run that used it, else the family's name
   */
  variant: z.string(),
  /** its networks: hierarchical, upper-only or flat; eiie; ppn; an mlp or cnn classifier; MAPS's Q-agents; a three-level file's level */
  kind: z.string(),
  /** null where neither the file nor a run that used it says */
  seed: z.number().int().nullable(),
  /** quick, paper, or custom (a preset with overrides); 'unknown' where neither the file nor a run says */
  preset: z.string(),
  /** null where the file does not say */
  assets: z.number().int().min(0).nullable(),
  trainFrom: z.string(),
  trainTo: z.string(),
  /** training engine: onnxruntime-cpu, onnxruntime-cuda or a tfjs backend */
  backend: z.string(),
  /** ISO time the model was stored */
  trainedAt: z.string(),
  /** training wall time; null when the file does not record it */
  trainingMs: z.number().nullable(),
  /** how training chose it; null for models trained before validation was added, or whose record is unreadable */
  training: ModelTraining.nullable(),
  /** why the file's training record could not be read (null when it was read or the file has none) */
  trainingError: z.string().nullable(),
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
