/**
 * Trained MAPS agents as they are stored next to the database and reused (store/models.ts fileMapsModelStore): the
 * config they were trained with, the exported ONNX policy and the model record every decision carries (training
 * key, the policy's sha256, backend, training window). One JSON file per training key; reading it checks the format,
 * the config and that the policy's bytes still have the recorded sha256, so a damaged or edited file is refused,
 * never used.
 */
import { createHash } from 'node:crypto';
import type { DecisionModel } from '../../../src-shared/domain/decision';
import { checkMapsConfig, type MapsConfig } from './config';

/** What the strategy decides with. */
export interface MapsArtifacts {
  cfg: MapsConfig;
  onnx: Uint8Array;
  model: DecisionModel;
}

/** Where trained agents are kept between processes (the strategy keeps them in memory within one). */
export interface MapsModelStore {
  get(key: string): Promise<MapsArtifacts | undefined>;
  put(key: string, artifacts: MapsArtifacts): Promise<void>;
}

const FORMAT = 'maps-model-v1';

export function serializeMapsArtifacts(a: MapsArtifacts): string {
  return JSON.stringify({ format: FORMAT, cfg: a.cfg, model: a.model, onnx: Buffer.from(a.onnx).toString('base64') });
}

/** @throws Error when the text is not stored MAPS agents, or their policy does not match its recorded sha256 */
export function parseMapsArtifacts(text: string): MapsArtifacts {
  let o: { format?: unknown; cfg?: MapsConfig; model?: DecisionModel; onnx?: unknown };
  try {
    o = JSON.parse(text) as typeof o;
  } catch (e) {
    throw new Error(`stored MAPS model is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!o || typeof o !== 'object' || o.format !== FORMAT)
    throw new Error(`not a stored MAPS model (format ${JSON.stringify(o?.format ?? null)})`);
  if (!o.cfg || !o.model || typeof o.model.key !== 'string' || typeof o.onnx !== 'string')
    throw new Error('stored MAPS model lacks its config, record or policy');
  const onnx = new Uint8Array(Buffer.from(o.onnx, 'base64'));
  const sha = createHash('sha256').update(onnx).digest('hex');
  if (sha !== o.model.sha256)
    throw new Error(`stored MAPS model ${o.model.key.slice(0, 12)}: policy does not match its sha256`);
  return { cfg: checkMapsConfig(o.cfg), onnx, model: o.model };
}
