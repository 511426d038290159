/**
 * A trained HADAPS model as it is stored next to the database and reused (store/models.ts fileHadapsModelStore,
 * `hadaps-<key>.json`): the config and class layout it was trained with (classes by ticker, so the file says what
 * it decides over), the price normalisation of its training days, the exported ONNX policy, the model record every
 * decision carries, what the training did (episodes, the validation curve, the chosen checkpoint), and for a
 * warm-started config the networks the next month's model starts from (config.ts warmStart). Reading a
 * file checks the format and that the policy's bytes still have the recorded sha256: a damaged or edited file is
 * refused, never used.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ClassBasis, DecisionModel } from '../../../src-shared/domain/decision';
import { deserializeParams, serializeParams, type SerializedParams } from '../../compute/params';
import type { HadapsWarmState } from '../../compute/train/hadapsLearner';
import type { StageSummary } from '../samp/episodes';
import { checkHadapsConfig, type HadapsConfig } from './config';
import type { PriceNorm } from './features';

/** The classes a model was trained with, by ticker (cash, always last, is implicit). */
export interface StoredClasses {
  basis: ClassBasis;
  classes: { name: string; tickers: string[] }[];
}

/** What the strategy decides with. */
export interface HadapsArtifacts {
  cfg: HadapsConfig;
  classes: StoredClasses;
  /** the universe's tickers in the order the policy reads them */
  tickers: string[];
  norm: PriceNorm;
  onnx: Uint8Array;
  model: DecisionModel;
  training: StageSummary & { updates: number; elapsedMs: number };
  /** the chosen checkpoint's networks, kept only for warm-started configs (the next month starts from them) */
  warm?: HadapsWarmState;
  /** the model this one was warm-started from (its training key), if any */
  warmFrom?: string;
}

/** Where trained models are kept between processes (the strategy keeps them in memory within one). */
export interface HadapsModelStore {
  get(key: string): Promise<HadapsArtifacts | undefined>;
  put(key: string, artifacts: HadapsArtifacts): Promise<void>;
}

const FORMAT = 'hadaps-model-v1';

const Stored = z.object({
  format: z.literal(FORMAT),
  cfg: z.record(z.string(), z.unknown()),
  classes: z.object({
    basis: ClassBasis,
    classes: z.array(z.object({ name: z.string(), tickers: z.array(z.string()) })),
  }),
  tickers: z.array(z.string()),
  norm: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  model: DecisionModel,
  training: z.record(z.string(), z.unknown()),
  onnx: z.string(),
  warm: z.record(z.string(), z.unknown()).optional(),
  warmFrom: z.string().optional(),
});

const WARM_PARTS = ['actor', 'stats', 'critic1', 'critic2'] as const;

export function serializeHadapsArtifacts(a: HadapsArtifacts): string {
  return JSON.stringify({
    format: FORMAT,
    cfg: a.cfg,
    classes: a.classes,
    tickers: a.tickers,
    norm: a.norm,
    model: a.model,
    training: a.training,
    onnx: Buffer.from(a.onnx).toString('base64'),
    ...(a.warm ? { warm: Object.fromEntries(WARM_PARTS.map((k) => [k, serializeParams(a.warm![k])])) } : {}),
    ...(a.warmFrom ? { warmFrom: a.warmFrom } : {}),
  });
}

/** @throws Error when the text is not a stored HADAPS model, or its policy does not match its recorded sha256 */
export function parseHadapsArtifacts(text: string): HadapsArtifacts {
  const parsed = Stored.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`not a stored HADAPS model: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
  const o = parsed.data;
  const onnx = new Uint8Array(Buffer.from(o.onnx, 'base64'));
  const sha = createHash('sha256').update(onnx).digest('hex');
  if (sha !== o.model.sha256)
    throw new Error(`stored HADAPS model ${o.model.key.slice(0, 12)}: policy does not match its sha256`);
  if (o.norm.mean.length !== o.tickers.length || o.norm.std.length !== o.tickers.length)
    throw new Error('stored HADAPS model: its price normalisation does not cover its tickers');
  return {
    // files written before these settings existed were cold-started and traded the policy's whole target
    cfg: checkHadapsConfig({ warmStart: false, tradeRate: 1, ...o.cfg } as unknown as HadapsConfig),
    classes: o.classes,
    tickers: o.tickers,
    norm: o.norm,
    onnx,
    model: o.model,
    training: o.training as unknown as HadapsArtifacts['training'],
    ...(o.warm
      ? {
          warm: Object.fromEntries(
            WARM_PARTS.map((k) => {
              const part = o.warm![k];
              if (!part) throw new Error(`stored HADAPS model: its warm-start state lacks ${k}`);
              return [k, deserializeParams(part as SerializedParams)];
            }),
          ) as unknown as HadapsWarmState,
        }
      : {}),
    ...(o.warmFrom ? { warmFrom: o.warmFrom } : {}),
  };
}
