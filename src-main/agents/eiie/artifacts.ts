/**
 * A trained EIIE model (any evaluator) as it is stored next to the database and reused (store/models.ts
 * fileEiieModelStore): the config it was trained with (its evaluator included), the exported ONNX policy and the
 * model record every decision carries (training key, the policy's sha256, backend, training window). One JSON file
 * per training key; reading it checks the format and that the policy's bytes still have the recorded sha256, so a
 * damaged or edited file is refused, never used. A file written before the RNN and LSTM variants existed has no
 * evaluator in its config and is read as the CNN model it is.
 */
import { createHash } from 'node:crypto';
import type { DecisionModel } from '../../../src-shared/domain/decision';
import { checkEiieConfig, type EiieConfig } from './config';

/** What the strategy decides with. */
export interface EiieArtifacts {
  cfg: EiieConfig;
  onnx: Uint8Array;
  model: DecisionModel;
}

/** Where trained models are kept between processes (the strategy keeps them in memory within one). */
export interface EiieModelStore {
  get(key: string): Promise<EiieArtifacts | undefined>;
  put(key: string, artifacts: EiieArtifacts): Promise<void>;
}

const FORMAT = 'eiie-model-v1';

export function serializeEiieArtifacts(a: EiieArtifacts): string {
  return JSON.stringify({ format: FORMAT, cfg: a.cfg, model: a.model, onnx: Buffer.from(a.onnx).toString('base64') });
}

/** @throws Error when the text is not a stored EIIE model, or its policy does not match its recorded sha256 */
export function parseEiieArtifacts(text: string): EiieArtifacts {
  const o = JSON.parse(text) as {
    format?: unknown;
    cfg?: Omit<EiieConfig, 'evaluator'> & Partial<Pick<EiieConfig, 'evaluator'>>;
    model?: DecisionModel;
    onnx?: unknown;
  };
  if (o.format !== FORMAT) throw new Error(`not a stored EIIE model (format ${JSON.stringify(o.format ?? null)})`);
  if (!o.cfg || !o.model || typeof o.onnx !== 'string')
    throw new Error('stored EIIE model lacks its config, record or policy');
  const onnx = new Uint8Array(Buffer.from(o.onnx, 'base64'));
  const sha = createHash('sha256').update(onnx).digest('hex');
  if (sha !== o.model.sha256)
    throw new Error(`stored EIIE model ${o.model.key.slice(0, 12)}: policy does not match its sha256`);
  // files written before the RNN and LSTM variants have no evaluator: they are CNN models
  return { cfg: checkEiieConfig({ ...o.cfg, evaluator: o.cfg.evaluator ?? 'cnn' }), onnx, model: o.model };
}
