/**
 * A trained PPN model as it is stored next to the database and reused (store/models.ts filePpnModelStore): the
 * config it was trained with, the number of assets its network is built for, the exported ONNX policy and the model
 * record every decision carries (training key, the policy's sha256, backend, training window). One JSON file per
 * training key; reading it checks the format, the config and that the policy's bytes still have the recorded
 * sha256, so a damaged or edited file is refused, never used.
 */
import { createHash } from 'node:crypto';
import type { DecisionModel } from '../../../src-shared/domain/decision';
import { checkPpnConfig, type PpnConfig } from './config';

/** What the strategy decides with. */
export interface PpnArtifacts {
  cfg: PpnConfig;
  /** the number of assets the network is built for */
  nAssets: number;
  onnx: Uint8Array;
  model: DecisionModel;
}

/** Where trained models are kept between processes (the strategy keeps them in memory within one). */
export interface PpnModelStore {
  get(key: string): Promise<PpnArtifacts | undefined>;
  put(key: string, artifacts: PpnArtifacts): Promise<void>;
}

const FORMAT = 'ppn-model-v1';

export function serializePpnArtifacts(a: PpnArtifacts): string {
  return JSON.stringify({
    format: FORMAT,
    cfg: a.cfg,
    nAssets: a.nAssets,
    model: a.model,
    onnx: Buffer.from(a.onnx).toString('base64'),
  });
}

/** @throws Error when the text is not a stored PPN model, or its policy does not match its recorded sha256 */
export function parsePpnArtifacts(text: string): PpnArtifacts {
  const o = JSON.parse(text) as {
    format?: unknown;
    cfg?: PpnConfig;
    nAssets?: unknown;
    model?: DecisionModel;
    onnx?: unknown;
  };
  if (o.format !== FORMAT) throw new Error(`not a stored PPN model (format ${JSON.stringify(o.format ?? null)})`);
  if (!o.cfg || !o.model || typeof o.onnx !== 'string' || !(Number.isInteger(o.nAssets) && (o.nAssets as number) >= 1))
    throw new Error('stored PPN model lacks its config, asset count, record or policy');
  const onnx = new Uint8Array(Buffer.from(o.onnx, 'base64'));
  const sha = createHash('sha256').update(onnx).digest('hex');
  if (sha !== o.model.sha256)
    throw new Error(`stored PPN model ${o.model.key.slice(0, 12)}: policy does not match its sha256`);
  return { cfg: checkPpnConfig(o.cfg), nAssets: o.nAssets as number, onnx, model: o.model };
}
