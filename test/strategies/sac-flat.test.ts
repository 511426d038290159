/**
 * sac-flat, the flat agent trained with SAC (docs/drl-baselines.md), as a registered strategy: the cases every flat
 * baseline shares (flat-helpers.ts: registration, training through the one off-policy loop with SAC recorded in the
 * artifacts and decisions, reproducibility by seed, reuse keys apart from the other variants' without changing
 * theirs, stored rows, the tfjs refusal) with SAC's own settings, values and messages below. SAC explores by sampling
 * its own policy, so the exploration std each episode reports is the policy's (set to 0.8 here), not the loop's
 * noise. The look-ahead test (test/strategies/lookahead.test.ts) runs it with every other registered strategy.
 */
import { expect } from 'vitest';
import { describeFlatBaseline } from './flat-helpers';

describeFlatBaseline({
  algorithm: 'sac',
  registration: {
    params: ['alpha', 'alphaTuning', 'targetEntropyPerAsset', 'alphaLr', 'initStd'],
    set: { alphaTuning: 'auto', alpha: 0.05 },
    refused: [
      [{ alphaTuning: 'learned' }, /alphaTuning" must be one of fixed, auto/],
      [{ alpha: 0 }, /alpha" must be >= 0.0001/],
    ],
  },
  training: {
    how: 'explores with its own policy',
    params: { initStd: 0.8 },
    // exploration sampled the policy: its std near 0.8, not the loop's noise 0.5
    sigma: 0.8,
    artifacts: (a) => {
      // the log-std is a training parameter, left out of the stored policy
      expect(a.params.params.map((p) => p.name).filter((n) => n.startsWith('sac/'))).toEqual([]);
      // every update stepped the actor
      expect(a.training!.updates).toBeGreaterThan(2);
    },
  },
  changesWeights: { params: [{ alpha: 0.5 }, { alphaTuning: 'auto', alphaLr: 0.01 }, { initStd: 1.5 }] },
  key: {
    changedBy: [
      { alpha: 0.02 },
      { alphaTuning: 'auto' },
      { targetEntropyPerAsset: -2 },
      { alphaLr: 1e-3 },
      { initStd: 0.3 },
    ],
    otherVariantsIgnore: { alpha: 0.5 },
    refused: [
      [{ initStd: 10 }, /sac.initStd must lie strictly between/],
      [{ targetEntropyPerAsset: -11 }, /sac.targetEntropyPerAsset must be a number in \[-10, 10\]/],
    ],
  },
});
