/**
 * A trained Long/Hold/Short classifier as it is stored next to the database and reused (store/models.ts
 * fileLhsModelStore): the config it was trained with, the exported ONNX policy and the model record every decision
 * carries (training key, the policy's sha256, backend, training window). One JSON file per training key; reading it
 * checks the format, the config and that the policy's bytes still have the recorded sha256, so a damaged or edited
 * file is refused, never used.
 */
import { createHash } from 'node:crypto';
import type { DecisionModel } from '../../../src-shared/domain/decision';
import { checkLhsConfig, type LhsConfig } from './config';

/** What the strategy decides with. */
export interface LhsArtifacts {
  cfg: LhsConfig;
  onnx: Uint8Array;
  model: DecisionModel;
}

/** Where trained classifiers are kept between processes (the strategy keeps them in memory within one). */
export interface LhsModelStore {
  get(key: string): Promise<LhsArtifacts | undefined>;
  put(key: string, artifacts: LhsArtifacts): Promise<void>;
}

const FORMAT = 'lhs-model-v1';

export function serializeLhsArtifacts(a: LhsArtifacts): string {
  return JSON.stringify({ format: FORMAT, cfg: a.cfg, model: a.model, onnx: Buffer.from(a.onnx).toString('base64') });
}

/** @throws Error when the text is not a stored classifier, or its policy does not match its recorded sha256 */
export function parseLhsArtifacts(text: string): LhsArtifacts {
  const o = JSON.parse(text) as { format?: unknown; cfg?: LhsConfig; model?: DecisionModel; onnx?: unknown };
  if (o.format !== FORMAT)
    throw new Error(`not a stored Long/Hold/Short classifier (format ${JSON.stringify(o.format ?? null)})`);
  if (!o.cfg || !o.model || typeof o.model.key !== 'string' || typeof o.onnx !== 'string')
    throw new Error('stored Long/Hold/Short classifier lacks its config, record or policy');
  const onnx = new Uint8Array(Buffer.from(o.onnx, 'base64'));
  const sha = createHash('sha256').update(onnx).digest('hex');
  if (sha !== o.model.sha256)
    throw new Error(`stored Long/Hold/Short classifier ${o.model.key.slice(0, 12)}: policy does not match its sha256`);
  return { cfg: checkLhsConfig(o.cfg), onnx, model: o.model };
}
