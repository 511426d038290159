/**
 * td3-flat, the flat agent trained with TD3 (docs/drl-baselines.md), as a registered strategy: the cases every flat
 * baseline shares (flat-helpers.ts: registration, training through the one off-policy loop with TD3 recorded in the
 * artifacts and decisions, reproducibility by seed, reuse keys apart from the other variants' without changing
 * theirs, stored rows, the tfjs refusal) with TD3's own settings, values and messages below. The look-ahead test
 * (test/strategies/lookahead.test.ts) runs it with every other registered strategy.
 */
import { expect } from 'vitest';
import { describeFlatBaseline } from './flat-helpers';

describeFlatBaseline({
  algorithm: 'td3',
  registration: {
    params: ['policyDelay', 'targetNoise', 'targetNoiseClip'],
    set: { policyDelay: 3 },
    refused: [[{ policyDelay: 0 }, /policyDelay" must be >= 1/]],
  },
  training: {
    artifacts: (a) => {
      // the per-episode actor loss averages the updates that stepped the actor (every second one)
      expect(a.training!.updates).toBeGreaterThan(2);
    },
  },
  // no delay trains other weights from the same seed
  changesWeights: { params: [{ policyDelay: 1 }] },
  key: {
    changedBy: [{ policyDelay: 3 }, { targetNoise: 0.1 }, { targetNoiseClip: 0.3 }],
    otherVariantsIgnore: { policyDelay: 3 },
    refused: [[{ targetNoise: -1 }, /td3.targetNoise must be/]],
  },
});
