/**
 * The training stages of SAMP-HDRL (trainer.ts) and what each one's state holds, one definition for both training
 * engines (agents/samp/engines.ts for tfjs, compute/train/samp.ts for ONNX Runtime) and the trainer that fills it:
 *   'upper' (stage 1) and 'flat' (ddpg-flat): x [N, L] window features, wprev [N] drifted weights;
 *   'lower' (stage 2): also the frozen upper outputs w0 [N] and emb [d], the day's masks m1, m2 [N] and capital
 *                      fractions c1, c2 [1].
 * Acting adds exploration noise to the logits of each agent being trained: one vector for the upper or the flat
 * agent, one per lower agent.
 */
import type { SampConfig } from './config';

/** A training stage: stage 1 ('upper'), stage 2 ('lower') or the flat baseline. */
export type SampStage = 'upper' | 'lower' | 'flat';

/** Per-sample state shapes of a stage over `nAssets` assets (without the batch axis). */
export function stageStateShapes(stage: SampStage, cfg: SampConfig, nAssets: number): Record<string, number[]> {
  const N = nAssets;
  const base = { x: [N, cfg.window], wprev: [N] };
  return stage === 'lower' ? { ...base, w0: [N], emb: [cfg.upper.dModel], m1: [N], m2: [N], c1: [1], c2: [1] } : base;
}

/** Noise vectors (each [N]) acting takes in a stage. */
export function stageNoiseInputs(stage: SampStage): number {
  return stage === 'lower' ? 2 : 1;
}
