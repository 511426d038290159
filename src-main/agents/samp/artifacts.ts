/**
 * A trained SAMP-HDRL policy as it is stored and reused: the artifacts strategies/samp/model.ts trainSamp returns
 * (actor and critic weights, the exported ONNX policy, their sha256, the config, seed and training window), their
 * file format (JSON, ONNX bytes in base64), and the interface of a store that keeps them by training key. Only
 * types and the codec live here, below the store (store/models.ts) that writes them as files and the strategy
 * that makes and loads them.
 */
import type { SampVariant } from '../../../src-shared/domain/decision';
import type { SerializedParams } from '../../compute/params';
import { withStoredDefaults, type SampConfig } from './config';
import type { PolicyKind } from './policy';
import type { StageSummary, TrainProgress } from './trainer';

/**
 * How a model was trained and chosen (issue 15), for the desk's Training view: the training and validation
 * periods, the episodes and updates run, and per stage the validation curve (net Sharpe, net return and
 * turnover of the policy after every episode) and the chosen checkpoint.
 */
export interface SampTrainingSummary {
  /** training decisions first..last-1 (day indices; the last reward is realised at `last`) and their dates */
  trainDays: { first: number; last: number; startDate: string; endDate: string };
  /** days in the validation period: the config's validationDays, at most half the window (model.ts trainingPeriods) */
  validationDays: number;
  /** validation decisions first..last-1 (absent when validationDays is 0) */
  validation?: { first: number; last: number; startDate: string; endDate: string };
  /** episodes and DDPG updates over all stages */
  episodes: number;
  updates: number;
  stages: StageSummary[];
}

/** Everything a trained policy needs to be stored and reused. */
export interface SampArtifacts {
  format: 'samp-artifacts-v1';
  variant: SampVariant;
  kind: PolicyKind;
  /** the config as run (variant changes applied) */
  config: SampConfig;
  seed: number;
  tickers: string[];
  /** training window (day indices into the price matrix it was trained on) and dates */
  train: { start: number; end: number; firstStateDay: number; startDate: string; endDate: string };
  /** training engine that trained it: 'onnxruntime-cpu', 'onnxruntime-cuda', or the tfjs backend ('wasm', ...) */
  backend: string;
  /**
   * episodes, updates, chosen checkpoints and validation curves (absent in models of training revisions up to 3).
   * Written before the weights, so a reader of the file's head (store/models.ts) gets it without them.
   */
  training?: SampTrainingSummary;
  /** actor weights (tfjs format: named float32 tensors) */
  params: SerializedParams;
  /** critic weights per stage (to continue training) */
  critics: Record<string, SerializedParams>;
  /** serialised ONNX ModelProto of the policy */
  onnx: Uint8Array;
  /** sha256 (hex) of the ONNX bytes and of the concatenated actor weight bytes */
  sha256: { onnx: string; params: string };
  /** sampTrainingKey of the run */
  key: string;
  history: TrainProgress[];
  elapsedMs: number;
}

/** Artifacts as a JSON string (ONNX bytes base64-encoded). */
export function serializeSampArtifacts(a: SampArtifacts): string {
  return JSON.stringify({ ...a, onnx: Buffer.from(a.onnx).toString('base64') });
}

/**
 * Inverse of serializeSampArtifacts. The config of a model stored by an earlier training revision gets the
 * meaning of the settings it lacks (config.ts withStoredDefaults), so it decides as it was trained.
 */
export function parseSampArtifacts(json: string): SampArtifacts {
  const o = JSON.parse(json) as Omit<SampArtifacts, 'onnx'> & { onnx: string };
  if (o.format !== 'samp-artifacts-v1') throw new Error(`unknown SAMP artifacts format ${String(o.format)}`);
  return { ...o, config: withStoredDefaults(o.config), onnx: new Uint8Array(Buffer.from(o.onnx, 'base64')) };
}

/** Where trained artifacts are kept between runs (installed by the host; none by default). */
export interface SampModelStore {
  get(key: string): Promise<SampArtifacts | undefined>;
  put(key: string, artifacts: SampArtifacts): Promise<void>;
}
