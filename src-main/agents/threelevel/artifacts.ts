/**
 * The three-level hierarchy's trained models as they are stored next to the database and reused (store/models.ts
 * fileThreeLevelModelStore, `threelevel-<key>.json`): one file per trained level, either
 *   - 'execution' (Level 3): its config, the tickers it was trained over, the exported ONNX policy, the model record
 *     decisions carry and what the training did; or
 *   - 'tactical' (Level 2): its config, the class layout by ticker, which Level 3 executed its training months (a
 *     model key or a baseline's name), the ONNX policy, the model record and the training; or
 *   - 'strategic' (the learned Level 1, strategic-trainer.ts): its config, the class layout by ticker, the ONNX
 *     policy, the model record and the training.
 * Reading a file checks the format, the config and that the policy's bytes still have the recorded sha256: a
 * damaged or edited file is refused, never used.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ClassBasis, DecisionModel } from '../../../src-shared/domain/decision';
import type { StoredClasses } from '../hadaps/artifacts';
import { checkExecutionConfig, type ExecutionConfig } from './config';
import { checkStrategicConfig, type StrategicConfig } from './strategic-config';
import { checkTacticalConfig, type TacticalConfig } from './tactical-config';

/** What a training did, as the file records it. */
export interface LevelTraining {
  updates: number;
  /** training episodes (Levels 1 and 2) or periods (Level 3) */
  episodes: number;
  /** the updates and validation score (bp) of the chosen checkpoint; null without validation */
  chosen: { updates: number; score: number } | null;
  stoppedEarly: boolean;
  elapsedMs: number;
}

export interface ExecutionArtifacts {
  level: 'execution';
  cfg: ExecutionConfig;
  tickers: string[];
  onnx: Uint8Array;
  model: DecisionModel;
  training: LevelTraining;
}

export interface TacticalArtifacts {
  level: 'tactical';
  cfg: TacticalConfig;
  classes: StoredClasses;
  tickers: string[];
  /** the Level 3 its months were executed by: an execution model's key, or 'trade-at-once' / 'linear' */
  execution: string;
  onnx: Uint8Array;
  model: DecisionModel;
  training: LevelTraining;
}

export interface StrategicArtifacts {
  level: 'strategic';
  cfg: StrategicConfig;
  classes: StoredClasses;
  tickers: string[];
  onnx: Uint8Array;
  model: DecisionModel;
  training: LevelTraining;
}

export type ThreeLevelArtifacts = ExecutionArtifacts | TacticalArtifacts | StrategicArtifacts;

/** A stored file's level in words, as the model list shows it: "tactical (Level 2)". */
export function threeLevelKind(level: unknown): string {
  const n = ['strategic', 'tactical', 'execution'].indexOf(String(level)) + 1;
  return n > 0 ? `${String(level)} (Level ${n})` : 'unknown level';
}

/** Where trained models are kept between processes. */
export interface ThreeLevelModelStore {
  get(key: string): Promise<ThreeLevelArtifacts | undefined>;
  put(key: string, artifacts: ThreeLevelArtifacts): Promise<void>;
}

const FORMAT = 'threelevel-model-v1';

const Training = z.object({
  updates: z.number().int().nonnegative(),
  episodes: z.number().int().nonnegative(),
  chosen: z.object({ updates: z.number(), score: z.number() }).nullable(),
  stoppedEarly: z.boolean(),
  elapsedMs: z.number(),
});

const Common = {
  format: z.literal(FORMAT),
  cfg: z.record(z.string(), z.unknown()),
  tickers: z.array(z.string()),
  onnx: z.string(),
  model: DecisionModel,
  training: Training,
};

const Classes = z.object({
  basis: ClassBasis,
  classes: z.array(z.object({ name: z.string(), tickers: z.array(z.string()) })),
});

const Stored = z.discriminatedUnion('level', [
  z.object({ level: z.literal('execution'), ...Common }),
  z.object({ level: z.literal('tactical'), ...Common, classes: Classes, execution: z.string() }),
  z.object({ level: z.literal('strategic'), ...Common, classes: Classes }),
]);

export function serializeThreeLevelArtifacts(a: ThreeLevelArtifacts): string {
  return JSON.stringify({ format: FORMAT, ...a, onnx: Buffer.from(a.onnx).toString('base64') });
}

/** @throws Error when the text is not a stored three-level model, or its policy does not match its sha256 */
export function parseThreeLevelArtifacts(text: string): ThreeLevelArtifacts {
  const parsed = Stored.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`not a stored three-level model: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
  const o = parsed.data;
  const onnx = new Uint8Array(Buffer.from(o.onnx, 'base64'));
  if (createHash('sha256').update(onnx).digest('hex') !== o.model.sha256)
    throw new Error(`stored three-level model ${o.model.key.slice(0, 12)}: policy does not match its sha256`);
  const common = { tickers: o.tickers, onnx, model: o.model, training: o.training };
  if (o.level === 'execution')
    return { level: 'execution', cfg: checkExecutionConfig(o.cfg as unknown as ExecutionConfig), ...common };
  if (o.level === 'strategic')
    return {
      level: 'strategic',
      cfg: checkStrategicConfig(o.cfg as unknown as StrategicConfig),
      classes: o.classes,
      ...common,
    };
  return {
    level: 'tactical',
    cfg: checkTacticalConfig(o.cfg as unknown as TacticalConfig),
    classes: o.classes,
    execution: o.execution,
    ...common,
  };
}
